"""A campaign in a real browser, in French (E1–E3): compose it with a product block, watch the
preview follow the typing, send a test, schedule it, find it in the list, cancel it."""

import datetime as dt
import re
import zoneinfo
from email.header import decode_header, make_header

import pytest
from playwright.sync_api import expect

from comptoir.campaigns.models import Campaign
from comptoir.commerce.services import product_upsert
from comptoir.mail.models import OutboxMessage
from tests.campaigns.helpers import business, group, subscriber, work
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_locale() -> str:
    return "fr-FR"


@pytest.fixture
def shop(workspace, settings):
    settings.EMAIL_BACKEND = "comptoir.mail.backends.OutboxBackend"
    shop = business(workspace)
    product_upsert(
        workspace=shop, external_id="comte-24", data={"name": "Comté 24 mois", "price": "12.40"}
    )
    group(shop, [subscriber(shop, "zoe@example.com", first_name="Zoé")], name="Habitués")
    return shop


def test_compose_preview_test_schedule_list_and_cancel_a_campaign(page, live_server, shop, owner):
    # No page of the way breaks the Content-Security-Policy, nor throws a script error.
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(owner.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/w/{shop.slug}/campaigns/")
    expect(page.get_by_text("Aucune campagne pour l’instant.")).to_be_visible()

    page.get_by_role("link", name="Nouvelle campagne").click()
    page.get_by_label("Nom de la campagne").fill("Arrivage de printemps")
    page.get_by_label("Objet").fill("Du nouveau, {{ first_name }}")
    body = page.get_by_label("Message", exact=True)
    body.fill("Bonjour {{ first_name | ami }},\n\nLe comté 24 mois est arrivé.")
    page.get_by_text("Insérer un produit").click()
    page.get_by_role("button", name="Insérer Comté 24 mois").click()
    expect(body).to_have_value(re.compile(r"est arrivé\.\n\n\[\[product comte-24\]\]\n"))
    page.get_by_label("Habitués (1)").check()

    # htmx refreshes the preview and the audience as the form changes.
    audience = page.get_by_role("region", name="Audience")
    expect(audience).to_contain_text("1 personne la recevra maintenant.")
    preview = page.frame_locator("iframe.campaign-preview")
    expect(preview.get_by_text("Bonjour Zoé,")).to_be_visible()
    expect(page.get_by_text("Tel que Zoé (zoe@example.com) le recevrait.")).to_be_visible()
    frame = page.locator("iframe.campaign-preview")
    assert frame.bounding_box()["width"] == pytest.approx(600, abs=1)
    page.get_by_label("Mobile (375 px)").check()
    assert frame.bounding_box()["width"] == pytest.approx(375, abs=1)

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_have_text(
        "Campagne « Arrivage de printemps » enregistrée."
    )
    campaign = Campaign.objects.get(workspace=shop)
    assert "[[product comte-24]]" in campaign.body_markdown

    # A test to the staff address the field starts with.
    expect(page.get_by_label("Envoyer un test à")).to_have_value(owner.email)
    page.get_by_role("button", name="Envoyer un test").click()
    expect(page.get_by_role("status")).to_have_text(f"Un test part vers {owner.email}.")
    work()
    (kept,) = OutboxMessage.objects.all()
    assert kept.recipients == owner.email
    assert str(make_header(decode_header(kept.subject))) == "[Test] Du nouveau, Zoé"

    # Scheduled in three days at 09:30, Paris time, and shown back so.
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    day = (dt.datetime.now(paris) + dt.timedelta(days=3)).date()
    page.get_by_label("Envoyer le").fill(f"{day.isoformat()}T09:30")
    page.get_by_role("button", name="Programmer").click()
    expect(page.get_by_role("status")).to_have_text("Campagne programmée.")
    expect(page.get_by_role("note")).to_contain_text("09:30 (Europe/Paris)")
    expect(page.get_by_label("Envoyer le")).to_have_value(f"{day.isoformat()}T09:30")
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert campaign.send_at == dt.datetime.combine(day, dt.time(9, 30), paris)

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Campagnes"
    ).click()
    row = page.get_by_role("row", name=re.compile("Arrivage de printemps"))
    expect(row).to_contain_text("Programmée")
    expect(row).to_contain_text("09:30")
    row.get_by_role("link", name="Arrivage de printemps").click()

    page.get_by_role("button", name="Annuler la campagne").click()
    expect(page.get_by_role("status")).to_have_text("Campagne annulée : plus rien ne sera envoyé.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annulée")
    campaign.refresh_from_db()
    assert campaign.status == "canceled"
    work()
    assert OutboxMessage.objects.count() == 1  # the test only: nothing went to Zoé
    assert problems == []
