"""K4 in a real browser: a customer unsubscribes from the link of an e-mail, without login."""

import pytest
from playwright.sync_api import expect

from comptoir.consent.models import ConsentEvent
from comptoir.consent.services import consent_subscribe
from comptoir.consent.tokens import unsubscribe_token
from comptoir.core.services import workspace_update
from tests.contacts.helpers import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_locale() -> str:
    return "fr-FR"


def test_a_customer_unsubscribes_through_the_link_page(page, live_server, workspace):
    workspace_update(workspace=workspace, postal_address="3 place du Marché, 69001 Lyon")
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    token = unsubscribe_token(workspace_id=workspace.pk, contact_id=contact.pk)

    page.goto(f"{live_server.url}/u/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous désinscrire de nos e-mails ?")
    expect(page.get_by_text("3 place du Marché, 69001 Lyon")).to_be_visible()
    contact.refresh_from_db()
    assert contact.consent == "subscribed"  # opening the page changes nothing

    page.get_by_role("button", name="Me désinscrire").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes désinscrit")
    contact.refresh_from_db()
    assert contact.consent == "unsubscribed"
    event = ConsentEvent.objects.filter(contact=contact).last()
    assert (event.source, event.ip) == ("unsubscribe_link", "127.0.0.1")
    assert "Chrome" in event.user_agent
    assert page.context.cookies() == []


def test_a_broken_link_says_so_and_changes_nothing(page, live_server, workspace):
    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    token = unsubscribe_token(workspace_id=workspace.pk, contact_id=contact.pk)

    response = page.goto(f"{live_server.url}/u/{token[:-4]}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("lien de désinscription")
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
