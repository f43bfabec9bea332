"""Reads of campaigns: the audience before sending, and the results after (E2, E5, T1, T2)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncHour
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.models import Campaign
from comptoir.commerce.models import Order, Product
from comptoir.commerce.selectors import products_for_sale
from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.selectors import Sha256Hex, marketing_recipients
from comptoir.contacts.models import Contact
from comptoir.contacts.selectors import (
    contacts_in_segments,
    segments_condition,
    segments_with_counts,
)
from comptoir.core.models import Workspace
from comptoir.core.scoping import get_scoped, scoped
from comptoir.core.services import ServiceError
from comptoir.mail import rendering
from comptoir.mail.models import Delivery, DeliveryClick
from comptoir.mail.rendering import Rendered, render_preview

# T2: an order with the campaign's coupon counts for it this long after the send started.
COUPON_WINDOW = dt.timedelta(days=30)
# The opens and clicks chart covers the first two days, hour by hour.
CHART_HOURS = 48


def campaign_get(*, workspace: Workspace, campaign_id: int) -> Campaign:
    """A campaign of this workspace, or Http404."""
    return get_scoped(
        scoped(Campaign, workspace).select_related("mailing"), workspace, pk=campaign_id
    )


def campaigns_list(*, workspace: Workspace) -> QuerySet[Campaign]:
    return scoped(Campaign, workspace).select_related("mailing").order_by("-created_at", "-id")


def audience_contacts(*, workspace: Workspace, segment_ids: list[str]) -> QuerySet[Contact]:
    """Everybody in the chosen segments, each once, whether they may be mailed or not."""
    return contacts_in_segments(workspace=workspace, segment_ids=segment_ids)


def campaign_audience(*, campaign: Campaign) -> QuerySet[Contact]:
    """Who would receive the campaign now: subscribed and not suppressed (K5, K6).

    One condition on the contacts rather than `pk IN (the segments)`: a self-join that a
    planner without fresh statistics (right after a large import) runs as a nested loop.
    """
    workspace = campaign.workspace
    members = segments_condition(workspace=workspace, segment_ids=campaign.segment_ids)
    return marketing_recipients(workspace).filter(members)


def audience_breakdown(*, workspace: Workspace, segment_ids: list[str]) -> dict[str, int]:
    """E2: how many will receive it now, and how many are left out and why."""
    everybody = audience_contacts(workspace=workspace, segment_ids=segment_ids)
    suppressed = Exists(
        scoped(Suppression, workspace).filter(email_hash=Sha256Hex(OuterRef("email_key")))
    )
    Consent = Contact.Consent
    with_address = ~Q(email_key="")
    counts = everybody.aggregate(
        total=Count("pk"),
        no_email=Count("pk", filter=Q(email_key="")),
        unsubscribed=Count("pk", filter=with_address & Q(consent=Consent.UNSUBSCRIBED)),
        never_subscribed=Count("pk", filter=with_address & Q(consent=Consent.NOT_SUBSCRIBED)),
        pending=Count("pk", filter=with_address & Q(consent=Consent.PENDING)),
        suppressed=Count("pk", filter=with_address & Q(consent=Consent.SUBSCRIBED) & Q(suppressed)),
    )
    counts["recipients"] = (
        marketing_recipients(workspace).filter(pk__in=everybody.values("pk")).count()
    )
    return counts


def sample_contact(*, campaign: Campaign) -> Contact:
    """A real person of the audience to preview and test with; a sample one if none."""
    try:
        contact = campaign_audience(campaign=campaign).order_by("pk").first()
    except (Http404, ServiceError):  # a deleted segment: preview with the sample person
        contact = None
    return contact or rendering.sample_contact(campaign.workspace)


def _deliveries(campaign: Campaign) -> QuerySet[Delivery]:
    if campaign.mailing_id is None:
        return Delivery.objects.none()
    return Delivery.objects.filter(mailing_id=campaign.mailing_id)


_machine_click = DeliveryClick.objects.filter(delivery=OuterRef("pk"), machine=True)


def delivery_counts(*, campaign: Campaign) -> dict[str, int]:
    S = Delivery.Status
    deliveries = _deliveries(campaign)
    counts = deliveries.aggregate(
        frozen=Count("pk"),
        queued=Count("pk", filter=Q(status__in=[S.QUEUED, S.CLAIMED, S.SENDING])),
        sent=Count("pk", filter=Q(status=S.SENT)),
        failed=Count("pk", filter=Q(status=S.FAILED)),
        unknown=Count("pk", filter=Q(status=S.UNKNOWN)),
        skipped=Count("pk", filter=Q(status=S.SKIPPED)),
        canceled=Count("pk", filter=Q(status=S.CANCELED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        # Shown apart (mail.robots): fetched by a privacy proxy, never opened by a person.
        proxy_opens=Count("pk", filter=Q(proxy_opened_at__isnull=False, opened_at__isnull=True)),
        machine_clicks=Count("pk", filter=Q(clicked_at__isnull=True) & Q(Exists(_machine_click))),
    )
    return counts


def _suppressed_after_sending(campaign: Campaign, reason: str) -> int:
    hits = scoped(Suppression, campaign.workspace).filter(
        reason=reason,
        email_hash=Sha256Hex(OuterRef("contact__email_key")),
        created_at__gte=OuterRef("sent_at"),
    )
    sent = _deliveries(campaign).filter(status=Delivery.Status.SENT)
    return sent.filter(Exists(hits)).count()


def _unsubscribed(campaign: Campaign) -> int:
    """Unsubscribes this campaign caused: by link or one-click after it arrived, before any
    later marketing e-mail reached the same person."""
    later_mail = Delivery.objects.filter(
        contact_id=OuterRef(OuterRef("contact_id")),
        kind=Delivery.Kind.MARKETING,
        status=Delivery.Status.SENT,
        sent_at__gt=OuterRef(OuterRef("sent_at")),
        sent_at__lt=OuterRef("created_at"),
    )
    left = (
        scoped(ConsentEvent, campaign.workspace)
        .filter(
            contact_id=OuterRef("contact_id"),
            status=ConsentEvent.Status.UNSUBSCRIBED,
            source__in=[ConsentEvent.Source.UNSUBSCRIBE_LINK, ConsentEvent.Source.ONE_CLICK],
            created_at__gte=OuterRef("sent_at"),
        )
        .filter(~Exists(later_mail))
    )
    return _deliveries(campaign).filter(status=Delivery.Status.SENT).filter(Exists(left)).count()


def coupon_orders(*, campaign: Campaign) -> QuerySet[Order]:
    """T2: orders that used the campaign's coupon within 30 days of the send."""
    if not campaign.coupon_code or campaign.started_at is None:
        return Order.objects.none()
    return scoped(Order, campaign.workspace).filter(
        Order.counted_q(),
        coupon_code__iexact=campaign.coupon_code,
        placed_at__gte=campaign.started_at,
        placed_at__lt=campaign.started_at + COUPON_WINDOW,
    )


def campaign_stats(*, campaign: Campaign) -> dict:
    """The figures of the contract's `stats`, and a few more for the dashboard."""
    counts = delivery_counts(campaign=campaign)
    orders = coupon_orders(campaign=campaign).aggregate(n=Count("pk"), revenue=Sum("total"))
    recipients = counts["frozen"] - counts["skipped"] - counts["canceled"]
    return {
        "recipients": max(0, recipients),
        "sent": counts["sent"],
        "failed": counts["failed"],
        "unknown": counts["unknown"],
        "queued": counts["queued"],
        "skipped": counts["skipped"],
        "bounced": _suppressed_after_sending(campaign, Suppression.Reason.BOUNCE),
        "complaints": _suppressed_after_sending(campaign, Suppression.Reason.COMPLAINT),
        "opened": counts["opened"],
        "clicked": counts["clicked"],
        "proxy_opens": counts["proxy_opens"],
        "machine_clicks": counts["machine_clicks"],
        "unsubscribed": _unsubscribed(campaign),
        "coupon_orders": orders["n"],
        "coupon_revenue": (orders["revenue"] or Decimal("0")).quantize(Decimal("0.01")),
    }


def campaign_links(*, campaign: Campaign) -> list[dict]:
    """Per link: how many people clicked it (unique), how many clicks people made in all,
    and how many messages a link scanner followed it in (E5)."""
    human = Q(machine=False)
    rows = (
        DeliveryClick.objects.filter(delivery__mailing_id=campaign.mailing_id)
        .values("url")
        .annotate(
            unique=Count("delivery_id", filter=human, distinct=True),
            total=Coalesce(Sum("count", filter=human), 0),
            scanners=Count("delivery_id", filter=Q(machine=True), distinct=True),
        )
        .order_by("-unique", "url")
    )
    return list(rows) if campaign.mailing_id else []


def campaign_hourly(*, campaign: Campaign) -> list[dict]:
    """Opens and clicks per hour over the first 48 hours of the send (the chart of E5)."""
    if campaign.started_at is None or campaign.mailing_id is None:
        return []
    start = campaign.started_at.replace(minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(hours=CHART_HOURS)
    hours = {start + dt.timedelta(hours=h): {"opens": 0, "clicks": 0} for h in range(CHART_HOURS)}
    deliveries = _deliveries(campaign)
    for field, key in (("opened_at", "opens"), ("clicked_at", "clicks")):
        per_hour = (
            deliveries.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(hour=TruncHour(field, tzinfo=dt.UTC))
            .values("hour")
            .annotate(n=Count("pk"))
        )
        for row in per_hour:
            hour = row["hour"]
            if hour in hours:
                hours[hour][key] = row["n"]
    return [{"hour": hour, **values} for hour, values in hours.items()]


# ---------------------------------------------------------------------------
# The campaign pages' reads, combining the selectors above: list rows with their headline
# figures, the composer's choices and the preview (the chart's geometry is web's).


# The product picker lists a small shop's catalogue, not a warehouse's.
CATALOGUE_SHOWN = 200
# Why contacts of the audience get nothing now, in the order the audience box lists them.
LEFT_OUT = (
    ("unsubscribed", _("unsubscribed")),
    ("never_subscribed", _("never subscribed")),
    ("pending", _("waiting for double opt-in confirmation")),
    ("suppressed", _("bounced, complained or erased")),
    ("no_email", _("no e-mail address")),
)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass
class CampaignRow:
    campaign: Campaign
    stats: dict
    open_rate: Decimal | None
    click_rate: Decimal | None


def campaign_rows(campaigns) -> list[CampaignRow]:
    rows = []
    for campaign in campaigns:
        stats = campaign_stats(campaign=campaign)
        rows.append(
            CampaignRow(
                campaign=campaign,
                stats=stats,
                open_rate=percent(stats["opened"], stats["sent"]),
                click_rate=percent(stats["clicked"], stats["sent"]),
            )
        )
    return rows


def segment_choices(*, workspace: Workspace) -> list[tuple[str, str]]:
    """Built-in segments first, then the saved ones, each with its live count."""
    builtins, saved = segments_with_counts(workspace=workspace)
    return [(row.id, f"{row.name} ({row.count})") for row in [*builtins, *saved]]


def catalogue(*, workspace: Workspace) -> list[Product]:
    return list(products_for_sale(workspace=workspace)[:CATALOGUE_SHOWN])


@dataclass
class Audience:
    recipients: int
    total: int
    left_out: list[tuple[str, int]]


def audience(*, workspace: Workspace, segment_ids: list[str]) -> Audience | None:
    """E2: who would receive it now and who is left out, or None before segments are chosen
    (or when one no longer exists: the form says so)."""
    if not segment_ids:
        return None
    try:
        counts = audience_breakdown(workspace=workspace, segment_ids=segment_ids)
    except (Http404, ServiceError):  # a deleted or cyclic segment: nothing to count
        return None
    left_out = [(label, counts[key]) for key, label in LEFT_OUT if counts[key]]
    return Audience(recipients=counts["recipients"], total=counts["total"], left_out=left_out)


@dataclass
class Preview:
    contact: Contact
    rendered: Rendered | None
    error: str | None = None


def preview(*, campaign: Campaign) -> Preview:
    """The message as a real person of the audience would get it (E1); the unsubscribe
    link leads nowhere, since nobody is unsubscribed from a preview."""
    contact = sample_contact(campaign=campaign)
    try:
        rendered = render_preview(
            workspace=campaign.workspace,
            contact=contact,
            subject=campaign.subject,
            body_markdown=campaign.body_markdown,
            preheader=campaign.preheader,
        )
    except Exception as error:  # noqa: BLE001 - a preview never takes the composer down
        return Preview(contact=contact, rendered=None, error=str(error))
    return Preview(contact=contact, rendered=rendered)


# The chart: one group of two bars (opens, clicks) per hour, in an SVG of this size.
