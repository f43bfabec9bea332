"""The abandoned-cart reminder in a real browser: activate it, preview it with a real cart,
deactivate it after a confirmation that says how many reminders it cancels (A1, A5)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.automations.models import Automation, ScheduledSend
from tests.automations.helpers import cart, product
from tests.campaigns.helpers import business, subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_activate_preview_and_deactivate_the_cart_reminder(
    page, log_in, live_server, workspace, owner
):
    shop = business(workspace)
    product(shop)
    subscriber(shop, "zoe@example.com", first_name="Zoé", language="en")
    log_in(owner.email)
    page.goto(f"{live_server.url}/w/{shop.slug}/automations/")

    reminder = page.get_by_role("region", name="Abandoned-cart reminder")
    expect(reminder.get_by_text("Inactive", exact=True)).to_be_visible()
    reminder.get_by_label("Send the reminder this many minutes after the cart’s last change").fill(
        "45"
    )
    reminder.get_by_role("button", name="Save and activate").click()
    expect(page.get_by_role("status")).to_have_text("The abandoned-cart reminder is active.")
    assert Automation.objects.get(kind="abandoned_cart").delay_minutes == 45

    cart(shop, updated_at=timezone.now() + dt.timedelta(minutes=1))
    page.get_by_role("link", name="Preview with a real cart").click()
    expect(
        page.get_by_role("heading", name="Preview of the abandoned-cart reminder")
    ).to_be_visible()
    frame = page.frame_locator("iframe.mail-preview")
    expect(frame.get_by_text("Comté 24 mois").first).to_be_visible()
    expect(frame.get_by_role("link", name="Return to my cart →")).to_be_visible()

    page.get_by_role("link", name="Automations").first.click()
    reminder.get_by_role("link", name="Deactivate…").click()
    expect(page.get_by_text("1 e-mail waiting to be sent will be canceled.")).to_be_visible()
    page.get_by_role("button", name="Confirm: deactivate").click()
    expect(page.get_by_role("status")).to_have_text("Deactivated. Nothing waiting will be sent.")
    expect(reminder.get_by_text("Inactive", exact=True)).to_be_visible()
    assert ScheduledSend.objects.get().status == "canceled"
