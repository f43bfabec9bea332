"""The timeline entries of consent changes (K1–K3), written through contacts' one writer in
the same transaction as the ledger row they go with."""

from enum import StrEnum

from comptoir.contacts.events import contact_event_add
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.models import User


class Kind(StrEnum):
    # transfer.import_merge writes the same kind in SQL for a whole file.
    CONSENT_CHANGED = "consent_changed"


def consent_changed_event(
    *, contact: Contact, actor: User | None, status: str, source: str
) -> ContactEvent:
    return contact_event_add(contact, Kind.CONSENT_CHANGED, actor, status=status, source=source)
