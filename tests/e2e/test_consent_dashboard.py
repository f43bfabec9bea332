"""Recording a customer's consent from the profile, in a real browser (K3): refused without
the explicit-consent box, recorded with it, and shown in the consent history."""

import pytest
from playwright.sync_api import expect

from tests.contacts.helpers import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRMED = "The customer explicitly agreed to receive marketing e-mails"


def test_staff_subscribe_a_customer_only_after_ticking_the_consent_box(
    page, live_server, log_in, workspace, owner
):
    zoe = make_contact(workspace, "zoe@example.com", first_name="Zoé", last_name="Martin")
    log_in(owner.email)
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()

    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/{zoe.pk}/")
    consent = page.get_by_role("region", name="Marketing consent")
    expect(consent).to_contain_text("Not subscribed")
    expect(consent.get_by_label(CONFIRMED)).not_to_be_checked()
    consent.get_by_label("Consent wording shown to the customer").fill(
        "Zoé said yes at the till to our monthly news."
    )

    consent.get_by_role("button", name="Subscribe").click()

    consent = page.get_by_role("region", name="Marketing consent")
    expect(consent.get_by_role("alert")).to_have_text(
        "Confirm that the customer explicitly agreed to receive marketing e-mails."
    )
    expect(consent).to_contain_text("No consent recorded yet")
    # What was typed is still there; only the box is missing.
    expect(consent.get_by_label("Consent wording shown to the customer")).to_have_value(
        "Zoé said yes at the till to our monthly news."
    )

    consent.get_by_label(CONFIRMED).check()
    consent.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_role("status")).to_contain_text("Subscribed to marketing e-mails.")
    consent = page.get_by_role("region", name="Marketing consent")
    expect(consent.locator(".consent-state")).to_have_text("Subscribed")
    history = consent.get_by_role("list", name="Consent history").get_by_role("listitem")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Dashboard")
    expect(history.first).to_contain_text("owner")
    expect(history.first).to_contain_text("Zoé said yes at the till to our monthly news.")
    expect(consent.get_by_role("button", name="Unsubscribe")).to_be_visible()
