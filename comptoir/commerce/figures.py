"""The aggregate behind a customer's figures (C5), as one hand-written statement.

Order ingestion runs it on every order change. Compiling the equivalent ORM query cost more
than running it (about a millisecond of Python per order, the largest single cost of the
ingestion path), so it is written once here, in SQL that SQLite and PostgreSQL both run,
scoped by workspace like every query (house rule 6).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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


# The contact columns of the order figures, moved here from contacts.services: shared by
# commerce.services.contact_figures_set and the PostgreSQL path of commerce.postgres.
CENT = Decimal("0.01")
TOTAL_SPENT_MAX = Decimal("9999999999.99")  # Contact.total_spent: 12 digits, 2 decimals


def contact_figures_values(*, order_count: int, total_spent, last_order_at, customer_since) -> dict:
    """The contact columns the order figures (C5) set: with the average and the type they
    imply (C3: a customer has at least one order that counts). commerce.postgres stores
    the same values in SQL."""
    total_spent = Decimal(total_spent or 0).quantize(CENT)
    average = (
        (total_spent / order_count).quantize(CENT, rounding=ROUND_HALF_UP)
        if order_count
        else Decimal("0.00")
    )
    return {
        "order_count": order_count,
        # Held at what the column stores: a few orders at the largest amount would add up
        # to more, and SQLite would keep a value no read could convert back.
        "total_spent": min(total_spent, TOTAL_SPENT_MAX),
        "average_order_value": average,
        "last_order_at": last_order_at,
        "customer_since": customer_since,
        "type": Contact.Type.CUSTOMER if order_count else Contact.Type.PROSPECT,
    }
