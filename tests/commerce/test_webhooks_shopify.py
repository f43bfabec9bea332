"""Shopify webhooks (O4): signed with HMAC-SHA256 of the raw body; mapped onto the same
services as the API. A wrong or missing signature is 401 and stores nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from comptoir.commerce.models import Cart, Order, StoreConnection
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_update
from comptoir.core.scoping import scoped
from tests.commerce.webhook_helpers import connect, encode, fixture, post, sign
from tests.contacts.helpers import events_of


@pytest.fixture
def shop(workspace):
    return connect(workspace, StoreConnection.Platform.SHOPIFY)


def send(connection, topic: str, payload: dict | bytes, *, signature: str | None = "valid"):
    body = payload if isinstance(payload, bytes) else encode(payload)
    headers = {
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": "epicerie-martyrs.myshopify.com",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-API-Version": "2025-01",
    }
    if signature == "valid":
        headers["X-Shopify-Hmac-Sha256"] = sign(body)
    elif signature is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature
    return post(connection, body, headers)


def nothing_stored(workspace) -> bool:
    return not any(
        scoped(model, workspace).exists() for model in (Order, Cart, Contact, ContactEvent)
    )


def test_a_signed_order_creates_the_order_and_the_customer(shop, workspace):
    response = send(shop, "orders/create", fixture("shopify_order_create.json"))

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "created"}
    order = scoped(Order, workspace).get()
    assert (order.external_id, order.number, order.source, order.channel) == (
        "5678901234567",
        "#1042",
        "shopify",
        "online",
    )
    assert (order.status, order.currency, order.coupon_code) == ("completed", "EUR", "BIENVENUE10")
    assert (order.subtotal, order.shipping, order.tax, order.discount, order.total) == (
        Decimal("56.16"),
        Decimal("6.60"),
        Decimal("10.46"),
        Decimal("6.24"),
        Decimal("62.76"),
    )
    assert (order.refunded, order.accepts_marketing) == (Decimal("0.00"), True)
    assert order.placed_at == dt.datetime(2026, 3, 2, 10, 5, 10, tzinfo=dt.UTC)
    assert [(i.product_external_id, i.name, i.quantity, i.price) for i in order.items.all()] == [
        ("8061536829755", "Comté 24 mois - 250 g", 2, Decimal("18.70")),
        ("8061536862523", "Miel de lavande", 1, Decimal("25.00")),
    ]
    contact = order.contact
    assert (contact.email, contact.first_name, contact.last_name, contact.phone) == (
        "Zoe.Martin@example.com",
        "Zoé",
        "Martin",
        "+33612345678",
    )
    assert contact.shipping_address == {
        "name": "Zoé Martin",
        "line1": "12 rue des Martyrs",
        "line2": "3e étage",
        "city": "Paris",
        "postal_code": "75009",
        "country": "FR",
        "phone": "+33612345678",
    }
    assert (contact.type, contact.total_spent, contact.source) == (
        "customer",
        Decimal("62.76"),
        "order",
    )
    assert [e.kind for e in events_of(contact)] == ["created", "order_placed"]
    shop.refresh_from_db()
    assert shop.last_received_at is not None


def test_a_retried_webhook_changes_nothing(shop, workspace):
    payload = fixture("shopify_order_create.json")
    send(shop, "orders/create", payload)
    payload["updated_at"] = "2026-03-02T11:06:00+01:00"  # Shopify touched it: tags, notes…
    payload["tags"] = "vip"

    assert send(shop, "orders/create", payload).json() == {"status": "unchanged"}
    assert send(shop, "orders/updated", payload).json() == {"status": "unchanged"}
    assert len(events_of(scoped(Contact, workspace).get())) == 2


def test_a_tampered_body_is_401_and_stores_nothing(shop, workspace):
    body = encode(fixture("shopify_order_create.json"))
    signature = sign(body)
    tampered = body.replace(b'"total_price": "62.76"', b'"total_price": "0.01"')
    assert tampered != body

    response = send(shop, "orders/create", tampered, signature=signature)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert nothing_stored(workspace)
    # Only the verdict is noted, for the store page: nothing of the body.
    shop.refresh_from_db()
    assert (shop.last_result, shop.last_reason, shop.last_topic) == (
        "refused",
        "invalid_signature",
        "orders/create",
    )
    assert shop.last_detail == ""


@pytest.mark.parametrize(
    "signature",
    [None, "", "not base64 at all", sign(b"another body"), "é"],
    ids=["missing", "empty", "garbage", "other-body", "non-ascii"],
)
def test_a_missing_or_wrong_signature_is_401_and_stores_nothing(shop, workspace, signature):
    response = send(
        shop, "orders/create", fixture("shopify_order_create.json"), signature=signature
    )
    assert response.status_code == 401
    assert nothing_stored(workspace)


def test_a_signature_made_with_another_secret_is_401(workspace):
    connection = connect(workspace, "shopify", secret="the right secret")
    response = send(connection, "orders/create", fixture("shopify_order_create.json"))
    assert response.status_code == 401
    assert nothing_stored(workspace)


def test_refunds_are_recorded_and_not_subtracted(shop, workspace):
    payload = fixture("shopify_order_create.json")
    send(shop, "orders/create", payload)
    payload["financial_status"] = "partially_refunded"
    payload["updated_at"] = "2026-03-04T09:00:00+01:00"
    payload["refunds"] = [
        {
            "id": 921234567,
            "created_at": "2026-03-04T09:00:00+01:00",
            "transactions": [
                {"kind": "refund", "status": "success", "amount": "18.70"},
                {"kind": "refund", "status": "failure", "amount": "5.00"},
            ],
        }
    ]

    assert send(shop, "orders/updated", payload).json() == {"status": "updated"}

    order = scoped(Order, workspace).get()
    assert (order.status, order.refunded) == ("completed", Decimal("18.70"))
    assert order.contact.total_spent == Decimal("62.76")
    assert events_of(order.contact, "order_updated")[0].data["changes"] == ["refunded"]


def test_a_cancelled_order_leaves_the_figures(shop, workspace):
    payload = fixture("shopify_order_create.json")
    send(shop, "orders/create", payload)
    payload.update(
        cancelled_at="2026-03-03T08:00:00+01:00",
        cancel_reason="customer",
        financial_status="voided",
        updated_at="2026-03-03T08:00:01+01:00",
    )

    send(shop, "orders/cancelled", payload)

    contact = scoped(Contact, workspace).get()
    assert (contact.type, contact.order_count, contact.total_spent) == (
        "prospect",
        0,
        Decimal("0.00"),
    )
    assert [e.kind for e in events_of(contact)][-1] == "order_canceled"


def test_a_checkout_becomes_a_cart_converted_by_its_order(shop, workspace):
    checkout = fixture("shopify_checkout_create.json")
    assert send(shop, "checkouts/create", checkout).json() == {"status": "created"}
    cart = scoped(Cart, workspace).get()
    assert cart.token == "ae0ed4e40b4fe3c339cc9be09ea0d41b"
    assert cart.recovery_url.endswith("/recover?key=8a7b6c5d4e3f")
    assert (cart.email, cart.contact.type, cart.converted) == (
        "lea.dubois@example.com",
        "prospect",
        False,
    )
    assert [(i.product_external_id, i.quantity, i.price) for i in cart.items.all()] == [
        ("8061536829755", 2, Decimal("18.70"))
    ]

    send(shop, "orders/create", fixture("shopify_order_create.json"))

    cart.refresh_from_db()
    assert cart.converted
    assert cart.order == scoped(Order, workspace).get()


def test_a_completed_checkout_is_converted(shop, workspace):
    checkout = fixture("shopify_checkout_create.json")
    checkout.update(
        completed_at="2026-03-01T18:30:00+01:00", updated_at="2026-03-01T18:30:00+01:00"
    )
    send(shop, "checkouts/update", checkout)
    assert scoped(Cart, workspace).get().converted


def test_a_customer_update_changes_an_unlocked_contact_only(shop, workspace, owner):
    send(shop, "orders/create", fixture("shopify_order_create.json"))
    customer = fixture("shopify_customer_update.json")

    assert send(shop, "customers/update", customer).json() == {"status": "updated"}

    contact = scoped(Contact, workspace).get()
    assert (contact.last_name, contact.phone, contact.has_account) == (
        "Martin-Leroy",
        "+33612345679",
        True,
    )
    # Addresses stay those of the last order: the default address is not "last shipping".
    assert contact.shipping_address["city"] == "Paris"
    synced = events_of(contact, "details_synced")[-1].data
    assert (synced["source"], synced["customer_id"]) == ("shopify", "7012345678901")

    contact_update(contact=contact, actor=owner, last_name="Martin")
    customer["last_name"] = "Autre"
    assert send(shop, "customers/update", customer).json() == {"status": "unchanged"}
    contact.refresh_from_db()
    assert contact.last_name == "Martin"


def test_a_new_customer_creates_a_prospect(shop, workspace):
    customer = fixture("shopify_customer_update.json")
    assert send(shop, "customers/create", customer).json() == {"status": "created"}
    contact = scoped(Contact, workspace).get()
    assert (contact.type, contact.source, contact.first_name) == ("prospect", "api", "Zoé")


def test_a_till_order_and_an_order_without_an_address(shop, workspace):
    payload = fixture("shopify_order_create.json")
    payload.update(source_name="pos", id=111)
    send(shop, "orders/create", payload)
    walk_in = fixture("shopify_order_create.json")
    walk_in.update(id=222, email=None, contact_email=None, customer=None, source_name="pos")
    send(shop, "orders/create", walk_in)

    contact = scoped(Contact, workspace).get()
    assert (contact.source, contact.order_count) == ("pos", 1)
    anonymous = scoped(Order, workspace).get(external_id="222")
    assert (anonymous.contact, anonymous.channel) == (None, "pos")


def test_an_unknown_topic_is_acknowledged_and_ignored(shop, workspace):
    response = send(shop, "products/create", {"id": 1, "title": "x"})
    assert (response.status_code, response.json()["status"]) == (200, "ignored")
    assert nothing_stored(workspace)


def test_a_payload_our_rules_refuse_is_acknowledged_and_stores_nothing(shop, workspace):
    payload = fixture("shopify_order_create.json")
    payload["currency"] = "ZZZ"
    response = send(shop, "orders/create", payload)
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["code"] == "invalid_currency"
    assert nothing_stored(workspace)


def test_an_unreadable_payload_is_acknowledged_and_stores_nothing(shop, workspace):
    payload = fixture("shopify_order_create.json")
    payload["line_items"] = ["not an object"]
    response = send(shop, "orders/create", payload)
    assert (response.status_code, response.json()["code"]) == (200, "unreadable_payload")
    assert nothing_stored(workspace)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_signed_body_that_is_no_json_object_is_400(shop, workspace, body):
    response = send(shop, "orders/create", body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_json")
    assert nothing_stored(workspace)


def test_a_body_over_one_megabyte_is_413(shop, workspace):
    payload = fixture("shopify_order_create.json")
    payload["note"] = "x" * 1_100_000
    response = send(shop, "orders/create", payload)
    assert response.status_code == 413
    assert nothing_stored(workspace)


def test_unknown_or_deleted_connections_and_other_methods_store_nothing(shop, workspace):
    woo = connect(workspace, "woocommerce")
    body = encode(fixture("shopify_order_create.json"))
    headers = {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": sign(body)}

    def post_to(path):
        return Client().post(path, data=body, content_type="application/json", headers=headers)

    # A Shopify-signed body at a WooCommerce URL: its own header is missing.
    assert post_to(woo.webhook_path).status_code == 401
    # A token is only valid with its own platform.
    assert post_to(f"/webhooks/shopify/{woo.url_token}/").status_code == 404
    assert post_to("/webhooks/shopify/not-a-token/").status_code == 404
    assert Client().get(shop.webhook_path).status_code == 405
    path = shop.webhook_path
    shop.delete()
    assert post_to(path).status_code == 404
    assert nothing_stored(workspace)


def test_a_webhook_of_another_workspaces_connection_writes_only_there(
    shop, workspace, other_workspace
):
    theirs = connect(other_workspace, "shopify")
    send(theirs, "orders/create", fixture("shopify_order_create.json"))

    assert nothing_stored(workspace)
    assert scoped(Order, other_workspace).count() == 1
    assert scoped(Order, other_workspace).get().contact.workspace == other_workspace
