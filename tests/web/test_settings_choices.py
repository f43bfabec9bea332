"""W2: the workspace's language, currency and time zone are chosen from lists, in the
dashboard and through the API alike."""

import re

import pytest

from comptoir.core.identity_choices import CURRENCIES
from tests.conftest import login
from tests.html import unlabelled_fields
from tests.web.test_access import settings_post


def settings_url(workspace) -> str:
    return f"/w/{workspace.slug}/settings/"


def select(html: str, name: str) -> str:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    assert found, f"no <select name={name}> on the page"
    return found.group(1)


def selected(options: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"[^>]*selected', options)


def test_language_currency_and_time_zone_are_menus_with_the_current_value_chosen(workspace, owner):
    html = login(owner).get(settings_url(workspace)).content.decode()

    languages, currencies, zones = (
        select(html, name) for name in ("language", "currency", "time_zone")
    )
    assert selected(languages) == ["fr"]
    assert selected(currencies) == ["EUR"]
    assert '<option value="CHF">CHF — Swiss franc</option>' in currencies
    assert selected(zones) == ["Europe/Paris"]
    assert '<optgroup label="America">' in zones
    assert '<option value="America/New_York">New York</option>' in zones
    assert 'name="time_zone" type="text"' not in html
    assert unlabelled_fields(html) == []


def test_the_menus_are_in_french_for_a_french_reader(workspace, owner):
    html = login(owner, language="fr").get(settings_url(workspace)).content.decode()

    assert '<option value="CHF">CHF — Franc suisse</option>' in select(html, "currency")


def test_a_choice_of_the_lists_is_saved(workspace, owner):
    response = login(owner).post(
        settings_url(workspace),
        settings_post(workspace, language="en", currency="CHF", time_zone="Europe/Zurich"),
    )

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.language, workspace.currency, workspace.time_zone) == (
        "en",
        "CHF",
        "Europe/Zurich",
    )


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("currency", "EUE", "Comptoir does not show money in “EUE”"),
        ("currency", "XAU", "Comptoir does not show money in “XAU”"),  # gold: ISO, not money
        ("time_zone", "Mars/Olympus", "Unknown time zone: Mars/Olympus"),
        ("language", "de", "Select a valid choice."),
    ],
)
def test_a_value_off_the_lists_is_refused_and_nothing_is_saved(
    workspace, owner, field, value, message
):
    response = login(owner).post(
        settings_url(workspace), settings_post(workspace, name="New", **{field: value})
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency) == ("Chez Zoé", "EUR")


def test_a_workspace_set_before_the_lists_keeps_its_values_offered(workspace, owner):
    type(workspace).objects.filter(pk=workspace.pk).update(currency="SEK", time_zone="US/Eastern")
    html = login(owner).get(settings_url(workspace)).content.decode()

    assert selected(select(html, "currency")) == ["SEK"]
    assert selected(select(html, "time_zone")) == ["US/Eastern"]


# The API refuses what the menus do not offer


def test_the_api_accepts_a_currency_and_a_zone_of_the_lists(workspace, api):
    response = api.patch("/api/v1/workspace", {"currency": "GBP", "time_zone": "Europe/London"})

    assert response.status_code == 200, response.content
    assert (response.json()["currency"], response.json()["time_zone"]) == ("GBP", "Europe/London")


@pytest.mark.parametrize(
    "changes",
    [{"currency": "EUE"}, {"currency": "XAU"}, {"currency": "eur"}, {"language": "de"}],
)
def test_the_api_refuses_a_currency_or_a_language_off_the_lists(workspace, api, changes):
    response = api.patch("/api/v1/workspace", {"name": "New name", **changes})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    workspace.refresh_from_db()
    assert (workspace.name, workspace.currency, workspace.language) == ("Chez Zoé", "EUR", "fr")


def test_the_api_schema_lists_the_currencies_and_languages(db):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    fields = schema["components"]["schemas"]["WorkspaceIn"]["properties"]

    def enum(field):
        if "enum" in fields[field]:
            return fields[field]["enum"]
        return next(option["enum"] for option in fields[field]["anyOf"] if "enum" in option)

    assert enum("currency") == list(CURRENCIES)
    assert enum("language") == ["fr", "en"]
