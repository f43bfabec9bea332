"""Issue 10: the Content-Security-Policy leaves every page working: no violation in the
console of a dashboard page with htmx, filters and brand colours, nor on the login page."""

import pytest
from playwright.sync_api import expect

from tests.contacts.helpers import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_contacts_page_runs_under_the_policy_without_a_violation(
    page, log_in, live_server, workspace, owner
):
    make_contact(workspace, "zoe@example.com", first_name="Zoé", tags=["vip"])
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    log_in(owner.email)
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    # htmx still works: the search updates the results without reloading the page.
    page.get_by_label("Search").fill("zoé")
    expect(page.get_by_role("link", name="Zoé")).to_be_visible()
    brand = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    )
    assert brand == workspace.brand_color
    assert violations == []
