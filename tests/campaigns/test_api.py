"""The campaign endpoints of the contract, driven as an integration would."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.mail.models import Delivery
from tests.campaigns.helpers import BODY, business, group, subscriber, work
from tests.conftest import api_client_for
from tests.contacts.helpers import make_contact
from tests.mailserver import BROWSER

pytestmark = pytest.mark.django_db(transaction=True)

STATS = {
    "recipients",
    "sent",
    "failed",
    "bounced",
    "opened",
    "clicked",
    "unsubscribed",
    "coupon_orders",
    "coupon_revenue",
}


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    return business(workspace)


def create(api, segment, **extra):
    return api.post(
        "/api/v1/campaigns",
        {
            "name": "Soldes",
            "subject": 'Les soldes, {{ first_name|default:"ami" }}',
            "body_markdown": BODY,
            "segment_ids": [segment.pk],
            **extra,
        },
    )


def test_create_send_and_read_the_figures_of_the_contract(shop, api, smtp_server):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    response = create(api, group(shop, [zoe]), coupon_code="SOLDES10")
    assert response.status_code == 201, response.content
    campaign = response.json()
    assert campaign["status"] == "draft"
    assert set(campaign["stats"]) >= STATS

    assert api.post(f"/api/v1/campaigns/{campaign['id']}/send").json()["status"] == "scheduled"
    work()
    body = api.get(f"/api/v1/campaigns/{campaign['id']}").json()
    assert body["status"] == "sent"
    assert body["stats"]["recipients"] == body["stats"]["sent"] == 1
    assert body["stats"]["coupon_revenue"] == "0.00"


def test_a_click_shows_in_the_per_link_figures_and_a_coupon_order_in_the_revenue(
    shop, api, smtp_server
):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    campaign = create(api, group(shop, [zoe]), coupon_code="SOLDES10").json()
    api.post(f"/api/v1/campaigns/{campaign['id']}/send")
    work()

    html = smtp_server.received[0].message.get_body(preferencelist=("html",)).get_content()
    tracked = re.search(r'href="https://comptoir\.example(/t/c/[^"]+)"', html)[1]
    assert Client(headers={"user-agent": BROWSER}).get(tracked).status_code == 302
    order = {
        "email": "zoe@example.com",
        "status": "completed",
        "placed_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
        "currency": "EUR",
        "subtotal": "40.00",
        "shipping": "0.00",
        "tax": "0.00",
        "discount": "4.00",
        "total": "36.00",
        "coupon_code": "soldes10",
        "items": [{"name": "Comté", "quantity": 1, "price": "40.00"}],
    }
    assert api.put("/api/v1/orders/A-1", order).status_code in (200, 201)

    results = api.get(f"/api/v1/campaigns/{campaign['id']}/results").json()
    assert results["stats"]["clicked"] == 1 and results["stats"]["opened"] == 1
    assert results["links"] == [
        {"url": "https://shop.example/comte", "unique": 1, "total": 1, "scanners": 0}
    ]
    assert (results["stats"]["coupon_orders"], results["stats"]["coupon_revenue"]) == (1, "36.00")
    assert sum(hour["clicks"] for hour in results["hourly"]) == 1


def test_a_test_send_reaches_staff_marked_test_and_is_never_counted(shop, api, smtp_server):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    campaign = create(api, group(shop, [zoe])).json()
    response = api.post(
        f"/api/v1/campaigns/{campaign['id']}/test", {"emails": ["boss@epicerie.example"]}
    )
    assert response.status_code == 202, response.content
    work()

    (received,) = smtp_server.received
    assert received.recipients == ["boss@epicerie.example"]
    # Rendered for a real person of the audience, so the merchant sees what Zoé will see.
    assert received.message["Subject"] == "[Test] Les soldes, Zoé"
    assert "X-Comptoir-Delivery" not in received.message
    assert not Delivery.objects.exists()
    body = api.get(f"/api/v1/campaigns/{campaign['id']}").json()
    assert body["status"] == "draft" and body["stats"]["sent"] == 0


def test_bad_input_is_refused_with_a_code_and_changes_nothing(shop, api, other_workspace):
    zoe = subscriber(shop, "zoe@example.com")
    segment = group(shop, [zoe])
    theirs = group(other_workspace, [make_contact(other_workspace, "x@example.com")], name="X")
    assert create(api, theirs).json()["code"] == "unknown_segment"
    refused = create(api, segment, body_markdown="Salut {{ prenom }}")
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_template")
    assert api.get("/api/v1/campaigns").json()["items"] == []

    campaign = create(api, segment).json()
    past = api.post(
        f"/api/v1/campaigns/{campaign['id']}/schedule",
        {"send_at": (timezone.now() - dt.timedelta(days=1)).isoformat()},
    )
    assert (past.status_code, past.json()["code"]) == (422, "send_at_in_past")
    bad = api.post(f"/api/v1/campaigns/{campaign['id']}/test", {"emails": ["not an address"]})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_email")
    assert api.get(f"/api/v1/campaigns/{campaign['id']}").json()["status"] == "draft"

    other = api_client_for(other_workspace)
    assert other.get(f"/api/v1/campaigns/{campaign['id']}").status_code == 404
    assert other.post(f"/api/v1/campaigns/{campaign['id']}/send").status_code == 404


def test_the_audience_says_who_is_left_out_and_why(shop, api):
    zoe = subscriber(shop, "zoe@example.com")
    never = make_contact(shop, "never@example.com")
    phone_only = make_contact(shop, None, phone="+33612345678")
    campaign = create(api, group(shop, [zoe, never, phone_only])).json()
    audience = api.get(f"/api/v1/campaigns/{campaign['id']}/audience").json()
    assert audience == {
        "recipients": 1,
        "total": 3,
        "unsubscribed": 0,
        "never_subscribed": 1,
        "pending": 0,
        "suppressed": 0,
        "no_email": 1,
    }


def test_schedule_then_cancel_and_duplicate(shop, api, smtp_server):
    zoe = subscriber(shop, "zoe@example.com")
    campaign = create(api, group(shop, [zoe])).json()
    send_at = timezone.now() + dt.timedelta(days=1)
    scheduled = api.post(
        f"/api/v1/campaigns/{campaign['id']}/schedule", {"send_at": send_at.isoformat()}
    ).json()
    assert scheduled["status"] == "scheduled"
    assert dt.datetime.fromisoformat(scheduled["send_at"]) == send_at.replace(microsecond=0) or (
        abs(dt.datetime.fromisoformat(scheduled["send_at"]) - send_at) < dt.timedelta(seconds=1)
    )
    assert api.post(f"/api/v1/campaigns/{campaign['id']}/cancel").json()["status"] == "canceled"
    again = api.post(f"/api/v1/campaigns/{campaign['id']}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "campaign_finished")
    copy = api.post(f"/api/v1/campaigns/{campaign['id']}/duplicate")
    assert copy.status_code == 201
    assert copy.json()["status"] == "draft" and copy.json()["body_markdown"] == BODY
