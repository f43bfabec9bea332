"""The columns of Comptoir's files and the rules of their values (the contact file is what
the generic import preset reads back, so both sides follow these names to the letter).

The contact export has two writers — PostgreSQL's COPY (export_postgres.py) and Python
(exports.py) — that must give the same bytes: the Python rules are here, their SQL twins
in export_postgres.py, and tests/transfer compare the two on the same contacts.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal

CONTACT_HEADER = (
    "Email",
    "First name",
    "Last name",
    "Phone",
    "Company",
    "Language",
    "Type",
    "Email subscription status",
    "Tags",
    "Has account",
    "Total orders",
    "Total spent",
    "Average order value",
    "Last order date",
    "Customer since",
    "Created at",
    "Shipping name",
    "Shipping address 1",
    "Shipping address 2",
    "Shipping city",
    "Shipping postal code",
    "Shipping region",
    "Shipping country",
    "Shipping phone",
    "Billing name",
    "Billing address 1",
    "Billing address 2",
    "Billing city",
    "Billing postal code",
    "Billing region",
    "Billing country",
    "Billing phone",
)
# Contact fields behind the text and date columns, and the address parts (keys of
# contacts.models.ADDRESS_KEYS), each in the order of the header.
TEXT_FIELDS = ("email", "first_name", "last_name", "phone", "company", "language")
DATE_FIELDS = ("last_order_at", "customer_since", "created_at")
ADDRESS_COLUMNS = ("name", "line1", "line2", "city", "postal_code", "region", "country", "phone")

# Mailchimp's audience import recognises "Email Address"; other tools map it by hand.
SUPPRESSION_HEADER = ("Email Address", "Reason", "Date")
UNSUBSCRIBED_REASON = "unsubscribed"  # the reasons of suppressions are their stored values

DELIMITERS = {"comma": ",", "semicolon": ";"}
# UTF-8 with a byte-order mark: without it Excel reads the file as Windows-1252.
BOM = "\ufeff"
LINE_END = "\r\n"

# A spreadsheet runs a cell that starts with one of these as a formula (or, for TAB and
# CR, lets a formula hide behind white space): such text gets a leading apostrophe, which
# the importer takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SUBSCRIPTION_STATUS = {"subscribed": "subscribed", "unsubscribed": "unsubscribed"}
NOT_SUBSCRIBED = "not subscribed"  # also a pending double opt-in: not confirmed yet


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as typed, never runs."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def subscription_status(consent: str) -> str:
    return SUBSCRIPTION_STATUS.get(consent, NOT_SUBSCRIBED)


def tags_cell(names: Iterable[tuple[str, str]]) -> str:
    """(key, name) pairs as one cell: names sorted case-insensitively (by their key, in
    code-point order, as PostgreSQL's "C" collation sorts them), comma-separated."""
    return ", ".join(name for _key, name in sorted(names))


def money(value: Decimal) -> str:
    return format(value, "f")


def local_datetime(value: datetime.datetime, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The instant as the business's clock showed it, to the second, without a zone: what
    a spreadsheet's date cell holds."""
    return value.astimezone(zone).replace(microsecond=0, tzinfo=None)


def iso_datetime(value: datetime.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    """ISO 8601 with the offset, "2026-11-23T02:29:00+01:00"; "" when unknown.

    The offset is written as PostgreSQL's to_char(…, 'TZH:TZM') writes it, seconds left
    out (only zones' local mean times before 1900 have any).
    """
    if value is None:
        return ""
    local = value.astimezone(zone)
    offset = int(local.utcoffset().total_seconds())
    sign = "-" if offset < 0 else "+"
    hours, minutes = abs(offset) // 3600, abs(offset) // 60 % 60
    stamp = local.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
    return f"{stamp}{sign}{hours:02d}:{minutes:02d}"
