"""W3 in the API: a token acts with its role; viewers read, never write."""

import pytest

from comptoir.core.models import ApiToken, Membership
from comptoir.core.roles import Role
from tests.conftest import ApiClient, api_client_for, make_user

WRITES = [
    ("PATCH", "/api/v1/workspace", {"name": "Renamed"}),
    ("POST", "/api/v1/tokens", {"name": "till", "role": "viewer"}),
    ("POST", "/api/v1/staff", {"email": "new@example.com", "role": "viewer"}),
]


@pytest.mark.parametrize("method, path, body", WRITES)
def test_a_viewer_token_cannot_change_anything(workspace, method, path, body):
    viewer = api_client_for(workspace, Role.VIEWER)
    tokens_before = ApiToken.objects.count()
    response = viewer.request(method, path, json=body)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    workspace.refresh_from_db()
    assert workspace.name == "Chez Zoé"
    assert ApiToken.objects.count() == tokens_before
    assert not Membership.objects.filter(user__email="new@example.com").exists()


def test_a_viewer_token_reads_the_workspace(workspace):
    response = api_client_for(workspace, Role.VIEWER).get("/api/v1/workspace")
    assert response.status_code == 200
    assert response.json()["name"] == "Chez Zoé"


def test_an_admin_token_changes_the_business_identity(workspace, api):
    response = api.patch(
        "/api/v1/workspace",
        {"name": "Chez Zoé & fils", "currency": "CHF", "time_zone": "Europe/Zurich"},
    )
    assert response.status_code == 200, response.content
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency, workspace.time_zone) == (
        "Chez Zoé & fils",
        "CHF",
        "Europe/Zurich",
    )


def test_an_unknown_time_zone_is_refused_and_nothing_changes(workspace, api):
    response = api.patch("/api/v1/workspace", {"name": "New name", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "Mars/Olympus" in str(response.json()["detail"])
    workspace.refresh_from_db()
    assert workspace.name == "Chez Zoé"


def test_a_marketer_token_cannot_manage_tokens_or_staff(workspace):
    marketer = api_client_for(workspace, Role.MARKETER)
    assert marketer.get("/api/v1/tokens").status_code == 403
    assert (
        marketer.post("/api/v1/staff", {"email": "x@example.com", "role": "viewer"}).json()["code"]
        == "forbidden"
    )


def test_an_admin_token_creates_a_token_shown_once_and_stored_hashed(workspace, api):
    response = api.post("/api/v1/tokens", {"name": "Shopify", "role": "marketer"})
    assert response.status_code == 201
    body = response.json()
    secret = body["token"]
    stored = ApiToken.objects.get(pk=body["id"])
    assert secret.startswith("cpt_") and secret.startswith(stored.prefix)
    assert secret not in {stored.digest, stored.prefix, stored.name}
    listed = api.get("/api/v1/tokens").json()["items"]
    assert all("token" not in item for item in listed)
    assert {item["name"] for item in listed} >= {"Shopify"}


def test_revoking_a_token_through_the_api(workspace, api):
    created = api.post("/api/v1/tokens", {"name": "old till"}).json()
    assert api.delete(f"/api/v1/tokens/{created['id']}").status_code == 204
    from tests.conftest import ApiClient

    assert ApiClient(created["token"]).get("/api/v1/workspace").status_code == 401


def test_no_token_can_create_an_owner(workspace, api):
    response = api.post("/api/v1/staff", {"email": "boss@example.com", "role": "owner"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__email="boss@example.com").exists()


def test_the_last_owner_cannot_be_demoted(workspace, owner):
    membership = Membership.objects.get(workspace=workspace, user=owner)
    # Even a second admin token cannot take away the only owner.
    response = api_client_for(workspace).patch(f"/api/v1/staff/{membership.pk}", {"role": "admin"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_admin_token_invites_staff_and_changes_roles(workspace, api, mailoutbox):
    response = api.post("/api/v1/staff", {"email": "Lea@Example.com", "role": "marketer"})
    assert response.status_code == 201, response.content
    member = response.json()
    assert member["role"] == "marketer"
    changed = api.patch(f"/api/v1/staff/{member['id']}", {"role": "viewer"})
    assert changed.json()["role"] == "viewer"
    assert api.delete(f"/api/v1/staff/{member['id']}").status_code == 204
    assert not Membership.objects.filter(pk=member["id"]).exists()


def test_inviting_a_member_twice_is_a_conflict(workspace, api):
    make_user("lea@example.com")
    assert (
        api.post("/api/v1/staff", {"email": "lea@example.com", "role": "viewer"}).status_code == 201
    )
    again = api.post("/api/v1/staff", {"email": "lea@example.com", "role": "viewer"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_member"


def test_a_value_the_database_cannot_store_is_a_422_not_a_500(workspace, api):
    response = api.patch("/api/v1/workspace", {"name": "Chez\x00Zoé"})
    if response.status_code == 200:  # SQLite stores NUL characters; PostgreSQL refuses them
        assert response.json()["name"] == "Chez\x00Zoé"
        return
    assert (response.status_code, response.json()["code"]) == (422, "invalid_value")
    workspace.refresh_from_db()
    assert workspace.name == "Chez Zoé"


def test_an_admin_token_created_by_an_owner_cannot_make_an_owner(workspace, owner):
    """The attack of issue 10: an owner's admin token minted an owner, who then demoted the
    original owner. A token never carries ownership, whoever created it."""
    from comptoir.core.services import token_create

    _token, secret = token_create(
        workspace=workspace, name="integration", role=Role.ADMIN, created_by=owner
    )
    api = ApiClient(secret)

    created = api.post("/api/v1/staff", {"email": "boss@example.com", "role": "owner"})

    assert created.status_code == 403
    assert created.json()["code"] == "owner_requires_dashboard"
    assert not Membership.objects.filter(user__email="boss@example.com").exists()
    admin = api.post("/api/v1/staff", {"email": "helper@example.com", "role": "admin"})
    assert admin.status_code == 201
    promoted = api.patch(f"/api/v1/staff/{admin.json()['id']}", {"role": "owner"})
    assert promoted.status_code == 403
    assert promoted.json()["code"] == "owner_requires_dashboard"
    assert Membership.objects.get(user__email="helper@example.com").role == Role.ADMIN
    own = Membership.objects.get(workspace=workspace, user=owner)
    assert api.delete(f"/api/v1/staff/{own.pk}").status_code == 403
    assert Membership.objects.get(pk=own.pk).role == Role.OWNER
