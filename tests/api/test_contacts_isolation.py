"""Workspace isolation (W1): a token of workspace A gets 404 for every contact, note, tag
and segment of workspace B, and its bulk actions never reach B's rows."""

import pytest

from comptoir.contacts import services
from comptoir.contacts.models import Contact, ContactEvent, ContactTag, Note, Segment, Tag
from tests.contacts.helpers import make_contact

# (method, path, body) on workspace B's objects, each a 404 for workspace A's token.
NOT_FOUND = [
    ("GET", "/api/v1/contacts/{contact}", None),
    ("PATCH", "/api/v1/contacts/{contact}", {"first_name": "Hacked"}),
    ("DELETE", "/api/v1/contacts/{contact}", None),
    ("POST", "/api/v1/contacts/{contact}/tags", {"tags": ["x"]}),
    ("DELETE", "/api/v1/contacts/{contact}/tags/Secret", None),
    ("GET", "/api/v1/contacts/{contact}/notes", None),
    ("POST", "/api/v1/contacts/{contact}/notes", {"body": "x"}),
    ("GET", "/api/v1/contacts/{contact}/events", None),
    ("GET", "/api/v1/notes/{note}", None),
    ("PATCH", "/api/v1/notes/{note}", {"body": "x"}),
    ("DELETE", "/api/v1/notes/{note}", None),
    ("PATCH", "/api/v1/tags/Secret", {"name": "x"}),
    ("DELETE", "/api/v1/tags/Secret", None),
    ("GET", "/api/v1/segments/{segment}", None),
    ("PATCH", "/api/v1/segments/{segment}", {"name": "x"}),
    ("DELETE", "/api/v1/segments/{segment}", None),
    ("GET", "/api/v1/segments/{segment}/contacts", None),
    ("POST", "/api/v1/segments/{group}/contacts", {"ids": [1]}),
    ("POST", "/api/v1/segments/{group}/contacts/remove", {"ids": [1]}),
    ("GET", "/api/v1/contacts?segment={segment}", None),
    ("GET", "/api/v1/contacts?segment={group}", None),
]


@pytest.fixture
def theirs(other_workspace):
    contact = make_contact(other_workspace, "secret@example.com", tags=["Secret"])
    note = services.note_create(contact=contact, author=None, body="secret")
    segment = services.segment_create(workspace=other_workspace, name="S", actor=None)
    group = services.segment_create(
        workspace=other_workspace, name="G", kind="static", actor=None, contact_ids=[contact.pk]
    )
    return {"contact": contact.pk, "note": note.pk, "segment": segment.pk, "group": group.pk}


def snapshot():
    models = (Contact, ContactEvent, ContactTag, Note, Segment, Tag)
    return [list(m.objects.order_by("pk").values()) for m in models]


@pytest.mark.parametrize("method, path, body", NOT_FOUND, ids=[f"{m} {p}" for m, p, _ in NOT_FOUND])
def test_another_workspaces_objects_are_not_found(api, theirs, method, path, body):
    before = snapshot()
    response = api.request(method, path.format(**theirs), json=body)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert snapshot() == before


def test_lists_show_nothing_of_another_workspace(api, workspace, theirs):
    mine = make_contact(workspace, "mine@example.com", tags=["Mine"])
    assert [c["id"] for c in api.get("/api/v1/contacts").json()["items"]] == [mine.pk]
    assert api.get("/api/v1/contacts", q="secret").json()["items"] == []
    assert api.get("/api/v1/contacts", tag="Secret").json()["items"] == []
    assert [t["name"] for t in api.get("/api/v1/tags").json()["items"]] == ["Mine"]
    saved = [s for s in api.get("/api/v1/segments").json()["items"] if s["kind"] != "builtin"]
    assert saved == []


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "tag", "ids": ["{contact}"], "tags": ["x"]},
        {"action": "untag", "ids": ["{contact}"], "tags": ["Secret"]},
        {"action": "delete", "ids": ["{contact}"], "confirm": True},
        {"action": "delete", "filter": {}, "confirm": True},
        {"action": "untag", "filter": {"tag": ["Secret"]}, "tags": ["Secret"]},
    ],
)
def test_bulk_actions_never_reach_another_workspace(api, theirs, payload):
    payload = {
        key: [theirs["contact"]] if value == ["{contact}"] else value
        for key, value in payload.items()
    }
    before = [list(m.objects.filter(workspace_id__isnull=False).values()) for m in (Contact,)]
    tags_before = list(ContactTag.objects.values())
    response = api.post("/api/v1/contacts/bulk", payload)
    assert response.status_code == 200
    assert response.json()["matched"] == 0
    assert [
        list(m.objects.filter(workspace_id__isnull=False).values()) for m in (Contact,)
    ] == before
    assert list(ContactTag.objects.values()) == tags_before


def test_static_group_ignores_another_workspaces_contacts(api, theirs):
    group = api.post("/api/v1/segments", {"name": "Mine", "kind": "static"}).json()
    response = api.post(f"/api/v1/segments/{group['id']}/contacts", {"ids": [theirs["contact"]]})
    assert response.json() == {"changed": 0}
    created = api.post(
        "/api/v1/segments",
        {"name": "Mine 2", "kind": "static", "contact_ids": [theirs["contact"]]},
    )
    assert created.json()["count"] == 0


def test_a_segment_filter_cannot_name_another_workspaces_segment(api, theirs):
    response = api.post(
        "/api/v1/segments", {"name": "Spy", "filter": {"segment": str(theirs["segment"])}}
    )
    assert (response.status_code, response.json()["code"]) == (422, "unknown_segment")
