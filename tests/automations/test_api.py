"""The automation endpoints of the contract, driven as an integration would."""

import pytest

from comptoir.automations.models import Automation, ScheduledSend
from tests.automations.helpers import cart, product, soon
from tests.campaigns.helpers import business, subscriber
from tests.conftest import api_client_for, make_workspace

pytestmark = pytest.mark.django_db

CART = "/api/v1/automations/abandoned-cart"
WELCOME = "/api/v1/automations/welcome"
SETTINGS = {
    "enabled": True,
    "delay_minutes": 90,
    "reminder_enabled": True,
    "reminder_after_minutes": 1440,
}


def test_the_cart_reminder_is_set_and_read_back_with_its_figures(api, workspace):
    assert api.get(CART).json()["enabled"] is False  # never set: inactive, with defaults

    response = api.put(CART, {**SETTINGS, "subject": "Votre panier vous attend"})

    assert response.status_code == 200
    body = api.get(CART).json()
    assert {k: body[k] for k in SETTINGS} == SETTINGS
    assert body["subject"] == "Votre panier vous attend"
    assert body["body_markdown"] == ""  # the default text
    assert body["activated_at"] is not None
    assert body["stats"] == {
        "sent": 0,
        "opened": 0,
        "clicked": 0,
        "skipped": 0,
        "recovered": 0,
        "recovered_revenue": "0.00",
        "waiting": 0,
    }


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"delay_minutes": 0}, "invalid_delay"),
        ({"delay_minutes": -5}, "invalid_delay"),
        ({"delay_minutes": 10**9}, "invalid_delay"),
        ({"reminder_after_minutes": 0}, "invalid_reminder_after"),
        ({"subject": "Hello {{ shoe_size }}"}, "invalid_template"),
        ({"delay_minutes": "soon"}, "validation_error"),
        ({"enabled": None}, "validation_error"),
    ],
)
def test_bad_settings_are_refused_with_a_code_and_change_nothing(api, workspace, change, code):
    api.put(CART, {**SETTINGS, "delay_minutes": 45})

    response = api.put(CART, {**SETTINGS, "enabled": False, **change})

    assert response.status_code == 422
    assert response.json()["code"] == code
    automation = Automation.objects.get(workspace=workspace, kind="abandoned_cart")
    assert (automation.enabled, automation.delay_minutes, automation.subject) == (True, 45, "")


def test_a_missing_field_is_refused(api, workspace):
    response = api.put(CART, {"enabled": True})
    assert response.status_code == 422
    assert not Automation.objects.exists()


def test_a_viewer_token_may_read_but_not_change(workspace):
    viewer = api_client_for(workspace, "viewer")
    assert viewer.get(CART).status_code == 200
    assert viewer.put(CART, SETTINGS).status_code == 403
    assert not Automation.objects.exists()


def test_another_workspace_settings_and_reminders_are_its_own(api, workspace):
    other = make_workspace("Ailleurs")
    api_client_for(other).put(CART, SETTINGS)
    assert api.get(CART).json()["enabled"] is False


@pytest.mark.django_db(transaction=True)
def test_deactivating_through_the_api_cancels_what_waits(api, workspace):
    shop = business(workspace)
    product(shop)
    subscriber(shop, "zoe@example.com")
    api.put(CART, SETTINGS)
    cart(shop, updated_at=soon())
    assert api.get(CART).json()["stats"]["waiting"] == 1

    api.put(CART, {**SETTINGS, "enabled": False})

    assert api.get(CART).json()["stats"]["waiting"] == 0
    assert ScheduledSend.objects.get().status == "canceled"


def test_the_welcome_e_mail_is_set_and_validated(api, workspace):
    response = api.put(WELCOME, {"enabled": True, "trigger": "both", "coupon_code": "BIENVENUE10"})
    assert response.status_code == 200
    assert (response.json()["trigger"], response.json()["coupon_code"]) == ("both", "BIENVENUE10")

    refused = api.put(WELCOME, {"enabled": False, "trigger": "birthday"})
    assert (refused.status_code, refused.json()["code"]) == (422, "validation_error")
    assert api.get(WELCOME).json()["enabled"] is True
