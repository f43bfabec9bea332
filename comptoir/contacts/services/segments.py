"""Segments: saved filters and static lists of contacts."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from comptoir.contacts import events, normalize
from comptoir.contacts.models import (
    Contact,
    Segment,
    SegmentContact,
)
from comptoir.contacts.selectors import ContactFilter, contacts_filter
from comptoir.contacts.services.bulk import BATCH
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

# ---------------------------------------------------------------------------- segments


def _segment_name(workspace: Workspace, name: str, exclude_pk: int | None = None) -> str:
    name = normalize.clean_line(name)
    if not name or len(name) > Segment._meta.get_field("name").max_length:
        raise ServiceError(
            _("A segment needs a name of at most 120 characters."), code="invalid_name"
        )
    others = scoped(Segment, workspace).exclude(pk=exclude_pk).values_list("name", flat=True)
    # Compared here, not with iexact: SQLite folds the case of ASCII letters only.
    if any(other.lower() == name.lower() for other in others):
        raise ServiceError(
            _("A segment named “%(name)s” already exists.") % {"name": name},
            code="duplicate_segment",
            status=409,
        )
    return name


def _segment_filter(workspace: Workspace, value: ContactFilter | dict | None) -> ContactFilter:
    try:
        if not isinstance(value, ContactFilter):
            value = ContactFilter.model_validate(value or {})
    except PydanticValidationError as error:
        raise ServiceError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()),
            code="invalid_filter",
        ) from None
    _check_segment_reference(workspace, value)
    return value


def _check_segment_reference(workspace: Workspace, flt: ContactFilter) -> None:
    try:
        contacts_filter(workspace=workspace, filter=flt)  # resolves every segment it names
    except Http404:
        raise ServiceError(
            _("The filter names a segment that does not exist."), code="unknown_segment"
        ) from None


def _static_members_add(segment: Segment, ids, actor: User | None) -> int:
    targets = scoped(Contact, segment.workspace).filter(pk__in=ids)
    fresh = targets.exclude(
        Exists(SegmentContact.objects.filter(segment=segment, contact=OuterRef("pk")))
    )
    added = 0
    while batch := list(fresh.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        SegmentContact.objects.bulk_create(
            [SegmentContact(segment=segment, contact_id=pk) for pk in batch]
        )
        events.group_added_events(segment=segment, contact_ids=batch, actor=actor)
        added += len(batch)
    return added


def _require_static(segment: Segment) -> None:
    if segment.kind != Segment.Kind.STATIC:
        raise ServiceError(
            _("Contacts are added by hand only to static groups."), code="not_static"
        )


@transaction.atomic
def segment_create(
    *,
    workspace: Workspace,
    name: str,
    actor: User | None,
    kind: str = Segment.Kind.SMART,
    filter: ContactFilter | dict | None = None,
    contact_ids: Iterable[int] = (),
) -> Segment:
    """A smart segment (a saved filter, evaluated live) or a static group (C10)."""
    if kind not in Segment.Kind.values:
        raise ServiceError(_("A segment is smart or static."), code="invalid_kind")
    name = _segment_name(workspace, name)
    stored = {}
    if kind == Segment.Kind.SMART:
        stored = _segment_filter(workspace, filter).stored()
    elif filter:
        raise ServiceError(_("A static group has no filter."), code="invalid_filter")
    segment = Segment.objects.create(
        workspace=workspace, name=name, kind=kind, filter=stored, created_by=actor
    )
    if kind == Segment.Kind.STATIC and contact_ids:
        _static_members_add(segment, contact_ids, actor)
    return segment


@transaction.atomic
def segment_update(
    *,
    segment: Segment,
    actor: User | None,
    name: str | None = None,
    filter: ContactFilter | dict | None = None,
) -> Segment:
    """Rename it, or give a smart segment a new filter; a change is recorded in the
    activity log (what a segment holds is who campaigns and automations write to)."""
    workspace = segment.workspace
    old_name, old_filter = segment.name, segment.filter
    if name is not None:
        segment.name = _segment_name(workspace, name, exclude_pk=segment.pk)
    if filter is not None:
        if segment.kind != Segment.Kind.SMART:
            raise ServiceError(_("A static group has no filter."), code="invalid_filter")
        segment.filter = _segment_filter(workspace, filter).stored()
    segment.save()
    # A filter that names a segment which names this one back would never finish.
    contacts_filter(workspace=workspace, filter=ContactFilter(segment=str(segment.pk)))
    if segment.name != old_name or segment.filter != old_filter:
        events.segment_changed_audit(
            segment=segment,
            actor=actor,
            old_name=old_name,
            filter_changed=segment.filter != old_filter,
        )
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: User | None) -> None:
    users = scoped(Segment, segment.workspace).filter(filter__segment=str(segment.pk))
    if users.exists():
        raise ServiceError(
            _("Other segments use this one: %(names)s")
            % {"names": ", ".join(users.values_list("name", flat=True))},
            code="segment_in_use",
            status=409,
        )
    events.segment_deleted_audit(segment=segment, actor=actor)
    segment.delete()


@transaction.atomic
def segment_contacts_add(*, segment: Segment, ids: Iterable[int], actor: User | None) -> int:
    """Hand-pick contacts into a static group; returns how many were not in it yet."""
    _require_static(segment)
    return _static_members_add(segment, ids, actor)


@transaction.atomic
def segment_contacts_remove(*, segment: Segment, ids: Iterable[int], actor: User | None) -> int:
    _require_static(segment)
    members = SegmentContact.objects.filter(
        segment=segment, contact__in=scoped(Contact, segment.workspace).filter(pk__in=ids)
    )
    contact_ids = list(members.values_list("contact_id", flat=True))
    members.delete()
    events.group_removed_events(segment=segment, contact_ids=contact_ids, actor=actor)
    return len(contact_ids)
