"""`python -m tests.pg_available URL`: exit 0 when that PostgreSQL server answers."""

import sys
from urllib.parse import urlsplit

import psycopg


def main(url: str) -> int:
    parts = urlsplit(url)
    try:
        # Connect to the maintenance database: the test database is created by the tests.
        psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        print(f"PostgreSQL unreachable: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
