"""W3 for commerce: viewer tokens read orders and change nothing (403 `forbidden`)."""

import pytest

from comptoir.commerce.models import Cart, Order, Product, StoreConnection, Subscription
from comptoir.core.roles import Role
from tests.commerce.helpers import order_body, put_order
from tests.conftest import api_client_for
from tests.contacts.helpers import make_contact

WRITES = [
    ("PUT", "/api/v1/orders/o-1", order_body()),
    ("PUT", "/api/v1/products/p-1", {"name": "x", "price": "1.00"}),
    (
        "PUT",
        "/api/v1/carts/c-1",
        {"email": "a@example.com", "items": [], "updated_at": "2026-01-01T00:00:00Z"},
    ),
    ("PUT", "/api/v1/subscriptions/s-1", {"email": "a@example.com", "status": "active"}),
    (
        "POST",
        "/api/v1/contacts/{contact}/draft-orders",
        {"items": [{"name": "x", "quantity": 1, "price": "1"}]},
    ),
    ("POST", "/api/v1/orders/{draft}/complete", None),
    ("POST", "/api/v1/store-connections", {"platform": "shopify", "secret": "x"}),
]
READS = [
    "/api/v1/orders/existing",
    "/api/v1/contacts/{contact}/orders",
    "/api/v1/contacts/{contact}/subscriptions",
]


@pytest.fixture
def ids(workspace):
    from comptoir.commerce.services import draft_order_create

    put_order(workspace, "existing")
    contact = make_contact(workspace, "lea@example.com")
    draft = draft_order_create(
        contact=contact, actor=None, items=[{"name": "x", "quantity": 1, "price": "1"}]
    )
    return {"contact": contact.pk, "draft": draft.external_id}


def counts():
    return [m.objects.count() for m in (Order, Product, Cart, Subscription, StoreConnection)]


@pytest.mark.parametrize("method, path, body", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_a_viewer_token_cannot_write(workspace, ids, method, path, body):
    before = counts()
    response = api_client_for(workspace, Role.VIEWER).request(method, path.format(**ids), json=body)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert counts() == before
    assert Order.objects.get(external_id=ids["draft"]).is_draft


@pytest.mark.parametrize("path", READS)
def test_a_viewer_token_reads_orders(workspace, ids, path):
    response = api_client_for(workspace, Role.VIEWER).get(path.format(**ids))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "method, path, body", WRITES[:6], ids=[f"{m} {p}" for m, p, _ in WRITES[:6]]
)
def test_a_marketer_token_may_write_commerce_data(workspace, ids, method, path, body):
    response = api_client_for(workspace, Role.MARKETER).request(
        method, path.format(**ids), json=body
    )
    assert response.status_code in (200, 201), response.content
