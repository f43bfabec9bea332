"""Issue 10: hostile input gets a 4xx with {detail, code} and stores nothing, never a 500."""

import base64
import json

import pytest
from django.db import OperationalError
from django.test import Client

from comptoir.commerce.models import Order, Product, StoreConnection
from comptoir.contacts.models import Contact
from comptoir.core.roles import Role
from tests.commerce.helpers import order_body
from tests.commerce.webhook_helpers import connect, encode, fixture, post, sign
from tests.conftest import api_client_for

HUGE_AMOUNTS = ["1e28", "1e100000", 6.944e265, "-1e28", "NaN", "Infinity"]


@pytest.fixture
def api(workspace):
    return api_client_for(workspace, Role.ADMIN)


def error_code(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"detail", "code"}
    return body["code"]


@pytest.mark.parametrize("amount", HUGE_AMOUNTS)
def test_an_absurd_order_total_is_a_422_and_stores_nothing(api, workspace, amount):
    response = api.put("/api/v1/orders/o-1", order_body(total=amount))
    assert response.status_code == 422
    assert error_code(response) in {"invalid_money", "validation_error"}
    assert not Order.objects.filter(workspace=workspace).exists()
    assert not Contact.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("amount", HUGE_AMOUNTS)
def test_an_absurd_product_price_is_a_422_and_stores_nothing(api, workspace, amount):
    response = api.put("/api/v1/products/p-1", {"name": "Miel", "price": amount, "available": True})
    assert response.status_code == 422
    error_code(response)
    assert not Product.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("amount", ["1e28", "1e100000", 6.944e265])
def test_an_absurd_amount_in_a_signed_shopify_webhook_is_a_4xx_not_a_retried_500(workspace, amount):
    shop = connect(workspace, StoreConnection.Platform.SHOPIFY)
    payload = fixture("shopify_order_create.json")
    payload["total_price"] = amount
    payload["subtotal_price"] = amount
    payload["refunds"] = [
        {"transactions": [{"kind": "refund", "status": "success", "amount": amount}]}
    ]
    body = encode(payload)
    headers = {
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": "epicerie-martyrs.myshopify.com",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Hmac-Sha256": sign(body),
    }
    response = post(shop, body, headers)
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["code"] == "invalid_money"
    assert not Order.objects.filter(workspace=workspace).exists()


def cursor(values) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def list_paths(workspace) -> list[str]:
    from tests.contacts.helpers import make_contact

    contact = make_contact(workspace, "zoe@example.com")
    segment = (
        api_client_for(workspace).post("/api/v1/segments", {"name": "All", "filter": {}}).json()
    )
    return [
        "/api/v1/contacts",
        f"/api/v1/contacts/{contact.pk}/notes",
        f"/api/v1/contacts/{contact.pk}/events",
        f"/api/v1/contacts/{contact.pk}/orders",
        f"/api/v1/contacts/{contact.pk}/subscriptions",
        "/api/v1/segments",
        f"/api/v1/segments/{segment['id']}/contacts",
        "/api/v1/staff",
        "/api/v1/tags",
        "/api/v1/tokens",
        "/api/v1/store-connections",
    ]


@pytest.mark.parametrize(
    "values",
    ["[Infinity]", "[NaN]", [None, None], [None], [1.5, 2], [True, 1], [[1], {}], [2**70, 1]],
)
def test_a_forged_cursor_is_a_422_on_every_list(api, workspace, values):
    token = (
        base64.urlsafe_b64encode(values.encode()).decode().rstrip("=")
        if isinstance(values, str)
        else cursor(values)
    )
    for path in list_paths(workspace):
        response = api.get(path, cursor=token)
        assert response.status_code == 422, (path, response.content[:300])
        assert error_code(response) == "invalid_cursor", path


def test_a_null_sender_name_is_a_422_and_changes_nothing(api, workspace):
    before = workspace.sender_name
    response = api.patch("/api/v1/workspace", {"sender_name": None})
    assert response.status_code == 422
    error_code(response)
    workspace.refresh_from_db()
    assert workspace.sender_name == before


def raw_post(api, path: str, body: bytes, content_type="application/json"):
    return api.client.post(path, body, content_type=content_type, headers=api.headers)


def test_a_nul_byte_body_is_a_400(api, workspace):
    response = raw_post(api, "/api/v1/contacts", b'{"email": "a\x00@example.com"\x00}')
    assert 400 <= response.status_code < 500
    error_code(response)
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_an_eleven_megabyte_body_is_a_json_413(api, workspace):
    body = json.dumps({"email": "zoe@example.com", "note": "x" * (11 * 1024 * 1024)}).encode()
    response = raw_post(api, "/api/v1/contacts", body)
    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_json_sent_as_text_plain_is_a_415(api, workspace):
    body = json.dumps({"email": "zoe@example.com"}).encode()
    response = raw_post(api, "/api/v1/contacts", body, content_type="text/plain")
    assert response.status_code == 415
    assert error_code(response) == "unsupported_media_type"
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_json_with_a_charset_is_accepted(api, workspace):
    body = json.dumps({"email": "zoe@example.com"}).encode()
    response = raw_post(
        api, "/api/v1/contacts", body, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "placed_at", [-1, "-1", "0001-01-01T00:00:00+00:00", "2026-11-20T10:00:00", "2026-11-20"]
)
def test_an_order_placed_at_an_impossible_or_naive_time_is_refused(api, workspace, placed_at):
    response = api.put("/api/v1/orders/o-1", order_body(placed_at=placed_at))
    assert response.status_code == 422, response.content
    error_code(response)
    assert not Order.objects.filter(workspace=workspace).exists()


def test_a_database_failure_answers_json_503(api, workspace, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("connection to server was lost")

    monkeypatch.setattr("comptoir.api.contacts.contact_list_page", unavailable, raising=False)
    monkeypatch.setattr("comptoir.api.workspace.require", unavailable)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/workspace", headers=api.headers)
    assert response.status_code == 503
    assert error_code(response) == "database_unavailable"


def test_an_unexpected_error_answers_json_500(api, workspace, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("comptoir.api.workspace.require", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/workspace", headers=api.headers)
    assert response.status_code == 500
    assert error_code(response) == "server_error"
