"""K4: the unsubscribe link and RFC 8058 one-click work without login or cookies, at once."""

import pytest
from django.test import Client

from comptoir.consent.models import ConsentEvent
from comptoir.consent.services import consent_subscribe
from comptoir.consent.tokens import unsubscribe_token, unsubscribe_url
from tests.contacts.helpers import make_contact


@pytest.fixture
def subscriber(workspace):
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    return contact


def path_for(contact) -> str:
    token = unsubscribe_token(workspace_id=contact.workspace_id, contact_id=contact.pk)
    return f"/u/{token}/"


def cookieless() -> Client:
    return Client(enforce_csrf_checks=True)


def one_click(client, path):
    return client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def unsubscribes(contact) -> list[str]:
    return list(
        ConsentEvent.objects.filter(contact=contact, status="unsubscribed").values_list(
            "source", flat=True
        )
    )


def test_the_link_is_under_the_base_url(subscriber, settings):
    settings.COMPTOIR_BASE_URL = "https://shop.example"
    url = unsubscribe_url(workspace_id=subscriber.workspace_id, contact_id=subscriber.pk)
    assert url.startswith("https://shop.example/u/")


def test_one_click_post_without_cookies_unsubscribes_once(subscriber):
    client = cookieless()
    response = one_click(client, path_for(subscriber))
    assert response.status_code == 200
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.consent == "unsubscribed"
    assert unsubscribes(subscriber) == ["one_click"]

    again = one_click(client, path_for(subscriber))
    assert again.status_code == 200
    assert unsubscribes(subscriber) == ["one_click"]


def test_get_only_shows_a_confirmation_and_changes_nothing(subscriber):
    response = cookieless().get(path_for(subscriber))
    assert response.status_code == 200
    html = response.content.decode()
    assert "zoe@example.com" in html and "<form" in html
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.consent == "subscribed"


def test_the_confirmation_button_unsubscribes_and_records_the_customer(subscriber):
    response = cookieless().post(
        path_for(subscriber), {}, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Mail/1.0"
    )
    assert response.status_code == 200
    event = ConsentEvent.objects.filter(contact=subscriber).last()
    assert (event.status, event.source, event.ip, event.user_agent, event.actor_label) == (
        "unsubscribed",
        "unsubscribe_link",
        "198.51.100.7",
        "Mail/1.0",
        "customer",
    )


def test_the_page_speaks_the_workspace_language(subscriber):
    assert subscriber.workspace.language == "fr"
    html = cookieless().get(path_for(subscriber)).content.decode()
    assert 'lang="fr"' in html


def tampered(token: str) -> list[str]:
    value, signature = token.rsplit(":", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [
        f"{value}:{flipped}",  # signature altered
        token.replace(value, value[::-1]),  # value altered
        "not-a-token",
        token[:-3],
        "x" * 500,
    ]


def test_a_tampered_or_forged_token_changes_nothing_and_says_so(subscriber, other_workspace):
    token = unsubscribe_token(workspace_id=subscriber.workspace_id, contact_id=subscriber.pk)
    forged_elsewhere = unsubscribe_token(workspace_id=other_workspace.pk, contact_id=subscriber.pk)
    for bad in [*tampered(token), forged_elsewhere]:
        for response in (
            one_click(cookieless(), f"/u/{bad}/"),
            cookieless().get(f"/u/{bad}/"),
        ):
            assert response.status_code == 404, bad
            assert "not valid" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.consent == "subscribed"
    assert unsubscribes(subscriber) == []


def test_other_methods_are_refused(subscriber):
    assert cookieless().put(path_for(subscriber)).status_code == 405
    subscriber.refresh_from_db()
    assert subscriber.consent == "subscribed"
