"""Sending one e-mail to one contact, and recording what the contact does with it."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from comptoir.contacts.models import Contact
from comptoir.core.models import User
from comptoir.core.services import ServiceError
from comptoir.core.tasks import enqueue_on_commit
from comptoir.mail import events, pipeline, robots
from comptoir.mail.models import Delivery, DeliveryClick
from comptoir.mail.rendering import template_errors

MAX_SUBJECT = 300
MAX_BODY = 100_000


@transaction.atomic
def delivery_create(
    *,
    contact: Contact,
    kind: str,
    subject: str,
    body_markdown: str,
    actor: User | None = None,
) -> Delivery:
    """Queue one e-mail; the worker sends it after commit (house rule 4)."""
    subject = " ".join((subject or "").split())
    if not subject or len(subject) > MAX_SUBJECT:
        raise ServiceError(
            _("A subject of 1 to 300 characters is required."), code="invalid_subject"
        )
    if not (body_markdown or "").strip() or len(body_markdown) > MAX_BODY:
        raise ServiceError(_("The message is empty or too long."), code="invalid_body")
    if not contact.email:
        raise ServiceError(_("This contact has no e-mail address."), code="email_required")
    if kind not in Delivery.Kind.values:
        raise ValueError(f"unknown delivery kind {kind!r}")
    # The same check as a campaign's: an unknown tag is refused, never sent as a blank.
    problems = template_errors(
        workspace=contact.workspace, subject=subject, body_markdown=body_markdown
    )
    if problems:
        raise ServiceError(" ".join(problems), code="invalid_template")
    delivery = Delivery.objects.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        kind=kind,
        subject=subject,
        body_markdown=body_markdown,
    )
    events.delivery_queued_event(delivery=delivery, actor=actor)
    enqueue_on_commit(delivery_send_task, delivery.pk)
    return delivery


def contact_email_send(
    *, contact: Contact, subject: str, body_markdown: str, actor: User | None
) -> Delivery:
    """C12: a one-off e-mail from the profile. Transactional: no marketing consent needed,
    and one contact at a time, never bulk."""
    return delivery_create(
        contact=contact,
        kind=Delivery.Kind.TRANSACTIONAL,
        subject=subject,
        body_markdown=body_markdown,
        actor=actor,
    )


def delivery_send(*, delivery_id: int, connection=None) -> Delivery:
    """Send a queued delivery once, through the send pipeline. A delivery another worker
    took, or already sent, is left alone: at most once even if the job runs twice."""
    return pipeline.delivery_send_now(delivery_id=delivery_id, connection=connection)


@task()
def delivery_send_task(delivery_id: int) -> str:
    return delivery_send(delivery_id=delivery_id).status


@transaction.atomic
def delivery_opened(*, delivery_id: int, user_agent: str = "", ip: str | None = None) -> bool:
    """Record the first open (T1), a person's or a privacy proxy's apart (mail.robots);
    later opens change nothing. False if nothing was recorded."""
    sent = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENT)
    if robots.proxy_open(user_agent=user_agent, ip=ip):
        return bool(
            sent.filter(proxy_opened_at__isnull=True).update(proxy_opened_at=timezone.now())
        )
    first = sent.filter(opened_at__isnull=True).update(opened_at=timezone.now())
    if first:
        events.delivery_opened_event(delivery=Delivery.objects.get(pk=delivery_id))
    return bool(first)


@transaction.atomic
def delivery_clicked(
    *, delivery: Delivery, url: str, user_agent: str = "", method: str = "GET"
) -> None:
    """Record a click on one of the delivery's links (T1): unique per link, counted, and
    a link scanner's apart from a person's (mail.robots)."""
    now = timezone.now()
    machine = robots.machine_click(user_agent=user_agent, method=method)
    clicks = DeliveryClick.objects.filter(delivery=delivery)
    burst = clicks.exclude(url=url).filter(clicked_at__gte=now - robots.BURST)
    if burst.exists():
        # Several links of one message within seconds: a scanner, for all of them.
        machine = True
        _machine_clicks(delivery, burst)
    try:
        with transaction.atomic():
            DeliveryClick.objects.create(
                delivery=delivery, url=url, machine=machine, clicked_at=now
            )
        first_of_link = True
    except IntegrityError:
        clicks.filter(url=url).update(count=F("count") + 1)
        first_of_link = False
    if machine:
        return
    # A click proves the message was opened, even when images were blocked.
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now)
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    if first_of_link:
        events.delivery_clicked_event(delivery=delivery, url=url)


def _machine_clicks(delivery: Delivery, clicks) -> None:
    """Clicks first taken for a person's turn out to be a scanner's: the delivery's human
    click (and the open that click implied) move to the next human evidence, if any."""
    flipped = list(clicks.filter(machine=False).values_list("clicked_at", flat=True))
    if not flipped:
        return
    clicks.update(machine=True)
    human = (
        DeliveryClick.objects.filter(delivery=delivery, machine=False)
        .order_by("clicked_at")
        .values_list("clicked_at", flat=True)
        .first()
    )
    current = Delivery.objects.filter(pk=delivery.pk).values("opened_at", "clicked_at").get()
    changes = {"clicked_at": human}
    if current["opened_at"] is not None and current["opened_at"] >= min(flipped):
        changes["opened_at"] = human
    Delivery.objects.filter(pk=delivery.pk).update(**changes)
