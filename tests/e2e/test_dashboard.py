"""The dashboard in a real browser: logging in and out, business identity, keyboard, language."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from comptoir.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = ["Contacts", "Campaigns", "Automations", "Sign-ups", "Settings"]


def test_staff_logs_in_with_email_and_password_sees_the_sections_and_logs_out(
    page, live_server, log_in, workspace, owner
):
    log_in(owner.email)

    expect(page).to_have_url(f"{live_server.url}/w/{workspace.slug}/contacts/")
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    navigation = page.get_by_role("navigation", name="Main")
    for section in SECTIONS:
        expect(navigation.get_by_role("link", name=section, exact=True)).to_be_visible()
    expect(navigation.get_by_role("link", name="Contacts")).to_have_attribute(
        "aria-current", "page"
    )

    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("heading", name="Log in to Comptoir")).to_be_visible()
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


def test_owner_changes_the_business_identity_and_uploads_a_logo(
    page, live_server, log_in, workspace, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    logo = tmp_path / "logo.png"
    Image.new("RGB", (64, 32), "#2f5d50").save(logo, format="PNG")
    log_in(owner.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("Business name").fill("Fromagerie Zoé")
    page.get_by_label("Postal address").fill("3 place du Marché\n69001 Lyon\nFrance")
    page.get_by_label("Logo").set_input_files(logo)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    expect(page.get_by_label("Business name")).to_have_value("Fromagerie Zoé")
    expect(page.get_by_label("Postal address")).to_have_value(
        "3 place du Marché\n69001 Lyon\nFrance"
    )
    image = page.get_by_role("img", name="Logo of Fromagerie Zoé")
    expect(image).to_be_visible()
    # Displayed means the browser fetched and decoded it, not only that the tag is there.
    expect(image).to_have_js_property("naturalWidth", 64)
    workspace.refresh_from_db()
    assert workspace.name == "Fromagerie Zoé"
    assert (tmp_path / "media" / workspace.logo.name).is_file()


def test_tab_from_the_top_of_the_login_page_focuses_the_skip_link_first(page, live_server):
    # An autofocused field (Django's login form sets one) would start keyboard users past it.
    page.goto(f"{live_server.url}/accounts/login/")

    page.keyboard.press("Tab")

    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_skip_link_is_the_first_tab_stop_of_a_dashboard_page_and_jumps_to_the_content(
    page, live_server, log_in, owner, workspace
):
    log_in(owner.email)
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("main")).to_be_focused()


def test_language_form_switches_the_dashboard_to_french(
    page, live_server, log_in, owner, workspace
):
    log_in(owner.email)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(f"{live_server.url}/w/{workspace.slug}/contacts/")
    expect(page.get_by_role("link", name="Paramètres")).to_be_visible()


def test_viewer_sees_the_settings_read_only_without_a_save_button(
    page, live_server, log_in, workspace, staff
):
    log_in(staff[Role.VIEWER].email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()

    identity = page.get_by_role("region", name="Business identity")
    expect(identity).to_be_visible()
    for label in ("Business name", "Postal address", "Contact e-mail", "Logo", "Time zone"):
        expect(identity.get_by_label(label)).to_be_disabled()
    fields = identity.locator("input:not([type=hidden]), select, textarea")
    expect(fields).not_to_have_count(0)
    for field in fields.all():
        expect(field).to_be_disabled()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_text("Your role lets you read these settings")).to_be_visible()
