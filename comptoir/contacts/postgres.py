"""PostgreSQL-only speed paths of the directory (ARCHITECTURE: "behind one small module").

SQLite has no trigram index and no operator classes; there the same queries run unchanged,
just without these indexes.
"""

from django.db import DatabaseError, transaction

TRIGRAM_INDEX = "contact_search_trgm"
EMAIL_PREFIX_INDEX = "contact_email_prefix"


def _is_postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def create_search_indexes(apps, schema_editor) -> None:
    """`q` runs `search_text LIKE '%term%'` (a trigram GIN index answers it) and, for an
    address typed from its start, `email_key LIKE 'prefix%'` (which needs the pattern
    operator class unless the database collation is C)."""
    if not _is_postgres(schema_editor):
        return
    table = apps.get_model("contacts", "Contact")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(EMAIL_PREFIX_INDEX)} ON {quote(table)} "
        f"(workspace_id, email_key varchar_pattern_ops)"
    )
    try:
        # pg_trgm is a trusted extension (PostgreSQL ≥ 13): a database owner may create it.
        # Where the role may not, search still works, with a sequential scan.
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(TRIGRAM_INDEX)} ON {quote(table)} "
        f"USING gin (search_text gin_trgm_ops)"
    )


def drop_email_prefix_index(apps, schema_editor) -> None:
    """`q` no longer reads an address as a prefix (any part of it is a trigram search), so
    nothing uses this index any more; it only slowed every write."""
    if _is_postgres(schema_editor):
        schema_editor.execute(
            f"DROP INDEX IF EXISTS {schema_editor.quote_name(EMAIL_PREFIX_INDEX)}"
        )


def create_email_prefix_index(apps, schema_editor) -> None:
    if not _is_postgres(schema_editor):
        return
    table = apps.get_model("contacts", "Contact")._meta.db_table
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(EMAIL_PREFIX_INDEX)} ON {quote(table)} "
        f"(workspace_id, email_key varchar_pattern_ops)"
    )


def drop_search_indexes(apps, schema_editor) -> None:
    if not _is_postgres(schema_editor):
        return
    for name in (TRIGRAM_INDEX, EMAIL_PREFIX_INDEX):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
