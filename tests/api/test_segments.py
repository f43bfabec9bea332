"""Segments through the API (C10): smart, built-in, static."""

from tests.contacts.helpers import make_contact, set_figures

BUILTINS = [
    "all_customers",
    "prospects",
    "new_customers",
    "repeat_customers",
    "subscribers",
    "signups",
    "unsubscribed",
]


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {item["id"] for item in response.json()["items"]}


def test_saved_smart_filter_is_evaluated_live(api, workspace):
    response = api.post(
        "/api/v1/segments",
        {"name": "Gros clients VIP", "filter": {"tag": ["VIP"], "min_total_spent": "100.00"}},
    )
    assert response.status_code == 201, response.json()
    segment = response.json()
    assert (segment["kind"], segment["count"]) == ("smart", 0)
    assert segment["filter"] == {"tag": ["VIP"], "min_total_spent": "100.00"}
    later = set_figures(make_contact(workspace, tags=["VIP"]), orders=2, spent="150")
    set_figures(make_contact(workspace, tags=["VIP"]), orders=1, spent="20")
    assert ids_of(api.get(f"/api/v1/segments/{segment['id']}/contacts")) == {later.pk}
    assert ids_of(api.get("/api/v1/contacts", segment=segment["id"])) == {later.pk}
    assert api.get(f"/api/v1/segments/{segment['id']}").json()["count"] == 1


def test_segment_list_starts_with_the_builtins(api, workspace):
    api.post("/api/v1/segments", {"name": "Mine"})
    items = api.get("/api/v1/segments").json()["items"]
    assert [s["id"] for s in items[:7]] == BUILTINS
    assert all(s["kind"] == "builtin" for s in items[:7])
    assert [(s["name"], s["kind"]) for s in items[7:]] == [("Mine", "smart")]


def test_builtin_segment_contacts(api, workspace):
    repeat = set_figures(make_contact(workspace), orders=2, spent="20")
    prospect = make_contact(workspace)
    assert ids_of(api.get("/api/v1/segments/repeat_customers/contacts")) == {repeat.pk}
    assert ids_of(api.get("/api/v1/segments/prospects/contacts")) == {prospect.pk}
    assert api.get("/api/v1/segments/all_customers").json()["count"] == 1


def test_builtins_cannot_be_changed(api):
    response = api.patch("/api/v1/segments/prospects", {"name": "x"})
    assert (response.status_code, response.json()["code"]) == (422, "builtin_segment")
    assert api.delete("/api/v1/segments/prospects").status_code == 422


def test_static_group(api, workspace):
    first, second, third = (make_contact(workspace) for _ in range(3))
    group = api.post(
        "/api/v1/segments", {"name": "Salon", "kind": "static", "contact_ids": [first.pk]}
    ).json()
    assert (group["kind"], group["filter"], group["count"]) == ("static", None, 1)
    path = f"/api/v1/segments/{group['id']}/contacts"
    assert api.post(path, {"ids": [first.pk, second.pk, third.pk]}).json() == {"changed": 2}
    assert api.post(f"{path}/remove", {"ids": [third.pk]}).json() == {"changed": 1}
    assert ids_of(api.get(path)) == {first.pk, second.pk}


def test_smart_segments_take_no_members(api, workspace):
    segment = api.post("/api/v1/segments", {"name": "Smart"}).json()
    response = api.post(
        f"/api/v1/segments/{segment['id']}/contacts", {"ids": [make_contact(workspace).pk]}
    )
    assert (response.status_code, response.json()["code"]) == (422, "not_static")


def test_rename_and_refilter(api, workspace):
    segment = api.post("/api/v1/segments", {"name": "A", "filter": {"type": "customer"}}).json()
    response = api.patch(
        f"/api/v1/segments/{segment['id']}",
        {"name": "Prospects VIP", "filter": {"type": "prospect"}},
    )
    assert response.json()["name"] == "Prospects VIP"
    assert response.json()["filter"] == {"type": "prospect"}


def test_duplicate_name_is_409(api):
    api.post("/api/v1/segments", {"name": "VIP"})
    response = api.post("/api/v1/segments", {"name": "vip"})
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_segment")


def test_delete(api):
    segment = api.post("/api/v1/segments", {"name": "Old"}).json()
    assert api.delete(f"/api/v1/segments/{segment['id']}").status_code == 204
    assert api.get(f"/api/v1/segments/{segment['id']}").status_code == 404


def test_segment_contacts_use_the_saved_sort(api, workspace):
    small = set_figures(make_contact(workspace), orders=1, spent="5")
    big = set_figures(make_contact(workspace), orders=1, spent="500")
    segment = api.post(
        "/api/v1/segments", {"name": "Top", "filter": {"type": "customer", "sort": "-total_spent"}}
    ).json()
    path = f"/api/v1/segments/{segment['id']}/contacts"
    assert [c["id"] for c in api.get(path).json()["items"]] == [big.pk, small.pk]
    assert [c["id"] for c in api.get(path, sort="total_spent").json()["items"]] == [
        small.pk,
        big.pk,
    ]


def test_unknown_segment_is_404(api):
    assert api.get("/api/v1/segments/nope").status_code == 404
    assert api.get("/api/v1/segments/999999/contacts").status_code == 404
    assert api.get("/api/v1/contacts", segment="999999").status_code == 404
