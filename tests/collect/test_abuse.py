"""S6: rate limits, a honeypot, strict validation and size limits; nothing half-saved."""

import pytest
from django.test import Client

from comptoir.collect import guards
from comptoir.collect.models import Signup
from comptoir.consent.models import ConsentEvent
from comptoir.contacts.models import Contact, ContactEvent
from tests.collect.helpers import page_path, submit

pytestmark = pytest.mark.django_db


def nothing_stored():
    return not (
        Contact.objects.exists()
        or ConsentEvent.objects.exists()
        or Signup.objects.exists()
        or ContactEvent.objects.exists()
    )


def test_a_hundred_rapid_submissions_from_one_ip_are_limited(workspace):
    path = page_path(workspace)
    statuses = [
        submit(path, {"email": f"bot{n}@example.com"}, ip="198.51.100.9").status_code
        for n in range(100)
    ]

    assert statuses[: guards.IP_LIMIT] == [200] * guards.IP_LIMIT
    assert set(statuses[guards.IP_LIMIT :]) == {429}
    assert Contact.objects.count() == guards.IP_LIMIT
    refused = submit(path, {"email": "late@example.com"}, ip="198.51.100.9")
    assert 0 < int(refused["Retry-After"]) <= guards.IP_WINDOW
    # Another visitor is not punished for that one.
    assert submit(path, {"email": "zoe@example.com"}, ip="198.51.100.10").status_code == 200


def test_the_workspace_limit_holds_across_ips(workspace, settings, monkeypatch):
    monkeypatch.setattr(guards, "WORKSPACE_LIMIT", 3)
    path = page_path(workspace)
    statuses = [
        submit(path, {"email": f"p{n}@example.com"}, ip=f"192.0.2.{n}").status_code
        for n in range(5)
    ]

    assert statuses == [200, 200, 200, 429, 429]


def test_the_limit_message_is_in_the_visitors_language(workspace, monkeypatch):
    monkeypatch.setattr(guards, "IP_LIMIT", 0)
    response = submit(page_path(workspace), {}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 429
    assert "Trop d’inscriptions" in response.content.decode()


def test_a_filled_honeypot_is_refused_and_stores_nothing(workspace):
    response = submit(page_path(workspace), {"website": "http://spam.example"})

    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "not an address"},
        {"email": "zoe@"},
        {"email": ""},
        {"email": "a" * 300 + "@example.com"},
        {"first_name": "x" * 151},
        {"first_name": "<script>alert(1)</script>"},
        {"first_name": '<b onmouseover="x">Zoé</b>'},
        {"phone": "call me maybe"},
        {"phone": "1" * 40},
        {"email": "zoe@example.com\x00"},
    ],
)
def test_hostile_fields_get_a_4xx_and_store_nothing(workspace, fields):
    response = submit(page_path(workspace), fields)

    assert 400 <= response.status_code < 500
    assert nothing_stored()


def test_a_huge_body_is_refused(workspace):
    response = submit(page_path(workspace), {"first_name": "x" * 100_000})

    assert response.status_code == 413
    assert nothing_stored()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", '{"email": "zoe@example.com", "consent": "on"}'),
        ("text/plain", "email=zoe@example.com&consent=on"),
        ("application/xml", "<email>zoe@example.com</email>"),
    ],
)
def test_wrong_content_types_are_refused(workspace, content_type, body):
    response = Client().post(page_path(workspace), body, content_type=content_type)

    assert response.status_code == 415
    assert nothing_stored()


def test_a_post_from_another_site_is_refused(workspace):
    response = submit(page_path(workspace), {}, HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert nothing_stored()


def test_a_post_from_the_page_itself_is_accepted(workspace):
    response = submit(page_path(workspace), {}, HTTP_ORIGIN="http://testserver")

    assert response.status_code == 200


def test_a_failure_after_the_contact_was_written_leaves_nothing(workspace, monkeypatch):
    from comptoir.collect import services

    def broken(**kwargs):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(services, "consent_subscribe", broken)
    with pytest.raises(RuntimeError):
        submit(page_path(workspace), {})

    assert nothing_stored()


def test_the_page_sets_no_cookie(workspace):
    client = Client()
    client.get(page_path(workspace))
    submit(page_path(workspace), {}, client=client)

    assert not client.cookies
