"""A6: the welcome e-mail, once per contact, with its coupon, only with consent; T2."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from comptoir.automations.models import Automation, ScheduledSend
from comptoir.automations.selectors import automation_stats
from comptoir.automations.services import welcome_on_signup
from tests.automations.helpers import order, product, welcome_on, work_at
from tests.campaigns.helpers import business, subscriber
from tests.contacts.helpers import make_contact

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    shop = business(workspace)
    product(shop)
    return shop


def now_plus(minutes: int = 1) -> dt.datetime:
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_sign_up_is_welcomed_once_with_the_coupon(shop, smtp_server):
    welcome_on(shop, trigger="signup", coupon_code="BIENVENUE10")
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé", language="en")

    welcome_on_signup(contact=zoe)
    welcome_on_signup(contact=zoe)  # the form sent twice
    work_at(now_plus())
    welcome_on_signup(contact=zoe)  # and again, after it went
    work_at(now_plus(5))

    (received,) = smtp_server.received
    assert received.recipients == ["zoe@example.com"]
    assert received.message["Subject"] == "Welcome to Chez Zoé!"
    html = received.message.get_body(preferencelist=("html",)).get_content()
    assert "Hello Zoé" in html and "BIENVENUE10" in html
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ScheduledSend.objects.get().status == "sent"


def test_an_order_with_the_welcome_coupon_counts_in_its_revenue(shop, smtp_server):
    automation = welcome_on(shop, trigger="signup", coupon_code="BIENVENUE10")
    zoe = subscriber(shop, "zoe@example.com")
    welcome_on_signup(contact=zoe)
    work_at(now_plus())

    order(shop, "o-1", placed_at=now_plus(60), coupon_code="bienvenue10", total="35.00")
    # Someone the e-mail never reached, with the code: still the automation's coupon.
    order(
        shop,
        "o-2",
        placed_at=now_plus(90),
        email="friend@example.com",
        coupon_code="BIENVENUE10",
        total="20.00",
    )

    stats = automation_stats(automation=Automation.objects.get(pk=automation.pk))
    assert (stats["sent"], stats["recovered"]) == (1, 2)
    assert stats["recovered_revenue"] == Decimal("55.00")


def test_nobody_without_consent_is_welcomed(shop, smtp_server):
    welcome_on(shop, trigger="signup")
    prospect = make_contact(shop, "prospect@example.com")

    assert welcome_on_signup(contact=prospect) is None
    work_at(now_plus())

    assert smtp_server.received == []


def test_the_first_order_is_welcomed_and_a_second_is_not(shop, smtp_server):
    welcome_on(shop, trigger="first_order")
    subscriber(shop, "zoe@example.com")
    order(shop, "o-1", placed_at=now_plus(1))
    order(shop, "o-2", placed_at=now_plus(30))
    work_at(now_plus(31))

    assert [r.recipients for r in smtp_server.received] == [["zoe@example.com"]]


def test_a_first_order_from_before_the_activation_welcomes_nobody(shop, smtp_server):
    subscriber(shop, "zoe@example.com")
    welcome_on(shop, trigger="first_order")
    order(shop, "o-1", placed_at=now_plus(-60))  # the store re-sends an old order
    work_at(now_plus())

    assert smtp_server.received == []


def test_a_sign_up_is_not_welcomed_when_only_first_orders_are(shop, smtp_server):
    welcome_on(shop, trigger="first_order")
    zoe = subscriber(shop, "zoe@example.com")

    assert welcome_on_signup(contact=zoe) is None


def test_an_inactive_welcome_sends_nothing(shop, smtp_server):
    welcome_on(shop, trigger="both", enabled=False)
    zoe = subscriber(shop, "zoe@example.com")
    welcome_on_signup(contact=zoe)
    order(shop, "o-1", placed_at=now_plus(-60))
    work_at(now_plus())

    assert smtp_server.received == []
