"""Orders exports of Shopify and Square, read as the order bodies of `PUT /orders` (issue 15).

- **Shopify** (Orders → Export): one row per line item; the rows of an order follow each
  other under the same `Name` (#1001), and only its first row carries the order's own
  columns (e-mail, totals, addresses, dates); later rows leave them empty.
- **Square** item sales export (Reports → Item sales → Export → Item detail): one row per
  item sold, grouped by `Transaction ID`; the transactions export: one row per sale. Square
  names the customer by its `Customer ID`, never by address: the customer directory
  export, imported first, ties the id to a contact (transfer.import_extras).

Each order gets an external id that the same file gives again, so that importing a file
twice changes nothing: Shopify's own order id (`Id`, the key its webhooks use, so a later
webhook updates the imported order instead of doubling it), or `shopify:<Name>` for a file
without it; `square:<Transaction ID>` for Square.

Lenient on what is cosmetic (case and spacing of column names, currency signs, thousand
separators, a time zone Square names in words), strict on what makes the figures (C5):
an amount, a date or a quantity that cannot be read refuses the order, with its line.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

from comptoir.commerce.adapters import shopify
from comptoir.commerce.models import Order
from comptoir.core.models import Workspace
from comptoir.transfer.import_rows import uncell
from comptoir.transfer.presets import key
from comptoir.transfer.reading import FileError, Row
from comptoir.transfer.reasons import Reason

SHOPIFY = "shopify"
SQUARE = "square"
ORDER_PRESETS = (SHOPIFY, SQUARE)
ZERO = Decimal("0.00")


class OrderRowError(ValueError):
    """An order (or a row) the import refuses: the line to report, and why."""

    def __init__(self, line: int, msgid: str, **params):
        self.line = line
        self.reason = Reason(msgid, **params)
        super().__init__(msgid)


@dataclass
class FileOrder:
    """One order of the file: its first line, its external id, the order body (the keys of
    `PUT /orders`) and, for Square, the customer id that stands for its e-mail address."""

    line: int
    external_id: str
    number: str
    data: dict
    customer_id: str = ""
    lines: list[int] = field(default_factory=list)


def detect(header: list[str]) -> str | None:
    """ "shopify" or "square" when the columns are those of an orders export, else None."""
    keys = {key(name) for name in header}
    if "name" in keys and keys & {"lineitem name", "lineitem quantity"}:
        return SHOPIFY
    if "transaction id" in keys and (
        {"item", "qty"} <= keys or keys & {"total collected", "gross sales"}
    ):
        return SQUARE
    return None


def reader_for(header: list[str], preset: str, workspace: Workspace):
    """The reader of the file's format; FileError when a column it needs is missing."""
    if preset == SHOPIFY:
        return ShopifyOrders(header, workspace)
    keys = {key(name) for name in header}
    if {"item", "qty"} <= keys:
        return SquareItems(header, workspace)
    return SquareTransactions(header, workspace)


# ------------------------------------------------------------------------- values


_NOT_MONEY = re.compile(r"[^0-9.,]")


def amount(text: str, line: int, column: str) -> Decimal:
    """ "€1,234.56", "-€1.00", "1 234,56 €", "($5.00)" → 1234.56, 1.00, 1234.56, 5.00: the
    size of the amount (the columns say whether it is taken or given)."""
    raw = (text or "").strip()
    if not raw:
        return ZERO
    digits = _NOT_MONEY.sub("", raw)
    if "," in digits and "." in digits:
        # The last separator is the decimal one; the other groups thousands.
        thousands = "," if digits.rfind(".") > digits.rfind(",") else "."
        digits = digits.replace(thousands, "").replace(",", ".")
    elif "," in digits:
        whole, _sep, cents = digits.rpartition(",")
        digits = f"{whole.replace(',', '')}.{cents}" if len(cents) <= 2 else digits.replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        value = None
    if value is None or not digits or not re.search(r"\d", raw) or len(raw) > 40:
        raise OrderRowError(
            line,
            gettext_noop("“%(value)s” in the column “%(column)s” is not an amount."),
            value=raw[:40],
            column=column,
        )
    return value.quantize(Decimal("0.01"))


def quantity(text: str, line: int, column: str) -> Decimal:
    raw = (text or "").strip().lstrip("-")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > 1_000_000:
        raise OrderRowError(
            line,
            gettext_noop("“%(value)s” in the column “%(column)s” is not a quantity."),
            value=(text or "")[:40],
            column=column,
        )
    return value


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S")


def instant(text: str, line: int, column: str, tz: zoneinfo.ZoneInfo) -> str:
    """An ISO 8601 time with offset; Shopify writes "2025-03-02 14:05:11 +0100"."""
    raw = (text or "").strip()
    value = None
    if raw:
        try:
            value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            for pattern in _TIME_FORMATS:
                try:
                    value = dt.datetime.strptime(raw, pattern)
                    break
                except ValueError:
                    continue
    if value is None:
        raise OrderRowError(
            line,
            gettext_noop(
                "“%(value)s” in the column “%(column)s” is not a date and time "
                "(2025-03-02 14:05:11 +0100)."
            ),
            value=raw[:40],
            column=column,
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.isoformat()


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().partition(" ")
    return first, last.strip()


# ------------------------------------------------------------------------ formats


class _Format:
    """Cells by column name (compared as presets.key does); a subclass knows its columns."""

    group_column = ""
    required: tuple[str, ...] = ()

    def __init__(self, header: list[str], workspace: Workspace):
        self.index = {}
        for position, name in enumerate(header):
            self.index.setdefault(key(name), position)
        missing = [name for name in self.required if key(name) not in self.index]
        if missing:
            raise FileError(gettext_noop("The file has no column “%(column)s”."), column=missing[0])
        self.workspace = workspace
        self.tz = zoneinfo.ZoneInfo(workspace.time_zone)

    def has(self, column: str) -> bool:
        return key(column) in self.index

    def cell(self, row: Row, column: str) -> str:
        position = self.index.get(key(column))
        if position is None or position >= len(row.cells):
            return ""
        return uncell(row.cells[position]).strip()

    def first(self, rows: list[Row], column: str) -> str:
        """The order's value of an order column: on its first row, or the first row that
        has it (Shopify leaves it empty on the other lines)."""
        for row in rows:
            value = self.cell(row, column)
            if value:
                return value
        return ""

    def group(self, row: Row) -> str:
        return self.cell(row, self.group_column)

    def email_of(self, rows: list[Row]) -> str:
        """The order's e-mail address as the file writes it, for the error report."""
        for column in ("Email", "Customer Email", "Email Address"):
            if self.has(column) and (value := self.first(rows, column)):
                return value
        return ""


class ShopifyOrders(_Format):
    group_column = "Name"
    required = (
        "Name",
        "Email",
        "Created at",
        "Total",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
    )

    def _address(self, rows: list[Row], kind: str) -> dict:
        parts = {
            "name": "Name",
            "line1": "Address1",
            "line2": "Address2",
            "city": "City",
            "postal_code": "Zip",
            "region": "Province",
            "country": "Country",
            "phone": "Phone",
        }
        address = {part: self.first(rows, f"{kind} {column}") for part, column in parts.items()}
        if not address["line1"]:
            address["line1"] = self.first(rows, f"{kind} Street")
        # Shopify writes '75006 and '+33…, so that a spreadsheet keeps them as text.
        for part in ("postal_code", "phone"):
            address[part] = address[part].lstrip("'")
        return {part: value for part, value in address.items() if value}

    def build(self, rows: list[Row]) -> FileOrder | None:
        line = rows[0].line
        name = self.group(rows[0])
        email = self.first(rows, "Email")
        if not email:
            raise OrderRowError(
                line,
                gettext_noop(
                    "Order %(order)s has no e-mail address: it cannot be tied to a contact."
                ),
                order=name,
            )

        def money(column: str) -> Decimal:
            for row in rows:
                if self.cell(row, column):
                    return amount(self.cell(row, column), row.line, column)
            return ZERO

        items = []
        for row in rows:
            item_name = self.cell(row, "Lineitem name")
            raw_quantity = self.cell(row, "Lineitem quantity")
            if not item_name and not raw_quantity:
                continue
            count = quantity(raw_quantity, row.line, "Lineitem quantity")
            if count != count.to_integral_value():
                raise OrderRowError(
                    row.line,
                    gettext_noop("“%(value)s” in the column “%(column)s” is not a whole number."),
                    value=raw_quantity[:40],
                    column="Lineitem quantity",
                )
            items.append(
                {
                    "name": item_name,
                    "quantity": int(count),
                    "price": str(
                        amount(self.cell(row, "Lineitem price"), row.line, "Lineitem price")
                    ),
                }
            )
        billing = self._address(rows, "Billing")
        shipping_address = self._address(rows, "Shipping")
        first_name, last_name = _split_name(billing.get("name") or shipping_address.get("name", ""))
        status = shopify.status(
            {
                "cancelled_at": self.first(rows, "Cancelled at"),
                "financial_status": self.first(rows, "Financial Status").lower(),
            }
        )
        order_id = self.first(rows, "Id")
        data = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "phone": self.first(rows, "Phone").lstrip("'") or billing.get("phone", ""),
            "number": name,
            "status": status,
            "placed_at": instant(self.first(rows, "Created at"), line, "Created at", self.tz),
            "currency": self.first(rows, "Currency") or self.workspace.currency,
            "subtotal": str(money("Subtotal")),
            "shipping": str(money("Shipping")),
            "tax": str(money("Taxes")),
            "discount": str(money("Discount Amount")),
            "total": str(money("Total")),
            "refunded": str(money("Refunded Amount")),
            "coupon_code": self.first(rows, "Discount Code"),
            "channel": Order.Channel.POS
            if self.first(rows, "Source").lower() == "pos"
            else Order.Channel.ONLINE,
            "shipping_address": shipping_address,
            "billing_address": billing,
            "items": items,
        }
        external_id = order_id if order_id.isdigit() else f"shopify:{name}"
        return FileOrder(line, external_id, name, data, lines=[row.line for row in rows])


class _Square(_Format):
    group_column = "Transaction ID"

    def _email(self, rows: list[Row]) -> str:
        for column in ("Customer Email", "Email", "Email Address"):
            if self.has(column):
                value = self.first(rows, column)
                if value:
                    return value
        return ""

    def _tz(self, rows: list[Row]) -> zoneinfo.ZoneInfo:
        # Square names zones in words ("Paris", "Eastern Time (US & Canada)"): an IANA
        # name is used, anything else is read in the workspace's zone.
        name = self.first(rows, "Time Zone")
        try:
            return zoneinfo.ZoneInfo(name) if "/" in name else self.tz
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return self.tz

    def _placed_at(self, rows: list[Row]) -> str:
        line = rows[0].line
        date, time = self.first(rows, "Date"), self.first(rows, "Time") or "00:00:00"
        for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d/%m/%Y"):
            try:
                day = dt.datetime.strptime(date, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise OrderRowError(
                line,
                gettext_noop("“%(value)s” in the column “%(column)s” is not a date."),
                value=date[:40],
                column="Date",
            )
        try:
            clock = dt.time.fromisoformat(time)
        except ValueError:
            raise OrderRowError(
                line,
                gettext_noop("“%(value)s” in the column “%(column)s” is not a time."),
                value=time[:40],
                column="Time",
            ) from None
        return dt.datetime.combine(day, clock, tzinfo=self._tz(rows)).isoformat()

    def _is_refund(self, rows: list[Row]) -> bool:
        return self.first(rows, "Event Type").lower() == "refund"

    def _order(self, rows: list[Row], data: dict) -> FileOrder | None:
        transaction = self.group(rows[0])
        channel = self.first(rows, "Channel").lower()
        data |= {
            "email": self._email(rows),
            "number": transaction[:64],
            "status": Order.Status.COMPLETED,
            "placed_at": self._placed_at(rows),
            "currency": self.workspace.currency,
            "shipping": "0.00",
            "channel": Order.Channel.ONLINE if "online" in channel else Order.Channel.POS,
        }
        name = self.first(rows, "Customer Name")
        data["first_name"], data["last_name"] = _split_name(name)
        customer_id = self.first(rows, "Customer ID")
        if not data["email"] and not customer_id:
            return None  # a walk-in sale: it belongs to nobody
        return FileOrder(
            rows[0].line,
            f"square:{transaction}",
            transaction,
            data,
            customer_id=customer_id,
            lines=[row.line for row in rows],
        )


class SquareItems(_Square):
    required = ("Date", "Transaction ID", "Item", "Qty", "Gross Sales")

    def build(self, rows: list[Row]) -> FileOrder | None:
        if self._is_refund(rows):
            return None  # refunds are not subtracted from the figures (C5)
        items, subtotal, discount, tax, total = [], ZERO, ZERO, ZERO, ZERO
        for row in rows:
            count = quantity(self.cell(row, "Qty"), row.line, "Qty")
            gross = amount(self.cell(row, "Gross Sales"), row.line, "Gross Sales")
            off = amount(self.cell(row, "Discounts"), row.line, "Discounts")
            row_tax = amount(self.cell(row, "Tax"), row.line, "Tax")
            subtotal, discount, tax = subtotal + gross, discount + off, tax + row_tax
            total += (
                gross - off
                if self._tax_included(row, gross, off, row_tax)
                else (gross - off + row_tax)
            )
            name = self.cell(row, "Item")
            variation = self.cell(row, "Price Point Name")
            if variation and variation.lower() != "regular":
                name = f"{name} ({variation})"
            if count == count.to_integral_value():
                items.append(
                    {
                        "name": name,
                        "quantity": int(count),
                        "price": str((gross / count).quantize(Decimal("0.01"))),
                    }
                )
            else:
                # Sold by weight or length (1.5 kg): one line at its whole price.
                items.append(
                    {"name": f"{name} × {count.normalize()}", "quantity": 1, "price": str(gross)}
                )
        data = {
            "subtotal": str(subtotal),
            "discount": str(discount),
            "tax": str(tax),
            "total": str(total),
            "items": items,
        }
        return self._order(rows, data)

    def _tax_included(self, row: Row, gross: Decimal, off: Decimal, tax: Decimal) -> bool:
        """Whether the row's gross sales already hold its tax. Square's US reports count
        tax on top of prices, its reports where prices include VAT or GST (Europe,
        Australia) inside them: Net Sales tells, being gross − discounts in the first case
        and gross − discounts − tax in the second. Without it, tax is taken as on top."""
        if not tax or not self.has("Net Sales") or not self.cell(row, "Net Sales"):
            return False
        net = amount(self.cell(row, "Net Sales"), row.line, "Net Sales")
        return abs(gross - off - tax - net) < abs(gross - off - net)


class SquareTransactions(_Square):
    required = ("Date", "Transaction ID", "Gross Sales")

    def build(self, rows: list[Row]) -> FileOrder | None:
        if self._is_refund(rows):
            return None

        def money(column: str) -> Decimal:
            return sum((amount(self.cell(one, column), one.line, column) for one in rows), ZERO)

        subtotal, discount, tax = money("Gross Sales"), money("Discounts"), money("Tax")
        total = (
            money("Total Collected") if self.has("Total Collected") else subtotal - discount + tax
        )
        data = {
            "subtotal": str(subtotal),
            "discount": str(discount),
            "tax": str(tax),
            "total": str(total),
            "refunded": str(money("Partial Refunds")),
            "items": [],
        }
        return self._order(rows, data)
