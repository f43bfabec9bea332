"""Timeline entries written by sign-ups and the contact form (through contacts' one writer)."""

from enum import StrEnum

from comptoir.contacts.events import contact_event_add
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.selectors import SIGNED_UP_EVENT


class Kind(StrEnum):
    SIGNED_UP = SIGNED_UP_EVENT  # the built-in segment "collected e-mail addresses" reads it
    SIGNUP_CONFIRMED = "signup_confirmed"
    CONTACT_MESSAGE = "contact_message"


def signed_up_event(*, contact: Contact, signup_id: int, source: str) -> ContactEvent:
    return contact_event_add(contact, Kind.SIGNED_UP, None, signup=signup_id, source=source)


def signup_confirmed_event(*, contact: Contact, signup_id: int) -> ContactEvent:
    return contact_event_add(contact, Kind.SIGNUP_CONFIRMED, None, signup=signup_id)


def contact_message_event(*, contact: Contact, name: str, phone: str, message: str) -> ContactEvent:
    return contact_event_add(
        contact, Kind.CONTACT_MESSAGE, None, name=name, phone=phone, message=message
    )
