"""Carts (O2): attached by address (C2), converted by the store or by a later order, so
that the abandoned-cart reminder (A3) never reminds someone who bought."""

import pytest

from comptoir.commerce import services
from comptoir.commerce.models import Cart
from comptoir.commerce.selectors import contact_open_carts
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from tests.commerce.helpers import at, contact_of, put_order
from tests.contacts.helpers import events_of, make_contact


def cart_body(**overrides):
    body = {
        "email": "zoe@example.com",
        "items": [{"product_id": "p-1", "quantity": 1, "price": "20.00"}],
        "recovery_url": "https://shop.example.com/cart/recover/abc",
        "updated_at": at(0),
    }
    body.update(overrides)
    return body


def put_cart(workspace, token: str = "c-1", **overrides):  # noqa: S107 - a cart token
    return services.cart_upsert(workspace=workspace, token=token, data=cart_body(**overrides))


def test_a_cart_with_a_new_address_creates_a_prospect_and_a_timeline_entry(workspace):
    result = put_cart(workspace)

    assert result.created
    cart = result.obj
    contact = contact_of(workspace)
    assert (cart.contact, contact.type, contact.source) == (contact, "prospect", "api")
    assert (cart.currency, cart.converted) == ("EUR", False)
    assert [e.kind for e in events_of(contact)] == ["created", "cart_created"]
    assert events_of(contact, "cart_created")[0].data["items"] == 1


def test_a_cart_attaches_to_a_known_address_in_any_case(workspace):
    known = make_contact(workspace, "zoe@example.com")
    cart = put_cart(workspace, email="ZOE@example.COM").obj
    assert cart.contact == known
    assert scoped(Contact, workspace).count() == 1


def test_the_same_cart_twice_changes_nothing_and_an_older_one_is_ignored(workspace):
    put_cart(workspace, updated_at=at(hours=2))
    assert put_cart(workspace, updated_at=at(hours=2)).changed is False
    older = put_cart(workspace, updated_at=at(hours=1), items=[])
    assert older.changed is False
    assert Cart.objects.get().items.count() == 1
    newer = put_cart(
        workspace, updated_at=at(hours=3), items=[{"product_id": "p-2", "quantity": 2, "price": 3}]
    )
    assert (newer.created, newer.changed) == (False, True)
    assert [(i.product_external_id, i.quantity) for i in Cart.objects.get().items.all()] == [
        ("p-2", 2)
    ]
    assert len(events_of(contact_of(workspace), "cart_created")) == 1


def test_a_cart_the_store_completed_is_converted(workspace):
    cart = put_cart(workspace, completed_at=at(hours=1)).obj
    assert cart.converted and cart.converted_at.isoformat() == at(hours=1)


def test_an_order_after_the_cart_converts_it(workspace):
    put_cart(workspace, updated_at=at(0))
    order = put_order(workspace, placed_at=at(hours=1)).obj

    cart = Cart.objects.get()
    assert (cart.converted, cart.order) == (True, order)
    assert list(contact_open_carts(workspace=workspace, contact=contact_of(workspace))) == []


def test_a_cart_arriving_after_its_order_is_converted_at_once(workspace):
    order = put_order(workspace, placed_at=at(hours=1)).obj
    cart = put_cart(workspace, updated_at=at(0)).obj
    assert (cart.converted, cart.order) == (True, order)


def test_an_order_before_the_cart_leaves_it_open_for_a_reminder(workspace):
    put_order(workspace, placed_at=at(0))
    put_cart(workspace, updated_at=at(days=1))

    cart = Cart.objects.get()
    assert not cart.converted
    assert list(contact_open_carts(workspace=workspace, contact=contact_of(workspace))) == [cart]


def test_a_canceled_order_does_not_convert_a_cart(workspace):
    put_cart(workspace, updated_at=at(0))
    put_order(workspace, placed_at=at(hours=1), status="canceled")
    assert not Cart.objects.get().converted


def test_an_order_naming_the_cart_converts_it_whoever_placed_it(workspace):
    put_cart(workspace, token="tok-9", email="someone@example.com", updated_at=at(hours=5))
    put_order(workspace, placed_at=at(hours=1), cart_token="tok-9")
    assert Cart.objects.get().converted


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"recovery_url": "javascript:alert(1)"}, "invalid_url"),
        ({"updated_at": None}, "invalid_date"),
        ({"items": [{"product_id": "p", "quantity": 0, "price": "1"}]}, "invalid_quantity"),
        ({"items": [{"product_id": "p", "quantity": 1, "price": "-1"}]}, "invalid_money"),
        ({"email": "nope"}, "invalid_email"),
        ({"currency": "EUROS"}, "invalid_currency"),
    ],
)
def test_invalid_carts_are_refused(workspace, overrides, code):
    with pytest.raises(ServiceError) as refused:
        put_cart(workspace, **overrides)
    assert refused.value.code == code
    assert not Cart.objects.exists()
    assert not Contact.objects.exists()


def test_a_cart_without_an_address_belongs_to_nobody(workspace):
    cart = put_cart(workspace, email="").obj
    assert cart.contact is None
    assert not Contact.objects.exists()
