"""Order ingestion (O1) and what it does to the directory: C2 (the address is the fixed
point), C3 (customers and prospects), C5 (figures) — through `order_upsert`."""

import datetime as dt
from decimal import Decimal

import pytest

from comptoir.commerce import services
from comptoir.commerce.models import Order, OrderItem
from comptoir.commerce.selectors import products_by_external_id
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from tests.commerce.helpers import at, contact_of, figures, order_body, orders_of, put_order
from tests.contacts.helpers import events_of, make_contact


def test_an_order_for_an_unknown_address_creates_a_customer_from_the_order(workspace):
    result = put_order(workspace)

    assert (result.created, result.changed) == (True, True)
    contact = contact_of(workspace)
    assert contact.source == Contact.Source.ORDER
    assert (contact.first_name, contact.last_name, contact.phone) == (
        "Zoé",
        "Martin",
        "+33612345678",
    )
    assert contact.shipping_address["city"] == "Paris"
    assert figures(contact) == (
        1,
        Decimal("49.90"),
        Decimal("49.90"),
        dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
        Contact.Type.CUSTOMER,
    )
    assert [e.kind for e in events_of(contact)] == ["created", "order_placed"]
    placed = events_of(contact, "order_placed")[0]
    assert placed.data["number"] == "#1001"
    assert placed.data["total"] == "49.90"
    assert placed.data["external_id"] == "1001"
    order = result.obj
    assert order.contact == contact
    assert [(i.product_external_id, i.name, i.quantity, i.price) for i in order.items.all()] == [
        ("p-1", "Comté 24 mois", 2, Decimal("20.00"))
    ]


def test_a_till_order_creates_the_contact_with_source_pos(workspace):
    put_order(workspace, channel="pos")

    contact = contact_of(workspace)
    assert contact.source == Contact.Source.POS
    assert events_of(contact, "created")[0].data == {"source": "pos"}


def test_a_known_address_in_another_case_gets_the_order(workspace):
    known = make_contact(workspace, "Zoe@Example.com", first_name="Zoé")

    put_order(workspace, email="  ZOE@EXAMPLE.COM ")

    assert scoped(Contact, workspace).count() == 1
    known.refresh_from_db()
    assert (known.order_count, known.type, known.source) == (1, "customer", "manual")
    assert orders_of(workspace)[0].contact_id == known.pk
    assert [e.kind for e in events_of(known)] == ["created", "order_placed", "details_synced"]


def test_the_same_payload_twice_changes_nothing_and_writes_no_second_event(workspace):
    put_order(workspace)
    contact = contact_of(workspace)
    before = (figures(contact), len(events_of(contact)), Order.objects.get().updated_at)

    again = put_order(workspace)

    assert (again.created, again.changed) == (False, False)
    assert (figures(contact), len(events_of(contact)), Order.objects.get().updated_at) == before
    assert OrderItem.objects.count() == 1


def test_a_changed_order_is_updated_with_an_order_updated_event(workspace):
    put_order(workspace)

    result = put_order(
        workspace,
        total="59.90",
        items=[{"product_id": "p-2", "name": "Beaufort", "quantity": 1, "price": "50.00"}],
    )

    assert (result.created, result.changed) == (False, True)
    contact = contact_of(workspace)
    updated = events_of(contact, "order_updated")
    assert len(updated) == 1
    assert updated[0].data["changes"] == ["total", "items"]
    assert updated[0].data["total"] == "59.90"
    assert contact.total_spent == Decimal("59.90")
    assert [i.name for i in result.obj.items.all()] == ["Beaufort"]
    assert scoped(Order, workspace).count() == 1


def test_an_older_version_of_an_order_arriving_late_is_ignored(workspace):
    put_order(workspace, updated_at=at(hours=2), total="60.00")

    late = put_order(workspace, updated_at=at(hours=1), total="49.90")

    assert (late.created, late.changed) == (False, False)
    order = Order.objects.get()
    assert order.total == Decimal("60.00")
    assert events_of(contact_of(workspace), "order_updated") == []


def test_without_a_store_time_the_last_write_wins(workspace):
    put_order(workspace, total="60.00")
    put_order(workspace, total="49.90")

    assert Order.objects.get().total == Decimal("49.90")


def test_a_newer_time_with_the_same_content_moves_the_stamp_quietly(workspace):
    put_order(workspace, updated_at=at(hours=1))
    events = len(events_of(contact_of(workspace)))

    result = put_order(workspace, updated_at=at(hours=3))
    older = put_order(workspace, updated_at=at(hours=2), total="1.00")

    assert (result.changed, older.changed) == (False, False)
    assert Order.objects.get().updated_at_store.isoformat() == at(hours=3)
    assert Order.objects.get().total == Decimal("49.90")
    assert len(events_of(contact_of(workspace))) == events


def test_an_order_moved_to_another_address_moves_the_figures(workspace):
    put_order(workspace)
    put_order(workspace, email="lea@example.com", first_name="Léa")

    zoe, lea = contact_of(workspace), contact_of(workspace, "lea@example.com")
    assert (zoe.order_count, zoe.total_spent, zoe.type) == (0, Decimal("0.00"), "prospect")
    assert (lea.order_count, lea.total_spent, lea.type) == (1, Decimal("49.90"), "customer")
    assert events_of(zoe, "order_updated")[0].data["moved_to"] == lea.pk
    assert events_of(lea, "order_updated")[0].data["changes"] == [
        "email",
        "first_name",
        "contact",
    ]


def test_an_order_without_an_address_is_kept_for_nobody(workspace):
    result = services.order_upsert(
        workspace=workspace,
        external_id="walk-in",
        data=order_body(email=""),
        email_required=False,
    )

    assert result.obj.contact is None
    assert scoped(Contact, workspace).count() == 0


def test_an_order_without_an_address_is_refused_through_the_contract(workspace):
    with pytest.raises(ServiceError) as refused:
        put_order(workspace, email="")
    assert refused.value.code == "email_required"


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"total": "-1.00"}, "invalid_money"),
        ({"discount": "-0.01"}, "invalid_money"),
        ({"refunded": "-5"}, "invalid_money"),
        ({"shipping": "NaN"}, "invalid_money"),
        ({"tax": "1e20"}, "invalid_money"),
        ({"status": "paid"}, "invalid_status"),
        ({"currency": "EURO"}, "invalid_currency"),
        ({"currency": "XXX"}, "invalid_currency"),
        ({"channel": "phone"}, "invalid_channel"),
        ({"email": "not an address"}, "invalid_email"),
        ({"placed_at": "yesterday"}, "invalid_date"),
        ({"items": [{"name": "x", "quantity": 0, "price": "1"}]}, "invalid_quantity"),
        ({"items": [{"name": "x", "quantity": -2, "price": "1"}]}, "invalid_quantity"),
        ({"items": [{"name": "x", "quantity": 1.5, "price": "1"}]}, "invalid_quantity"),
        ({"items": [{"name": "x", "quantity": 1, "price": "-1"}]}, "invalid_money"),
        ({"items": [{"quantity": 1, "price": "1"}]}, "invalid_item"),
        ({"items": [{"name": "x", "quantity": 1, "price": "1"}] * 501}, "too_many_items"),
    ],
)
def test_invalid_orders_are_refused_and_nothing_is_stored(workspace, overrides, code):
    with pytest.raises(ServiceError) as refused:
        put_order(workspace, **overrides)

    assert refused.value.code == code
    assert scoped(Order, workspace).count() == 0
    assert scoped(Contact, workspace).count() == 0


def test_five_hundred_items_are_accepted(workspace):
    items = [{"name": f"item {n}", "quantity": 1, "price": "0.10"} for n in range(500)]
    result = put_order(workspace, items=items)
    assert result.obj.items.count() == 500


def test_amounts_are_rounded_to_cents_half_up(workspace):
    put_order(workspace, total="10.005", items=[{"name": "x", "quantity": 3, "price": 3.335}])
    order = Order.objects.get()
    assert order.total == Decimal("10.01")
    assert order.items.get().price == Decimal("3.34")


def test_a_time_without_offset_is_read_in_the_workspace_time_zone(workspace):
    put_order(workspace, placed_at="2026-07-01T12:00:00")  # Europe/Paris: UTC+2 in summer
    assert Order.objects.get().placed_at == dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)


def test_order_lines_find_their_product_by_the_stores_id_even_when_sent_later(workspace):
    put_order(workspace)
    product = services.product_upsert(
        workspace=workspace,
        external_id="p-1",
        data={"name": "Comté 24 mois", "price": "20.00", "available": True},
    ).obj

    ids = OrderItem.objects.values_list("product_external_id", flat=True)
    assert products_by_external_id(workspace=workspace, external_ids=ids) == {"p-1": product}
    # Products concern nobody: they write no timeline entry.
    assert [e.kind for e in events_of(contact_of(workspace))] == ["created", "order_placed"]


def test_a_canceled_order_sent_first_writes_order_canceled_and_makes_no_customer(workspace):
    put_order(workspace, status="canceled")

    contact = contact_of(workspace)
    assert [e.kind for e in events_of(contact)] == ["created", "order_canceled"]
    assert (contact.type, contact.order_count) == ("prospect", 0)
