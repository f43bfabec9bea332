"""Every write of automations: settings, scheduling, and the dispatcher (A1–A6).

Scheduling follows what the store sends (commerce calls `cart_changed` and
`order_written` after its transactions commit): a cart with a known e-mail, not converted,
last changed after the activation, gets one waiting first reminder due at its last change
plus the delay; a later change moves it; a conversion cancels it. The dispatcher turns due
rows into deliveries of the one send pipeline, which re-checks consent and asks
`content` for each message at send time.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from comptoir.automations import content
from comptoir.automations.models import Automation, ScheduledSend
from comptoir.commerce.models import Cart, Order
from comptoir.consent.selectors import marketing_allowed, marketing_recipients
from comptoir.contacts.models import Contact
from comptoir.core import clock
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from comptoir.core.tasks import enqueue_on_commit
from comptoir.mail import pipeline, templating
from comptoir.mail.models import Delivery

logger = logging.getLogger("comptoir.automations")

Kind = ScheduledSend.Kind
Status = ScheduledSend.Status
MAX_MINUTES = 60 * 24 * 30  # a month: later than that, a reminder reminds of nothing
MAX_BODY = 100_000
CLAIM_SIZE = 500
# How long one call of the dispatcher works before the pipeline's dispatcher gets its turn.
DISPATCH_BUDGET = dt.timedelta(seconds=10)
ORIGINS = {
    Automation.Kind.ABANDONED_CART: content.CART_ORIGIN,
    Automation.Kind.WELCOME: content.WELCOME_ORIGIN,
}

LABELS = {
    "delay_minutes": gettext_lazy("The delay"),
    "reminder_after_minutes": gettext_lazy("The delay of the second reminder"),
}


# ------------------------------------------------------------------------ settings


def automation_for(*, workspace: Workspace, kind: str) -> Automation:
    """The workspace's automation of `kind`, made (inactive, with defaults) on first use."""
    automation, _created = Automation.objects.get_or_create(workspace=workspace, kind=kind)
    return automation


def _minutes(value, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
        raise ServiceError(
            _("%(field)s must be a whole number of minutes from 1 to %(max)d.")
            % {"field": LABELS[field], "max": MAX_MINUTES},
            code="invalid_" + field.removesuffix("_minutes"),
        )
    return value


def _subject(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value) > 300:
        raise ServiceError(_("The subject is longer than 300 characters."), code="invalid_subject")
    _check_tags(value)
    return value


def _body(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > MAX_BODY:
        raise ServiceError(_("The message is too long."), code="invalid_body")
    _check_tags(value)
    return value.strip()


def _check_tags(text: str) -> None:
    """A personalisation tag that would show as braces in every inbox is refused."""
    problems = templating.tag_errors(text)
    if problems:
        raise ServiceError(" ".join(p.message for p in problems), code="invalid_template")


def _locked(workspace: Workspace, kind: str) -> Automation:
    automation_for(workspace=workspace, kind=kind)
    return scoped(Automation, workspace).select_for_update().get(kind=kind)


def _switch(automation: Automation, enabled: bool) -> int:
    """Activate (A3: from now on) or deactivate (A5: every waiting send canceled)."""
    canceled = 0
    if enabled and not automation.enabled:
        automation.activated_at = clock.now()
    if not enabled and automation.enabled:
        canceled = _cancel(
            automation.sends.filter(status=Status.WAITING), reason="automation deactivated"
        )
    automation.enabled = enabled
    return canceled


def _cancel(sends, *, reason: str) -> int:
    return sends.filter(status=Status.WAITING).update(
        status=Status.CANCELED, reason=reason, handled_at=timezone.now()
    )


@transaction.atomic
def abandoned_cart_configure(
    *,
    workspace: Workspace,
    actor: User | None,
    enabled: bool,
    delay_minutes: int,
    reminder_enabled: bool,
    reminder_after_minutes: int,
    subject: str | None = None,
    body_markdown: str | None = None,
) -> Automation:
    """Set the abandoned-cart reminder (A1, A2). Everything is checked before anything is
    written; `subject`/`body_markdown` None keep the current ones, "" the defaults."""
    delay = _minutes(delay_minutes, field="delay_minutes")
    after = _minutes(reminder_after_minutes, field="reminder_after_minutes")
    subject, body_markdown = _subject(subject), _body(body_markdown)
    automation = _locked(workspace, Automation.Kind.ABANDONED_CART)
    _switch(automation, bool(enabled))
    moved = automation.enabled and delay != automation.delay_minutes
    automation.delay_minutes = delay
    automation.reminder_enabled = bool(reminder_enabled)
    automation.reminder_after_minutes = after
    if subject is not None:
        automation.subject = subject
    if body_markdown is not None:
        automation.body_markdown = body_markdown
    automation.save()
    if not automation.reminder_enabled:
        _cancel(
            automation.sends.filter(kind=Kind.SECOND_REMINDER), reason="second reminder turned off"
        )
    if moved:
        # The new delay applies to the reminders still waiting, from their cart's last change.
        waiting = list(
            automation.sends.filter(status=Status.WAITING, kind=Kind.FIRST_REMINDER)
            .select_related("cart")
            .only("pk", "due_at", "cart__updated_at_store")
        )
        for send in waiting:
            send.due_at = send.cart.updated_at_store + dt.timedelta(minutes=delay)
        ScheduledSend.objects.bulk_update(waiting, ["due_at"], batch_size=500)
    logger.info("abandoned-cart automation of %s set by %s", workspace.pk, actor)
    return automation


@transaction.atomic
def welcome_configure(
    *,
    workspace: Workspace,
    actor: User | None,
    enabled: bool,
    trigger: str,
    subject: str | None = None,
    body_markdown: str | None = None,
    coupon_code: str | None = None,
) -> Automation:
    """Set the welcome e-mail (A6): on sign-up, on the first order, or both."""
    if trigger not in Automation.Trigger.values:
        raise ServiceError(
            _("The trigger must be signup, first_order or both."), code="invalid_trigger"
        )
    subject, body_markdown = _subject(subject), _body(body_markdown)
    if coupon_code is not None:
        coupon_code = " ".join(coupon_code.split())
        if len(coupon_code) > 100:
            raise ServiceError(
                _("The coupon code is longer than 100 characters."), code="invalid_coupon_code"
            )
    automation = _locked(workspace, Automation.Kind.WELCOME)
    _switch(automation, bool(enabled))
    automation.trigger = trigger
    for field, value in (
        ("subject", subject),
        ("body_markdown", body_markdown),
        ("coupon_code", coupon_code),
    ):
        if value is not None:
            setattr(automation, field, value)
    automation.save()
    logger.info("welcome automation of %s set by %s", workspace.pk, actor)
    return automation


# ---------------------------------------------------------------------- scheduling


def _enabled(workspace_id: int, kind: str) -> Automation | None:
    return Automation.objects.filter(workspace_id=workspace_id, kind=kind, enabled=True).first()


def cart_changed(*, cart_id: int) -> ScheduledSend | None:
    """Schedule, move or cancel the first reminder of a cart that was just written (A1,
    A3). Called after commerce's transaction commits; reads the cart as it is now."""
    cart = Cart.objects.filter(pk=cart_id).first()
    if cart is None:
        return None
    automation = _enabled(cart.workspace_id, Automation.Kind.ABANDONED_CART)
    live = ScheduledSend.objects.filter(cart=cart, status=Status.WAITING)
    if automation is None:
        return None
    if cart.converted_at is not None or cart.completed_at is not None:
        _cancel(live, reason="cart converted")
        return None
    if cart.contact_id is None or not cart.email or not cart.items.exists():
        _cancel(live, reason="no address or empty cart")
        return None
    if cart.updated_at_store <= automation.activated_at:
        return None  # A3: abandoned before the automation was active
    due = cart.updated_at_store + dt.timedelta(minutes=automation.delay_minutes)
    first = live.filter(kind=Kind.FIRST_REMINDER)
    if first.update(due_at=due, contact_id=cart.contact_id):
        return first.first()
    if ScheduledSend.objects.filter(
        cart=cart, kind=Kind.FIRST_REMINDER, status=Status.SENT
    ).exists():
        return None  # reminded once already: never twice
    try:
        with transaction.atomic():
            return ScheduledSend.objects.create(
                workspace_id=cart.workspace_id,
                automation=automation,
                kind=Kind.FIRST_REMINDER,
                due_at=due,
                contact_id=cart.contact_id,
                cart=cart,
            )
    except IntegrityError:
        # Another update of the same cart scheduled it at the same moment: move theirs.
        first.update(due_at=due)
        return first.first()


def order_written(*, order_id: int) -> None:
    """After an order commits: the carts it converted stop their reminders (A1), and a
    first order may call for the welcome e-mail (A6)."""
    order = Order.objects.filter(pk=order_id).select_related("contact__workspace").first()
    if order is None or order.contact is None:
        return
    carts = Q(cart__converted_at__isnull=False) | Q(cart__completed_at__isnull=False)
    _cancel(
        ScheduledSend.objects.filter(contact=order.contact, cart__isnull=False).filter(carts),
        reason="cart converted",
    )
    if order.counted and order.contact.order_count == 1:
        _welcome(order.contact, Automation.Trigger.FIRST_ORDER, since=order.placed_at)


def welcome_on_signup(*, contact: Contact, coupon_code: str = "") -> ScheduledSend | None:
    """A6, for the sign-up page: queue the welcome e-mail if the automation wants it on
    sign-up and the contact may receive marketing now. Once per contact, ever. A
    `coupon_code` the sign-up came with (the poster's offer, S5) is the one it shows."""
    return _welcome(contact, Automation.Trigger.SIGNUP, coupon_code=coupon_code)


def _welcome(
    contact: Contact, trigger: str, *, since=None, coupon_code: str = ""
) -> ScheduledSend | None:
    """`since`: when the event happened; one from before the activation (an old first order
    the store sends again) welcomes nobody."""
    automation = _enabled(contact.workspace_id, Automation.Kind.WELCOME)
    if automation is None or automation.trigger not in (trigger, Automation.Trigger.BOTH):
        return None
    if since is not None and since < automation.activated_at:
        return None
    if not marketing_allowed(contact):
        return None
    welcomed = ScheduledSend.objects.filter(
        contact=contact, kind=Kind.WELCOME, status__in=[Status.WAITING, Status.SENT]
    )
    if welcomed.exists():
        return None
    try:
        with transaction.atomic():
            return ScheduledSend.objects.create(
                workspace_id=contact.workspace_id,
                automation=automation,
                kind=Kind.WELCOME,
                due_at=clock.now(),
                contact=contact,
                coupon_code=coupon_code,
            )
    except IntegrityError:
        return None  # welcomed by a concurrent trigger


# ---------------------------------------------------------------------- dispatcher


def automations_dispatch(*, now: dt.datetime) -> int:
    """The worker's dispatcher: hand every send due at `now` to the send pipeline.

    It runs before the pipeline's own dispatcher (settings.COMPTOIR_DISPATCHERS), so what
    is due at `now` also leaves in the same tick.
    """
    started = timezone.now()
    handed = 0
    while timezone.now() - started < DISPATCH_BUDGET:
        try:
            done = _dispatch_chunk(now)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise
            break  # SQLite: another worker holds the write lock; next tick
        if done is None:
            break
        handed += done
    return handed


def _dispatch_chunk(now: dt.datetime) -> int | None:
    """Claim up to CLAIM_SIZE due sends and hand them over, in one transaction: two workers
    never take the same row (SKIP LOCKED on PostgreSQL, an exclusive transaction on
    SQLite), and a worker that dies mid-way leaves them waiting. None if nothing was due."""
    with exclusive_transaction():
        due = (
            ScheduledSend.objects.filter(status=Status.WAITING, due_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("due_at", "pk")[:CLAIM_SIZE]
        )
        rows = list(due)
        if not rows:
            return None
        steps: dict[tuple[int, str], list[ScheduledSend]] = defaultdict(list)
        taken: set[tuple[int, str, int]] = set()
        for row in rows:
            # One delivery per contact per mailing: a second cart of the same person due at
            # the same time goes in the next chunk's mailing.
            key = (row.automation_id, row.kind, row.contact_id)
            if key not in taken:
                taken.add(key)
                steps[(row.automation_id, row.kind)].append(row)
        automations = {
            a.pk: a
            for a in Automation.objects.filter(pk__in={k[0] for k in steps}).select_related(
                "workspace"
            )
        }
        return sum(
            _hand_over(automations[automation_id], kind, sends, now)
            for (automation_id, kind), sends in steps.items()
        )


def _why_not(send: ScheduledSend, automation: Automation, allowed: set[int]) -> tuple | None:
    """Why a due send goes no further: (status, reason), or None when it goes."""
    if not automation.enabled:
        return Status.CANCELED, "automation deactivated"
    if send.cart_id is not None:
        cart = send.cart
        if cart.converted_at is not None or cart.completed_at is not None:
            return Status.CANCELED, "cart converted"
    if send.kind == Kind.SECOND_REMINDER:
        if not automation.reminder_enabled:
            return Status.CANCELED, "second reminder turned off"
        first = send.follows.delivery if send.follows_id else None
        if first is None or first.status != Delivery.Status.SENT:
            return Status.SKIPPED, "first reminder not sent"
        if first.opened_at is not None:
            return Status.SKIPPED, "first reminder opened"
    if send.contact_id not in allowed:
        return Status.SKIPPED, "no consent"
    return None


def _hand_over(automation: Automation, kind: str, sends: list[ScheduledSend], now) -> int:
    """One mailing for these due sends of one automation step, one delivery each."""
    workspace = automation.workspace
    loaded = {
        s.pk: s
        for s in ScheduledSend.objects.filter(pk__in=[s.pk for s in sends]).select_related(
            "cart", "follows__delivery"
        )
    }
    sends = [loaded[s.pk] for s in sends]
    # K5 here saves a delivery for nobody; the pipeline asks again right before sending.
    allowed = set(
        marketing_recipients(workspace, [s.contact_id for s in sends]).values_list("pk", flat=True)
    )
    going = []
    stamp = timezone.now()
    for send in sends:
        send.handled_at = stamp
        refused = _why_not(send, automation, allowed)
        if refused is None:
            going.append(send)
        else:
            send.status, send.reason = refused
    seconds = []
    if going:
        # The mailing's own text only names the step on timelines; each message's comes
        # from `content` at send time, in its contact's language.
        with translation.override(workspace.language):
            mailing = pipeline.mailing_create(
                workspace=workspace,
                origin=ORIGINS[automation.kind],
                subject=content.subject_of(automation, kind),
                body_markdown=content.body_of(automation, kind),
            )
        pipeline.mailing_freeze(
            mailing=mailing,
            contacts=Contact.objects.filter(pk__in=[s.contact_id for s in going]),
        )
        deliveries = {d.contact_id: d for d in Delivery.objects.filter(mailing=mailing)}
        for send in going:
            delivery = deliveries.get(send.contact_id)
            if delivery is None:
                send.status, send.reason = Status.SKIPPED, "no e-mail address"
                continue
            delivery.context = {"scheduled_send": send.pk, "cart": send.cart_id}
            send.delivery, send.status = delivery, Status.SENT
            if kind == Kind.FIRST_REMINDER and automation.reminder_enabled:
                seconds.append(
                    ScheduledSend(
                        workspace=workspace,
                        automation=automation,
                        kind=Kind.SECOND_REMINDER,
                        due_at=now + dt.timedelta(minutes=automation.reminder_after_minutes),
                        contact_id=send.contact_id,
                        cart_id=send.cart_id,
                        follows=send,
                    )
                )
        Delivery.objects.bulk_update(deliveries.values(), ["context"], batch_size=500)
    ScheduledSend.objects.bulk_update(
        sends, ["status", "reason", "delivery", "handled_at"], batch_size=500
    )
    ScheduledSend.objects.bulk_create(seconds, ignore_conflicts=True, batch_size=500)
    handed = sum(1 for s in sends if s.status == Status.SENT)
    logger.info("automation %s: %d %s send(s) handed to the pipeline", automation.pk, handed, kind)
    return handed


# ---------------------------------------------------------------------- test sends


def automation_test_send(*, automation: Automation, cart: Cart, email: str, actor: User | None):
    """Send the reminder of a real cart to a staff address (marked "[Test]", never
    counted), from the worker: no SMTP inside a web request."""
    if content.reminder_preview(automation=automation, cart=cart) is None:
        raise ServiceError(
            _("This cart has nothing left to show: no reminder would be sent."),
            code="nothing_to_send",
        )
    logger.info("test of automation %s sent to %s by %s", automation.pk, email, actor)
    enqueue_on_commit(automation_test_task, automation.pk, cart.pk, email)


@task()
def automation_test_task(automation_id: int, cart_id: int, email: str) -> int:
    automation = Automation.objects.select_related("workspace").get(pk=automation_id)
    cart = Cart.objects.select_related("contact__workspace", "workspace").get(
        pk=cart_id, workspace=automation.workspace
    )
    preview = content.reminder_preview(automation=automation, cart=cart)
    if preview is None:
        return 0
    return pipeline.send_test_copies(
        workspace=automation.workspace, contact=cart.contact, content=preview[0], emails=[email]
    )
