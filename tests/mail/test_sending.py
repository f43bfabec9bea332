"""What a contact receives, read back from a real SMTP server with Python's email package."""

import re

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from comptoir.consent.services import consent_subscribe, consent_withdraw
from comptoir.contacts.models import ContactEvent
from comptoir.core.services import ServiceError, workspace_update
from comptoir.mail.models import Delivery, OutboxMessage
from comptoir.mail.services import contact_email_send, delivery_create, delivery_send
from tests.contacts.helpers import make_contact

BODY = """Bonjour {{ first_name | cher client }},

Le **comté 24 mois** est arrivé. [Voir la boutique](https://shop.example/comte)

<script>alert("x")</script>
"""


@pytest.fixture
def business(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    return workspace_update(
        workspace=workspace,
        postal_address="12 rue des Martyrs\n75009 Paris",
        contact_email="bonjour@epicerie.example",
        sender_email="news@epicerie.example",
        sender_name="L'Épicerie",
    )


@pytest.fixture
def subscriber(business):
    contact = make_contact(business, "zoe@example.com", first_name="Zoé")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    return contact


def send(contact, kind=Delivery.Kind.MARKETING, body=BODY, subject="Du nouveau, {{ first_name }}"):
    delivery = delivery_create(contact=contact, kind=kind, subject=subject, body_markdown=body)
    return delivery_send(delivery_id=delivery.pk)


def parts(message):
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


def test_a_marketing_email_has_both_parts_footer_and_the_unsubscribe_headers(
    subscriber, smtp_server
):
    delivery = send(subscriber)
    assert delivery.status == "sent"
    (received,) = smtp_server.received
    assert received.recipients == ["zoe@example.com"]
    message = received.message
    assert message["Subject"] == "Du nouveau, Zoé"
    assert message["From"] == "L'Épicerie <news@epicerie.example>"
    assert re.fullmatch(r"<[^@>]+@epicerie\.example>", message["Message-ID"])
    assert message["X-Comptoir-Delivery"] == str(delivery.pk)
    unsubscribe = message["List-Unsubscribe"].strip()  # long headers are folded
    assert re.fullmatch(r"<https://comptoir\.example/u/[^>]+/>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    plain, html = parts(message)
    for part in (plain, html):
        assert "Bonjour Zoé" in part
        assert "12 rue des Martyrs" in part and "75009 Paris" in part
        assert "unsubscribe" in part.lower() or "désinscri" in part.lower()
    assert unsubscribe[1:-1] in plain
    assert "<strong>comté 24 mois</strong>" in html
    assert "<script>" not in html  # raw HTML in Markdown is shown as text
    assert 'style="' in html  # CSS inlined for mail clients


def test_the_one_click_url_of_the_header_unsubscribes_without_cookies(subscriber, smtp_server):
    send(subscriber)
    header = smtp_server.received[0].message["List-Unsubscribe"].strip()
    path = header[1:-1].removeprefix("https://comptoir.example")
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.consent == "unsubscribed"


def test_the_fallback_replaces_a_missing_first_name(business, smtp_server):
    contact = make_contact(business, "anon@example.com")
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    send(contact)
    plain, _html = parts(smtp_server.received[0].message)
    assert plain.startswith("Bonjour cher client,")


def test_a_name_with_markup_is_escaped_in_the_html(business, smtp_server):
    contact = make_contact(business, "evil@example.com", first_name='<img src=x onerror="1">')
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    send(contact)
    _plain, html = parts(smtp_server.received[0].message)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_nobody_without_consent_receives_marketing(business, smtp_server):
    contact = make_contact(business, "never@example.com")
    assert send(contact).status == "skipped"
    assert smtp_server.received == []


def test_an_unsubscribe_after_queueing_stops_the_email(subscriber, smtp_server):
    delivery = delivery_create(
        contact=subscriber, kind="marketing", subject="Promo", body_markdown="Hello"
    )
    consent_withdraw(contact=subscriber, source="unsubscribe_link")
    assert delivery_send(delivery_id=delivery.pk).status == "skipped"
    assert smtp_server.received == []


def test_a_delivery_is_sent_at_most_once(subscriber, smtp_server):
    delivery = send(subscriber)
    delivery_send(delivery_id=delivery.pk)
    assert len(smtp_server.received) == 1


def test_a_one_off_email_needs_no_consent_and_is_on_the_timeline(business, owner, smtp_server):
    contact = make_contact(business, "client@example.com", first_name="Hugo")
    delivery = contact_email_send(
        contact=contact, subject="Votre commande", body_markdown="Elle est prête.", actor=owner
    )
    delivery_send(delivery_id=delivery.pk)
    (received,) = smtp_server.received
    message = received.message
    assert message["List-Unsubscribe"] is None
    plain, _html = parts(message)
    assert "Elle est prête." in plain and "12 rue des Martyrs" in plain
    kinds = list(ContactEvent.objects.filter(contact=contact).values_list("kind", flat=True))
    assert {"email_queued", "email_sent"} <= set(kinds)


@pytest.mark.parametrize(
    "subject, body, code",
    [
        ("", "x", "invalid_subject"),
        ("Hi", "   ", "invalid_body"),
        ("x" * 301, "y", "invalid_subject"),
    ],
)
def test_a_bad_message_is_refused_and_nothing_is_queued(business, subject, body, code):
    contact = make_contact(business, "client@example.com")
    with pytest.raises(ServiceError) as refused:
        contact_email_send(contact=contact, subject=subject, body_markdown=body, actor=None)
    assert refused.value.code == code
    assert not Delivery.objects.exists()


def test_the_outbox_keeps_the_raw_message(subscriber, settings):
    settings.EMAIL_BACKEND = "comptoir.mail.backends.OutboxBackend"
    delivery = send(subscriber)
    stored = OutboxMessage.objects.get()
    assert stored.message_id == delivery.message_id
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in bytes(stored.raw)


@pytest.fixture
def dkim_key(settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    (tmp_path / "dkim.pem").write_bytes(pem)
    settings.COMPTOIR_DKIM_DOMAIN = "epicerie.example"
    settings.COMPTOIR_DKIM_SELECTOR = "mail2026"
    settings.COMPTOIR_DKIM_KEY_FILE = str(tmp_path / "dkim.pem")
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        return record if name == b"mail2026._domainkey.epicerie.example." else None

    return dns


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(
    subscriber, smtp_server, dkim_key
):
    send(subscriber)
    raw = smtp_server.received[0].raw
    assert dkim.verify(raw, dnsfunc=dkim_key)
    signature = smtp_server.received[0].message["DKIM-Signature"]
    signed = re.search(r"h=([^;]+)", signature.replace(" ", "")).group(1).lower().split(":")
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= set(signed)
    # A relay swapping the unsubscribe link breaks the signature.
    forged = re.sub(
        rb"List-Unsubscribe:\s*<[^>]+>", b"List-Unsubscribe: <https://evil.example/>", raw
    )
    assert forged != raw
    assert not dkim.verify(forged, dnsfunc=dkim_key)


def test_a_one_off_email_with_an_unknown_tag_is_refused_and_nothing_is_queued(subscriber):
    with pytest.raises(ServiceError) as refused:
        contact_email_send(
            contact=subscriber, subject="Bonjour", body_markdown="Salut {{ prenom }}", actor=None
        )
    assert refused.value.code == "invalid_template"
    assert not Delivery.objects.exists()
