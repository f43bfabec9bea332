"""WooCommerce order webhooks (O4): `X-WC-Webhook-Signature` is base64(HMAC-SHA256) of the
raw body; statuses map onto open, completed and canceled (see adapters/woocommerce.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from comptoir.commerce.models import Order, StoreConnection
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.scoping import scoped
from tests.commerce.webhook_helpers import connect, encode, fixture, post, sign
from tests.contacts.helpers import events_of


@pytest.fixture
def woo(workspace):
    return connect(workspace, StoreConnection.Platform.WOOCOMMERCE, secret="wc-secret")


def send(connection, topic: str, payload: dict | bytes, *, signature: str | None = "valid"):
    body = payload if isinstance(payload, bytes) else encode(payload)
    headers = {
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[-1],
        "X-WC-Webhook-Source": "https://boutique.example.com/",
        "X-WC-Webhook-ID": "12",
        "X-WC-Webhook-Delivery-ID": "3f1c",
    }
    if signature == "valid":
        headers["X-WC-Webhook-Signature"] = sign(body, "wc-secret")
    elif signature is not None:
        headers["X-WC-Webhook-Signature"] = signature
    return post(connection, body, headers)


def nothing_stored(workspace) -> bool:
    return not any(scoped(m, workspace).exists() for m in (Order, Contact, ContactEvent))


def test_a_signed_order_creates_the_order_and_the_customer(woo, workspace):
    response = send(woo, "order.created", fixture("woocommerce_order_created.json"))

    assert response.json() == {"status": "created"}
    order = scoped(Order, workspace).get()
    assert (order.external_id, order.number, order.status, order.source) == (
        "727",
        "727",
        "completed",
        "woocommerce",
    )
    assert (order.subtotal, order.shipping, order.tax, order.discount, order.total) == (
        Decimal("40.00"),
        Decimal("4.92"),
        Decimal("7.98"),
        Decimal("5.00"),
        Decimal("47.90"),
    )
    assert (order.coupon_code, order.currency) == ("printemps5", "EUR")
    assert order.placed_at == dt.datetime(2026, 3, 2, 10, 5, 10, tzinfo=dt.UTC)
    assert order.updated_at_store == dt.datetime(2026, 3, 2, 10, 5, 12, tzinfo=dt.UTC)
    assert [(i.product_external_id, i.quantity, i.price) for i in order.items.all()] == [
        ("93", 2, Decimal("8.75")),
        ("22", 1, Decimal("17.50")),
    ]
    contact = order.contact
    assert (contact.email, contact.first_name, contact.phone, contact.type) == (
        "hugo.bernard@example.com",
        "Hugo",
        "+33698765432",
        "customer",
    )
    assert contact.billing_address["postal_code"] == "69003"
    assert [e.kind for e in events_of(contact)] == ["created", "order_placed"]
    assert send(woo, "order.updated", fixture("woocommerce_order_created.json")).json() == {
        "status": "unchanged"
    }


def test_a_tampered_body_is_401_and_stores_nothing(woo, workspace):
    body = encode(fixture("woocommerce_order_created.json"))
    signature = sign(body, "wc-secret")
    response = send(woo, "order.created", body.replace(b"47.90", b"0.01"), signature=signature)
    assert response.status_code == 401
    assert nothing_stored(workspace)


@pytest.mark.parametrize("signature", [None, "", sign(b"x", "wc-secret")])
def test_a_missing_or_wrong_signature_is_401_and_stores_nothing(woo, workspace, signature):
    payload = fixture("woocommerce_order_created.json")
    assert send(woo, "order.created", payload, signature=signature).status_code == 401
    assert nothing_stored(workspace)


def test_the_ping_sent_when_the_webhook_is_saved_is_acknowledged(woo, workspace):
    response = post(woo, b"webhook_id=12", {}, content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert nothing_stored(workspace)
    # Anything else unsigned is not a ping.
    other = post(woo, b"webhook_id=12&x=1", {}, content_type="application/x-www-form-urlencoded")
    assert other.status_code == 401


@pytest.mark.parametrize(
    "wc_status, status, refunded",
    [
        ("pending", "open", "0.00"),
        ("on-hold", "open", "0.00"),
        ("processing", "completed", "0.00"),
        ("completed", "completed", "0.00"),
        ("refunded", "completed", "47.90"),
        ("cancelled", "canceled", "0.00"),
        ("failed", "canceled", "0.00"),
        ("wc-shipped", "open", "0.00"),
    ],
)
def test_statuses_map_onto_comptoirs(woo, workspace, wc_status, status, refunded):
    payload = fixture("woocommerce_order_created.json")
    payload["status"] = wc_status
    send(woo, "order.updated", payload)

    order = scoped(Order, workspace).get()
    assert (order.status, order.refunded) == (status, Decimal(refunded))
    assert order.contact.total_spent == (Decimal("0.00") if status == "canceled" else order.total)


def test_a_checkout_draft_is_not_an_order_yet(woo, workspace):
    payload = fixture("woocommerce_order_created.json")
    payload["status"] = "checkout-draft"
    assert send(woo, "order.created", payload).json() == {"status": "ignored"}
    assert nothing_stored(workspace)


def test_partial_refunds_are_summed_and_not_subtracted(woo, workspace):
    payload = fixture("woocommerce_order_created.json")
    payload["refunds"] = [{"id": 1, "reason": "", "total": "-8.75"}, {"id": 2, "total": "-1.25"}]
    send(woo, "order.updated", payload)
    order = scoped(Order, workspace).get()
    assert (order.refunded, order.contact.total_spent) == (Decimal("10.00"), Decimal("47.90"))


def test_a_deleted_order_is_canceled_and_leaves_the_figures(woo, workspace):
    send(woo, "order.created", fixture("woocommerce_order_created.json"))

    assert send(woo, "order.deleted", {"id": 727}).json() == {"status": "updated"}
    assert send(woo, "order.deleted", {"id": 999}).json() == {"status": "ignored"}

    order = scoped(Order, workspace).get()
    assert (order.status, order.contact.order_count) == ("canceled", 0)
    assert [e.kind for e in events_of(order.contact)][-1] == "order_canceled"


def test_an_unknown_topic_is_acknowledged_and_ignored(woo, workspace):
    response = send(woo, "product.created", {"id": 93, "name": "Terrine"})
    assert (response.status_code, response.json()["status"]) == (200, "ignored")
    assert nothing_stored(workspace)


def test_a_woocommerce_token_never_writes_into_another_workspace(woo, workspace, other_workspace):
    theirs = connect(other_workspace, "woocommerce", secret="wc-secret")
    send(theirs, "order.created", fixture("woocommerce_order_created.json"))
    assert nothing_stored(workspace)
    assert scoped(Order, other_workspace).count() == 1
