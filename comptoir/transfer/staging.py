"""The staging table an import streams its valid rows into before merging them (X1).

A temporary table of the job's own database session: nobody else sees it, and it goes
away with the session if the worker dies. On PostgreSQL rows go in with COPY (psycopg 3),
on SQLite with batched INSERTs. Either way rows are written as they are parsed, so memory
stays flat whatever the size of the file.
"""

from django.db import connection, transaction

from comptoir.transfer.import_rows import StagedRow

_TYPES = {
    "line": ("integer", "integer"),
    "has_account": ("boolean", "integer"),
    "created_at": ("timestamptz", "text"),
}


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class Staging:
    """`rows` is the table's name; `write(batch)` appends parsed rows."""

    def __init__(self, job_id: int):
        self.rows = f"import_rows_{int(job_id)}"
        self.columns = StagedRow._fields

    def create(self) -> None:
        engine = 0 if is_postgres() else 1
        columns = ", ".join(
            f"{name} {_TYPES.get(name, ('text', 'text'))[engine]}" for name in self.columns
        )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.rows}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.rows} ({columns})")

    def write(self, batch: list[StagedRow]) -> None:
        if not batch:
            return
        names = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if is_postgres():
                with cursor.copy(f"COPY {self.rows} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                return
            adapt = connection.ops.adapt_datetimefield_value
            slots = ", ".join(["%s"] * len(self.columns))
            with transaction.atomic():
                cursor.executemany(
                    f"INSERT INTO {self.rows} ({names}) VALUES ({slots})",
                    [row._replace(created_at=adapt(row.created_at)) for row in batch],
                )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.rows}")
