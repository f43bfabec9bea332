"""The PostgreSQL-only speed path of order ingestion (ARCHITECTURE: "behind one small module").

A new order of a known (locked) contact used to cost five round trips after the lock: the
order, its lines, the timeline entry, the figures' aggregate and the contact's update, each
compiled by the ORM. Here they are one statement: data-modifying CTEs insert the order, its
lines and the entry, and the figures (C5) are recomputed from the contact's orders and
stored in the same statement.

The statement's snapshot predates its own inserts, so the aggregate reads the contact's
other orders and adds the new one explicitly; the contact row was locked by an earlier
statement (`contact_for_store`), so every order another transaction wrote for this contact
has committed before this snapshot was taken.

Everything else — validation, which details the contact shows, carts — stays in
`services`, shared with SQLite. tests/commerce/test_postgres_path.py checks that both paths
leave the same rows.
"""

import json
from decimal import Decimal
from functools import cache

from django.db import connection
from django.utils import timezone

from comptoir.commerce.figures import TOTAL_SPENT_MAX, Figures, contact_figures_values
from comptoir.commerce.models import Cart, Order, OrderItem
from comptoir.contacts.models import Contact, ContactEvent


def in_use() -> bool:
    return connection.vendor == "postgresql"


@cache
def _order_columns() -> tuple:
    return tuple(field for field in Order._meta.concrete_fields if not field.primary_key)


@cache
def _statement() -> str:
    quote = connection.ops.quote_name
    order, item = quote(Order._meta.db_table), quote(OrderItem._meta.db_table)
    event, contact = quote(ContactEvent._meta.db_table), quote(Contact._meta.db_table)
    cart = quote(Cart._meta.db_table)
    columns = _order_columns()
    names = ", ".join(quote(field.column) for field in columns)
    values = ", ".join(f"%(c{index})s" for index in range(len(columns)))
    # Only names from the models are formatted in; every value is a parameter. The
    # figures follow commerce.services.contact_figures_set: canceled orders and drafts do
    # not count, original totals are summed, the average is rounded half-up (PostgreSQL's
    # round() on numeric rounds half away from zero; amounts are never negative), and a
    # contact with a counted order is a customer (C3).
    template = """
WITH new_order AS (
    INSERT INTO {order} ({names}) VALUES ({values}) RETURNING id
), new_lines AS (
    INSERT INTO {item} (order_id, position, product_external_id, name, quantity, price)
    SELECT new_order.id, line.position, line.product_id, line.name, line.quantity, line.price
    FROM new_order, unnest(%(positions)s::smallint[], %(products)s::text[],
        %(names)s::text[], %(quantities)s::integer[], %(prices)s::numeric[])
        AS line(position, product_id, name, quantity, price)
    RETURNING id, position
), new_event AS (
    INSERT INTO {event} (workspace_id, contact_id, kind, data, actor_id, created_at)
    SELECT %(workspace)s, %(contact)s, %(kind)s,
        jsonb_build_object('order_id', new_order.id) || %(data)s::jsonb, NULL, %(now)s
    FROM new_order
), counted AS (
    SELECT total, placed_at FROM {order}
    WHERE workspace_id = %(workspace)s AND contact_id = %(contact)s
        AND {counted}
    UNION ALL
    SELECT %(total)s::numeric, %(placed_at)s::timestamptz WHERE %(counts)s
), figures AS (
    SELECT count(*) AS order_count,
        least(coalesce(sum(total), 0), %(total_spent_max)s) AS total_spent,
        CASE WHEN count(*) > 0 THEN round(sum(total) / count(*), 2) ELSE 0 END AS average,
        max(placed_at) AS last_order_at, min(placed_at) AS customer_since,
        CASE WHEN count(*) > 0 THEN %(customer)s ELSE %(prospect)s END AS type
    FROM counted
), stored AS (
    UPDATE {contact} c SET order_count = f.order_count, total_spent = f.total_spent,
        average_order_value = f.average, last_order_at = f.last_order_at,
        customer_since = f.customer_since, type = f.type, updated_at = %(now)s
    FROM figures f
    WHERE c.workspace_id = %(workspace)s AND c.id = %(contact)s
        AND (c.order_count, c.total_spent, c.average_order_value, c.last_order_at,
            c.customer_since, c.type)
        IS DISTINCT FROM (f.order_count, f.total_spent, f.average, f.last_order_at,
            f.customer_since, f.type)
    RETURNING c.id
)
SELECT new_order.id, (SELECT array_agg(id ORDER BY position) FROM new_lines),
    f.order_count, f.total_spent, f.customer_since, f.last_order_at,
    (SELECT count(*) FROM {cart} WHERE workspace_id = %(workspace)s
        AND contact_id = %(contact)s AND converted_at IS NULL),
    EXISTS (SELECT 1 FROM stored)
FROM new_order, figures f
"""
    return template.format(
        order=order,
        item=item,
        event=event,
        contact=contact,
        cart=cart,
        names=names,
        values=values,
        counted=Order.counted_sql(),
    )


def order_insert(order: Order, lines: list[OrderItem], contact: Contact, event: tuple) -> Figures:
    """Insert `order` (unsaved, for the locked `contact`) with its `lines` and the timeline
    entry `event` = (kind, data without `order_id`), and store the contact's figures. Sets
    the primary keys, and the contact's figures as stored; returns the figures."""
    now = timezone.now()
    params = {
        f"c{index}": field.get_db_prep_save(field.pre_save(order, add=True), connection)
        for index, field in enumerate(_order_columns())
    }
    kind, data = event
    event_data = ContactEvent._meta.get_field("data").get_db_prep_save(data, connection)
    params |= {
        "positions": [line.position for line in lines],
        "products": [line.product_external_id for line in lines],
        "names": [line.name for line in lines],
        "quantities": [line.quantity for line in lines],
        "prices": [line.price for line in lines],
        "workspace": order.workspace_id,
        "contact": contact.pk,
        "kind": kind,
        "data": event_data,
        "now": now,
        "total": order.total,
        "placed_at": order.placed_at,
        "counts": order.counted,
        "customer": Contact.Type.CUSTOMER,
        "prospect": Contact.Type.PROSPECT,
        "total_spent_max": TOTAL_SPENT_MAX,
    }
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        order_id, line_ids, count, spent, first, last, open_carts, stored = cursor.fetchone()
    order.pk = order_id
    order._state.adding = False
    for line, line_id in zip(lines, line_ids or [], strict=True):
        line.pk, line.order = line_id, order
        line._state.adding = False
    figures = Figures(
        count=count,
        spent=Decimal(spent).quantize(Decimal("0.01")),
        first=first,
        last=last,
        open_carts=open_carts,
    )
    if stored:
        values = contact_figures_values(
            order_count=count, total_spent=figures.spent, last_order_at=last, customer_since=first
        )
        for field, value in {**values, "updated_at": now}.items():
            setattr(contact, field, value)
    return figures


@cache
def _figures_statement() -> str:
    quote = connection.ops.quote_name
    order, contact = quote(Order._meta.db_table), quote(Contact._meta.db_table)
    # The same figures as `_statement`'s, for many contacts at once (the order backfill):
    # run after the batch's orders are inserted, so the aggregate reads them like any other.
    template = """
WITH figures AS (
    SELECT c.id, count(o.id) AS order_count,
        least(coalesce(sum(o.total), 0), %(total_spent_max)s) AS total_spent,
        CASE WHEN count(o.id) > 0 THEN round(sum(o.total) / count(o.id), 2) ELSE 0 END
            AS average,
        max(o.placed_at) AS last_order_at, min(o.placed_at) AS customer_since,
        CASE WHEN count(o.id) > 0 THEN %(customer)s ELSE %(prospect)s END AS type
    FROM {contact} c LEFT JOIN {order} o ON o.workspace_id = c.workspace_id
        AND o.contact_id = c.id AND {counted}
    WHERE c.workspace_id = %(workspace)s AND c.id = ANY(%(ids)s)
    GROUP BY c.id
)
UPDATE {contact} c SET order_count = f.order_count, total_spent = f.total_spent,
    average_order_value = f.average, last_order_at = f.last_order_at,
    customer_since = f.customer_since, type = f.type, updated_at = %(now)s
FROM figures f
WHERE c.workspace_id = %(workspace)s AND c.id = f.id
    AND (c.order_count, c.total_spent, c.average_order_value, c.last_order_at,
        c.customer_since, c.type)
    IS DISTINCT FROM (f.order_count, f.total_spent, f.average, f.last_order_at,
        f.customer_since, f.type)
RETURNING c.id, f.order_count, f.total_spent, f.last_order_at, f.customer_since
"""
    return template.format(order=order, contact=contact, counted=Order.counted_sql("o"))


def figures_refresh(contacts: list[Contact]) -> None:
    """Recompute and store the figures (C5) and type (C3) of `contacts` (locked, of one
    workspace) from their orders, in one statement; the objects get the stored values."""
    if not contacts:
        return
    now = timezone.now()
    params = {
        "workspace": contacts[0].workspace_id,
        "ids": [contact.pk for contact in contacts],
        "now": now,
        "customer": Contact.Type.CUSTOMER,
        "prospect": Contact.Type.PROSPECT,
        "total_spent_max": TOTAL_SPENT_MAX,
    }
    with connection.cursor() as cursor:
        cursor.execute(_figures_statement(), params)
        stored = {row[0]: row[1:] for row in cursor.fetchall()}
    for contact in contacts:
        if contact.pk not in stored:
            continue
        count, spent, last, first = stored[contact.pk]
        values = contact_figures_values(
            order_count=count, total_spent=spent, last_order_at=last, customer_since=first
        )
        for field, value in {**values, "updated_at": now}.items():
            setattr(contact, field, value)


def known_orders(workspace_id: int, external_ids: list[str]) -> dict[str, tuple]:
    """(id, digest, updated_at_store) of the workspace's orders among `external_ids`, by
    external id: the ids as one array (an IN list of a thousand values cost more to
    compile and send than the read itself)."""
    table = connection.ops.quote_name(Order._meta.db_table)
    # Only the table's name (from the model) is formatted in; the values are parameters.
    template = (
        "SELECT external_id, id, digest, updated_at_store FROM {table} "
        "WHERE workspace_id = %s AND external_id = ANY(%s)"
    )
    sql = template.format(table=table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, external_ids])
        return {external_id: rest for external_id, *rest in cursor.fetchall()}


@cache
def _insert_statement(model) -> tuple[str, tuple]:
    quote = connection.ops.quote_name
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    names = ", ".join(quote(field.column) for field in fields)
    selected, arrays = [], []
    for index, field in enumerate(fields):
        json = field.get_internal_type() == "JSONField"
        db_type = "text" if json else field.db_type(connection).split("(")[0].split(" CHECK")[0]
        arrays.append(f"%s::{db_type}[]")
        selected.append(f"c{index}::jsonb" if json else f"c{index}")
    columns = ", ".join(f"c{index}" for index in range(len(fields)))
    # Only names and types from the model are formatted in; every value is a parameter.
    template = (
        "INSERT INTO {table} ({names}) SELECT {selected} "
        "FROM unnest({arrays}) AS row({columns}) RETURNING {pk}"
    )
    sql = template.format(
        table=quote(model._meta.db_table),
        names=names,
        selected=", ".join(selected),
        arrays=", ".join(arrays),
        columns=columns,
        pk=quote(model._meta.pk.column),
    )
    return sql, fields


def rows_insert(objs: list) -> None:
    """Insert new instances of one model in one statement (`INSERT … SELECT FROM unnest`),
    one array per column, and set their primary keys — what bulk_create does, without its
    compiling every value (a third of a batch's time). Values are taken as the instances
    hold them (after the fields' pre_save: defaults, auto_now); JSON is sent as text."""
    if not objs:
        return
    sql, fields = _insert_statement(type(objs[0]))
    params = []
    for field in fields:
        values = [field.pre_save(obj, add=True) for obj in objs]
        if field.get_internal_type() == "JSONField":
            values = [json_text(value, field.encoder) for value in values]
        params.append(values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    # RETURNING gives the rows in the order unnest() read them, as bulk_create relies on.
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def json_text(value, encoder) -> str | None:
    return None if value is None else json.dumps(value, cls=encoder)
