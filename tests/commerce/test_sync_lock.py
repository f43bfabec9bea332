"""C6: orders keep a contact's details up to date until staff edit them by hand; then
orders still attach but no longer overwrite; releasing the lock lets them again."""

from decimal import Decimal

from comptoir.contacts.services import contact_unlock, contact_update
from tests.commerce.helpers import at, contact_of, put_order
from tests.contacts.helpers import events_of


def test_after_a_manual_edit_a_new_order_keeps_the_edited_name(workspace, owner):
    put_order(workspace, "A", placed_at=at(0), first_name="Zoé", last_name="Martin")
    contact = contact_update(contact=contact_of(workspace), actor=owner, first_name="Zoë")
    assert contact.locked

    put_order(workspace, "B", placed_at=at(1), first_name="Z.", last_name="Dupont", total="10.00")

    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Zoë", "Martin")
    # The order still attaches and counts, and keeps the name the store sent.
    assert (contact.order_count, contact.total_spent) == (2, Decimal("59.90"))
    assert contact.orders.get(external_id="B").last_name == "Dupont"
    assert [e.kind for e in events_of(contact)][-2:] == ["edited", "order_placed"]
    assert events_of(contact, "edited")[0].data["locked"] is True


def test_after_releasing_the_lock_the_next_order_updates_the_name(workspace, owner):
    put_order(workspace, "A", placed_at=at(0))
    contact_update(contact=contact_of(workspace), actor=owner, first_name="Zoë")
    put_order(workspace, "B", placed_at=at(1), first_name="Z.")

    contact_unlock(contact=contact_of(workspace), actor=owner)
    put_order(workspace, "C", placed_at=at(2), first_name="Zoé-Marie", last_name="Martin-Leroy")

    contact = contact_of(workspace)
    assert (contact.locked, contact.first_name, contact.last_name) == (
        False,
        "Zoé-Marie",
        "Martin-Leroy",
    )
    synced = events_of(contact, "details_synced")
    assert synced[-1].data["changes"]["first_name"] == ["Zoë", "Zoé-Marie"]
    assert synced[-1].data["number"] == "#1001"
    assert [e.kind for e in events_of(contact)][-3:] == [
        "unlocked",
        "order_placed",
        "details_synced",
    ]


def test_a_locked_contacts_addresses_and_phone_are_kept_too(workspace, owner):
    put_order(workspace, "A", placed_at=at(0))
    contact_update(contact=contact_of(workspace), actor=owner, phone="+33699999999")

    put_order(
        workspace,
        "B",
        placed_at=at(1),
        phone="+33611111111",
        shipping_address={"line1": "1 place Bellecour", "city": "Lyon"},
    )

    contact = contact_of(workspace)
    assert (contact.phone, contact.shipping_address["city"]) == ("+33699999999", "Paris")


def test_an_older_order_arriving_late_does_not_overwrite_the_latest_details(workspace):
    put_order(workspace, "new", placed_at=at(5), last_name="Leroy")
    put_order(workspace, "old", placed_at=at(1), last_name="Martin")

    assert contact_of(workspace).last_name == "Leroy"


def test_canceling_the_latest_order_brings_back_the_previous_orders_details(workspace):
    put_order(workspace, "A", placed_at=at(0), shipping_address={"city": "Paris"})
    put_order(workspace, "B", placed_at=at(1), shipping_address={"city": "Lyon"})
    assert contact_of(workspace).shipping_address == {"city": "Lyon"}

    put_order(workspace, "B", placed_at=at(1), shipping_address={"city": "Lyon"}, status="canceled")

    assert contact_of(workspace).shipping_address == {"city": "Paris"}


def test_an_order_without_a_phone_does_not_erase_the_contacts(workspace):
    put_order(workspace, "A", placed_at=at(0))
    put_order(workspace, "B", placed_at=at(1), phone=None, billing_address=None)

    assert contact_of(workspace).phone == "+33612345678"
