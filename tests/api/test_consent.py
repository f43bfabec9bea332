"""CONTRACT: POST /contacts/{id}/consent and GET /contacts/{id}/consent-history."""

from comptoir.core.roles import Role
from tests.conftest import api_client_for
from tests.contacts.helpers import make_contact


def test_subscribing_without_confirmation_is_422_and_changes_nothing(workspace, api):
    contact = make_contact(workspace, "zoe@example.com")
    response = api.post(f"/api/v1/contacts/{contact.pk}/consent", {"status": "subscribed"})
    assert response.status_code == 422
    assert response.json()["code"] == "consent_not_confirmed"
    assert api.get(f"/api/v1/contacts/{contact.pk}").json()["consent"] == "not_subscribed"
    assert api.get(f"/api/v1/contacts/{contact.pk}/consent-history").json() == {"items": []}


def test_subscribe_unsubscribe_subscribe_latest_wins_and_history_is_oldest_first(workspace, api):
    contact = make_contact(workspace, "zoe@example.com")
    url = f"/api/v1/contacts/{contact.pk}/consent"
    first = api.post(
        url,
        {
            "status": "subscribed",
            "explicit_consent_confirmed": True,
            "source": "pos",
            "wording": "Oui, je veux recevoir vos offres",
        },
    )
    assert first.status_code == 200 and first.json()["consent"] == "subscribed"
    assert api.post(url, {"status": "unsubscribed"}).json()["consent"] == "unsubscribed"
    again = api.post(url, {"status": "subscribed", "explicit_consent_confirmed": True})
    assert again.json()["consent"] == "subscribed"

    history = api.get(f"/api/v1/contacts/{contact.pk}/consent-history").json()["items"]
    assert [(h["status"], h["source"]) for h in history] == [
        ("subscribed", "pos"),
        ("unsubscribed", "api"),
        ("subscribed", "api"),
    ]
    assert history[0]["wording"] == "Oui, je veux recevoir vos offres"
    assert history[0]["actor"] == "API token admin token"
    assert set(history[0]) == {
        "status",
        "source",
        "actor",
        "wording",
        "ip",
        "user_agent",
        "created_at",
    }


def test_the_api_may_not_claim_comptoirs_own_sources(workspace, api):
    contact = make_contact(workspace, "zoe@example.com")
    response = api.post(
        f"/api/v1/contacts/{contact.pk}/consent", {"status": "unsubscribed", "source": "one_click"}
    )
    assert response.status_code == 422


def test_a_viewer_token_cannot_change_consent(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    viewer = api_client_for(workspace, Role.VIEWER)
    response = viewer.post(f"/api/v1/contacts/{contact.pk}/consent", {"status": "unsubscribed"})
    assert response.status_code == 403
    assert viewer.get(f"/api/v1/contacts/{contact.pk}/consent-history").status_code == 200


def test_an_import_source_never_resubscribes_a_contact_who_unsubscribed(workspace, api):
    contact = make_contact(workspace, "zoe@example.com")
    url = f"/api/v1/contacts/{contact.pk}/consent"
    api.post(url, {"status": "subscribed", "explicit_consent_confirmed": True})
    api.post(url, {"status": "unsubscribed"})

    again = api.post(
        url, {"status": "subscribed", "explicit_consent_confirmed": True, "source": "import"}
    )

    # The same rule as a file import: the call succeeds and changes nothing.
    assert again.status_code == 200 and again.json()["consent"] == "unsubscribed"
    history = api.get(f"/api/v1/contacts/{contact.pk}/consent-history").json()["items"]
    assert [(h["status"], h["source"]) for h in history] == [
        ("subscribed", "api"),
        ("unsubscribed", "api"),
    ]
