"""Races on PostgreSQL (O1, C2, C5): concurrent deliveries of one order, or of several
orders for one new address, make one order, one contact, and figures that miss none."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from comptoir.commerce import services
from comptoir.commerce.models import Cart, Order
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.scoping import scoped
from tests.commerce.helpers import at, order_body
from tests.conftest import make_workspace

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers itself (BEGIN IMMEDIATE); row locks and unique-key "
        "races only happen on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def run_together(calls) -> list:
    """Start every call at once, each in its own thread and database connection."""
    start = threading.Barrier(len(calls))
    outcomes, errors = [], []

    def run(call):
        try:
            start.wait()
            outcomes.append(call())
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return outcomes


def upsert(workspace, external_id, **overrides):
    return lambda: services.order_upsert(
        workspace=workspace, external_id=external_id, data=order_body(**overrides)
    )


def test_concurrent_deliveries_of_one_new_order_make_one_order_and_one_event():
    workspace = make_workspace()

    results = run_together([upsert(workspace, "1001") for _ in range(6)])

    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert scoped(Order, workspace).count() == 1
    contact = scoped(Contact, workspace).get()
    assert (contact.order_count, contact.total_spent) == (1, Decimal("49.90"))
    kinds = list(scoped(ContactEvent, workspace).values_list("kind", flat=True))
    assert sorted(kinds) == ["created", "order_placed"]


def test_concurrent_orders_for_one_new_address_make_one_contact_and_lose_no_figure():
    workspace = make_workspace()
    emails = ["zoe@example.com", "ZOE@example.com", "Zoe@Example.com"] * 3

    run_together(
        [
            upsert(workspace, f"o{n}", email=email, placed_at=at(n), total=f"{n + 1}.00")
            for n, email in enumerate(emails)
        ]
    )

    contact = scoped(Contact, workspace).get()
    assert contact.order_count == 9
    assert contact.total_spent == Decimal(sum(range(1, 10)))  # 45.00
    assert contact.last_order_at.isoformat() == at(8)
    assert scoped(ContactEvent, workspace).filter(kind="order_placed").count() == 9


def test_concurrent_orders_and_cancellations_of_a_known_customer_keep_exact_figures():
    workspace = make_workspace()
    for n in range(4):
        upsert(workspace, f"old{n}", placed_at=at(n), total="10.00")()

    calls = [upsert(workspace, f"new{n}", placed_at=at(10 + n), total="5.00") for n in range(6)]
    calls += [
        upsert(workspace, f"old{n}", placed_at=at(n), total="10.00", status="canceled")
        for n in range(2)
    ]
    run_together(calls)

    contact = scoped(Contact, workspace).get()
    assert (contact.order_count, contact.total_spent) == (8, Decimal("50.00"))


def test_concurrent_cart_updates_make_one_cart():
    workspace = make_workspace()
    data = {
        "email": "lea@example.com",
        "items": [{"product_id": "p", "quantity": 1, "price": "3.00"}],
        "recovery_url": "https://shop.example.com/r",
        "updated_at": at(0),
    }
    run_together(
        [
            lambda: services.cart_upsert(workspace=workspace, token="c-1", data=data)
            for _ in range(5)
        ]
    )
    assert scoped(Cart, workspace).count() == 1
    assert scoped(Contact, workspace).count() == 1
    assert scoped(ContactEvent, workspace).filter(kind="cart_created").count() == 1


def test_one_order_sent_at_once_with_different_addresses_stays_one_consistent_order():
    """No shared contact lock here: the unique key on the order (and PostgreSQL's deadlock
    detection, as the order moves between contacts) decide, and the losers retry."""
    workspace = make_workspace()
    emails = [f"buyer{n}@example.com" for n in range(5)]

    run_together([upsert(workspace, "1001", email=email) for email in emails] * 2)

    order = scoped(Order, workspace).get()
    counts = dict(scoped(Contact, workspace).values_list("email_key", "order_count"))
    assert counts[order.contact.email_key] == 1
    assert sum(counts.values()) == 1
