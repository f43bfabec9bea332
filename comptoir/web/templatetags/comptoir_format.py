"""Numbers and money as a merchant reads them, in the language of the page (house rule 9)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from comptoir.contacts.phones import contact_title, phone_shown, workspace_region
from comptoir.web.countries import country_name

register = template.Library()

# Symbols a merchant recognises at a glance; any other currency shows its ISO code.
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
NBSP = "\u00a0"


@register.filter
def country(value) -> str:
    """`"DE"|country` → "Germany" in English, "Allemagne" in French; a name as written."""
    return country_name(str(value or ""), get_language() or "en")


@register.filter
def money(value, currency: str = "EUR") -> str:
    """`1234.5|money:"EUR"` → "€1,234.50" in English, "1 234,50 €" in French."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    shown = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    if (get_language() or "en").startswith("fr"):
        # French writes the currency after the amount, separated by a space that never breaks.
        return f"{shown}{NBSP}{symbol}"
    return (
        f"{symbol}{shown}"
        if len(symbol) <= 3 and not symbol.isalpha()
        else f"{symbol}{NBSP}{shown}"
    )


@register.filter
def grouped(value) -> str:
    """An integer with the thousands separator of the page's language: 1,234 / 1 234."""
    if value is None:
        return ""
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def breakable_email(value: str) -> str:
    """An address that may wrap before its "@" in a narrow column, and nowhere else."""
    local, at, domain = conditional_escape(value or "").rpartition("@")
    return mark_safe(f"{local}<wbr>@{domain}" if at else domain)  # noqa: S308 - escaped above


@register.filter
def phone(value: str, workspace) -> str:
    """`contact.phone|phone:workspace`: "06 12 34 56 78" for a number of the workspace's
    country, "+32 470 12 34 56" for another's (stored and in the API: E.164)."""
    return phone_shown(value or "", region=workspace_region(workspace))


@register.filter
def contact_name(contact, workspace) -> str:
    """`contact|contact_name:workspace`: the name, else the address, else the phone as the
    business writes it."""
    return contact_title(contact, workspace)


@register.filter
def percentage(value) -> str:
    """`42.5|percentage` → "42.5%" in English, "42,5 %" in French; nothing for None."""
    if value is None or value == "":
        return ""
    shown = number_format(Decimal(value), decimal_pos=1, use_l10n=True)
    if (get_language() or "en").startswith("fr"):
        return f"{shown}{NBSP}%"
    return f"{shown}%"
