"""Segments (C10): the built-ins, saved smart filters evaluated live, and static groups."""

from ninja import Query, Router, Status

from comptoir.api.auth import require
from comptoir.api.contact_schemas import (
    ContactList,
    SegmentContactsQuery,
    SegmentDetailOut,
    SegmentIn,
    SegmentList,
    SegmentMembersIn,
    SegmentMembersOut,
    SegmentPatch,
)
from comptoir.api.errors import ApiError
from comptoir.api.pagination import PageQuery, paginate
from comptoir.contacts import services
from comptoir.contacts.models import Segment
from comptoir.contacts.selectors import (
    BUILTIN_SEGMENTS,
    ContactFilter,
    contact_list_page,
    segment_get,
    segments_saved,
)
from comptoir.core.roles import Action

router = Router(tags=["segments"])


def _saved(workspace, segment_id: str) -> Segment:
    segment = segment_get(workspace=workspace, segment_id=segment_id)
    if not isinstance(segment, Segment):
        raise ApiError(422, "builtin_segment", "Built-in segments cannot be changed.")
    return segment


@router.get("", response=SegmentList)
def segment_list(request, page: PageQuery):
    """The built-in segments (on the first page, not counted in `limit`), then the saved
    ones in the order they were created."""
    workspace = require(request, Action.VIEW)
    result = paginate(segments_saved(workspace=workspace), page, ["id"])
    if not page.cursor:
        result.items = [*BUILTIN_SEGMENTS.values(), *result.items]
    return result


@router.post("", response={201: SegmentDetailOut})
def segment_post(request, payload: SegmentIn):
    """Save a smart segment (`filter`: the keys of the contacts list query, evaluated live
    each time) or a static group (`kind: "static"`, members in `contact_ids`).
    409 `duplicate_segment` for a name already used."""
    workspace = require(request, Action.EDIT)
    segment = services.segment_create(
        workspace=workspace,
        name=payload.name,
        kind=payload.kind,
        filter=payload.filter,
        contact_ids=payload.contact_ids,
        actor=request.auth.created_by,
    )
    return Status(201, segment)


@router.get("/{segment_id}", response=SegmentDetailOut)
def segment_read(request, segment_id: str):
    workspace = require(request, Action.VIEW)
    return segment_get(workspace=workspace, segment_id=segment_id)


@router.patch("/{segment_id}", response=SegmentDetailOut)
def segment_patch(request, segment_id: str, payload: SegmentPatch):
    workspace = require(request, Action.EDIT)
    segment = services.segment_update(
        segment=_saved(workspace, segment_id),
        actor=request.auth.created_by,
        **payload.dict(exclude_unset=True, exclude_none=True),
    )
    return segment


@router.delete("/{segment_id}", response={204: None})
def segment_remove(request, segment_id: str):
    """409 `segment_in_use` while another segment's filter names this one."""
    workspace = require(request, Action.EDIT)
    services.segment_delete(segment=_saved(workspace, segment_id), actor=request.auth.created_by)
    return Status(204, None)


@router.get("/{segment_id}/contacts", response=ContactList)
def segment_contacts(request, segment_id: str, query: Query[SegmentContactsQuery], page: PageQuery):
    """The segment's contacts now: the same list as `GET /contacts?segment=<id>`."""
    workspace = require(request, Action.VIEW)
    segment = segment_get(workspace=workspace, segment_id=segment_id)
    sort = query.sort or (segment.filter.get("sort") if isinstance(segment, Segment) else None)
    return contact_list_page(
        workspace=workspace,
        filter=ContactFilter(segment=segment_id, sort=sort),
        limit=page.limit,
        cursor=page.cursor,
    )


@router.post("/{segment_id}/contacts", response=SegmentMembersOut)
def segment_contacts_add(request, segment_id: str, payload: SegmentMembersIn):
    """Add contacts to a static group (422 `not_static` for a smart segment); ids of other
    workspaces are ignored. `changed` counts the contacts that were not members yet."""
    workspace = require(request, Action.EDIT)
    added = services.segment_contacts_add(
        segment=_saved(workspace, segment_id), ids=payload.ids, actor=request.auth.created_by
    )
    return {"changed": added}


@router.post("/{segment_id}/contacts/remove", response=SegmentMembersOut)
def segment_contacts_remove(request, segment_id: str, payload: SegmentMembersIn):
    """Remove contacts from a static group."""
    workspace = require(request, Action.EDIT)
    removed = services.segment_contacts_remove(
        segment=_saved(workspace, segment_id), ids=payload.ids, actor=request.auth.created_by
    )
    return {"changed": removed}
