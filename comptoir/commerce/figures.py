"""The aggregate behind a customer's figures (C5), as one hand-written statement.

Order ingestion runs it on every order change. Compiling the equivalent ORM query cost more
than running it (about a millisecond of Python per order, the largest single cost of the
ingestion path), so it is written once here, in SQL that SQLite and PostgreSQL both run,
scoped by workspace like every query (house rule 6).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from comptoir.commerce.models import Cart, Order
from comptoir.contacts.models import Contact


@dataclass(frozen=True)
class Figures:
    count: int
    spent: Decimal
    first: dt.datetime | None
    last: dt.datetime | None
    open_carts: int


def _sql() -> str:
    quote = connection.ops.quote_name
    orders, carts = quote(Order._meta.db_table), quote(Cart._meta.db_table)
    # Canceled orders and drafts do not count (C3, C5); refunds are not subtracted: the
    # original `total` (shipping, tax and discount included) is summed.
    # Only table names and the counted rule (Order.counted_sql) are formatted in; every
    # value is a parameter.
    template = (
        "SELECT COUNT(o.id), SUM(o.total), MIN(o.placed_at), MAX(o.placed_at), "
        "(SELECT COUNT(*) FROM {carts} c WHERE c.workspace_id = %s AND c.contact_id = %s "
        "AND c.converted_at IS NULL) "
        "FROM {orders} o WHERE o.workspace_id = %s AND o.contact_id = %s "
        "AND {counted}"
    )
    return template.format(carts=carts, orders=orders, counted=Order.counted_sql("o"))


def _instant(value) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    # SQLite hands back the stored text, in UTC.
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


def order_figures(contact: Contact) -> Figures:
    """Counted orders of `contact` (number, sum of original totals, first and last date)
    and how many of its carts are not converted yet."""
    workspace_id, contact_id = contact.workspace_id, contact.pk
    with connection.cursor() as cursor:
        cursor.execute(
            _sql(),
            [workspace_id, contact_id, workspace_id, contact_id],
        )
        count, spent, first, last, open_carts = cursor.fetchone()
    return Figures(
        count=count,
        spent=Decimal(str(spent or 0)).quantize(Decimal("0.01")),
        first=_instant(first),
        last=_instant(last),
        open_carts=open_carts,
    )
