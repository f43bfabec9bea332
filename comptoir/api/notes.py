"""Internal notes (C8): edited or deleted by their author or an owner/admin."""

from ninja import Router, Status

from comptoir.api.auth import require
from comptoir.api.contact_schemas import NoteIn, NoteOut
from comptoir.contacts.selectors import note_get
from comptoir.contacts.services import note_delete, note_update
from comptoir.core.roles import Action

router = Router(tags=["contacts"])


@router.get("/{note_id}", response=NoteOut)
def note_read(request, note_id: int):
    workspace = require(request, Action.VIEW)
    return note_get(workspace=workspace, note_id=note_id)


@router.patch("/{note_id}", response=NoteOut)
def note_patch(request, note_id: int, payload: NoteIn):
    """403 `forbidden` unless the token is an admin's or its staff member wrote the note."""
    workspace = require(request, Action.EDIT)
    return note_update(
        note=note_get(workspace=workspace, note_id=note_id),
        actor=request.auth.created_by,
        role=request.auth.role,
        body=payload.body,
    )


@router.delete("/{note_id}", response={204: None})
def note_remove(request, note_id: int):
    """403 `forbidden` unless the token is an admin's or its staff member wrote the note."""
    workspace = require(request, Action.EDIT)
    note = note_get(workspace=workspace, note_id=note_id)
    note_delete(note=note, actor=request.auth.created_by, role=request.auth.role)
    return Status(204, None)
