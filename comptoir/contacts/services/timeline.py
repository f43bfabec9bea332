"""The contact timeline (C4): every app appends its entries through these writers."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from comptoir.contacts.models import (
    Contact,
    ContactEvent,
)
from comptoir.core.models import User, Workspace

Kind = ContactEvent.Kind
BATCH = 1000


@dataclass(frozen=True)
class BulkResult:
    matched: int  # contacts selected (of this workspace)
    changed: int  # contacts the action changed


def contact_event_add(
    contact: Contact, kind: str, actor: User | None = None, **data
) -> ContactEvent:
    """Append one entry to the contact's timeline (C4); every app writes its events here."""
    return ContactEvent.objects.create(
        workspace_id=contact.workspace_id, contact=contact, kind=kind, actor=actor, data=data
    )


def contact_events_add(
    entries: Iterable[tuple[Contact, str, dict]],
    *,
    insert: Callable[[list], object] = ContactEvent.objects.bulk_create,
) -> None:
    """`contact_event_add` for many entries in one insert: (contact, kind, data) each, by no
    actor (the store's writes). `insert` writes the list of new rows (commerce passes its
    PostgreSQL one-statement insert)."""
    insert(
        [
            ContactEvent(workspace_id=contact.workspace_id, contact=contact, kind=kind, data=data)
            for contact, kind, data in entries
        ]
    )


def _events(
    workspace: Workspace, contact_ids: Iterable[int], kind: str, actor: User | None, **data
) -> None:
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(workspace=workspace, contact_id=pk, kind=kind, actor=actor, data=data)
            for pk in contact_ids
        ],
        batch_size=BATCH,
    )
