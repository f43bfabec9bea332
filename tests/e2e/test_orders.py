"""Draft orders in a real browser (C13): staff write one from the profile, adding a line with
htmx, and complete it; the prospect becomes a customer with the order's figures (C3, C5)."""

import re

import pytest
from playwright.sync_api import expect

from comptoir.commerce.services import product_upsert
from tests.contacts.helpers import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def prospect(workspace):
    product_upsert(
        workspace=workspace, external_id="p-2", data={"name": "Miel de lavande", "price": "9.50"}
    )
    return make_contact(workspace, "lea@example.com", first_name="Léa", last_name="Roux")


def test_staff_write_a_draft_order_on_the_profile_and_complete_it(
    page, log_in, live_server, workspace, owner, prospect
):
    log_in(owner.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/{prospect.pk}/")
    expect(page.get_by_text("Prospect", exact=True)).to_be_visible()

    page.get_by_role("link", name="New draft order").click()
    expect(page.get_by_role("heading", name="New draft order", level=1)).to_be_visible()
    first = page.get_by_role("group", name="Line 1")
    first.get_by_label("Product").select_option(label="Miel de lavande (€9.50)")
    first.get_by_label("Quantity").fill("2")
    second = page.get_by_role("group", name="Line 2")
    second.get_by_label("Title").fill("Panier garni")
    # Forgotten price: refused in place, with what was typed kept.
    page.get_by_role("button", name="Create draft").click()
    expect(second.get_by_text("Give the price of an item outside the catalogue.")).to_be_visible()
    expect(second.get_by_label("Title")).to_have_value("Panier garni")

    second.get_by_label("Unit price").fill("35")
    page.get_by_role("button", name="Add a line").click()
    expect(page.get_by_role("group", name="Line 4")).to_be_visible()
    expect(first.get_by_label("Quantity")).to_have_value("2")
    page.get_by_label("Shipping").fill("6.50")
    page.get_by_label("Note").fill("À retirer samedi")
    page.get_by_role("button", name="Create draft").click()

    expect(page.get_by_role("status")).to_have_text("Draft order #D1 created.")
    orders = page.get_by_role("region", name="Orders")
    expect(orders.get_by_text("Draft", exact=True)).to_be_visible()
    expect(orders.get_by_role("cell", name="Panier garni")).to_be_visible()
    expect(orders.get_by_text("€60.50").first).to_be_visible()  # 2 × 9.50 + 35 + 6.50

    orders.get_by_role("button", name="Mark as completed: order #D1").click()

    expect(page.get_by_role("status")).to_contain_text("Order #D1 completed")
    expect(page.get_by_text("Customer", exact=True)).to_be_visible()
    summary = page.get_by_role("region", name="Order summary")
    expect(summary.get_by_role("definition")).to_have_text(
        ["1", "€60.50", "€60.50", re.compile(r"\d{4}"), "€60.50", re.compile(r"\d{4}")]
    )
    expect(orders.get_by_role("button", name="Mark as completed: order #D1")).to_have_count(0)
