"""The API's page parameters: `limit` ≤ 500 and an opaque cursor (core.pagination pages)."""

from ninja import Query, Schema
from pydantic import Field

from comptoir.core.pagination import Page, PageRequest, paginate

__all__ = ["MAX_LIMIT", "Page", "PageParams", "PageQuery", "PageRequest", "paginate"]

MAX_LIMIT = 500


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    # What core.pagination writes, declared so that a client knows it; any other value, or
    # one of that alphabet the API did not write, is 422 `invalid_cursor` (InvalidCursor).
    cursor: str | None = Field(
        None,
        max_length=1000,
        description="Opaque: the `next_cursor` of the previous page, sent back as it came; "
        "empty for the first page.",
        json_schema_extra={"pattern": "^[A-Za-z0-9_-]*$"},
    )


PageQuery = Query[PageParams]
