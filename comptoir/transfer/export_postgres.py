"""The contact CSV through PostgreSQL's COPY: the PostgreSQL-only speed path of the export.

The server formats every cell (neutralisation, tags, subscription status, dates in the
business's time zone) and writes the CSV itself; Python only passes the rows on. The
rules are those of columns.py, written in SQL; tests/transfer checks that both writers
give the same bytes.

The selection is the ORM's own SQL for `contacts_selected()` — the list's filter and the
workspace scope included — used as the source of the COPY, its values bound client-side
by psycopg (COPY takes no server-side parameters); nothing is formatted into the SQL but
table names and constants of this module.
"""

from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet

from comptoir.contacts.models import Contact, ContactTag, Tag
from comptoir.core.models import Workspace
from comptoir.transfer.columns import (
    ADDRESS_COLUMNS,
    DATE_FIELDS,
    FORMULA_STARTS,
    LINE_END,
    NOT_SUBSCRIBED,
    TEXT_FIELDS,
)
from comptoir.transfer.export_selectors import CONTACT_FIELDS

FLUSH_BYTES = 64 * 1024
FORMULA_CODES = ", ".join(str(ord(char)) for char in FORMULA_STARTS)
# to_char writes the offset as "+01:00" with TZH:TZM, in the session's time zone.
ISO_DATETIME = "'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'"


def _text(expression: str) -> str:
    """columns.neutralise in SQL; an empty text becomes NULL, which COPY writes unquoted,
    as csv.writer writes "" (COPY quotes an empty string to tell it from NULL)."""
    value = f"({expression})"
    return (
        f"CASE WHEN ascii({value}) IN ({FORMULA_CODES}) THEN '''' || {value} "
        f"ELSE NULLIF({value}, '') END"
    )


def _cells() -> list[str]:
    """The SELECT list, in the order of columns.CONTACT_HEADER."""
    addresses = [
        _text(f"c.{side}_address ->> '{key}'")
        for side in ("shipping", "billing")
        for key in ADDRESS_COLUMNS
    ]
    return [
        *(_text(f"c.{name}") for name in TEXT_FIELDS),
        "c.type",
        "CASE c.consent WHEN 'subscribed' THEN 'subscribed' "
        f"WHEN 'unsubscribed' THEN 'unsubscribed' ELSE '{NOT_SUBSCRIBED}' END",
        _text("tags.names"),
        "CASE WHEN c.has_account THEN 'yes' ELSE 'no' END",
        "c.order_count",
        "c.total_spent",
        "c.average_order_value",
        *(f"to_char(c.{name}, {ISO_DATETIME})" for name in DATE_FIELDS),
        *addresses,
    ]


def _copy_statement(
    workspace: Workspace, contacts: QuerySet[Contact], delimiter: str
) -> tuple[str, tuple]:
    source, params = contacts.values(*CONTACT_FIELDS).query.sql_with_params()
    links, tags = (connection.ops.quote_name(m._meta.db_table) for m in (ContactTag, Tag))
    # The workspace's tags (at most 250) become two small JSON lookups, id -> name and
    # id -> key, built once: each contact then costs one index-only scan of its links.
    # Joined per contact instead, the tag table was scanned and hashed for every row: two
    # to three times slower on a million contacts (bench/results/contacts_export-findings).
    # Tags sort by key in code-point order (COLLATE "C"), as Python sorts them.
    # Formatted in: constants of this module, quoted table names and the ORM's SQL, whose
    # values are bound like every other one.
    statement = (
        f"COPY (SELECT {', '.join(_cells())} FROM ({source}) AS c "  # noqa: S608
        f"CROSS JOIN (SELECT jsonb_object_agg(id, name) AS names, "
        f"jsonb_object_agg(id, key) AS keys FROM {tags} WHERE workspace_id = %s) AS tag "
        f"LEFT JOIN LATERAL (SELECT string_agg(tag.names ->> ct.tag_id::text, ', ' "
        f'ORDER BY tag.keys ->> ct.tag_id::text COLLATE "C") AS names '
        f"FROM {links} AS ct WHERE ct.contact_id = c.id) AS tags ON true ORDER BY c.id) "
        f"TO STDOUT (FORMAT csv, DELIMITER %s)"
    )
    return statement, (*params, workspace.pk, delimiter)


def contact_csv_lines(
    *, workspace: Workspace, contacts: QuerySet[Contact], delimiter: str
) -> Iterator[bytes]:
    """The CSV records of `contacts` (no header), by increasing id, in ~64 KB blocks.

    COPY ends records with LF; the file's records end with CRLF. libpq hands over one
    record per read, so each read's final LF is the record's end, never a line break
    inside a quoted cell.
    """
    try:
        statement, params = _copy_statement(workspace, contacts, delimiter)
    except EmptyResultSet:  # a filter nobody can match (a tag that does not exist)
        return
    end = LINE_END.encode()
    with transaction.atomic(), connection.cursor() as cursor:
        # to_char writes dates in the session's time zone: the business's, for this
        # transaction only. Django reads every other date of the connection in UTC.
        cursor.execute("SELECT current_setting('TimeZone')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [workspace.time_zone])
        block, size = [], 0
        with cursor.cursor.copy(statement, params) as copy:
            for record in copy:
                block.append(record[:-1])
                size += len(record)
                if size >= FLUSH_BYTES:
                    yield end.join(block) + end
                    block, size = [], 0
        if block:
            yield end.join(block) + end
        # Within a test's (or a caller's) transaction the setting would outlive this block.
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous])
