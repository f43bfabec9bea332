"""W3 in the dashboard: who opens which page, who may change what."""

import re

import pytest

from comptoir.core.models import ApiToken, Membership
from comptoir.core.roles import Role
from tests.conftest import PASSWORD, login, make_user, make_workspace

PAGES = [
    "contacts",
    "campaigns",
    "automations",
    "signups",
    "settings",
    "settings/staff",
    "settings/store",
]


def url(workspace, page: str) -> str:
    return f"/w/{workspace.slug}/{page}/"


@pytest.mark.parametrize("page", PAGES)
def test_every_role_opens_the_dashboard_pages(staff, workspace, page):
    for user in staff.values():
        response = login(user).get(url(workspace, page))
        assert response.status_code == 200, (user.email, page)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(workspace, client, page):
    response = client.get(url(workspace, page))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", PAGES)
def test_another_workspace_is_a_404_not_a_403(workspace, other_workspace, owner, page):
    response = login(owner).get(url(other_workspace, page))
    assert response.status_code == 404


def settings_post(workspace, **changes):
    data = {
        "name": workspace.name,
        "postal_address": "1 place du Marché, 69001 Lyon",
        "contact_email": "bonjour@chez-zoe.test",
        "contact_phone": "",
        "brand_color": "#123456",
        "accent_color": "#654321",
        "sender_name": "",
        "sender_email": "",
        "language": "fr",
        "currency": "EUR",
        "time_zone": "Europe/Paris",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "role, page, data",
    [
        (Role.VIEWER, "settings", "settings"),
        (Role.VIEWER, "settings/staff", {"email": "x@example.com", "role": "viewer"}),
        (Role.VIEWER, "settings/tokens", {"name": "t", "role": "admin"}),
        (Role.MARKETER, "settings", "settings"),
        (Role.MARKETER, "settings/staff", {"email": "x@example.com", "role": "viewer"}),
        (Role.MARKETER, "settings/tokens", {"name": "t", "role": "admin"}),
    ],
)
def test_viewers_and_marketers_cannot_change_settings_staff_or_tokens(
    staff, workspace, role, page, data
):
    if data == "settings":
        data = settings_post(workspace, name="Hijacked")
    response = login(staff[role]).post(url(workspace, page), data)
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Chez Zoé"
    assert not Membership.objects.filter(user__email="x@example.com").exists()
    assert not ApiToken.objects.filter(workspace=workspace).exists()


def test_a_viewer_cannot_revoke_tokens_or_remove_staff(staff, workspace):
    from comptoir.core.services import token_create

    token, _secret = token_create(workspace=workspace, name="till")
    admin_membership = Membership.objects.get(user=staff[Role.ADMIN])
    viewer = login(staff[Role.VIEWER])
    assert viewer.post(url(workspace, f"settings/tokens/{token.pk}/revoke")).status_code == 403
    assert (
        viewer.post(url(workspace, f"settings/staff/{admin_membership.pk}/remove")).status_code
        == 403
    )
    token.refresh_from_db()
    assert token.is_active
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_a_viewer_sees_the_settings_read_only(staff, workspace):
    html = login(staff[Role.VIEWER]).get(url(workspace, "settings")).content.decode()
    assert 'name="name"' in html and "disabled" in html
    assert "lets you read these settings, not change them" in html


def test_an_admin_changes_the_business_identity(staff, workspace):
    response = login(staff[Role.ADMIN]).post(
        url(workspace, "settings"), settings_post(workspace, name="Chez Zoé & fils")
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "Chez Zoé & fils"
    assert workspace.postal_address == "1 place du Marché, 69001 Lyon"


def test_bad_settings_are_shown_in_place_and_nothing_is_saved(staff, workspace):
    response = login(staff[Role.ADMIN]).post(
        url(workspace, "settings"),
        settings_post(workspace, name="New", brand_color="red", time_zone="Mars/Olympus"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a colour as #RRGGBB." in html
    assert "Unknown time zone: Mars/Olympus" in html
    workspace.refresh_from_db()
    assert workspace.name == "Chez Zoé"


def test_an_admin_invites_staff_who_get_a_link_to_choose_a_password(
    staff, workspace, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = login(staff[Role.ADMIN]).post(
            url(workspace, "settings/staff"), {"email": "lea@example.com", "role": "marketer"}
        )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="lea@example.com")
    assert membership.role == Role.MARKETER
    assert not membership.user.has_usable_password()
    (message,) = mailoutbox
    assert message.to == ["lea@example.com"]
    # The text part writes the button as "Label: URL".
    link = re.search(r"\S+/accounts/reset/\S+", message.body).group()
    assert link.startswith("https://comptoir.example/accounts/reset/")

    # Following the link lets the newcomer choose a password and log in.
    path = link.removeprefix("https://comptoir.example")
    from django.test import Client

    browser = Client()
    form_page = browser.get(path, follow=True)
    assert form_page.status_code == 200
    set_password = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"},
    )
    assert set_password.status_code == 302
    assert browser.login(username="lea@example.com", password="a-long-new-password")


def test_an_admin_cannot_demote_an_owner_but_an_owner_can_add_one(staff, workspace, owner):
    owner_membership = Membership.objects.get(user=owner, workspace=workspace)
    admin = login(staff[Role.ADMIN])
    admin.post(url(workspace, f"settings/staff/{owner_membership.pk}/role"), {"role": "viewer"})
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER

    marketer_membership = Membership.objects.get(user=staff[Role.MARKETER])
    login(owner).post(
        url(workspace, f"settings/staff/{marketer_membership.pk}/role"),
        {"role": "owner", "password": PASSWORD},
    )
    marketer_membership.refresh_from_db()
    assert marketer_membership.role == Role.OWNER


def test_changing_an_owner_in_the_dashboard_asks_for_the_owners_password(staff, workspace, owner):
    marketer = Membership.objects.get(user=staff[Role.MARKETER])
    role_url = url(workspace, f"settings/staff/{marketer.pk}/role")
    client = login(owner)

    asked = client.post(role_url, {"role": "owner"})
    assert asked.status_code == 200
    assert 'type="password"' in asked.content.decode()
    assert 'name="role" value="owner"' in asked.content.decode()
    wrong = client.post(role_url, {"role": "owner", "password": "not my password"})
    assert wrong.status_code == 403
    marketer.refresh_from_db()
    assert marketer.role == Role.MARKETER

    client.post(role_url, {"role": "owner", "password": PASSWORD})
    marketer.refresh_from_db()
    assert marketer.role == Role.OWNER
    # Removing an owner asks too.
    remove_url = url(workspace, f"settings/staff/{marketer.pk}/remove")
    assert 'type="password"' in client.post(remove_url).content.decode()
    assert Membership.objects.filter(pk=marketer.pk).exists()
    client.post(remove_url, {"password": PASSWORD})
    assert not Membership.objects.filter(pk=marketer.pk).exists()


def test_tokens_are_created_shown_once_and_revoked_in_the_dashboard(staff, workspace):
    admin = login(staff[Role.ADMIN])
    created = admin.post(url(workspace, "settings/tokens"), {"name": "Shopify", "role": "admin"})
    html = created.content.decode()
    token = ApiToken.objects.get(workspace=workspace, name="Shopify")
    assert f'value="{token.prefix}' in html  # the whole secret is in the read-only field
    assert created["Cache-Control"] == "no-store"
    listing = admin.get(url(workspace, "settings/tokens")).content.decode()
    assert "Shopify" in listing and 'id="new-token"' not in listing

    admin.post(url(workspace, f"settings/tokens/{token.pk}/revoke"))
    token.refresh_from_db()
    assert not token.is_active


def test_home_opens_the_workspace_used_last(owner, workspace):
    second = make_workspace("Second shop", owner)
    client = login(owner)
    client.get(url(second, "contacts"))
    assert client.get("/")["Location"] == url(second, "contacts")
    client.get(url(workspace, "settings"))
    assert client.get("/")["Location"] == url(workspace, "contacts")


def test_the_switcher_lists_the_other_workspaces(owner, workspace):
    make_workspace("Second shop", owner)
    html = login(owner).get(url(workspace, "contacts")).content.decode()
    assert "Second shop" in html


def test_a_user_without_workspace_is_told_so(db):
    response = login(make_user()).get("/")
    assert response.status_code == 403
    assert b"belongs to no workspace" in response.content


def test_password_reset_links_use_the_base_url_not_the_host_header(
    owner, client, mailoutbox, settings
):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    settings.ALLOWED_HOSTS = ["*"]
    client.post(
        "/accounts/password_reset/", {"email": owner.email}, headers={"host": "evil.example"}
    )
    (message,) = mailoutbox
    assert "https://comptoir.example/accounts/reset/" in message.body
    assert "evil.example" not in message.body


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
