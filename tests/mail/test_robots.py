"""E5: opens by a privacy proxy and clicks by link scanners are told apart from people's,
and the unique counts are people's."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.consent.services import consent_subscribe
from comptoir.contacts.models import ContactEvent
from comptoir.mail.models import Delivery, DeliveryClick
from comptoir.mail.services import delivery_create, delivery_send
from tests.contacts.helpers import make_contact
from tests.mailserver import BROWSER

BASE = "https://comptoir.example"
BODY = "[Le comté](https://shop.example/comte), [le bleu](https://shop.example/bleu)"


@pytest.fixture
def sent(workspace, settings, smtp_server):
    settings.COMPTOIR_BASE_URL = BASE
    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    delivery = delivery_create(
        contact=contact, kind="marketing", subject="Nouveautés", body_markdown=BODY
    )
    delivery = delivery_send(delivery_id=delivery.pk)
    html = smtp_server.received[0].message.get_body(preferencelist=("html",)).get_content()
    links = [unescape(h).removeprefix(BASE) for h in re.findall(r'href="([^"]+/t/c/[^"]+)"', html)]
    pixel = unescape(re.search(r'src="(https://comptoir\.example/t/o/[^"]+)"', html)[1])
    return delivery, links, pixel.removeprefix(BASE)


def test_apples_privacy_proxy_fetching_the_pixel_is_not_an_open(sent):
    delivery, _links, pixel = sent
    Client(headers={"user-agent": "Mozilla/5.0"}).get(pixel, REMOTE_ADDR="17.58.101.3")
    delivery.refresh_from_db()
    assert delivery.opened_at is None and delivery.proxy_opened_at is not None
    assert not ContactEvent.objects.filter(kind="email_opened").exists()

    Client(headers={"user-agent": BROWSER}).get(pixel, REMOTE_ADDR="82.64.1.2")
    delivery.refresh_from_db()
    assert delivery.opened_at is not None


def test_a_scanner_following_every_link_at_once_is_not_a_click(sent):
    delivery, links, _pixel = sent
    # The gateway looks like a browser, but follows both links within a second.
    scanner = Client(headers={"user-agent": BROWSER})
    assert scanner.get(links[0]).status_code == 302
    assert scanner.get(links[1]).status_code == 302  # still redirected: it may be a person
    delivery.refresh_from_db()
    assert delivery.clicked_at is None and delivery.opened_at is None
    assert set(DeliveryClick.objects.values_list("machine", flat=True)) == {True}


def test_a_person_clicking_a_second_link_later_is_still_a_person(sent):
    delivery, links, _pixel = sent
    person = Client(headers={"user-agent": BROWSER})
    person.get(links[0])
    DeliveryClick.objects.update(clicked_at=timezone.now() - dt.timedelta(minutes=2))
    person.get(links[1])
    delivery.refresh_from_db()
    assert delivery.clicked_at is not None
    assert set(DeliveryClick.objects.values_list("machine", flat=True)) == {False}
    assert ContactEvent.objects.filter(kind="email_clicked").count() == 2


@pytest.mark.parametrize(
    "agent", ["", "python-requests/2.32", "Mozilla/5.0 (compatible; Barracuda Sentinel)"]
)
def test_a_click_by_an_http_library_or_a_named_scanner_is_a_machines(sent, agent):
    delivery, links, _pixel = sent
    Client(headers={"user-agent": agent}).get(links[0])
    assert Delivery.objects.get(pk=delivery.pk).clicked_at is None
    assert DeliveryClick.objects.get().machine


def test_a_head_request_is_a_machines(sent):
    delivery, links, _pixel = sent
    Client(headers={"user-agent": BROWSER}).head(links[0])
    assert Delivery.objects.get(pk=delivery.pk).clicked_at is None
