"""K6: a hard bounce or a spam complaint reported by the e-mail service stops all marketing."""

import base64
import json

import pytest
from django.test import Client

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import consent_subscribe
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
        "Metadata": {"comptoir_delivery": str(delivery.pk)},
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
