"""The contact timeline (C4): the one writer every app appends its entries through
(`contact_event_add`, `contact_events_add` for a batch), and the entries of the directory
itself (C10), one keyword-only writer per event.

The kinds are facts, not words: `web/timeline.py` turns them into sentences at display time.
`transfer.import_merge` writes CREATED, EDITED and TAG_ADDED in SQL for a whole file, with
the same kinds and the same data shapes.
"""

import datetime
import json
from collections.abc import Callable, Iterable
from enum import StrEnum

from django.db import connection

from comptoir.contacts.models import Contact, ContactEvent, Segment
from comptoir.core.audit import audit_record
from comptoir.core.models import User, Workspace

# Rows a bulk action of the directory takes at a time, and writes its entries for in one INSERT.
BATCH = 1000


class Kind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    TAG_ADDED = "tag_added"
    TAG_REMOVED = "tag_removed"
    TAG_RENAMED = "tag_renamed"
    NOTE_ADDED = "note_added"
    NOTE_EDITED = "note_edited"
    NOTE_DELETED = "note_deleted"
    GROUP_ADDED = "group_added"
    GROUP_REMOVED = "group_removed"


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


def contact_events_insert(
    entries: list[tuple[int, int, str, dict]], *, at: datetime.datetime
) -> None:
    """`contact_events_add` without a model object per entry, for the send pipeline's seal
    (a batch of entries, thousands of batches a campaign): (workspace id, contact id, kind,
    data) each, by no actor, written at `at`, in one INSERT."""
    if not entries:
        return
    created = connection.ops.adapt_datetimefield_value(at)
    params = [
        value
        for workspace_id, contact_id, kind, data in entries
        for value in (workspace_id, contact_id, str(kind), json.dumps(data), created)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ContactEvent._meta.db_table} "  # noqa: S608 - our table, values bound
            "(workspace_id, contact_id, kind, data, created_at) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s)"] * len(entries)),
            params,
        )


def _each(
    workspace: Workspace, contact_ids: Iterable[int], kind: Kind, actor: User | None, **data
) -> None:
    """The same entry for many contacts of one workspace (bulk actions), in one insert."""
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(workspace=workspace, contact_id=pk, kind=kind, actor=actor, data=data)
            for pk in contact_ids
        ],
        batch_size=BATCH,
    )


# --------------------------------------------------------------------------- the contact


def contact_created_event(
    *,
    contact: Contact,
    actor: User | None,
    source: str,
    tags: list[str] | None = None,
) -> ContactEvent:
    """One entry for the creation and the tags it came with, rather than one more per tag."""
    data = {"source": source}
    if tags:
        data["tags"] = tags
    return contact_event_add(contact, Kind.CREATED, actor, **data)


def contacts_created_events(*, contacts: Iterable[Contact]) -> None:
    """The store's new customers of one batch: one insert, no actor."""
    contact_events_add((contact, Kind.CREATED, {"source": contact.source}) for contact in contacts)


def contact_edited_event(
    *, contact: Contact, actor: User | None, changes: dict, locked: bool = False
) -> ContactEvent:
    """`changes` maps each field to [old, new]; `locked` when the edit also set the lock."""
    data = {"changes": changes}
    if locked:
        data["locked"] = True
    return contact_event_add(contact, Kind.EDITED, actor, **data)


def sync_lock_event(*, contact: Contact, actor: User | None, locked: bool) -> ContactEvent:
    return contact_event_add(contact, Kind.LOCKED if locked else Kind.UNLOCKED, actor)


# --------------------------------------------------------------------------- tags


def tag_added_event(*, contact: Contact, actor: User | None, tag: str) -> ContactEvent:
    return contact_event_add(contact, Kind.TAG_ADDED, actor, tag=tag)


def tag_removed_event(*, contact: Contact, actor: User | None, tag: str) -> ContactEvent:
    return contact_event_add(contact, Kind.TAG_REMOVED, actor, tag=tag)


def tags_added_events(
    *, workspace: Workspace, contact_ids: Iterable[int], actor: User | None, tag: str
) -> None:
    _each(workspace, contact_ids, Kind.TAG_ADDED, actor, tag=tag)


def tags_removed_events(
    *, workspace: Workspace, contact_ids: Iterable[int], actor: User | None, tag: str
) -> None:
    _each(workspace, contact_ids, Kind.TAG_REMOVED, actor, tag=tag)


def tags_renamed_events(
    *,
    workspace: Workspace,
    contact_ids: Iterable[int],
    actor: User | None,
    old: str,
    new: str,
    merged: bool = False,
) -> None:
    """A rename, or with `merged` a tag folded into another one (each carrier is told)."""
    data = {"old": old, "new": new}
    if merged:
        data["merged"] = True
    _each(workspace, contact_ids, Kind.TAG_RENAMED, actor, **data)


# --------------------------------------------------------------------------- notes


def note_added_event(*, contact: Contact, author: User | None, note_id: int) -> ContactEvent:
    return contact_event_add(contact, Kind.NOTE_ADDED, author, note_id=note_id)


def note_edited_event(*, contact: Contact, actor: User | None, note_id: int) -> ContactEvent:
    return contact_event_add(contact, Kind.NOTE_EDITED, actor, note_id=note_id)


def note_deleted_event(*, contact: Contact, actor: User | None, note_id: int) -> ContactEvent:
    return contact_event_add(contact, Kind.NOTE_DELETED, actor, note_id=note_id)


# --------------------------------------------------------------------------- static groups


def _group_each(
    kind: Kind, segment: Segment, contact_ids: Iterable[int], actor: User | None
) -> None:
    _each(segment.workspace, contact_ids, kind, actor, segment_id=segment.pk, segment=segment.name)


def group_added_events(*, segment: Segment, contact_ids: Iterable[int], actor: User | None) -> None:
    _group_each(Kind.GROUP_ADDED, segment, contact_ids, actor)


def group_removed_events(
    *, segment: Segment, contact_ids: Iterable[int], actor: User | None
) -> None:
    _group_each(Kind.GROUP_REMOVED, segment, contact_ids, actor)


# --------------------------------------------------------------------------- activity log


class Audit(StrEnum):
    """What the directory records in the workspace's activity log (core.audit)."""

    CONTACT_DELETED = "contact_deleted"
    CONTACTS_DELETED = "contacts_deleted"
    SEGMENT_CHANGED = "segment_changed"
    SEGMENT_DELETED = "segment_deleted"


def contact_deleted_audit(*, contact: Contact, actor: User | None) -> None:
    # By id only: the log outlives the contact and keeps none of its personal data.
    audit_record(
        workspace=contact.workspace_id,
        actor=actor,
        action=Audit.CONTACT_DELETED,
        contact_id=contact.pk,
    )


def contacts_deleted_audit(*, workspace: Workspace, actor: User | None, count: int) -> None:
    audit_record(workspace=workspace, actor=actor, action=Audit.CONTACTS_DELETED, count=count)


def segment_changed_audit(
    *, segment: Segment, actor: User | None, old_name: str, filter_changed: bool
) -> None:
    """A rename (`old_name` differs from the segment's name) or a new filter, or both: a
    segment's audience is what campaigns and automations send to."""
    audit_record(
        workspace=segment.workspace_id,
        actor=actor,
        action=Audit.SEGMENT_CHANGED,
        segment_id=segment.pk,
        name=segment.name,
        old_name=old_name,
        filter_changed=filter_changed,
    )


def segment_deleted_audit(*, segment: Segment, actor: User | None) -> None:
    audit_record(
        workspace=segment.workspace_id,
        actor=actor,
        action=Audit.SEGMENT_DELETED,
        segment_id=segment.pk,
        name=segment.name,
        kind=segment.kind,
    )
