"""Keyset (cursor) pagination, for the API's lists and the dashboard's: a page size and an
opaque cursor.

The cursor holds the sort values of the last row returned, so the next page is one indexed
range scan whatever its depth; OFFSET would read and discard every row before it.
"""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Expression, F, Q, QuerySet, Value


class InvalidCursor(Exception):
    """A cursor this code did not issue (edited, truncated, or holding values of the wrong
    type). The API answers it 422 `invalid_cursor`; the dashboard restarts at the first page."""

    def __init__(self):
        super().__init__("The cursor is not one this API returned.")


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    cursor: str | None = None


@dataclass
class Page:
    items: list
    next_cursor: str | None


def _encode(values: list) -> str:
    def plain(value):
        if value is None or isinstance(value, int | str):
            return value
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    raw = json.dumps([plain(value) for value in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a cursor value")


def _cursor_value(value) -> bool:
    """What `_encode` writes: an integer a database column holds, or a string."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, str) and len(value) <= 500


def _decode(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        # Infinity and NaN are not JSON, but Python's reader accepts them unless told not to.
        raw = base64.urlsafe_b64decode(padded.encode())
        values = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(_cursor_value(value) for value in values)
    ):
        raise InvalidCursor()
    return values


class RowAfter(Expression):
    """`(a, b) > (x, y)`, or `<` for a descending ordering: rows strictly after a cursor.

    PostgreSQL and SQLite compare row values lexicographically, and both seek an (a, b) index
    straight to the cursor with it. The equivalent OR of ANDs (`_after_any_direction`) is a
    filter to them: every row sharing the cursor's first key is read and thrown away, which
    on a deep page of a sort with many ties (most contacts have 0 orders) is most of the list.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, fields: list[str], values: list, descending: bool):
        super().__init__()
        self.columns = [F(field) for field in fields]
        self.values = list(values)
        self.descending = descending

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        left, right, left_params, right_params = [], [], [], []
        for column, value in zip(self.columns, self.values, strict=True):
            sql, params = compiler.compile(column)
            left.append(sql)
            left_params.extend(params)
            # Typed by its column, so that a cursor's text becomes a number or an instant,
            # and a value of the wrong type fails like a filter would.
            sql, params = compiler.compile(Value(value, output_field=column.output_field))
            right.append(sql)
            right_params.extend(params)
        operator = "<" if self.descending else ">"
        sql = f"({', '.join(left)}) {operator} ({', '.join(right)})"
        return sql, [*left_params, *right_params]


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after `values` in `ordering` (a lexicographic comparison)."""
    directions = {key.startswith("-") for key in ordering}
    if len(ordering) > 1 and len(directions) == 1:
        fields = [key.lstrip("-") for key in ordering]
        return Q(RowAfter(fields, values, descending=directions.pop()))
    return _after_any_direction(ordering, values)


def _after_any_direction(ordering: list[str], values: list) -> Q:
    """The same for an ordering that mixes directions, which a row value cannot express."""
    condition = Q()
    for depth, key in enumerate(ordering):
        field = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        step = Q(**{f"{field}__{op}": values[depth]})
        for previous, value in zip(ordering[:depth], values[:depth], strict=True):
            step &= Q(**{previous.lstrip("-"): value})
        condition |= step
    # The OR above is exact, but no index can seek on it: this redundant bound on the first
    # key lets the database start its range scan at the cursor instead of the list's start.
    first = ordering[0]
    bound_op = "lte" if first.startswith("-") else "gte"
    return Q(**{f"{first.lstrip('-')}__{bound_op}": values[0]}) & condition


def paginate(queryset: QuerySet, params: PageRequest, ordering: list[str]) -> Page:
    """One page of `queryset` in `ordering`, whose last key must be unique (the primary key).
    `params` is anything with a `limit` and a `cursor` (a PageRequest, the API's PageParams).

    The ordering fields must not be NULL: sort such columns on a coalesced annotation.
    """
    if ordering[-1].lstrip("-") not in {"id", "pk"}:
        raise ValueError("the last ordering key must be the primary key")
    queryset = queryset.order_by(*ordering)
    try:
        if params.cursor:
            queryset = queryset.filter(_after(ordering, _decode(params.cursor, len(ordering))))
        rows = list(queryset[: params.limit + 1])
    except (ValueError, TypeError, OverflowError, ValidationError):
        # Values of the wrong type for their column: a cursor we never issued.
        raise InvalidCursor() from None
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = _encode([getattr(last, key.lstrip("-")) for key in ordering])
    return Page(items=rows, next_cursor=next_cursor)
