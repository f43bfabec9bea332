"""Issue 15, point 1: the bulk order backfill `POST /api/v1/orders/batch`.

A bad order fails alone, a replay changes nothing, and the figures, details, orders and
timelines are those of the same orders sent one by one (on PostgreSQL the batch writes its
new orders set-based, so this compares two different writes)."""

import copy
import json
from collections import Counter
from decimal import Decimal

import pytest

from comptoir.commerce import postgres, services
from comptoir.commerce.models import Cart, Order, OrderItem
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_update
from comptoir.core.scoping import scoped
from tests.commerce.helpers import at, order_body
from tests.commerce.test_carts import cart_body
from tests.conftest import api_client_for, make_workspace

BATCH = "/api/v1/orders/batch"
BAD = {10: "invalid_status", 500: "invalid_currency", 999: "validation_error"}


def _history(count: int = 1000, customers: int = 240) -> list[dict]:
    """`count` orders of a shop over `customers` people: several orders each, some in
    another letter case, a canceled one now and then, one to four lines, not in date order."""
    orders = []
    for n in range(count):
        person = n % customers
        email = f"client{person}@example.com"
        if n % 11 == 0:
            email = email.upper()
        lines = [
            {
                "product_id": f"p-{(n + k) % 37}",
                "name": f"Produit {k}",
                "quantity": 1 + k % 3,
                "price": f"{3 + (n * 7 + k) % 40}.{n % 100:02d}",
            }
            for k in range(1 + n % 4)
        ]
        subtotal = sum(Decimal(line["price"]) * line["quantity"] for line in lines)
        body = order_body(
            email=email,
            first_name=f"Prénom{person}",
            last_name=f"Nom{person}",
            phone=None,
            number=f"#{5000 + n}",
            status="canceled" if n % 29 == 0 else "completed",
            # Days shuffled: a person's orders do not arrive in date order.
            placed_at=at(days=(n * 37) % 700, hours=n % 24),
            subtotal=str(subtotal),
            shipping="4.90",
            tax="0.00",
            discount="0.00",
            total=str(subtotal + Decimal("4.90")),
            items=lines,
            shipping_address={"line1": f"{person} rue de la Paix", "city": "Lyon", "country": "FR"},
        )
        orders.append({"external_id": f"ord-{n}", **body})
    return orders


def _with_bad_ones(orders: list[dict]) -> list[dict]:
    orders = copy.deepcopy(orders)
    orders[10]["status"] = "shipped"
    orders[500]["currency"] = "XYZ"
    del orders[999]["placed_at"]
    return orders


def _prepare(workspace) -> None:
    """What the shop already holds before the backfill: a customer with an order, a cart,
    and details staff locked (C6); an order the batch will change."""
    put = services.order_upsert
    put(
        workspace=workspace,
        external_id="old-1",
        data=order_body(email="client3@example.com", placed_at=at(-30), total="99.00"),
    )
    put(
        workspace=workspace,
        external_id="ord-7",
        data=order_body(email="client7@example.com", placed_at=at(-10), total="1.00"),
    )
    services.cart_upsert(
        workspace=workspace,
        token="cart-5",
        data=cart_body(email="client5@example.com", updated_at=at(-1)),
    )
    locked = services.order_upsert(
        workspace=workspace,
        external_id="old-2",
        data=order_body(email="client6@example.com", placed_at=at(-20)),
    ).obj.contact
    locked.workspace = workspace
    contact_update(contact=locked, actor=None, first_name="Staff wrote this")


def _state(workspace) -> dict:
    """Everything the orders leave, without row ids."""
    contacts = {
        contact.email_key: (
            contact.order_count,
            contact.total_spent,
            contact.average_order_value,
            contact.last_order_at,
            contact.customer_since,
            contact.type,
            contact.source,
            contact.first_name,
            contact.last_name,
            contact.phone,
            contact.shipping_address,
            contact.locked,
        )
        for contact in scoped(Contact, workspace)
    }
    orders = {
        order.external_id: (
            order.contact.email_key,
            order.status,
            order.total,
            order.placed_at,
            order.digest,
            order.number,
            tuple(
                order.items.order_by("position").values_list(
                    "position", "product_external_id", "name", "quantity", "price"
                )
            ),
        )
        for order in scoped(Order, workspace).select_related("contact")
    }
    events = Counter(
        (event.contact.email_key, event.kind, event.data.get("external_id"))
        for event in scoped(ContactEvent, workspace).select_related("contact")
    )
    carts = {
        cart.token: (cart.converted_at, cart.order.external_id if cart.order else None)
        for cart in scoped(Cart, workspace).select_related("order")
    }
    return {"contacts": contacts, "orders": orders, "events": events, "carts": carts}


def test_a_batch_stores_the_good_orders_reports_the_bad_ones_and_equals_one_by_one(db):
    batch_shop, single_shop = make_workspace("Batch"), make_workspace("One by one")
    for workspace in (batch_shop, single_shop):
        _prepare(workspace)
    orders = _with_bad_ones(_history())
    api = api_client_for(batch_shop)

    response = api.post(BATCH, {"orders": orders})

    assert response.status_code == 200, response.content[:500]
    body = response.json()
    results = body["results"]
    assert [result["index"] for result in results] == list(range(1000))
    errors = {r["index"]: r["code"] for r in results if r["status"] == "error"}
    assert errors == BAD
    assert all(results[index]["detail"] for index in BAD)
    assert results[7]["status"] == "updated"
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (996, 1, 0, 3)
    stored = scoped(Order, batch_shop)
    assert stored.filter(external_id__startswith="ord-").count() == 997
    assert not stored.filter(external_id__in=["ord-10", "ord-500", "ord-999"]).exists()
    assert {r["id"] for r in results if r["id"]} == set(
        stored.filter(external_id__startswith="ord-").values_list("pk", flat=True)
    )

    # The same orders one by one, through the PUT's service, into the other shop.
    for index, order in enumerate(orders):
        data = dict(order)
        external_id = data.pop("external_id")
        if index in BAD:
            continue
        services.order_upsert(workspace=single_shop, external_id=external_id, data=data)
    batch_state, single_state = _state(batch_shop), _state(single_shop)
    for part in ("contacts", "orders", "events", "carts"):
        assert batch_state[part] == single_state[part], part
    zoe = scoped(Contact, batch_shop).get(email_key="client6@example.com")
    assert zoe.first_name == "Staff wrote this"  # locked details stay (C6)
    assert scoped(Cart, batch_shop).get(token="cart-5").converted_at is not None

    # The same batch again changes nothing.
    def rows():
        lines = OrderItem.objects.filter(order__workspace=batch_shop).count()
        return [lines, *(scoped(model, batch_shop).count() for model in (Order, ContactEvent))]

    before = rows()
    again = api.post(BATCH, {"orders": orders}).json()
    assert (again["created"], again["updated"], again["unchanged"], again["errors"]) == (
        0,
        0,
        997,
        3,
    )
    assert {r["index"]: r["code"] for r in again["results"] if r["status"] == "error"} == BAD
    assert rows() == before
    assert _state(batch_shop) == batch_state


def test_more_than_1000_orders_is_a_422_with_a_code_and_stores_nothing(api, workspace):
    orders = _history(1001, 50)
    response = api.post(BATCH, {"orders": orders})
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_orders"
    assert not scoped(Order, workspace).exists()


def test_orders_repeated_or_shapeless_in_a_batch_fail_alone(api, workspace):
    good = _history(3, 3)
    response = api.post(BATCH, {"orders": [good[0], good[0], 5, {"external_id": "x"}, good[1]]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "error", "created"]
    assert [r["code"] for r in results[1:4]] == [
        "duplicate_in_batch",
        "validation_error",
        "validation_error",
    ]
    assert results[2]["external_id"] is None and results[3]["external_id"] == "x"
    assert scoped(Order, workspace).count() == 2


def test_a_changed_order_in_a_batch_is_updated_and_the_figures_follow(api, workspace):
    first = _history(3, 1)[1:]  # order 0 is a canceled one
    api.post(BATCH, {"orders": first})
    changed = copy.deepcopy(first)
    changed[1]["status"] = "canceled"
    results = api.post(BATCH, {"orders": changed}).json()["results"]
    assert [r["status"] for r in results] == ["unchanged", "updated"]
    contact = scoped(Contact, workspace).get()
    assert contact.order_count == 1
    assert contact.total_spent == Decimal(first[0]["total"])


def test_an_order_whose_store_id_is_batch_is_still_put_and_read(api):
    assert api.put("/api/v1/orders/batch", order_body()).status_code == 201
    assert api.get("/api/v1/orders/batch").json()["external_id"] == "batch"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"not json", "application/json", 422),
        (b"[]", "application/json", 422),
        (b'{"orders": "all of them"}', "application/json", 422),
        (b'{"orders": []}', "application/json", 422),
        (b'{"orders": [{"external_id": "a"', "application/json", 400),
        (b"orders=1", "application/x-www-form-urlencoded", 415),
    ],
)
def test_hostile_bodies_are_4xx_with_a_code_and_store_nothing(
    workspace, body, content_type, status
):
    api = api_client_for(workspace)
    response = api.client.post(BATCH, body, content_type=content_type, headers=api.headers)
    assert response.status_code == status
    assert response.json()["code"]
    assert not scoped(Order, workspace).exists()


def test_a_huge_body_is_a_413(workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    api = api_client_for(workspace)
    body = json.dumps({"orders": _history(200, 20)}).encode()
    assert len(body) > 100_000
    response = api.client.post(BATCH, body, content_type="application/json", headers=api.headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not scoped(Order, workspace).exists()


def test_a_viewer_token_cannot_send_a_batch(workspace):
    api = api_client_for(workspace, "viewer")
    response = api.post(BATCH, {"orders": _history(1, 1)})
    assert response.status_code == 403
    assert not scoped(Order, workspace).exists()


def test_on_postgresql_new_orders_are_written_set_based(workspace, django_assert_max_num_queries):
    if not postgres.in_use():
        pytest.skip("the set-based write is PostgreSQL's; SQLite writes order by order")
    orders = [(order.pop("external_id"), order) for order in _history(1000, 240)]
    # A read of the known orders, the contacts' lock, an insert per table (contacts and
    # their entries, orders, lines, order entries), the figures, the open carts, savepoints:
    # not one statement per order.
    with django_assert_max_num_queries(20):
        outcomes = services.orders_batch_upsert(workspace=workspace, orders=orders)
    assert Counter(outcome.status for outcome in outcomes) == {"created": 1000}
