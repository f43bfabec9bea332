"""Keyset pages compare the cursor as one row value (`(key, id) < (v, id)`): ties on the
first key neither skip nor repeat rows, and a well-formed cursor holding values of the
wrong type is refused like any cursor the API did not issue."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.api.pagination import PageParams, paginate
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from tests.contacts.helpers import make_contact, set_figures

SORTS = ["total_spent", "order_count", "last_order_at", "created_at", "name", "email"]


def forged(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def tied(workspace):
    """Eleven contacts, most sharing their figures: pages must break ties by id."""
    for number in range(11):
        contact = make_contact(workspace, f"tie{number}@example.com", first_name="Same")
        if number % 3 == 0:
            set_figures(contact, orders=2, spent="49.90", days_ago=3)
    return list(scoped(Contact, workspace).order_by("pk").values_list("pk", flat=True))


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{sort}" for sort in SORTS)])
def test_pages_of_two_join_into_the_whole_ordering(api, workspace, tied, sort):
    ids, cursor = [], None
    while True:
        body = api.get(
            "/api/v1/contacts", sort=sort, limit=2, **({"cursor": cursor} if cursor else {})
        ).json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    whole = api.get("/api/v1/contacts", sort=sort, limit=500).json()["items"]
    assert ids == [item["id"] for item in whole]
    assert sorted(ids) == tied


def test_a_same_direction_ordering_seeks_with_one_row_comparison(workspace, tied):
    queryset = scoped(Contact, workspace)
    first = paginate(queryset, PageParams(limit=4), ["-total_spent", "-id"])
    with CaptureQueriesContext(connection) as queries:
        paginate(queryset, PageParams(limit=4, cursor=first.next_cursor), ["-total_spent", "-id"])
    sql = queries.captured_queries[-1]["sql"]
    assert '("contacts_contact"."total_spent", "contacts_contact"."id") <' in sql


@pytest.mark.parametrize(
    "sort, values",
    [
        ("-total_spent", ["lots", 5]),
        ("total_spent", ["12.50", "five"]),
        ("created_at", ["2026-13-45T00:00:00", 3]),
        ("-last_order_at", [{"a": 1}, 3]),
        ("order_count", [[1], 2]),
    ],
)
def test_a_cursor_with_values_of_the_wrong_type_is_422(api, tied, sort, values):
    response = api.get("/api/v1/contacts", sort=sort, cursor=forged(values))
    assert (response.status_code, response.json()["code"]) == (422, "invalid_cursor")
