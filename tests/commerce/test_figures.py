"""C5: the customer's figures use original totals (shipping, tax and discount included),
refunds are not subtracted, canceled orders do not count — hand-computed here. C3: a
customer has at least one order that counts."""

import datetime as dt
from decimal import Decimal

from comptoir.commerce import services
from comptoir.contacts.models import Contact
from tests.commerce.helpers import at, contact_of, figures, put_order
from tests.contacts.helpers import events_of


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_shipping_tax_discount_refunds_and_cancellations_give_the_figures_of_c5(workspace):
    # 40.00 of goods + 5.90 shipping + 8.00 tax − 4.00 discount = 49.90
    put_order(
        workspace,
        "A",
        placed_at=at(0),
        subtotal="40.00",
        shipping="5.90",
        tax="8.00",
        discount="4.00",
        total="49.90",
    )
    # Refunded in full: still 120.00 in the figures (refunds are not subtracted).
    put_order(
        workspace,
        "B",
        placed_at=at(10),
        subtotal="100.00",
        shipping="0.00",
        tax="20.00",
        discount="0.00",
        total="120.00",
        refunded="120.00",
    )
    # Canceled: does not count at all, not even as the last order.
    put_order(workspace, "C", placed_at=at(20), status="canceled", total="30.00")
    # Still open (awaiting payment): an order is an order until it is canceled.
    put_order(workspace, "D", placed_at=at(5), status="open", total="10.05")

    contact = contact_of(workspace)
    # 49.90 + 120.00 + 10.05 = 179.95 over 3 orders = 59.983… → 59.98
    assert figures(contact) == (
        3,
        Decimal("179.95"),
        Decimal("59.98"),
        utc(at(10)),
        utc(at(0)),
        Contact.Type.CUSTOMER,
    )
    assert [e.data["external_id"] for e in events_of(contact, "order_canceled")] == ["C"]


def test_the_average_rounds_half_up_to_the_cent(workspace):
    put_order(workspace, "A", placed_at=at(0), total="10.00")
    put_order(workspace, "B", placed_at=at(1), total="10.00")
    put_order(workspace, "C", placed_at=at(2), total="10.01")  # 30.01 / 3 = 10.0033…
    put_order(workspace, "D", placed_at=at(3), total="0.01")  # 30.02 / 4 = 7.505 → 7.51
    assert contact_of(workspace).average_order_value == Decimal("7.51")


def test_canceling_a_completed_order_takes_it_out_of_the_figures(workspace):
    put_order(workspace, "A", placed_at=at(0), total="49.90")
    put_order(workspace, "B", placed_at=at(10), total="120.00")
    contact = contact_of(workspace)
    assert figures(contact)[:2] == (2, Decimal("169.90"))

    put_order(workspace, "B", placed_at=at(10), total="120.00", status="canceled")

    assert figures(contact) == (
        1,
        Decimal("49.90"),
        Decimal("49.90"),
        utc(at(0)),
        utc(at(0)),
        Contact.Type.CUSTOMER,
    )
    canceled = events_of(contact, "order_canceled")
    assert [(e.data["external_id"], e.data["changes"]) for e in canceled] == [("B", ["status"])]


def test_canceling_the_only_order_turns_the_customer_back_into_a_prospect(workspace):
    put_order(workspace, "A")
    put_order(workspace, "A", status="canceled")

    contact = contact_of(workspace)
    assert figures(contact) == (0, Decimal("0.00"), Decimal("0.00"), None, None, "prospect")


def test_a_store_deleting_an_order_cancels_it_and_keeps_it_in_the_history(workspace):
    put_order(workspace, "A", placed_at=at(0), total="10.00")
    put_order(workspace, "B", placed_at=at(1), total="20.00")

    result = services.order_cancel(workspace=workspace, external_id="B", source="woocommerce")
    again = services.order_cancel(workspace=workspace, external_id="B", source="woocommerce")

    assert (result.changed, again.changed) == (True, False)
    contact = contact_of(workspace)
    assert figures(contact)[:2] == (1, Decimal("10.00"))
    assert len(events_of(contact, "order_canceled")) == 1
    assert services.order_cancel(workspace=workspace, external_id="nope", source="api") is None
