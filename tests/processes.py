"""Running `comptoir` as a separate process, the way an operator or a deployment does."""

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote


def comptoir_env(var_dir, **overrides) -> dict:
    """The environment of a fresh installation in `var_dir`: no COMPTOIR_* from the tests."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser tests for their own process only (tests/e2e/conftest.py).
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment.update(COMPTOIR_VAR_DIR=str(var_dir), **overrides)
    return environment


def run_comptoir(var_dir, *args, timeout: int = 120, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comptoir", *args],
        env=comptoir_env(var_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ------------------------------------------------ processes that share a database with a test


class ChildDatabase:
    """A database of its own for the Comptoir processes a test starts, on the engine of the
    test run: a SQLite file (the test database lives in memory), or a PostgreSQL database
    beside the test database. The test reads it back with plain SQL (`%s` placeholders)."""

    def __init__(self, tmp_path):
        from django.db import connection

        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.path = tmp_path / "comptoir.sqlite3"
            self.url = f"sqlite:///{self.path}"
            return
        server = connection.settings_dict
        self.server = {
            "host": server["HOST"] or "127.0.0.1",
            "port": int(server["PORT"] or 5432),
            "user": server["USER"],
            "password": server["PASSWORD"],
        }
        self.name = f"{server['NAME']}_child"[:63]
        credentials = quote(server["USER"] or "", safe="")
        if server["PASSWORD"]:
            credentials += ":" + quote(server["PASSWORD"], safe="")
        self.url = (
            f"postgres://{credentials}@{self.server['host']}:{self.server['port']}/{self.name}"
        )

    def _server(self):
        import psycopg

        return psycopg.connect(dbname="postgres", autocommit=True, **self.server)

    def __enter__(self) -> "ChildDatabase":
        if self.vendor != "sqlite":
            from psycopg import sql

            with self._server() as server:
                name = sql.Identifier(self.name)
                server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
                server.execute(sql.SQL("CREATE DATABASE {}").format(name))
        return self

    def __exit__(self, *exc) -> None:
        if self.vendor != "sqlite":
            from psycopg import sql

            with self._server() as server:
                name = sql.Identifier(self.name)
                server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))

    def rows(self, query: str, *params) -> list[tuple]:
        if self.vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(self.path, timeout=30)) as database:
                return database.execute(query.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(dbname=self.name, **self.server) as database:
            return database.execute(query, params).fetchall()

    def one(self, query: str, *params):
        rows = self.rows(query, *params)
        return rows[0] if rows else None


def python_in_comptoir(var_dir, code: str, **env) -> str:
    """Run `code` in `comptoir shell` and return the last line it printed."""
    done = run_comptoir(var_dir, "shell", "-c", code, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def wait_for(condition, *, what: str, timeout: float = 120, process=None, logs=None):
    """Poll `condition()` until it returns something true; fail after `timeout` seconds, or
    at once when `process` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.05)
    output = logs.read_text() if logs is not None and logs.exists() else ""
    raise AssertionError(f"never saw {what}\n{output}")


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if int(fields[1]) == pid and fields[0] not in {"Z", "X"}:
            found.append(int(entry.name))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
