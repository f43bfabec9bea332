"""The timeline entries of e-mails (T1): queued, sent, opened, clicked, written through
contacts' timeline writers (`contact_event_add`, `contact_events_insert` for a sent batch)."""

import datetime as dt
import enum

from comptoir.contacts.events import contact_event_add, contact_events_insert
from comptoir.contacts.models import Contact
from comptoir.core.models import User
from comptoir.mail.models import Delivery


class MailEvent(enum.StrEnum):
    QUEUED = "email_queued"
    SENT = "email_sent"
    OPENED = "email_opened"
    CLICKED = "email_clicked"


def _contact(delivery: Delivery) -> Contact:
    # The writer needs the contact's id and workspace only: no query for the whole row.
    return Contact(pk=delivery.contact_id, workspace_id=delivery.workspace_id)


def _facts(delivery_id: int, subject: str, **data) -> dict:
    return {"delivery": delivery_id, "subject": subject, **data}


def _data(delivery: Delivery, **data) -> dict:
    return _facts(delivery.pk, delivery.subject, **data)


def delivery_queued_event(*, delivery: Delivery, actor: User | None) -> None:
    contact_event_add(_contact(delivery), MailEvent.QUEUED, actor, **_data(delivery))


def deliveries_sent_events(*, sent: list[tuple[int, int, int, str]], at: dt.datetime) -> None:
    """One entry per message that left, in one statement for a whole batch: `sent` holds
    (delivery id, workspace id, contact id, subject), as the pipeline's seal reads them."""
    contact_events_insert(
        [
            (workspace_id, contact_id, MailEvent.SENT, _facts(pk, subject))
            for pk, workspace_id, contact_id, subject in sent
        ],
        at=at,
    )


def delivery_opened_event(*, delivery: Delivery, **data) -> None:
    contact_event_add(_contact(delivery), MailEvent.OPENED, **_data(delivery, **data))


def delivery_clicked_event(*, delivery: Delivery, url: str, **data) -> None:
    contact_event_add(_contact(delivery), MailEvent.CLICKED, **_data(delivery, url=url, **data))
