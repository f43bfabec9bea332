"""Notes through the API (C8): newest first; changed only by their author or an admin."""

import pytest

from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Note
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.core.services import token_create
from tests.conftest import ApiClient
from tests.contacts.helpers import events_of, make_contact


def client_of(workspace, user, role) -> ApiClient:
    _token, secret = token_create(workspace=workspace, name="t", role=role, created_by=user)
    return ApiClient(secret)


def test_notes_are_listed_newest_first(api, workspace):
    contact = make_contact(workspace)
    for body in ("first", "second", "third"):
        assert api.post(f"/api/v1/contacts/{contact.pk}/notes", {"body": body}).status_code == 201
    page = api.get(f"/api/v1/contacts/{contact.pk}/notes", limit=2).json()
    rest = api.get(f"/api/v1/contacts/{contact.pk}/notes", cursor=page["next_cursor"]).json()
    assert [n["body"] for n in page["items"] + rest["items"]] == ["third", "second", "first"]
    assert rest["next_cursor"] is None


def test_a_note_records_the_staff_member_behind_the_token(workspace, staff):
    marketer = staff[Role.MARKETER]
    contact = make_contact(workspace)
    response = client_of(workspace, marketer, Role.MARKETER).post(
        f"/api/v1/contacts/{contact.pk}/notes", {"body": "Allergique aux noix"}
    )
    note = response.json()
    assert note["author"] == {"id": marketer.pk, "name": marketer.name, "email": marketer.email}
    assert note["contact_id"] == contact.pk
    [event] = events_of(contact, ContactKind.NOTE_ADDED)
    assert (event.data, event.actor) == ({"note_id": note["id"]}, marketer)


@pytest.mark.parametrize(
    "who, role, allowed",
    [
        ("author", Role.MARKETER, True),
        ("other", Role.MARKETER, False),
        ("other", Role.ADMIN, True),
        ("nobody", Role.ADMIN, True),
        ("nobody", Role.MARKETER, False),
    ],
)
def test_edit_and_delete_by_author_or_admin_only(workspace, staff, who, role, allowed):
    author = staff[Role.MARKETER]
    actor = {"author": author, "other": staff[Role.ADMIN], "nobody": None}[who]
    contact = make_contact(workspace)
    note_id = (
        client_of(workspace, author, Role.MARKETER)
        .post(f"/api/v1/contacts/{contact.pk}/notes", {"body": "v1"})
        .json()["id"]
    )
    client = client_of(workspace, actor, role)
    edited = client.patch(f"/api/v1/notes/{note_id}", {"body": "v2"})
    if allowed:
        assert (edited.status_code, edited.json()["body"]) == (200, "v2")
        assert client.delete(f"/api/v1/notes/{note_id}").status_code == 204
        assert not scoped(Note, workspace).exists()
        kinds = [e.kind for e in events_of(contact)]
        assert kinds[-2:] == [ContactKind.NOTE_EDITED, ContactKind.NOTE_DELETED]
    else:
        assert (edited.status_code, edited.json()["code"]) == (403, "forbidden")
        deleted = client.delete(f"/api/v1/notes/{note_id}")
        assert (deleted.status_code, deleted.json()["code"]) == (403, "forbidden")
        assert scoped(Note, workspace).get().body == "v1"


def test_an_empty_note_is_refused(api, workspace):
    contact = make_contact(workspace)
    response = api.post(f"/api/v1/contacts/{contact.pk}/notes", {"body": "   "})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_note")
