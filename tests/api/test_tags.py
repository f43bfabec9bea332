"""The tag manager through the API (C7): counts, rename, merge, delete."""

from comptoir.contacts.models import ContactTag, Tag
from comptoir.core.scoping import scoped
from tests.contacts.helpers import make_contact


def test_tags_are_listed_by_name_with_counts(api, workspace, other_workspace):
    make_contact(workspace, tags=["VIP", "Pro"])
    make_contact(workspace, tags=["vip"])
    make_contact(other_workspace, tags=["Secret"])
    body = api.get("/api/v1/tags").json()
    assert body == {
        "items": [{"name": "Pro", "count": 1}, {"name": "VIP", "count": 2}],
        "next_cursor": None,
    }


def test_tags_page_with_a_cursor(api, workspace):
    make_contact(workspace, tags=["a", "b", "c"])
    first = api.get("/api/v1/tags", limit=2).json()
    second = api.get("/api/v1/tags", limit=2, cursor=first["next_cursor"]).json()
    assert [t["name"] for t in first["items"] + second["items"]] == ["a", "b", "c"]


def test_rename(api, workspace):
    make_contact(workspace, tags=["Fidele"])
    response = api.patch("/api/v1/tags/fidele", {"name": "Fidèle"})
    assert response.json() == {"name": "Fidèle", "count": 1}


def test_rename_onto_an_existing_tag_merges_and_counts_add_up(api, workspace):
    make_contact(workspace, tags=["Loyal", "Fidèle"])
    make_contact(workspace, tags=["Loyal"])
    make_contact(workspace, tags=["Fidèle"])
    make_contact(workspace, tags=["Fidèle"])
    response = api.patch("/api/v1/tags/Loyal", {"name": "fidèle"})
    assert response.json() == {"name": "Fidèle", "count": 4}  # 3 + 2 minus one overlap
    assert [t["name"] for t in api.get("/api/v1/tags").json()["items"]] == ["Fidèle"]
    links = list(ContactTag.objects.values_list("contact_id", "tag_id"))
    assert len(links) == len(set(links)) == 4


def test_rename_unknown_is_404(api):
    response = api.patch("/api/v1/tags/ghost", {"name": "x"})
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_delete(api, workspace):
    contact = make_contact(workspace, tags=["VIP", "Salon/2025"])
    assert api.delete("/api/v1/tags/salon/2025").status_code == 204
    assert list(scoped(Tag, workspace).values_list("name", flat=True)) == ["VIP"]
    assert api.get(f"/api/v1/contacts/{contact.pk}").json()["tags"] == ["VIP"]


def test_one_call_may_add_250_tags_and_the_251st_distinct_tag_is_refused(workspace):
    """Issue 14 (C7): the limit is 250 distinct tags per workspace, not 50 per call."""
    from comptoir.contacts.models import Tag
    from tests.conftest import api_client_for
    from tests.contacts.helpers import make_contact

    api = api_client_for(workspace)
    contact = make_contact(workspace, "zoe@example.com")
    names = [f"tag {n}" for n in range(250)]
    added = api.post(f"/api/v1/contacts/{contact.pk}/tags", {"tags": names})
    assert added.status_code == 200, added.content[:300]
    assert Tag.objects.filter(workspace=workspace).count() == 250
    refused = api.post(f"/api/v1/contacts/{contact.pk}/tags", {"tags": ["one more"]})
    assert refused.status_code == 422
    assert refused.json()["code"] == "tag_limit"


def test_a_segment_on_a_renamed_tag_keeps_its_contacts(api, workspace):
    for _ in range(21):
        make_contact(workspace, tags=["vip"])
    segment = api.post("/api/v1/segments", {"name": "VIP", "filter": {"tag": ["vip"]}}).json()

    assert api.patch("/api/v1/tags/vip", {"name": "VIP clients"}).status_code == 200

    listed = api.get("/api/v1/contacts", segment=str(segment["id"]), limit=100).json()
    assert len(listed["items"]) == 21
    assert api.get(f"/api/v1/segments/{segment['id']}").json()["filter"] == {"tag": ["VIP clients"]}
