"""A1–A5: abandoned-cart reminders, read back from a real SMTP server (aiosmtpd)."""

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.automations.models import ScheduledSend
from comptoir.automations.selectors import automation_stats
from comptoir.consent.services import consent_withdraw
from comptoir.mail.models import Delivery
from comptoir.mail.services import delivery_opened
from tests.automations.helpers import (
    RECOVERY,
    cart,
    order,
    product,
    reminders_on,
    soon,
    work_at,
)
from tests.campaigns.helpers import business, subscriber
from tests.mailserver import BROWSER

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "https://comptoir.example"


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = BASE
    shop = business(workspace)
    product(shop, "p-1", name="Comté 24 mois", price="20.00")
    product(shop, "p-2", name="Bleu de Gex", price="9.50")
    return shop


@pytest.fixture
def zoe(shop):
    return subscriber(shop, "zoe@example.com", first_name="Zoé", language="en")


def html_of(received) -> str:
    return received.message.get_body(preferencelist=("html",)).get_content()


def plain_of(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content()


def test_a_cart_abandoned_after_activation_is_reminded_once_after_the_delay(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated)

    work_at(updated + dt.timedelta(minutes=59))
    assert smtp_server.received == []  # not before the delay
    work_at(updated + dt.timedelta(minutes=60))
    work_at(updated + dt.timedelta(minutes=200))  # and never twice

    (received,) = smtp_server.received
    assert received.recipients == ["zoe@example.com"]
    html, plain = html_of(received), plain_of(received)
    assert "Zoé" in html
    assert "Comté 24 mois" in html and "2 ×" in html
    assert 'src="https://shop.example/img/p-1.jpg"' in html
    assert "12 rue des Martyrs" in html and "Chez Zoé" in html  # the business in the footer
    assert "changed since your visit" not in html
    assert "Comté 24 mois" in plain
    # The button back to the cart is a tracked link that leads to the recovery URL.
    tracked = [unescape(h) for h in re.findall(r'href="([^"]+)"', html) if "/t/c/" in h]
    assert RECOVERY not in html
    response = Client(headers={"user-agent": BROWSER}).get(tracked[0].removeprefix(BASE))
    assert (response.status_code, response["Location"]) == (302, RECOVERY)
    delivery = Delivery.objects.get(pk=received.message["X-Comptoir-Delivery"])
    assert delivery.mailing.origin == "abandoned_cart"
    assert delivery.clicked_at is not None
    send = ScheduledSend.objects.get()
    assert (send.status, send.delivery_id, delivery.context["cart"]) == (
        "sent",
        delivery.pk,
        send.cart_id,
    )


def test_a_later_update_of_the_cart_moves_the_reminder(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    first = soon()
    cart(shop, updated_at=first)
    later = first + dt.timedelta(minutes=45)
    cart(shop, updated_at=later, items=[{"product_id": "p-2", "quantity": 1, "price": "9.50"}])

    work_at(first + dt.timedelta(minutes=61))
    assert smtp_server.received == []
    work_at(later + dt.timedelta(minutes=60))

    (received,) = smtp_server.received
    assert "Bleu de Gex" in html_of(received) and "Comté" not in html_of(received)
    assert ScheduledSend.objects.count() == 1


def test_an_order_from_the_same_address_cancels_the_reminder(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated)
    order(shop, placed_at=updated + dt.timedelta(minutes=10))

    work_at(updated + dt.timedelta(minutes=120))

    assert smtp_server.received == []
    assert ScheduledSend.objects.get().status == "canceled"


def test_a_cart_the_store_completed_is_never_reminded(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated)
    cart(shop, updated_at=updated + dt.timedelta(minutes=5), completed_at=updated.isoformat())

    work_at(updated + dt.timedelta(minutes=120))

    assert smtp_server.received == []
    assert ScheduledSend.objects.get().status == "canceled"


def test_deactivating_cancels_every_waiting_reminder(shop, zoe, smtp_server):
    leo = subscriber(shop, "leo@example.com", language="en")
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, "c-1", updated_at=updated)
    cart(shop, "c-2", updated_at=updated, email=leo.email)

    reminders_on(shop, enabled=False)
    work_at(updated + dt.timedelta(minutes=120))

    assert smtp_server.received == []
    assert set(ScheduledSend.objects.values_list("status", flat=True)) == {"canceled"}


def test_a_cart_abandoned_before_activation_never_triggers_anything(shop, zoe, smtp_server):
    before = soon(-30)
    cart(shop, updated_at=before)
    reminders_on(shop, delay_minutes=60)
    cart(shop, "c-2", updated_at=before - dt.timedelta(minutes=5), email="zoe@example.com")

    work_at(before + dt.timedelta(days=2))

    assert smtp_server.received == []
    assert not ScheduledSend.objects.exists()


def test_a_contact_who_unsubscribes_after_scheduling_gets_nothing(shop, zoe, smtp_server):
    prospect_cart_owner = "anna@example.com"  # never subscribed: nothing either
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated)
    cart(shop, "c-2", updated_at=updated, email=prospect_cart_owner)
    consent_withdraw(contact=zoe, source="unsubscribe_link")

    work_at(updated + dt.timedelta(minutes=61))

    assert smtp_server.received == []
    assert set(ScheduledSend.objects.values_list("status", flat=True)) == {"skipped"}


def test_an_unavailable_item_is_left_out_and_the_notice_shows(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    items = [
        {"product_id": "p-1", "quantity": 2, "price": "20.00"},
        {"product_id": "p-2", "quantity": 1, "price": "9.50"},
    ]
    cart(shop, updated_at=updated, items=items)
    product(shop, "p-2", name="Bleu de Gex", price="9.50", available=False)

    work_at(updated + dt.timedelta(minutes=60))

    html = html_of(smtp_server.received[0])
    assert "Comté 24 mois" in html and "Bleu de Gex" not in html
    assert "Your cart has changed since your visit." in html


def test_a_changed_price_shows_the_catalogue_price_and_the_notice(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated)
    product(shop, "p-1", name="Comté 24 mois", price="22.00")

    work_at(updated + dt.timedelta(minutes=60))

    html = html_of(smtp_server.received[0])
    assert "Your cart has changed since your visit." in html
    assert "€22.00" in html and "(was €20.00)" in html
    assert "€44.00" in html  # the total at today's price


def test_a_cart_with_nothing_left_is_not_sent(shop, zoe, smtp_server):
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated)
    product(shop, "p-1", name="Comté 24 mois", price="20.00", available=False)

    work_at(updated + dt.timedelta(minutes=60))

    assert smtp_server.received == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.error) == ("skipped", "nothing left to send")


def test_the_second_reminder_goes_only_to_who_did_not_open_the_first(shop, zoe, smtp_server):
    leo = subscriber(shop, "leo@example.com", language="en")
    reminders_on(shop, delay_minutes=60, reminder_enabled=True, reminder_after_minutes=1440)
    updated = soon()
    cart(shop, "c-1", updated_at=updated)
    cart(shop, "c-2", updated_at=updated, email=leo.email)
    first_at = updated + dt.timedelta(minutes=60)
    work_at(first_at)
    assert sorted(r.recipients[0] for r in smtp_server.received) == [leo.email, zoe.email]
    leos_first = Delivery.objects.get(contact=leo)
    delivery_opened(delivery_id=leos_first.pk)

    work_at(first_at + dt.timedelta(minutes=1439))
    assert len(smtp_server.received) == 2  # not yet
    work_at(first_at + dt.timedelta(minutes=1440))

    assert len(smtp_server.received) == 3
    last = smtp_server.received[-1]
    assert last.recipients == [zoe.email]
    assert last.message["Subject"] == "Your cart is still waiting for you"
    second_for_leo = ScheduledSend.objects.get(contact=leo, kind="second_reminder")
    assert (second_for_leo.status, second_for_leo.reason) == ("skipped", "first reminder opened")


def test_the_reminder_reads_in_the_contacts_language(shop, smtp_server):
    subscriber(shop, "ines@example.com", first_name="Inès", language="fr")
    reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, updated_at=updated, email="ines@example.com")
    product(shop, "p-1", name="Comté 24 mois", price="22.00")

    work_at(updated + dt.timedelta(minutes=60))

    (received,) = smtp_server.received
    html = html_of(received)
    assert received.message["Subject"] == "Vous avez oublié quelque chose dans votre panier"
    assert "Bonjour Inès" in html and "Votre panier a changé depuis votre visite." in html
    assert re.search("22,00(\u00a0|&nbsp;)€", html) and "Retourner à mon panier" in html


def test_an_order_within_seven_days_of_the_reminder_counts_as_recovered(shop, zoe, smtp_server):
    leo = subscriber(shop, "leo@example.com", language="en")
    automation = reminders_on(shop, delay_minutes=60)
    updated = soon()
    cart(shop, "c-1", updated_at=updated)
    cart(shop, "c-2", updated_at=updated, email=leo.email)
    cart(shop, "c-3", updated_at=updated + dt.timedelta(days=1), email="anna@example.com")
    work_at(updated + dt.timedelta(minutes=60))
    assert len(smtp_server.received) == 2

    # Zoé comes back two days later; Léo only after a fortnight: not the reminder's doing.
    order(shop, "o-1", placed_at=timezone.now() + dt.timedelta(days=2), total="40.00")
    order(shop, "o-2", placed_at=timezone.now() + dt.timedelta(days=14), email=leo.email)

    stats = automation_stats(automation=automation)
    assert (stats["sent"], stats["recovered"], stats["recovered_revenue"]) == (
        2,
        1,
        Decimal("40.00"),
    )
    assert stats["waiting"] == 1  # Anna's cart, changed a day later, is not due yet
