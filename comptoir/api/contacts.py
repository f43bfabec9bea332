"""The customer directory (C1–C11): list, search and filter, create, edit, delete, tag,
and each contact's notes and timeline."""

from ninja import Query, Router, Status

from comptoir.api.auth import require
from comptoir.api.contact_schemas import (
    BulkOut,
    ContactBulkIn,
    ContactDetailOut,
    ContactIn,
    ContactList,
    ContactPatch,
    EventList,
    NoteIn,
    NoteList,
    NoteOut,
    TagsIn,
)
from comptoir.api.errors import ApiError
from comptoir.api.pagination import PageQuery, paginate
from comptoir.contacts import services
from comptoir.contacts.selectors import (
    ContactFilter,
    contact_events,
    contact_get,
    contact_list_page,
    contact_notes,
    contacts_filter,
)
from comptoir.core.roles import Action

router = Router(tags=["contacts"])


def _actor(request):
    """The staff member behind the token, when the token records one."""
    return request.auth.created_by


@router.get("", response=ContactList)
def contact_list(request, filters: Query[ContactFilter], page: PageQuery):
    """Search, filter and sort the directory (C9), a keyset page at a time.

    Filters combine with AND; `tag` and `source` may repeat (every tag must match; any
    source may). `segment` is a saved segment's id or a built-in one (`all_customers`,
    `prospects`, `new_customers`, `repeat_customers`, `subscribers`, `signups`,
    `unsubscribed`). Contacts that never ordered sort last on `last_order_at`, in either
    direction.
    """
    workspace = require(request, Action.VIEW)
    return contact_list_page(
        workspace=workspace, filter=filters, limit=page.limit, cursor=page.cursor
    )


@router.post("", response={201: ContactDetailOut})
def contact_post(request, payload: ContactIn):
    """Create a contact. 409 `duplicate_email` when the address (in any case) is already
    a contact's; 422 `email_or_phone_required` when neither is given; 422 `tag_limit` when
    its tags would make more than 250 in the workspace."""
    workspace = require(request, Action.EDIT)
    contact = services.contact_create(workspace=workspace, actor=_actor(request), **payload.dict())
    return Status(201, contact)


@router.post("/bulk", response=BulkOut)
def contact_bulk(request, payload: ContactBulkIn):
    """Tag, untag or delete many contacts at once: by `ids` or by `filter`.

    422 codes: `selection_required` (neither or both of `ids` and `filter`),
    `tags_required` (tag/untag without `tags`), `confirmation_required` (delete without
    `confirm: true`), `tag_limit`. Ids of other workspaces are ignored.
    """
    workspace = require(request, Action.EDIT)
    if (payload.ids is None) == (payload.filter is None):
        raise ApiError(422, "selection_required", "Give either `ids` or `filter`.")
    if payload.action in ("tag", "untag") and not payload.tags:
        raise ApiError(422, "tags_required", "Name the tags to add or remove in `tags`.")
    if payload.action == "delete" and not payload.confirm:
        raise ApiError(422, "confirmation_required", "Deleting contacts needs `confirm: true`.")
    ids = payload.ids
    if payload.filter is not None:
        selected = contacts_filter(workspace=workspace, filter=payload.filter)
        ids = selected.values_list("pk", flat=True)
    actor = _actor(request)
    if payload.action == "delete":
        result = services.contacts_delete(workspace=workspace, ids=ids, actor=actor)
    else:
        bulk = {"tag": services.contacts_tag_bulk, "untag": services.contacts_untag_bulk}
        result = bulk[payload.action](workspace=workspace, ids=ids, names=payload.tags, actor=actor)
    return {"action": payload.action, "matched": result.matched, "changed": result.changed}


# Fixed paths under /contacts (/bulk, and later /merge, /export.csv) must be declared ABOVE
# this one: Django tries the patterns in order, and "/{contact_id}" matches any segment.
@router.get("/{contact_id}", response=ContactDetailOut)
def contact_read(request, contact_id: int):
    workspace = require(request, Action.VIEW)
    return contact_get(workspace=workspace, contact_id=contact_id)


@router.patch("/{contact_id}", response=ContactDetailOut)
def contact_patch(request, contact_id: int, payload: ContactPatch):
    """Edit details. Any change of details sets `locked: true` (C6): later orders still
    attach to the contact but no longer overwrite what staff wrote. Send
    `{"locked": false}` to release the lock."""
    workspace = require(request, Action.EDIT)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    changes = payload.dict(exclude_unset=True)
    locked = changes.pop("locked", None)
    if changes.get("has_account", False) is None:
        del changes["has_account"]
    lock = locked if locked is not None else (True if changes else None)
    return services.contact_update(contact=contact, actor=_actor(request), lock=lock, **changes)


@router.delete("/{contact_id}", response={204: None})
def contact_delete(request, contact_id: int):
    workspace = require(request, Action.EDIT)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    services.contact_delete(contact=contact, actor=_actor(request))
    return Status(204, None)


@router.post("/{contact_id}/tags", response=ContactDetailOut)
def contact_tags_post(request, contact_id: int, payload: TagsIn):
    """Add tags (created as needed). 422 `tag_limit` when the workspace would hold more
    than 250 distinct tags; then nothing changes, not even the tags that would fit."""
    workspace = require(request, Action.EDIT)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    services.contact_tags_add(contact=contact, names=payload.tags, actor=_actor(request))
    return contact_get(workspace=workspace, contact_id=contact_id)


@router.delete("/{contact_id}/tags/{path:name}", response={204: None})
def contact_tag_delete(request, contact_id: int, name: str):
    """Remove one tag from the contact (case-insensitive); 204 also when it did not
    carry it."""
    workspace = require(request, Action.EDIT)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    services.contact_tag_remove(contact=contact, name=name, actor=_actor(request))
    return Status(204, None)


@router.get("/{contact_id}/notes", response=NoteList)
def contact_notes_list(request, contact_id: int, page: PageQuery):
    """Internal notes, newest first (C8)."""
    workspace = require(request, Action.VIEW)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    notes = contact_notes(workspace=workspace, contact=contact)
    return paginate(notes, page, ["-created_at", "-id"])


@router.post("/{contact_id}/notes", response={201: NoteOut})
def contact_notes_post(request, contact_id: int, payload: NoteIn):
    workspace = require(request, Action.EDIT)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    note = services.note_create(contact=contact, author=_actor(request), body=payload.body)
    return Status(201, note)


@router.get("/{contact_id}/events", response=EventList)
def contact_events_list(request, contact_id: int, page: PageQuery):
    """The activity timeline, newest first (C4)."""
    workspace = require(request, Action.VIEW)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    events = contact_events(workspace=workspace, contact=contact)
    return paginate(events, page, ["-created_at", "-id"])
