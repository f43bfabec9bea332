"""Staff notes on a contact: who may change them, and their timeline entries."""

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.contacts import events, normalize
from comptoir.contacts.models import (
    Contact,
    Note,
)
from comptoir.contacts.services.locks import contact_lock
from comptoir.core.models import Membership, User
from comptoir.core.roles import Action, Role, role_can
from comptoir.core.services import ServiceError

NOTE_MAX_LENGTH = 10_000
# ------------------------------------------------------------------------------- notes


def _clean_note(body: str | None) -> str:
    body = normalize.clean_text(body)
    if not body:
        raise ServiceError(_("A note cannot be empty."), code="invalid_note")
    if len(body) > NOTE_MAX_LENGTH:
        raise ServiceError(
            _("A note has at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH},
            code="invalid_note",
        )
    return body


def _note_write(*, contact: Contact, author: User | None, body: str) -> Note:
    note = Note.objects.create(
        workspace_id=contact.workspace_id, contact=contact, author=author, body=body
    )
    # The timeline says a note was written, not what it says: notes are never exported.
    events.note_added_event(contact=contact, author=author, note_id=note.pk)
    return note


def _note_lock(note: Note) -> Note:
    """The note, re-read after its contact's lock: an erasure may have taken both away (and
    saving a note that is gone would write it again)."""
    contact = contact_lock(note.contact)
    current = Note.objects.filter(pk=note.pk, contact=contact).first()
    if current is None:
        raise ServiceError(_("This note no longer exists."), code="not_found", status=404)
    current.contact = contact
    return current


@transaction.atomic
def note_create(*, contact: Contact, author: User | None, body: str) -> Note:
    body = _clean_note(body)
    contact_lock(contact)
    return _note_write(contact=contact, author=author, body=body)


def note_may_change(*, note: Note, actor: User | None, role: str | None = None) -> bool:
    """Only the note's author or an owner/admin may change it (C8). `role` is the actor's
    role in the note's workspace, looked up when not given."""
    if role is None and actor is not None:
        role = (
            Membership.objects.filter(workspace_id=note.workspace_id, user=actor)
            .values_list("role", flat=True)
            .first()
        )
    is_author = actor is not None and note.author_id == actor.pk
    return role_can(role, Action.EDIT) and (is_author or role in (Role.OWNER, Role.ADMIN))


def _ensure_may_change(note: Note, actor: User | None, role: str | None) -> None:
    if not note_may_change(note=note, actor=actor, role=role):
        raise ServiceError(
            _("Only the note's author or an admin may change it."), code="forbidden", status=403
        )


@transaction.atomic
def note_update(*, note: Note, actor: User | None, body: str, role: str | None = None) -> Note:
    """`role` is the actor's role (an API token's own); looked up from the membership
    when not given."""
    body = _clean_note(body)
    _ensure_may_change(note, actor, role)
    note = _note_lock(note)
    if body != note.body:
        note.body = body
        note.save(update_fields=["body", "updated_at"])
        events.note_edited_event(contact=note.contact, actor=actor, note_id=note.pk)
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: User | None, role: str | None = None) -> None:
    _ensure_may_change(note, actor, role)
    note = _note_lock(note)
    contact, note_id = note.contact, note.pk
    note.delete()
    events.note_deleted_event(contact=contact, actor=actor, note_id=note_id)
