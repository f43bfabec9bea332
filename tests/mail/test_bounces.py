"""K6: a hard bounce or a spam complaint reported by the e-mail service stops all marketing."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import consent_subscribe
from comptoir.mail.bounces import esp_reference
from comptoir.mail.models import Delivery
from tests.contacts.helpers import make_contact

URL = "/webhooks/esp/postmark/tracking/"


@pytest.fixture
def delivered(workspace, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret-hook"}
    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    delivery = Delivery.objects.create(
        workspace=workspace, contact=contact, kind="marketing", subject="x", body_markdown="y"
    )
    return contact, delivery


def postmark(record: dict, credentials: str = "postmark:s3cret-hook"):
    auth = base64.b64encode(credentials.encode()).decode()
    return Client().post(
        URL, json.dumps(record), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {auth}"
    )


def bounce(delivery, record_type="Bounce", kind="HardBounce", email="zoe@example.com"):
    return {
        "RecordType": record_type,
        "Type": kind,
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": email,
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
        "BouncedAt": "2026-11-20T16:09:19Z",
        "Metadata": {"comptoir_delivery": esp_reference(delivery.pk)},
    }


def test_a_hard_bounce_suppresses_and_unsubscribes(delivered):
    contact, delivery = delivered
    assert postmark(bounce(delivery)).status_code == 200
    entry = Suppression.objects.get(workspace=contact.workspace)
    assert (entry.reason, entry.email) == ("bounce", "zoe@example.com")
    contact.refresh_from_db()
    assert contact.consent == "unsubscribed"
    assert ConsentEvent.objects.filter(contact=contact).last().source == "bounce"


def test_a_spam_complaint_suppresses(delivered):
    contact, delivery = delivered
    record = bounce(delivery, record_type="SpamComplaint", kind="SpamComplaint")
    assert postmark(record).status_code == 200
    assert Suppression.objects.get(workspace=contact.workspace).reason == "complaint"


def test_a_temporary_failure_changes_nothing(delivered):
    contact, delivery = delivered
    postmark(bounce(delivery, kind="Transient"))  # anymail: deferred, not bounced
    assert not Suppression.objects.exists()
    contact.refresh_from_db()
    assert contact.consent == "subscribed"


def test_a_webhook_without_the_secret_is_refused_and_changes_nothing(delivered):
    contact, delivery = delivered
    response = postmark(bounce(delivery), credentials="postmark:guess")
    assert response.status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def test_an_event_without_our_delivery_id_suppresses_nothing(delivered):
    _contact, delivery = delivered
    record = bounce(delivery)
    record["Metadata"] = {}
    assert postmark(record).status_code == 200
    assert not Suppression.objects.exists()


def test_with_no_secret_configured_a_forged_bounce_is_refused_and_changes_nothing(
    delivered, settings
):
    """Issue 10: with COMPTOIR_ESP_WEBHOOK_SECRET unset anyone could post a "bounce"."""
    contact, delivery = delivered
    settings.ANYMAIL = {"WEBHOOK_SECRET": None}
    response = Client().post(URL, json.dumps(bounce(delivery)), content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_configured"
    assert not Suppression.objects.exists()
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
    assert not ConsentEvent.objects.filter(contact=contact, source="bounce").exists()


def test_a_sequential_delivery_id_is_not_a_reference(delivered):
    contact, delivery = delivered
    record = bounce(delivery)
    record["Metadata"] = {"comptoir_delivery": str(delivery.pk)}
    assert postmark(record).status_code == 200
    assert not Suppression.objects.exists()
    contact.refresh_from_db()
    assert contact.consent == "subscribed"


def test_an_event_for_another_address_than_the_deliverys_changes_nothing(delivered):
    contact, delivery = delivered
    make_contact(contact.workspace, "victim@example.com")
    assert postmark(bounce(delivery, email="victim@example.com")).status_code == 200
    assert not Suppression.objects.exists()


def test_messages_carry_a_signed_reference_for_the_e_mail_service(delivered):
    from comptoir.mail.bounces import read_esp_reference

    _contact, delivery = delivered
    assert read_esp_reference(esp_reference(delivery.pk)) == delivery.pk
    assert read_esp_reference(str(delivery.pk)) is None
    assert read_esp_reference(esp_reference(delivery.pk) + "x") is None


@pytest.mark.parametrize("esp", ["mailgun", "mandrill", "amazon_ses", "unknown-service"])
def test_an_unconfigured_service_answers_a_4xx_not_a_500(esp, db, settings):
    """Mailgun and Mandrill need their signing keys, SES a valid SNS message."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:pass"}
    auth = base64.b64encode(b"user:pass").decode()
    response = Client().post(
        f"/webhooks/esp/{esp}/tracking/",
        json.dumps({"event-data": {}}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )
    assert 400 <= response.status_code < 500
    assert not Suppression.objects.exists()


def mailgun_event(delivery, key: bytes, *, signature: str | None = None) -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    digest = hmac.new(key, (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature or digest},
        "event-data": {
            "event": "failed",
            "severity": "permanent",
            "recipient": "zoe@example.com",
            "timestamp": float(timestamp),
            "id": "evt-1",
            "user-variables": {"comptoir_delivery": esp_reference(delivery.pk)},
            "delivery-status": {"code": 550, "message": "No such user", "description": ""},
            "message": {"headers": {"message-id": "m1@example.com"}},
        },
    }


def test_mailgun_events_need_mailguns_own_signature(delivered, settings):
    contact, delivery = delivered
    key = b"mailgun-signing-key"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:pass", "MAILGUN_WEBHOOK_SIGNING_KEY": key.decode()}
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"user:pass").decode()}
    url = "/webhooks/esp/mailgun/tracking/"

    forged = mailgun_event(delivery, key, signature="0" * 64)
    refused = Client().post(url, json.dumps(forged), content_type="application/json", **auth)
    assert refused.status_code == 401
    assert not Suppression.objects.exists()

    genuine = mailgun_event(delivery, key)
    accepted = Client().post(url, json.dumps(genuine), content_type="application/json", **auth)
    assert accepted.status_code == 200
    assert Suppression.objects.get(workspace=contact.workspace).reason == "bounce"
