"""The lists a workspace's language, currency and time zone are chosen from (W2).

The dashboard offers them as menus and the API refuses anything else, so a typo cannot
leave a business with prices in "EUE" or dates in a zone nobody lives in.
"""

import zoneinfo
from functools import cache

from django.utils.translation import gettext_lazy as _

# The currencies Comptoir shows money in (ISO 4217), with their names.
CURRENCIES = {
    "EUR": _("Euro"),
    "USD": _("US dollar"),
    "GBP": _("Pound sterling"),
    "CHF": _("Swiss franc"),
    "CAD": _("Canadian dollar"),
    "AUD": _("Australian dollar"),
    "NZD": _("New Zealand dollar"),
    "JPY": _("Japanese yen"),
    "SEK": _("Swedish krona"),
    "NOK": _("Norwegian krone"),
    "DKK": _("Danish krone"),
    "PLN": _("Polish złoty"),
    "CZK": _("Czech koruna"),
    "HUF": _("Hungarian forint"),
    "RON": _("Romanian leu"),
    "MAD": _("Moroccan dirham"),
    "TND": _("Tunisian dinar"),
    "DZD": _("Algerian dinar"),
    "XOF": _("West African CFA franc"),
    "XAF": _("Central African CFA franc"),
    "XPF": _("CFP franc"),
    "MUR": _("Mauritian rupee"),
    "SGD": _("Singapore dollar"),
    "HKD": _("Hong Kong dollar"),
    "BRL": _("Brazilian real"),
    "MXN": _("Mexican peso"),
}
CURRENCY_CODES = tuple(CURRENCIES)


def currency_choices(current: str = "") -> list[tuple[str, str]]:
    """(code, "EUR — Euro") for the menu; a workspace's own code stays offered even if it
    was set before this list existed."""
    choices = [(code, f"{code} — {name}") for code, name in CURRENCIES.items()]
    if current and current not in CURRENCIES:
        choices.append((current, current))
    return choices


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices(current: str = "") -> list[tuple[str, list[tuple[str, str]]]]:
    """The IANA zones grouped by region ("Europe": Paris, Lisbon…), then UTC: a menu of
    600 names is only usable in groups. A workspace's own zone stays offered, even one of
    the aliases left out here (US/Eastern, Etc/GMT+3…)."""
    regions: dict[str, list[tuple[str, str]]] = {}
    for name in sorted(time_zones()):
        region, slash, place = name.partition("/")
        listed = slash and region not in _ALIAS_REGIONS
        if listed or name == current:
            regions.setdefault(region if slash else name, []).append(
                (name, place.replace("_", " ") or name)
            )
    regions.setdefault("UTC", [("UTC", "UTC")])
    return [(str(_REGIONS.get(region, region)), places) for region, places in regions.items()]


# Regions whose names are only aliases of zones listed under a continent.
_ALIAS_REGIONS = {"Etc", "SystemV", "US", "Canada", "Brazil", "Mexico", "Chile"}
_REGIONS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific"),
}
