"""The commerce endpoints of CONTRACT.md: PUT products, orders, carts and subscriptions
(201 created, 200 otherwise), the profile's orders and subscriptions, draft orders."""

import pytest

from comptoir.commerce.models import Cart, Order, Product, StoreConnection, Subscription
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from tests.commerce.helpers import order_body
from tests.commerce.webhook_helpers import SECRET, encode, fixture, post, sign
from tests.conftest import api_client_for
from tests.contacts.helpers import make_contact


def test_put_order_creates_then_answers_200_and_money_is_decimal_strings(api, workspace):
    body = order_body(refunded="10", coupon_code="BIENVENUE", channel="pos")
    created = api.put("/api/v1/orders/1001", body)

    assert created.status_code == 201, created.content
    order = created.json()
    assert {k: order[k] for k in ("subtotal", "shipping", "tax", "discount", "total")} == {
        "subtotal": "40.00",
        "shipping": "5.90",
        "tax": "8.00",
        "discount": "4.00",
        "total": "49.90",
    }
    assert (order["refunded"], order["coupon_code"], order["channel"]) == (
        "10.00",
        "BIENVENUE",
        "pos",
    )
    assert (order["status"], order["counted"], order["is_draft"]) == ("completed", True, False)
    assert order["placed_at"] == "2026-03-02T10:00:00Z"
    assert order["items"] == [
        {"product_id": "p-1", "name": "Comté 24 mois", "quantity": 2, "price": "20.00"}
    ]
    assert order["shipping_address"]["postal_code"] == "75009"
    assert order["accepts_marketing"] is None

    again = api.put("/api/v1/orders/1001", body)
    assert again.status_code == 200
    assert again.json() == order

    contact = api.get(f"/api/v1/contacts/{order['contact_id']}").json()
    assert (contact["type"], contact["order_count"], contact["total_spent"]) == (
        "customer",
        1,
        "49.90",
    )
    assert (contact["average_order_value"], contact["source"]) == ("49.90", "pos")
    assert contact["last_order_at"] == "2026-03-02T10:00:00Z"


def test_the_order_can_be_read_back_by_the_stores_id(api):
    api.put("/api/v1/orders/A-7", order_body(accepts_marketing=True))
    response = api.get("/api/v1/orders/A-7")
    assert response.status_code == 200
    assert (response.json()["external_id"], response.json()["accepts_marketing"]) == ("A-7", True)
    assert api.get("/api/v1/orders/nope").json()["code"] == "not_found"


@pytest.mark.parametrize(
    "change, code",
    [
        ({"total": "-1.00"}, "invalid_money"),
        ({"shipping": "-0.50"}, "invalid_money"),
        ({"status": "shipped"}, "invalid_status"),
        ({"currency": "EURO"}, "invalid_currency"),
        ({"currency": "ZZZ"}, "invalid_currency"),
        ({"items": [{"name": "x", "quantity": 0, "price": "1.00"}]}, "invalid_quantity"),
        ({"items": [{"name": "x", "quantity": -1, "price": "1.00"}]}, "invalid_quantity"),
        ({"items": [{"name": "x", "quantity": 1, "price": "1.00"}] * 501}, "too_many_items"),
        ({"email": "nobody"}, "invalid_email"),
        ({"channel": "phone"}, "invalid_channel"),
        ({"shipping_address": {"city": "x" * 201}}, "validation_error"),
        ({"total": "abc"}, "validation_error"),
        ({"placed_at": "tomorrow"}, "validation_error"),
    ],
)
def test_invalid_orders_are_422_with_a_code_and_store_nothing(api, workspace, change, code):
    response = api.put("/api/v1/orders/1001", order_body(**change))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == code
    assert not scoped(Order, workspace).exists()
    assert not scoped(Contact, workspace).exists()


@pytest.mark.parametrize("missing", ["email", "status", "placed_at", "currency", "total", "items"])
def test_a_required_field_missing_is_422(api, missing):
    body = order_body()
    del body[missing]
    response = api.put("/api/v1/orders/1001", body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_too_long_store_id_is_422(api):
    response = api.put(f"/api/v1/orders/{'x' * 200}", order_body())
    assert (response.status_code, response.json()["code"]) == (422, "invalid_external_id")


def test_put_product_creates_then_updates(api, workspace):
    body = {"name": "Comté", "price": "24.90", "available": True}
    assert api.put("/api/v1/products/sku-1", body).status_code == 201
    response = api.put("/api/v1/products/sku-1", {**body, "price": "26", "available": False})
    assert response.status_code == 200
    assert (response.json()["price"], response.json()["available"]) == ("26.00", False)
    assert scoped(Product, workspace).count() == 1
    negative = api.put("/api/v1/products/sku-2", {**body, "price": "-1"})
    assert (negative.status_code, negative.json()["code"]) == (422, "invalid_money")


def test_put_cart_attaches_to_the_contact_and_is_converted_by_an_order(api, workspace):
    cart = {
        "email": "zoe@example.com",
        "items": [{"product_id": "sku-1", "quantity": 2, "price": "24.90"}],
        "recovery_url": "https://shop.example.com/recover/abc",
        "updated_at": "2026-03-01T09:00:00+01:00",
    }
    created = api.put("/api/v1/carts/abc", cart)
    assert created.status_code == 201, created.content
    assert (created.json()["converted"], created.json()["updated_at"]) == (
        False,
        "2026-03-01T08:00:00Z",
    )
    assert api.put("/api/v1/carts/abc", cart).status_code == 200

    api.put("/api/v1/orders/1001", order_body())

    assert scoped(Cart, workspace).get().converted
    bad = api.put("/api/v1/carts/abc", {**cart, "items": [{**cart["items"][0], "quantity": 0}]})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_quantity")


def test_contact_orders_lists_every_order_with_items_and_flags_canceled_ones(api, workspace):
    for number, (day, status) in enumerate([(1, "completed"), (3, "canceled"), (2, "open")]):
        api.put(
            f"/api/v1/orders/o{number}",
            order_body(status=status, placed_at=f"2026-03-0{day}T10:00:00+00:00"),
        )
    contact_id = scoped(Contact, workspace).get().pk

    page = api.get(f"/api/v1/contacts/{contact_id}/orders", limit=2).json()
    rest = api.get(f"/api/v1/contacts/{contact_id}/orders", cursor=page["next_cursor"]).json()

    listed = page["items"] + rest["items"]
    assert [(o["external_id"], o["status"], o["counted"]) for o in listed] == [
        ("o1", "canceled", False),
        ("o2", "open", True),
        ("o0", "completed", True),
    ]
    assert all(o["items"] for o in listed)
    assert rest["next_cursor"] is None


def test_subscriptions_are_put_and_listed_on_the_contact(api, workspace):
    body = {
        "email": "zoe@example.com",
        "product_id": "box",
        "status": "active",
        "next_billing_at": "2026-04-01T00:00:00+02:00",
    }
    assert api.put("/api/v1/subscriptions/s-1", body).status_code == 201
    assert api.put("/api/v1/subscriptions/s-1", {**body, "status": "paused"}).status_code == 200
    bad = api.put("/api/v1/subscriptions/s-2", {**body, "status": "trial"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_status")
    contact_id = scoped(Contact, workspace).get().pk

    listed = api.get(f"/api/v1/contacts/{contact_id}/subscriptions").json()["items"]

    assert [(s["external_id"], s["status"], s["product_id"]) for s in listed] == [
        ("s-1", "paused", "box")
    ]
    assert listed[0]["next_billing_at"] == "2026-03-31T22:00:00Z"
    assert scoped(Subscription, workspace).count() == 1


def test_a_draft_order_completed_through_the_api_makes_a_customer(api, workspace):
    prospect = make_contact(workspace, "lea@example.com")
    response = api.post(
        f"/api/v1/contacts/{prospect.pk}/draft-orders",
        {
            "items": [{"name": "Panier", "quantity": 2, "price": "30.00"}],
            "shipping": "5.00",
            "note": "À retirer samedi",
        },
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["is_draft"], draft["counted"], draft["total"]) == (True, False, "65.00")
    assert draft["note"] == "À retirer samedi"
    assert api.get(f"/api/v1/contacts/{prospect.pk}").json()["type"] == "prospect"

    done = api.post(f"/api/v1/orders/{draft['external_id']}/complete")

    assert done.status_code == 200, done.content
    assert (done.json()["is_draft"], done.json()["status"]) == (False, "completed")
    contact = api.get(f"/api/v1/contacts/{prospect.pk}").json()
    assert (contact["type"], contact["order_count"], contact["total_spent"]) == (
        "customer",
        1,
        "65.00",
    )
    again = api.post(f"/api/v1/orders/{draft['external_id']}/complete")
    assert (again.status_code, again.json()["code"]) == (409, "not_draft")
    kinds = list(
        scoped(ContactEvent, workspace).filter(contact=prospect).values_list("kind", flat=True)
    )
    assert "draft_order_created" in kinds and "order_placed" in kinds


def test_store_connections_are_created_listed_and_deleted_by_admins(api, workspace):
    created = api.post("/api/v1/store-connections", {"platform": "shopify", "secret": "s3cret"})
    assert created.status_code == 201
    connection = created.json()
    assert connection["webhook_url"].startswith("http://127.0.0.1:8000/webhooks/shopify/")
    assert "secret" not in connection
    listed = api.get("/api/v1/store-connections").json()["items"]
    assert [c["id"] for c in listed] == [connection["id"]]
    assert api.delete(f"/api/v1/store-connections/{connection['id']}").status_code == 204
    assert api.get("/api/v1/store-connections").json()["items"] == []


def test_a_store_connection_tells_what_became_of_its_last_webhook(api, workspace):
    shop = api.post("/api/v1/store-connections", {"platform": "shopify", "secret": SECRET}).json()
    assert shop["last_result"] is None and shop["last_reason"] is None
    connection = StoreConnection.objects.get(pk=shop["id"])
    body = encode(fixture("shopify_order_create.json"))
    forged = {"X-Shopify-Topic": "orders/create", "X-Shopify-Hmac-Sha256": sign(body, "x")}
    assert post(connection, body, forged).status_code == 401

    (listed,) = api.get("/api/v1/store-connections").json()["items"]
    assert listed["last_result"] == "refused"
    assert listed["last_reason"] == "invalid_signature"
    assert listed["last_topic"] == "orders/create"
    assert listed["last_received_at"] is not None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MARKETER])
def test_only_owners_and_admins_manage_store_connections(workspace, role):
    client = api_client_for(workspace, role)
    body = {"platform": "woocommerce", "secret": "s"}
    assert client.post("/api/v1/store-connections", body).status_code == 403
    assert client.get("/api/v1/store-connections").status_code == 403
