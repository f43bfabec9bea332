"""The timeline entries of e-mails (T1): queued, sent, opened, clicked."""

import enum

from django.utils import timezone

from comptoir.contacts.models import ContactEvent
from comptoir.core.models import User
from comptoir.mail.models import Delivery


class MailEvent(enum.StrEnum):
    QUEUED = "email_queued"
    SENT = "email_sent"
    OPENED = "email_opened"
    CLICKED = "email_clicked"


def _event(delivery: Delivery, kind: MailEvent, actor: User | None = None, **data) -> ContactEvent:
    return ContactEvent(
        workspace_id=delivery.workspace_id,
        contact_id=delivery.contact_id,
        kind=kind.value,
        actor=actor,
        data={"delivery": delivery.pk, "subject": delivery.subject, **data},
        created_at=timezone.now(),
    )


def delivery_queued_event(*, delivery: Delivery, actor: User | None) -> None:
    _event(delivery, MailEvent.QUEUED, actor).save()


def deliveries_sent_events(*, deliveries: list[Delivery]) -> None:
    """One entry per message that left, in one statement for a whole batch."""
    ContactEvent.objects.bulk_create([_event(d, MailEvent.SENT) for d in deliveries])


def delivery_opened_event(*, delivery: Delivery, **data) -> None:
    _event(delivery, MailEvent.OPENED, **data).save()


def delivery_clicked_event(*, delivery: Delivery, url: str, **data) -> None:
    _event(delivery, MailEvent.CLICKED, url=url, **data).save()
