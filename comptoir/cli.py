"""The `comptoir` console script: Django's management commands with Comptoir's settings.

Configuration mistakes stop the program with one line on stderr and exit status 2; an
unreachable database with exit status 1. No traceback for either: they are the operator's
to fix, not bugs.
"""

import os
import sys

# Commands that are useless without the database; it is checked before they start.
NEEDS_DATABASE = {"migrate", "serve", "worker", "workspace", "token", "demo"}


def fail(message: str, status: int) -> None:
    print(f"comptoir: error: {message}", file=sys.stderr)
    sys.exit(status)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "comptoir"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")

    import django

    from comptoir.config import ConfigError

    try:
        django.setup()
    except ConfigError as error:
        fail(str(error), 2)

    if len(argv) > 1 and argv[1] in NEEDS_DATABASE:
        check_database()

    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def check_database() -> None:
    from django.db import connection
    from django.db.utils import Error

    try:
        connection.ensure_connection()
    except Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        settings = connection.settings_dict
        where = settings["NAME"]
        if settings.get("HOST"):
            where = f"{settings['HOST']}:{settings.get('PORT') or 5432}/{settings['NAME']}"
        fail(f"cannot reach the database {where}: {reason}", 1)
