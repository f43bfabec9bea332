"""The automations page: settings, activation, figures and chart, preview, test send,
deactivation with the count of what it cancels."""

import datetime as dt

import pytest

from comptoir.automations.models import Automation, ScheduledSend
from comptoir.core.roles import Role
from tests.automations.helpers import cart, product, reminders_on, soon, work_at
from tests.campaigns.helpers import business, subscriber
from tests.conftest import login
from tests.html import unlabelled_fields
from tests.web.directory_helpers import ENGLISH, FRENCH, text

pytestmark = pytest.mark.django_db(transaction=True)


def page_url(workspace, path=""):
    return f"/w/{workspace.slug}/automations/{path}"


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    shop = business(workspace)
    product(shop)
    return shop


def test_the_page_shows_both_automations_with_labelled_fields_in_french(shop, owner):
    response = login(owner).get(page_url(shop), headers=FRENCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert unlabelled_fields(page) == []
    words = text(page)
    assert "Relance de panier abandonné" in words and "E-mail de bienvenue" in words
    assert "Inactive" in words and "Enregistrer et activer" in words
    assert 'role="img"' in page  # the chart, with its title for screen readers
    # Help texts too, including the one built from two sentences.
    assert "suivent ce texte" in words and "follow this text" not in words


def test_activating_from_the_page_then_deactivating_with_the_count(shop, owner, smtp_server):
    client = login(owner)
    form = {
        "delay_minutes": "30",
        "reminder_after_minutes": "1440",
        "subject": "",
        "body_markdown": "",
        "action": "activate",
    }
    response = client.post(page_url(shop, "abandoned-cart/"), form, headers=ENGLISH)
    assert response.status_code == 302
    automation = Automation.objects.get(kind="abandoned_cart")
    assert (automation.enabled, automation.delay_minutes) == (True, 30)

    subscriber(shop, "zoe@example.com")
    cart(shop, updated_at=soon())
    page = text(
        client.get(page_url(shop, "abandoned-cart/deactivate/"), headers=ENGLISH).content.decode()
    )
    assert "1 e-mail waiting to be sent will be canceled." in page

    response = client.post(page_url(shop, "abandoned-cart/deactivate/"), {"confirm": "yes"})
    assert response.status_code == 302
    assert ScheduledSend.objects.get().status == "canceled"
    assert Automation.objects.get(kind="abandoned_cart").enabled is False


def test_a_bad_delay_is_shown_on_its_field_and_changes_nothing(shop, owner):
    reminders_on(shop, delay_minutes=45)
    form = {"delay_minutes": "0", "reminder_after_minutes": "60", "action": "save"}

    response = login(owner).post(page_url(shop, "abandoned-cart/"), form, headers=ENGLISH)

    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert Automation.objects.get(kind="abandoned_cart").delay_minutes == 45


def test_the_preview_shows_the_latest_real_cart(shop, owner):
    reminders_on(shop)
    subscriber(shop, "zoe@example.com", language="en")
    cart(shop, updated_at=soon())

    response = login(owner).get(page_url(shop, "abandoned-cart/preview/"), headers=ENGLISH)

    assert response.status_code == 200
    page = response.content.decode()
    assert "zoe@example.com" in page and "Comté 24 mois" in page
    assert "You left something in your cart" in page


def test_a_test_send_reaches_the_staff_member_marked_as_a_test(shop, owner, smtp_server):
    subscriber(shop, "zoe@example.com", language="en")
    cart(shop, updated_at=soon())

    response = login(owner).post(page_url(shop, "abandoned-cart/test/"))
    work_at(soon())

    assert response.status_code == 302
    (received,) = smtp_server.received
    assert received.recipients == [owner.email]
    assert received.message["Subject"].startswith("[Test]")


def test_the_figures_count_what_was_sent(shop, owner, smtp_server):
    reminders_on(shop, delay_minutes=30)
    subscriber(shop, "zoe@example.com")
    updated = soon()
    cart(shop, updated_at=updated)
    work_at(updated + dt.timedelta(minutes=30))

    page = login(owner).get(page_url(shop), headers=ENGLISH).content.decode()

    assert "1 sent and 0 opened in all" in text(page)


def test_a_viewer_sees_the_figures_but_no_form(shop, staff):
    client = login(staff[Role.VIEWER])
    page = client.get(page_url(shop), headers=ENGLISH).content.decode()
    assert "Save and activate" not in page
    form = {"delay_minutes": "30", "reminder_after_minutes": "60", "action": "activate"}
    assert client.post(page_url(shop, "abandoned-cart/"), form).status_code == 403
    assert not Automation.objects.filter(enabled=True).exists()
