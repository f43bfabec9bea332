"""The customer directory in a real browser: search, filter, profile, tags, notes, timeline,
and htmx updating the results (and the URL) without reloading the page."""

import re

import pytest
from playwright.sync_api import expect

from tests.contacts.helpers import make_contact, set_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(workspace):
    zoe = make_contact(
        workspace, "zoe.martin@example.com", first_name="Zoé", last_name="Martin", tags=["vip"]
    )
    set_figures(zoe, orders=3, spent="120.00", consent="subscribed")
    paul = make_contact(
        workspace, "paul@example.com", first_name="Paul", last_name="Durand", tags=["vip"]
    )
    set_figures(paul, consent="unsubscribed")
    make_contact(workspace, "lea@example.com", first_name="Léa", last_name="Roux")
    return zoe


def results(page):
    return page.get_by_role("region", name="Results")


def test_staff_finds_a_contact_filters_and_adds_a_tag_and_a_note_seen_on_the_timeline(
    page, log_in, directory, owner
):
    log_in(owner.email)
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(results(page).get_by_role("row")).to_have_count(4)  # the header and 3 contacts

    # An accent-free spelling finds the accented name.
    page.get_by_label("Search").fill("zoe")
    expect(results(page).get_by_role("link", name="Zoé Martin")).to_be_visible()
    expect(results(page).get_by_role("link", name="Paul Durand")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("1 contact")

    page.get_by_label("Search").fill("")
    expect(page.get_by_role("status")).to_have_text("3 contacts")
    page.get_by_role("checkbox", name="vip").check()
    expect(page.get_by_role("status")).to_have_text("2 contacts")
    page.get_by_label("Consent", exact=True).select_option("subscribed")
    expect(page.get_by_role("status")).to_have_text("1 contact")
    expect(results(page).get_by_role("link", name="Paul Durand")).to_have_count(0)

    results(page).get_by_role("link", name="Zoé Martin").click()
    expect(page.get_by_role("heading", name="Zoé Martin", level=1)).to_be_visible()

    page.get_by_label("Add tags").fill("fidèle")
    page.get_by_role("button", name="Add", exact=True).click()
    tags = page.get_by_role("region", name="Tags")
    expect(tags.get_by_role("button", name="Remove tag fidèle")).to_be_visible()

    page.get_by_label("New note").fill("Prefers green tea")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("region", name="Notes")).to_contain_text("Prefers green tea")

    timeline = page.get_by_role("region", name="Activity").get_by_role("listitem")
    expect(timeline.nth(0)).to_contain_text("Note added by owner")
    expect(timeline.nth(1)).to_contain_text("Tag “fidèle” added by owner")


def test_filters_update_the_results_and_the_url_without_reloading_the_page(
    page, live_server, log_in, directory, owner, workspace
):
    log_in(owner.email)
    expect(results(page).get_by_role("row")).to_have_count(4)
    page.evaluate("window.notReloaded = true")

    page.get_by_role("checkbox", name="vip").check()

    expect(page).to_have_url(re.compile(r"/contacts/\?(.*&)?tag=vip"))
    expect(results(page).get_by_role("link", name="Léa Roux")).to_have_count(0)
    expect(results(page).get_by_role("row")).to_have_count(3)

    # A column header sorts the same results, keeping the filters, still without a reload.
    results(page).get_by_role("link", name="Name").click()
    expect(page).to_have_url(re.compile(r"tag=vip.*sort=name|sort=name.*tag=vip"))
    expect(page.get_by_role("columnheader", name="Name")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(results(page).get_by_role("row").nth(1)).to_contain_text("Paul Durand")

    # Changing a filter again keeps the sort the header set.
    page.get_by_label("Search").fill("martin")
    expect(page).to_have_url(re.compile(r"q=martin"))
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(page.get_by_role("status")).to_have_text("1 contact")

    assert page.evaluate("window.notReloaded") is True

    # The URL is a bookmark: opened afresh, it shows the same view.
    page.goto(page.url)
    expect(page.get_by_label("Search")).to_have_value("martin")
    expect(page.get_by_role("checkbox", name="vip")).to_be_checked()
    expect(page.get_by_role("status")).to_have_text("1 contact")
    assert page.evaluate("window.notReloaded") is None


def test_select_all_on_the_page_then_tag_the_selection(page, log_in, directory, owner):
    log_in(owner.email)
    expect(results(page).get_by_role("row")).to_have_count(4)

    page.get_by_role("checkbox", name="Select every contact on this page").check()
    for name in ("Zoé Martin", "Paul Durand", "Léa Roux"):
        expect(page.get_by_role("checkbox", name=f"Select {name}")).to_be_checked()
    page.get_by_role("checkbox", name="Select Léa Roux").uncheck()
    page.get_by_label("Tag", exact=True).fill("salon")
    page.get_by_role("button", name="Add tag").click()

    expect(page.get_by_role("status").first).to_contain_text("Tag “salon” added to 2 contacts.")
    page.get_by_role("checkbox", name="salon").check()
    expect(page.get_by_role("status").last).to_have_text("2 contacts")
