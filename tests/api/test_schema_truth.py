"""Issue 10, point 7: what the OpenAPI schema forbids is refused, what it allows is accepted.

Each case is one schemathesis found (tests/api/test_openapi_fuzz.py) before the schema and
the parsing were made to agree.
"""

from decimal import Decimal

import pytest

from comptoir.api.app import api as ninja_api
from comptoir.commerce.models import Product
from comptoir.contacts.models import Contact
from comptoir.core.roles import Role
from tests.commerce.helpers import order_body
from tests.conftest import api_client_for
from tests.contacts.helpers import make_contact


@pytest.fixture
def api(workspace):
    return api_client_for(workspace, Role.ADMIN)


def code_of(response) -> str:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["code"]


def test_a_list_for_a_body_is_refused_and_changes_nothing(api, workspace):
    # ninja read `[null, null]` as an object with every field absent: 200 and no change.
    response = api.patch("/api/v1/workspace", [None, None])
    assert (response.status_code, code_of(response)) == (422, "invalid_body")
    response = api.post("/api/v1/contacts", ["zoe@example.com"])
    assert (response.status_code, code_of(response)) == (422, "invalid_body")
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_a_list_for_an_address_is_refused(api, workspace):
    response = api.post(
        "/api/v1/contacts", {"email": "zoe@example.com", "billing_address": ["Paris"]}
    )
    assert (response.status_code, code_of(response)) == (422, "validation_error")
    assert not Contact.objects.filter(workspace=workspace).exists()


def test_a_multipart_body_without_its_boundary_is_a_400_not_a_500(api):
    response = api.client.post(
        "/api/v1/imports",
        b"--x\r\n",
        content_type="multipart/form-data",
        headers=api.headers,
    )
    assert (response.status_code, code_of(response)) == (400, "invalid_multipart")


@pytest.mark.parametrize("price", ["1e3", " 12", "12,50", "0x10", True])
def test_money_is_a_decimal_string_or_a_number(api, workspace, price):
    response = api.put("/api/v1/products/p-1", {"name": "Tea", "price": price})
    assert (response.status_code, code_of(response)) == (422, "validation_error")
    assert not Product.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("price, stored", [("12.5", "12.50"), (3.335, "3.34"), (7, "7.00")])
def test_money_the_schema_allows_is_accepted(api, workspace, price, stored):
    response = api.put("/api/v1/products/p-1", {"name": "Tea", "price": price})
    assert response.status_code == 201, response.content
    assert Product.objects.get(workspace=workspace).price == Decimal(stored)


@pytest.mark.parametrize(
    "query",
    [
        "last_order_before=0.5",  # pydantic read a number as a Unix time
        "min_total_spent=1e3",
        "min_total_spent=-1",
        "has_account=1",
        "has_account=yes",
    ],
)
def test_list_filters_refuse_what_the_schema_does_not_allow(api, query):
    response = api.get(f"/api/v1/contacts?{query}")
    assert (response.status_code, code_of(response)) == (422, "validation_error")


@pytest.mark.parametrize(
    "query",
    ["last_order_before=2026-01-01", "last_order_after=2026-01-01T10:00:00%2B02:00"]
    + ["min_total_spent=12.345", "has_account=true"],
)
def test_list_filters_accept_what_the_schema_allows(api, query):
    assert api.get(f"/api/v1/contacts?{query}").status_code == 200


@pytest.mark.parametrize("confirm", ["yes", 1, "true"])
def test_a_boolean_of_a_body_is_true_or_false(api, workspace, confirm):
    contact = make_contact(workspace)
    response = api.post(
        "/api/v1/contacts/bulk", {"action": "delete", "ids": [contact.pk], "confirm": confirm}
    )
    assert (response.status_code, code_of(response)) == (422, "validation_error")
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_integer_of_a_body_may_be_written_2_0_but_not_as_text(api, workspace):
    contact = make_contact(workspace)
    response = api.post(
        "/api/v1/contacts/bulk", {"action": "tag", "ids": [float(contact.pk)], "tags": ["vip"]}
    )
    assert response.status_code == 200, response.content
    response = api.post(
        "/api/v1/contacts/bulk", {"action": "tag", "ids": [str(contact.pk)], "tags": ["vip"]}
    )
    assert (response.status_code, code_of(response)) == (422, "validation_error")


def test_a_token_never_asks_for_the_owner_role_in_the_schema(api):
    response = api.post("/api/v1/tokens", {"name": "x", "role": "owner"})
    assert (response.status_code, code_of(response)) == (422, "validation_error")
    role = ninja_api.get_openapi_schema()["components"]["schemas"]["TokenIn"]["properties"]
    assert role["role"]["enum"] == ["admin", "marketer", "viewer"]


def test_a_customer_whose_orders_add_up_past_what_a_figure_holds_stays_readable(api, workspace):
    # Two orders at the largest amount: SQLite kept 19999999999.98 in a 12-digit column,
    # and every later read of the contact was a 500.
    for number in (1, 2):
        body = order_body(total="9999999999.99", subtotal="9999999999.99")
        assert api.put(f"/api/v1/orders/o-{number}", body).status_code == 201
    contact = Contact.objects.get(workspace=workspace)
    assert contact.total_spent == Decimal("9999999999.99")
    assert contact.order_count == 2
    assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    assert api.get("/api/v1/contacts").status_code == 200


def test_the_schema_states_the_rules_of_the_store_inputs():
    schema = ninja_api.get_openapi_schema()
    components = schema["components"]["schemas"]
    order = components["OrderIn"]["properties"]
    assert "EUR" in order["currency"]["enum"]
    assert order["placed_at"]["pattern"].startswith("^(19[7-9][0-9]|20[0-9][0-9]|2100)-")
    put = schema["paths"]["/api/v1/orders/{external_id}"]["put"]
    (external_id,) = put["parameters"]
    assert external_id["schema"]["maxLength"] == 128
    assert "text/html" in put["responses"][414]["content"]
    patch = schema["paths"]["/api/v1/segments/{segment_id}"]["patch"]
    assert patch["parameters"][0]["schema"]["pattern"] == "^[0-9]{1,18}$"


def test_a_path_that_matches_no_route_is_a_json_404(api):
    # A tag's name in the path with a line break in it: no route pattern matches a line
    # break, so Django answered with its HTML page before any API code ran.
    response = api.client.delete("/api/v1/contacts/1/tags/a%0Ab", headers=api.headers)
    assert (response.status_code, code_of(response)) == (404, "not_found")


@pytest.mark.parametrize("url", ["http://[x", "http://shop.example/a\x00b"])
def test_an_image_url_that_is_no_url_is_a_422(api, workspace, url):
    # An unclosed IPv6 bracket was a 500; a NUL was stored on SQLite, refused by PostgreSQL.
    response = api.put("/api/v1/products/p-1", {"name": "Tea", "price": "1.00", "image_url": url})
    assert (response.status_code, code_of(response)) == (422, "invalid_url")
    assert not Product.objects.filter(workspace=workspace).exists()
