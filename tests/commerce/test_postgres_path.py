"""PostgreSQL's one-statement order write (commerce/postgres.py) leaves exactly the rows the
generic write leaves: the same store messages, sent to two shops, one through each path.

On SQLite both shops take the generic path, so the test checks the scenario's own
expectations there; on PostgreSQL it also compares the two paths."""

from decimal import Decimal

import pytest

from comptoir.commerce import postgres, services
from comptoir.commerce.models import Cart, Order, OrderItem
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_update
from comptoir.core.scoping import scoped
from tests.commerce.helpers import at, contact_of, order_body
from tests.commerce.test_carts import cart_body
from tests.conftest import make_workspace

# Keys of timeline entries that hold row ids, which differ between the two shops.
ROW_IDS = ("order_id", "cart_id", "moved_to")


def _send_the_store_messages(workspace) -> None:
    put = services.order_upsert
    # A new customer's first order, then a second one, and a replay of the first.
    put(workspace=workspace, external_id="A", data=order_body(placed_at=at(0)))
    put(workspace=workspace, external_id="B", data=order_body(placed_at=at(5), total="10.05"))
    put(workspace=workspace, external_id="A", data=order_body(placed_at=at(0)))
    # An older order arriving late, with other details: the latest order's stay.
    put(
        workspace=workspace,
        external_id="C",
        data=order_body(placed_at=at(-3), first_name="Zo", phone=None, total="7.00"),
    )
    # A canceled order, which does not count, then one that changes the details.
    put(
        workspace=workspace,
        external_id="D",
        data=order_body(placed_at=at(8), status="canceled", total="30.00"),
    )
    put(
        workspace=workspace,
        external_id="E",
        data=order_body(placed_at=at(9), last_name="Martin-Roux", total="12.34", items=[]),
    )
    # A cart, then the order that completes it (by token) converts it.
    services.cart_upsert(workspace=workspace, token="cart-1", data=cart_body(updated_at=at(10)))
    put(
        workspace=workspace,
        external_id="F",
        data=order_body(placed_at=at(11), cart_token="cart-1", total="20.00"),
    )
    # A second person, canceled on their first order: a prospect with no figures.
    put(
        workspace=workspace,
        external_id="G",
        data=order_body(email="Lea@Example.com", status="canceled", placed_at=at(12)),
    )
    # Staff lock the first contact's details (C6): a later order keeps them.
    contact_update(contact=contact_of(workspace), actor=None, first_name="Zoé (VIP)")
    put(
        workspace=workspace,
        external_id="H",
        data=order_body(placed_at=at(13), first_name="Zozo", total="1.00"),
    )
    # An update of an order changes it, never doubles it.
    put(workspace=workspace, external_id="H", data=order_body(placed_at=at(13), total="2.00"))


def _state(workspace) -> dict:
    """Every row the messages wrote, without ids and times of writing."""
    contacts = {
        c.email: (
            c.first_name,
            c.last_name,
            c.phone,
            c.shipping_address,
            c.order_count,
            c.total_spent,
            c.average_order_value,
            c.last_order_at,
            c.customer_since,
            c.type,
            c.source,
            c.locked,
        )
        for c in scoped(Contact, workspace)
    }
    orders = {
        o.external_id: (o.contact.email, o.status, o.total, o.placed_at, o.digest, o.number)
        for o in scoped(Order, workspace).select_related("contact")
    }
    lines = sorted(
        (line.order.external_id, line.position, line.product_external_id, line.name, line.price)
        for line in OrderItem.objects.filter(order__workspace=workspace).select_related("order")
    )
    events = [
        (e.contact.email, e.kind, {k: v for k, v in e.data.items() if k not in ROW_IDS})
        for e in scoped(ContactEvent, workspace).select_related("contact").order_by("id")
    ]
    carts = [
        (c.token, c.converted_at, c.order.external_id if c.order else None)
        for c in scoped(Cart, workspace).select_related("order")
    ]
    return {
        "contacts": contacts,
        "orders": orders,
        "lines": lines,
        "events": events,
        "carts": carts,
    }


@pytest.mark.django_db
def test_both_write_paths_leave_the_same_rows(workspace, monkeypatch):
    # Given the same store messages, sent to one shop through this engine's own path …
    _send_the_store_messages(workspace)
    own = _state(workspace)
    # … and to another shop through the generic one
    generic_shop = make_workspace("Chez Léa")
    monkeypatch.setattr(postgres, "in_use", lambda: False)
    _send_the_store_messages(generic_shop)
    generic = _state(generic_shop)

    # Then both shops hold the same rows
    assert own == generic
    # And they are what the messages say (C3, C5, C6, A3, O1)
    zoe = own["contacts"]["zoe@example.com"]
    # The details of the latest order before the lock (F), then the staff's name kept.
    assert zoe[:3] == ("Zoé (VIP)", "Martin", "+33612345678")
    # A, B, C, E, F and H count: 49.90 + 10.05 + 7.00 + 12.34 + 20.00 + 2.00
    assert zoe[4:7] == (6, Decimal("101.29"), Decimal("16.88"))
    orders = own["orders"]
    assert (zoe[7], zoe[8], zoe[9]) == (orders["H"][3], orders["C"][3], "customer")
    assert own["contacts"]["Lea@example.com"][4:10] == (0, 0, 0, None, None, "prospect")
    assert own["carts"] == [("cart-1", orders["F"][3], "F")]
    kinds = [kind for email, kind, _data in own["events"] if email == "zoe@example.com"]
    assert kinds.count("order_placed") == 6 and kinds.count("order_canceled") == 1
    assert kinds.count("order_updated") == 1 and kinds.count("created") == 1
