"""Sending one e-mail to one contact, and recording what the contact does with it."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.contacts.models import Contact
from comptoir.core.models import User
from comptoir.core.services import ServiceError
from comptoir.mail import events, pipeline
from comptoir.mail.models import Delivery, DeliveryClick

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
    delivery = Delivery.objects.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        kind=kind,
        subject=subject,
        body_markdown=body_markdown,
    )
    events.delivery_queued_event(delivery=delivery, actor=actor)
    from comptoir.mail.tasks import delivery_send_task

    transaction.on_commit(lambda: delivery_send_task.enqueue(delivery.pk))
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


@transaction.atomic
def delivery_opened(*, delivery_id: int) -> bool:
    """Record the first open (T1); later opens change nothing. False if unknown."""
    first = Delivery.objects.filter(
        pk=delivery_id, opened_at__isnull=True, status=Delivery.Status.SENT
    ).update(opened_at=timezone.now())
    if first:
        events.delivery_opened_event(delivery=Delivery.objects.get(pk=delivery_id))
    return bool(first)


@transaction.atomic
def delivery_clicked(*, delivery: Delivery, url: str) -> None:
    """Record a click on one of the delivery's links (T1): unique per link, counted."""
    now = timezone.now()
    try:
        with transaction.atomic():
            DeliveryClick.objects.create(delivery=delivery, url=url)
        first_of_link = True
    except IntegrityError:
        DeliveryClick.objects.filter(delivery=delivery, url=url).update(count=F("count") + 1)
        first_of_link = False
    # A click proves the message was opened, even when images were blocked.
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=now)
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=now)
    if first_of_link:
        events.delivery_clicked_event(delivery=delivery, url=url)
