"""Reads of automations: settings, what waits, and the results (A7, T2)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, Sum
from django.db.models.functions import TruncDate

from comptoir.automations.models import Automation, ScheduledSend
from comptoir.commerce.models import Cart, Order
from comptoir.core import clock
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.mail.models import Delivery

# An order from the same person this long after a reminder counts as a recovered cart.
RECOVERY_WINDOW = dt.timedelta(days=7)
CHART_DAYS = 30


def automation_read(*, workspace: Workspace, kind: str) -> Automation:
    """The automation as stored, or an unsaved inactive one with the defaults."""
    found = scoped(Automation, workspace).filter(kind=kind).first()
    return found or Automation(workspace=workspace, kind=kind)


def waiting_count(*, automation: Automation) -> int:
    """Sends that would be canceled by deactivating now (A5)."""
    if automation.pk is None:
        return 0
    return automation.sends.filter(status=ScheduledSend.Status.WAITING).count()


def deliveries_of(automation: Automation):
    if automation.pk is None:
        return Delivery.objects.none()
    return Delivery.objects.filter(
        workspace_id=automation.workspace_id, scheduled_send__automation=automation
    )


def recovered_orders(*, automation: Automation):
    """T2: counted orders placed within 7 days after one of the automation's e-mails reached
    the same person, or that used the automation's coupon since it was first activated."""
    if automation.pk is None:
        return Order.objects.none()
    window_start = ExpressionWrapper(
        OuterRef("placed_at") - RECOVERY_WINDOW, output_field=DateTimeField()
    )
    reached = deliveries_of(automation).filter(
        status=Delivery.Status.SENT,
        contact_id=OuterRef("contact_id"),
        sent_at__lte=OuterRef("placed_at"),
        sent_at__gt=window_start,
    )
    match = Q(Exists(reached))
    if automation.coupon_code and automation.activated_at is not None:
        match |= Q(coupon_code__iexact=automation.coupon_code) & Q(
            placed_at__gte=automation.activated_at
        )
    return scoped(Order, automation.workspace).filter(Order.counted_q()).filter(match)


def automation_stats(*, automation: Automation) -> dict:
    S = Delivery.Status
    counts = deliveries_of(automation).aggregate(
        sent=Count("pk", filter=Q(status=S.SENT)),
        opened=Count("pk", filter=Q(status=S.SENT, opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(status=S.SENT, clicked_at__isnull=False)),
        skipped=Count("pk", filter=Q(status=S.SKIPPED)),
    )
    orders = recovered_orders(automation=automation).aggregate(n=Count("pk"), revenue=Sum("total"))
    return {
        **counts,
        "recovered": orders["n"],
        "recovered_revenue": (orders["revenue"] or Decimal("0")).quantize(Decimal("0.01")),
        "waiting": waiting_count(automation=automation),
    }


def automation_daily(*, automation: Automation, days: int = CHART_DAYS) -> list[dict]:
    """Sent, opened and recovered per day over the last `days` days, in the shop's time zone."""
    zone = zoneinfo.ZoneInfo(automation.workspace.time_zone)
    today = clock.now().astimezone(zone).date()
    first = today - dt.timedelta(days=days - 1)
    rows = {
        first + dt.timedelta(days=n): {"sent": 0, "opened": 0, "recovered": 0} for n in range(days)
    }
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    series = (
        ("sent", deliveries_of(automation).filter(status=Delivery.Status.SENT), "sent_at"),
        ("opened", deliveries_of(automation).filter(status=Delivery.Status.SENT), "opened_at"),
        ("recovered", recovered_orders(automation=automation), "placed_at"),
    )
    for key, queryset, field in series:
        per_day = (
            queryset.filter(**{f"{field}__gte": start})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values("day")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in per_day:
            if row["day"] in rows:
                rows[row["day"]][key] = row["n"]
    return [{"day": day, **values} for day, values in rows.items()]


def preview_cart(*, workspace: Workspace) -> Cart | None:
    """A real cart to preview the reminder with: the latest open one with an address."""
    return (
        scoped(Cart, workspace)
        .filter(converted_at__isnull=True, contact__isnull=False)
        .select_related("contact__workspace", "workspace")
        .order_by("-updated_at_store", "-pk")
        .first()
    )
