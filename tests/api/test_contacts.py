"""`/api/v1/contacts`: create, read, edit (sync lock), delete, tag, bulk actions."""

import pytest

from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Contact, ContactTag, Tag
from comptoir.core.scoping import scoped
from tests.contacts.helpers import events_of, make_contact, set_figures

CONTRACT_FIELDS = {
    "id",
    "email",
    "phone",
    "first_name",
    "last_name",
    "company",
    "type",
    "consent",
    "tags",
    "total_spent",
    "order_count",
    "average_order_value",
    "last_order_at",
    "customer_since",
    "locked",
    "source",
    "has_account",
    "created_at",
}


def test_create_returns_the_contract_fields(api, workspace):
    response = api.post(
        "/api/v1/contacts",
        {
            "email": " Zoe@Example.COM ",
            "phone": "06 12 34 56 78",
            "first_name": "Zoé",
            "last_name": "Dubois",
            "company": "Thé & Co",
            "tags": ["VIP", "Fidèle"],
            "note": "Préfère le thé vert",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= CONTRACT_FIELDS
    assert body["email"] == "Zoe@example.com"
    assert body["phone"] == "+33612345678"
    assert body["tags"] == ["Fidèle", "VIP"]
    assert (body["type"], body["consent"], body["source"]) == ("prospect", "not_subscribed", "api")
    assert (body["total_spent"], body["average_order_value"]) == ("0.00", "0.00")
    assert (body["order_count"], body["locked"], body["has_account"]) == (0, False, False)
    assert body["created_at"].endswith("Z") or "+" in body["created_at"]
    contact = scoped(Contact, workspace).get(pk=body["id"])
    assert contact.notes.get().body == "Préfère le thé vert"


def test_list_items_carry_exactly_the_contract_fields(api, workspace):
    make_contact(workspace)
    [item] = api.get("/api/v1/contacts").json()["items"]
    assert set(item) == CONTRACT_FIELDS


def test_money_and_dates_are_rendered_as_the_contract_says(api, workspace):
    contact = set_figures(make_contact(workspace), orders=3, spent="37.5", days_ago=2)
    body = api.get(f"/api/v1/contacts/{contact.pk}").json()
    assert (body["total_spent"], body["average_order_value"]) == ("37.50", "12.50")
    assert (body["type"], body["order_count"]) == ("customer", 3)
    assert body["last_order_at"].startswith(contact.last_order_at.date().isoformat())


@pytest.mark.parametrize("variant", ["zoe@example.com", "  ZOE@example.COM  "])
def test_duplicate_address_is_409(api, workspace, variant):
    make_contact(workspace, "Zoe@Example.com")
    response = api.post("/api/v1/contacts", {"email": variant, "first_name": "Other"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_email"
    assert scoped(Contact, workspace).count() == 1


def test_neither_email_nor_phone_is_422(api):
    response = api.post("/api/v1/contacts", {"first_name": "Zoé"})
    assert (response.status_code, response.json()["code"]) == (422, "email_or_phone_required")


def test_invalid_email_is_422(api):
    response = api.post("/api/v1/contacts", {"email": "zoe at example"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_email")


def test_patch_sets_the_sync_lock(api, workspace):
    contact = make_contact(workspace, "zoe@example.com")
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"last_name": "Dubois"})
    assert response.status_code == 200
    assert (response.json()["last_name"], response.json()["locked"]) == ("Dubois", True)
    [event] = events_of(contact, ContactKind.EDITED)
    assert event.data == {"changes": {"last_name": ["", "Dubois"]}, "locked": True}


def test_patch_locked_false_releases_the_lock(api, workspace):
    contact = make_contact(workspace)
    api.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": "Zoé"})
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"locked": False})
    assert response.json()["locked"] is False
    assert events_of(contact, ContactKind.UNLOCKED)


def test_patch_to_a_taken_address_is_409(api, workspace):
    make_contact(workspace, "zoe@example.com")
    other = make_contact(workspace, "lea@example.com")
    response = api.patch(f"/api/v1/contacts/{other.pk}", {"email": "ZOE@example.com"})
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_email")


def test_patch_addresses(api, workspace):
    contact = make_contact(workspace)
    address = {"name": "Zoé Dubois", "line1": "1 rue du Thé", "city": "Lyon", "country": "FR"}
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"shipping_address": address})
    assert response.json()["shipping_address"] == address


def test_delete(api, workspace):
    contact = make_contact(workspace)
    assert api.delete(f"/api/v1/contacts/{contact.pk}").status_code == 204
    assert not scoped(Contact, workspace).exists()
    assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 404


def test_add_and_remove_tags(api, workspace):
    contact = make_contact(workspace)
    response = api.post(f"/api/v1/contacts/{contact.pk}/tags", {"tags": ["VIP", "Salon/2025"]})
    assert response.json()["tags"] == ["Salon/2025", "VIP"]
    assert api.delete(f"/api/v1/contacts/{contact.pk}/tags/salon/2025").status_code == 204
    assert api.delete(f"/api/v1/contacts/{contact.pk}/tags/vip").status_code == 204
    assert api.get(f"/api/v1/contacts/{contact.pk}").json()["tags"] == []


def test_the_251st_tag_is_refused_and_nothing_changes(api, workspace):
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(249)]
    )
    contact = make_contact(workspace)
    events = len(events_of(contact))
    response = api.post(f"/api/v1/contacts/{contact.pk}/tags", {"tags": ["t1", "fits", "251st"]})
    assert response.status_code == 422
    assert response.json()["code"] == "tag_limit"
    assert scoped(Tag, workspace).count() == 249
    assert not contact.tags.exists()
    assert len(events_of(contact)) == events
    ok = api.post(f"/api/v1/contacts/{contact.pk}/tags", {"tags": ["t1", "the 250th"]})
    assert ok.status_code == 200
    assert scoped(Tag, workspace).count() == 250
    refused = api.post("/api/v1/contacts", {"email": "new@example.com", "tags": ["251st"]})
    assert refused.json()["code"] == "tag_limit"
    assert not scoped(Contact, workspace).filter(email="new@example.com").exists()


def test_timeline_newest_first(api, workspace):
    contact = make_contact(workspace, tags=["VIP"])
    api.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": "Zoé"})
    kinds = [e["kind"] for e in api.get(f"/api/v1/contacts/{contact.pk}/events").json()["items"]]
    assert kinds == ["edited", "created"]  # the tags it was created with are in "created"


# ------------------------------------------------------------------------------- bulk


def test_bulk_tag_by_ids(api, workspace):
    contacts = [make_contact(workspace) for _ in range(3)]
    response = api.post(
        "/api/v1/contacts/bulk",
        {"action": "tag", "ids": [c.pk for c in contacts[:2]], "tags": ["Salon"]},
    )
    assert response.json() == {"action": "tag", "matched": 2, "changed": 2}
    assert ContactTag.objects.filter(tag__key="salon").count() == 2


def test_bulk_untag_by_filter(api, workspace):
    for _ in range(2):
        set_figures(make_contact(workspace, tags=["Relance"]), orders=1, spent="5")
    prospect = make_contact(workspace, tags=["Relance"])
    response = api.post(
        "/api/v1/contacts/bulk",
        {"action": "untag", "filter": {"type": "customer"}, "tags": ["relance"]},
    )
    assert response.json() == {"action": "untag", "matched": 2, "changed": 2}
    assert list(ContactTag.objects.values_list("contact_id", flat=True)) == [prospect.pk]


def test_bulk_delete_by_filter_needs_confirmation(api, workspace):
    make_contact(workspace, "keep@example.com")
    make_contact(workspace, "zoe@example.com", tags=["Spam"])
    payload = {"action": "delete", "filter": {"tag": ["spam"]}}
    refused = api.post("/api/v1/contacts/bulk", payload)
    assert (refused.status_code, refused.json()["code"]) == (422, "confirmation_required")
    assert scoped(Contact, workspace).count() == 2
    response = api.post("/api/v1/contacts/bulk", {**payload, "confirm": True})
    assert response.json() == {"action": "delete", "matched": 1, "changed": 1}
    assert list(scoped(Contact, workspace).values_list("email", flat=True)) == ["keep@example.com"]


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"action": "tag", "tags": ["x"]}, "selection_required"),
        ({"action": "tag", "ids": [1], "filter": {}, "tags": ["x"]}, "selection_required"),
        ({"action": "tag", "ids": [1]}, "tags_required"),
        ({"action": "paint", "ids": [1]}, "validation_error"),
        ({"action": "tag", "filter": {"colour": "red"}, "tags": ["x"]}, "validation_error"),
    ],
)
def test_bulk_refuses_unclear_requests(api, payload, code):
    response = api.post("/api/v1/contacts/bulk", payload)
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_bulk_over_the_tag_limit_changes_nothing(api, workspace):
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(250)]
    )
    contact = make_contact(workspace)
    response = api.post(
        "/api/v1/contacts/bulk", {"action": "tag", "filter": {}, "tags": ["t0", "new"]}
    )
    assert response.json()["code"] == "tag_limit"
    assert not contact.tags.exists()


def test_without_a_token_the_directory_is_401(client):
    response = client.get("/api/v1/contacts")
    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_a_phone_only_contact_needs_a_real_number_and_reads_back_in_e164(api, workspace):
    refused = api.post("/api/v1/contacts", {"phone": "12"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_phone"
    assert "“12” is not a valid phone number" in refused.json()["detail"]

    created = api.post("/api/v1/contacts", {"phone": "06 12 34 56 78"})
    assert created.status_code == 201
    assert created.json()["phone"] == "+33612345678"
    again = api.get(f"/api/v1/contacts/{created.json()['id']}").json()
    assert again["phone"] == "+33612345678"
    assert api.patch(f"/api/v1/contacts/{again['id']}", {"phone": "0612"}).status_code == 422
