"""T1: opens and clicks are recorded; the redirect never leads outside the e-mail's links."""

import re
from html import unescape

import pytest
from django.core import signing
from django.test import Client

from comptoir.consent.services import consent_subscribe
from comptoir.contacts.models import ContactEvent
from comptoir.mail.models import DeliveryClick
from comptoir.mail.services import delivery_create, delivery_send
from comptoir.mail.tracking import CLICK_SALT, click_url
from tests.contacts.helpers import make_contact
from tests.mailserver import BROWSER

BASE = "https://comptoir.example"


@pytest.fixture
def sent(workspace, settings, smtp_server):
    settings.COMPTOIR_BASE_URL = BASE
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    delivery = delivery_create(
        contact=contact,
        kind="marketing",
        subject="Nouveautés",
        body_markdown="[Le comté](https://shop.example/comte?x=1&y=2) et [le bleu](http://shop.example/bleu)",
    )
    delivery = delivery_send(delivery_id=delivery.pk)
    html = smtp_server.received[0].message.get_body(preferencelist=("html",)).get_content()
    return delivery, html


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html) if "/t/c/" in h]


def local(url: str) -> str:
    return url.removeprefix(BASE)


def test_links_are_rewritten_and_the_redirect_leads_to_the_original(sent):
    delivery, html = sent
    links = hrefs(html)
    assert len(links) == 2
    assert "shop.example" not in " ".join(links)  # the originals are behind the signature
    response = Client(headers={"user-agent": BROWSER}).get(local(links[0]))
    assert response.status_code == 302
    assert response["Location"] == "https://shop.example/comte?x=1&y=2"
    delivery.refresh_from_db()
    assert delivery.clicked_at and delivery.opened_at
    Client(headers={"user-agent": BROWSER}).get(local(links[0]))
    click = DeliveryClick.objects.get(delivery=delivery, url="https://shop.example/comte?x=1&y=2")
    assert click.count == 2
    events = ContactEvent.objects.filter(contact=delivery.contact, kind="email_clicked")
    assert events.count() == 1  # unique per link on the timeline


def test_the_open_pixel_records_the_first_open_once(sent):
    delivery, html = sent
    pixel = re.search(r'src="(https://comptoir\.example/t/o/[^"]+)"', html).group(1)
    for _ in range(3):
        response = Client().get(local(unescape(pixel)))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
    delivery.refresh_from_db()
    assert delivery.opened_at is not None
    assert ContactEvent.objects.filter(contact=delivery.contact, kind="email_opened").count() == 1


def test_a_url_that_was_not_in_the_message_is_refused_even_when_signed(sent):
    delivery, _html = sent
    for target in ("https://evil.example/", "javascript:alert(1)", "https://shop.example/comte"):
        response = Client().get(local(click_url(delivery.pk, target)))
        assert response.status_code == 404, target
    assert not DeliveryClick.objects.exists()


def test_a_forged_signature_is_404(sent):
    delivery, html = sent
    token = local(hrefs(html)[0]).split("/")[3]
    value, signature = token.rsplit(":", 1)
    forged = signing.Signer(salt="another salt").sign_object([delivery.pk, "https://evil.example/"])
    for bad in (f"{value}:{signature[::-1]}", forged, "garbage", "a" * 5000):
        assert Client().get(f"/t/c/{bad}/").status_code == 404
        assert Client().get(f"/t/o/{bad}.gif").status_code == 404
    assert not DeliveryClick.objects.exists()
    assert CLICK_SALT != "another salt"
