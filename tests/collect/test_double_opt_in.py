"""K7: with double opt-in a sign-up is pending until the link of its e-mail is used."""

import re

import pytest
from django.test import Client

from comptoir.collect import tokens
from comptoir.collect.models import Signup
from comptoir.consent.models import ConsentEvent
from comptoir.consent.selectors import marketing_recipients
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from comptoir.mail.models import Delivery
from comptoir.mail.services import delivery_create, delivery_send
from tests.collect.helpers import UA, page_path, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(workspace, django_capture_on_commit_callbacks):
    path = page_path(workspace, double_opt_in=True, discount_offer="−10 %", coupon_code="BIENVENUE")
    with django_capture_on_commit_callbacks():
        response = submit(path, {})
    assert response.status_code == 200
    return response, scoped(Contact, workspace).get()


def confirmation_link(contact, mailoutbox) -> str:
    delivery = Delivery.objects.get(contact=contact)
    assert delivery.kind == "transactional"
    delivery_send(delivery_id=delivery.pk)
    (message,) = mailoutbox
    # The body's links go through the click tracker, which redirects to the link itself.
    found = re.search(r"/c/([^/\s)]+)/", delivery.body_markdown)
    return found.group(0)


def test_a_sign_up_is_pending_and_receives_a_confirmation_email(pending, mailoutbox):
    response, contact = pending

    assert contact.consent == "pending"
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.status, event.source, event.user_agent) == ("pending", "signup_page", UA)
    assert "BIENVENUE" not in response.content.decode()  # the coupon waits for the link
    assert "confirm" in response.content.decode()
    link = confirmation_link(contact, mailoutbox)
    assert link.startswith("/c/")
    assert mailoutbox[0].to[0].endswith("<zoe@example.com>")
    assert "Confirm" in mailoutbox[0].subject


def test_a_pending_contact_receives_no_marketing(pending, workspace):
    _response, contact = pending

    assert not marketing_recipients(workspace).filter(pk=contact.pk).exists()
    delivery = delivery_create(
        contact=contact, kind="marketing", subject="Promo", body_markdown="Du fromage"
    )
    assert delivery_send(delivery_id=delivery.pk).status == "skipped"


def test_the_link_confirms_once_and_a_second_click_changes_nothing(pending, workspace, mailoutbox):
    _response, contact = pending
    link = confirmation_link(contact, mailoutbox)
    client = Client(HTTP_USER_AGENT="Phone/2.0", REMOTE_ADDR="192.0.2.44")

    shown = client.get(link)
    assert shown.status_code == 200
    contact.refresh_from_db()
    assert contact.consent == "pending"  # opening the link (a mail scanner) changes nothing

    first = client.post(link)
    assert first.status_code == 200
    assert "BIENVENUE" in first.content.decode()
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
    assert marketing_recipients(workspace).filter(pk=contact.pk).exists()
    confirmed = ConsentEvent.objects.filter(contact=contact).last()
    assert (confirmed.source, confirmed.ip, confirmed.user_agent) == (
        "double_opt_in",
        "192.0.2.44",
        "Phone/2.0",
    )
    assert "Chez Zoé" in confirmed.wording  # the wording the person agreed to, kept

    ledger = list(ConsentEvent.objects.values_list("pk", flat=True))
    second = client.post(link)
    assert second.status_code == 200
    assert list(ConsentEvent.objects.values_list("pk", flat=True)) == ledger
    assert scoped(Signup, workspace).get().status == "subscribed"


def test_an_expired_link_says_so_and_changes_nothing(pending, mailoutbox, monkeypatch):
    _response, contact = pending
    link = confirmation_link(contact, mailoutbox)
    monkeypatch.setattr(tokens, "CONFIRMATION_MAX_AGE", -1)

    response = Client().post(link, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    contact.refresh_from_db()
    assert contact.consent == "pending"


def test_a_forged_link_is_a_404(pending, mailoutbox):
    _response, contact = pending
    link = confirmation_link(contact, mailoutbox)

    assert Client().post(link[:-3] + "xx/").status_code == 404
    contact.refresh_from_db()
    assert contact.consent == "pending"


def test_signing_up_again_while_pending_adds_no_ledger_entry(pending, workspace):
    _response, contact = pending
    submit(page_path(workspace), {})

    assert ConsentEvent.objects.filter(contact=contact).count() == 1
    assert Delivery.objects.filter(contact=contact).count() == 2  # a fresh link


def test_the_confirmation_email_speaks_the_visitors_language(workspace, mailoutbox):
    submit(page_path(workspace, double_opt_in=True), {}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr")
    contact = scoped(Contact, workspace).get()

    assert contact.language == "fr"
    delivery = Delivery.objects.get(contact=contact)
    assert delivery.subject == "Confirmez votre inscription à Chez Zoé"
    assert "Confirmer mon inscription" in delivery.body_markdown
