"""Odd input gets a 4xx or a sensible answer, never a 500 (house rule 10), on both engines:
NUL characters (PostgreSQL refuses them in text), ids past 64 bits (SQLite overflows),
dates at the ends of the calendar."""

import pytest

from tests.contacts.helpers import make_contact

HUGE = 99999999999999999999


@pytest.mark.parametrize(
    "method, path, body, status",
    [
        ("GET", f"/api/v1/contacts/{HUGE}", None, 404),
        ("GET", f"/api/v1/notes/{HUGE}", None, 404),
        ("GET", "/api/v1/contacts?q=a%00b", None, 200),
        ("GET", "/api/v1/contacts?tag=a%00b", None, 200),
        ("GET", "/api/v1/contacts?segment=a%00b", None, 404),
        ("GET", "/api/v1/segments/a%00b", None, 404),
        ("GET", "/api/v1/contacts?last_order_after=0001-01-01", None, 200),
        ("GET", "/api/v1/contacts?last_order_before=9999-12-31T23:59:59", None, 200),
        ("GET", "/api/v1/contacts?min_total_spent=999999999999.99", None, 200),
        ("POST", "/api/v1/contacts", {"email": "a@example.com", "first_name": "a\x00b"}, 201),
        ("POST", "/api/v1/contacts", {"email": "a\x00@example.com"}, 422),
        ("POST", "/api/v1/contacts", {"phone": "06\x0012"}, 422),  # "06 12": too short
        ("POST", "/api/v1/contacts", {"phone": "06\x0012 34 56 78"}, 201),
        (
            "POST",
            "/api/v1/contacts/bulk",
            {"action": "tag", "ids": [HUGE], "tags": ["x"]},
            422,
        ),
        ("POST", "/api/v1/contacts/{contact}/tags", {"tags": ["a\x00b"]}, 200),
        ("DELETE", "/api/v1/contacts/{contact}/tags/a%00b", None, 204),
        ("DELETE", "/api/v1/tags/a%00b", None, 404),
        ("POST", "/api/v1/contacts/{contact}/notes", {"body": "a\x00b"}, 201),
        ("POST", "/api/v1/segments", {"name": "a\x00b"}, 201),
        ("POST", "/api/v1/segments", {"name": "x", "contact_ids": [HUGE]}, 422),
    ],
)
def test_odd_input_never_breaks_the_api(api, workspace, method, path, body, status):
    contact = make_contact(workspace)
    response = api.request(method, path.format(contact=contact.pk), json=body)
    assert response.status_code == status, response.content
