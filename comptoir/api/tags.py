"""The tag manager (C7): tags with counts; rename, merge, delete."""

from ninja import Router, Status

from comptoir.api.auth import require
from comptoir.api.contact_schemas import TagList, TagOut, TagRenameIn
from comptoir.api.pagination import PageQuery, paginate
from comptoir.contacts.selectors import tag_counts
from comptoir.contacts.services import tag_delete, tag_rename
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped

router = Router(tags=["tags"])


@router.get("", response=TagList)
def tag_list(request, page: PageQuery):
    """Every tag of the workspace (at most 250) with the number of contacts carrying it,
    by name."""
    workspace = require(request, Action.VIEW)
    return paginate(tag_counts(workspace=workspace), page, ["key", "id"])


@router.patch("/{path:name}", response=TagOut)
def tag_patch(request, name: str, payload: TagRenameIn):
    """Rename a tag (names are case-insensitive). Renaming it to the name of another tag
    merges the two: their contacts carry the remaining tag once. Saved segments that filter
    on the tag are rewritten in the same change to name the new (or remaining) tag, so they
    keep their contacts."""
    workspace = require(request, Action.EDIT)
    tag = tag_rename(workspace=workspace, old=name, new=payload.name, actor=request.auth.created_by)
    return get_scoped(tag_counts(workspace=workspace), workspace, pk=tag.pk)


@router.delete("/{path:name}", response={204: None})
def tag_remove(request, name: str):
    """Delete a tag: it disappears from every contact. Saved segments that filter on it
    keep their filter and therefore match no contact (never every contact) until a tag of
    that name exists again; `GET /api/v1/segments` shows which filters name it."""
    workspace = require(request, Action.EDIT)
    tag_delete(workspace=workspace, name=name, actor=request.auth.created_by)
    return Status(204, None)
