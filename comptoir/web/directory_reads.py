"""Reads the directory pages need beyond what `comptoir.contacts.selectors` offers.

Each one only combines selectors (or `scoped()` reads): a page of the list with its count,
a profile with its notes and timeline, segments with their live counts. They belong in the
selectors module; they live here until the contacts app takes them over.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from comptoir.contacts.models import Contact, Note, Segment
from comptoir.contacts.selectors import (
    BUILTIN_SEGMENTS,
    BuiltinSegment,
    ContactFilter,
    contact_events,
    contact_get,
    contact_list_page,
    contact_notes,
    contacts_filter,
    segment_count,
    segments_saved,
    tag_counts,
)
from comptoir.core.models import Workspace
from comptoir.core.pagination import InvalidCursor
from comptoir.core.scoping import scoped

PAGE_SIZE = 50
TIMELINE_SIZE = 100


@dataclass
class ListPage:
    contacts: list[Contact]
    next_cursor: str | None
    count: int
    cursor_was_stale: bool = False


def list_page(*, workspace: Workspace, filter: ContactFilter, cursor: str | None) -> ListPage:
    """One keyset page of the list and how many contacts match in all.

    A cursor the list did not issue (an edited or truncated URL) restarts at the first page
    rather than failing: the filters in the URL still say what the person wanted.
    """
    stale = False
    try:
        page = contact_list_page(workspace=workspace, filter=filter, limit=PAGE_SIZE, cursor=cursor)
    except InvalidCursor:
        stale = True
        page = contact_list_page(workspace=workspace, filter=filter, limit=PAGE_SIZE)
    count = contacts_filter(workspace=workspace, filter=filter).count()
    return ListPage(page.items, page.next_cursor, count, stale)


def tag_names(*, workspace: Workspace) -> list[str]:
    return list(tag_counts(workspace=workspace).values_list("name", flat=True))


def saved_segments(*, workspace: Workspace) -> list[Segment]:
    return list(segments_saved(workspace=workspace))


def static_groups(*, workspace: Workspace) -> QuerySet[Segment]:
    return segments_saved(workspace=workspace).filter(kind=Segment.Kind.STATIC)


def contacts_named(*, workspace: Workspace, ids: list[int]) -> QuerySet[Contact]:
    """The contacts of this workspace among `ids`, to list them on a confirmation page."""
    return scoped(Contact, workspace).filter(pk__in=ids).order_by("name_key", "pk")


@dataclass
class Profile:
    contact: Contact
    notes: list[Note]
    events: list
    known_tags: list[str]


def profile(*, workspace: Workspace, contact_id: int) -> Profile:
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    return Profile(
        contact=contact,
        notes=list(contact_notes(workspace=workspace, contact=contact)),
        events=list(contact_events(workspace=workspace, contact=contact)[:TIMELINE_SIZE]),
        known_tags=tag_names(workspace=workspace),
    )


@dataclass
class SegmentRow:
    id: str
    name: str
    count: int
    saved: Segment | None = None


def segments_with_counts(*, workspace: Workspace) -> tuple[list[SegmentRow], list[SegmentRow]]:
    """(built-in rows, saved rows), each with its live count (C10)."""

    def row(segment: BuiltinSegment | Segment) -> SegmentRow:
        segment_id = segment.id if isinstance(segment, BuiltinSegment) else str(segment.pk)
        return SegmentRow(
            id=segment_id,
            name=str(segment.name),
            count=segment_count(workspace=workspace, segment_id=segment_id),
            saved=segment if isinstance(segment, Segment) else None,
        )

    builtins = [row(segment) for segment in BUILTIN_SEGMENTS.values()]
    return builtins, [row(segment) for segment in segments_saved(workspace=workspace)]
