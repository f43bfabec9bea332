"""The read behind every API request: an active token and its workspace, in one statement.

Every API call starts here, so its cost is paid by every request. Compiling the equivalent
ORM query (`select_related`, the model's default ordering, `.first()`) took longer than
running it — it was the largest cost of a bare authenticated request — so the statement
is written once here, in SQL that SQLite and PostgreSQL both run, and the rows are turned
into model instances with the fields' own converters, as the ORM would.
"""

from functools import cache

from django.db import connection

from comptoir.core.models import ApiToken, Workspace

_MODELS = (ApiToken, Workspace)


@cache
def _statement(vendor: str) -> tuple[str, tuple]:
    """The SQL and, per selected column, its model field's converters (for this vendor)."""
    quote = connection.ops.quote_name
    columns, converters = [], []
    for alias, model in zip(("t", "w"), _MODELS, strict=True):
        for field in model._meta.concrete_fields:
            columns.append(f"{alias}.{quote(field.column)}")
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
            converters.append(tuple((convert, col) for convert in found))
    # Only names from the models are formatted in; the digest is a parameter.
    template = (
        "SELECT {columns} FROM {tokens} t JOIN {workspaces} w ON w.id = t.workspace_id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL"
    )
    sql = template.format(
        columns=", ".join(columns),
        tokens=quote(ApiToken._meta.db_table),
        workspaces=quote(Workspace._meta.db_table),
    )
    return sql, tuple(converters)


def active_token(digest: str) -> ApiToken | None:
    """The token with this digest unless revoked, its `workspace` already loaded."""
    sql, converters = _statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for value, field_converters in zip(row, converters, strict=True):
        for convert, col in field_converters:
            value = convert(value, col, connection)
        values.append(value)
    split = len(ApiToken._meta.concrete_fields)
    token = ApiToken.from_db(connection.alias, None, values[:split])
    token.workspace = Workspace.from_db(connection.alias, None, values[split:])
    return token
