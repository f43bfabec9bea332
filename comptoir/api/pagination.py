"""Keyset (cursor) pagination for every list of the API: `limit` ≤ 500 and an opaque cursor.

The cursor holds the sort values of the last row returned, so the next page is one indexed
range scan whatever its depth; OFFSET would read and discard every row before it.
"""

import base64
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from ninja import Query, Schema
from pydantic import Field

from comptoir.api.errors import ApiError

MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


PageQuery = Query[PageParams]


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


def _decode(cursor: str, size: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise _invalid_cursor()
    return values


def _invalid_cursor() -> ApiError:
    return ApiError(422, "invalid_cursor", "The cursor is not one this API returned.")


def _after(ordering: list[str], values: list) -> Q:
    """Rows strictly after `values` in `ordering` (a lexicographic comparison)."""
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


def paginate(queryset: QuerySet, params: PageParams, ordering: list[str]) -> Page:
    """One page of `queryset` in `ordering`, whose last key must be unique (the primary key).

    The ordering fields must not be NULL: sort such columns on a coalesced annotation.
    """
    if ordering[-1].lstrip("-") not in {"id", "pk"}:
        raise ValueError("the last ordering key must be the primary key")
    queryset = queryset.order_by(*ordering)
    try:
        if params.cursor:
            queryset = queryset.filter(_after(ordering, _decode(params.cursor, len(ordering))))
        rows = list(queryset[: params.limit + 1])
    except (ValueError, TypeError, ValidationError):
        # Values of the wrong type for their column: a cursor we never issued.
        raise _invalid_cursor() from None
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = _encode([getattr(last, key.lstrip("-")) for key in ordering])
    return Page(items=rows, next_cursor=next_cursor)
