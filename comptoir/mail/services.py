"""Sending one e-mail to one contact, and recording what the contact does with it."""

from email.utils import formataddr, make_msgid
from urllib.parse import urlsplit

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.consent.selectors import marketing_allowed
from comptoir.consent.tokens import unsubscribe_url
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.models import User
from comptoir.core.services import ServiceError
from comptoir.mail import tracking
from comptoir.mail.bounces import METADATA_KEY, esp_reference
from comptoir.mail.models import Delivery, DeliveryClick
from comptoir.mail.rendering import Rendered, render_message

MAX_SUBJECT = 300
MAX_BODY = 100_000


def _timeline(delivery: Delivery, kind: str, actor: User | None = None, **data) -> None:
    ContactEvent.objects.create(
        workspace_id=delivery.workspace_id,
        contact_id=delivery.contact_id,
        kind=kind,
        actor=actor,
        data={"delivery": delivery.pk, "subject": delivery.subject, **data},
    )


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
    _timeline(delivery, "email_queued", actor)
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


def _message(delivery: Delivery, rendered: Rendered) -> EmailMultiAlternatives:
    contact = delivery.contact
    workspace = contact.workspace
    sender_domain = urlsplit("//" + workspace.from_email.rsplit("@", 1)[-1].rstrip(">")).hostname
    headers = {
        "Message-ID": make_msgid(domain=sender_domain or "comptoir.invalid"),
        "X-Comptoir-Delivery": str(delivery.pk),
    }
    if delivery.kind == Delivery.Kind.MARKETING:
        link = unsubscribe_url(workspace_id=workspace.pk, contact_id=contact.pk)
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if workspace.contact_email:
        headers["Reply-To"] = workspace.contact_email
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=workspace.from_email,
        to=[formataddr((name, contact.email))],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    # E-mail services (anymail) echo this back in bounce and complaint events.
    message.metadata = {METADATA_KEY: esp_reference(delivery.pk)}
    return message


def delivery_send(*, delivery_id: int, connection=None) -> Delivery:
    """Send a queued delivery once. A delivery another worker took, or already sent, is left
    alone: a message is sent at most once even if the job runs twice."""
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING
    )
    delivery = Delivery.objects.select_related("contact__workspace").get(pk=delivery_id)
    if not claimed:
        return delivery
    contact = delivery.contact
    marketing = delivery.kind == Delivery.Kind.MARKETING
    # K5: consent is checked now, right before sending, not when the e-mail was queued.
    if marketing and not marketing_allowed(contact):
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
        delivery.status = Delivery.Status.SKIPPED
        return delivery
    rendered = render_message(
        contact=contact,
        subject=delivery.subject,
        body_markdown=delivery.body_markdown,
        unsubscribe_url=(
            unsubscribe_url(workspace_id=contact.workspace_id, contact_id=contact.pk)
            if marketing
            else None
        ),
        track_link=lambda url: tracking.click_url(delivery.pk, url),
        open_pixel_url=tracking.open_pixel_url(delivery.pk),
    )
    message = _message(delivery, rendered)
    try:
        (connection or get_connection()).send_messages([message])
    except Exception as error:  # noqa: BLE001 - any transport failure is recorded, not raised
        delivery.status = Delivery.Status.FAILED
        delivery.error = f"{type(error).__name__}: {error}"[:2000]
        delivery.save(update_fields=["status", "error"])
        return delivery
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.message_id = message.extra_headers["Message-ID"]
    delivery.links = rendered.links
    with transaction.atomic():
        delivery.save(update_fields=["status", "sent_at", "message_id", "links"])
        _timeline(delivery, "email_sent")
    return delivery


@transaction.atomic
def delivery_opened(*, delivery_id: int) -> bool:
    """Record the first open (T1); later opens change nothing. False if unknown."""
    first = Delivery.objects.filter(
        pk=delivery_id, opened_at__isnull=True, status=Delivery.Status.SENT
    ).update(opened_at=timezone.now())
    if first:
        _timeline(Delivery.objects.get(pk=delivery_id), "email_opened")
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
        _timeline(delivery, "email_clicked", url=url)
