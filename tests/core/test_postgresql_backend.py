"""The PostgreSQL backend's health check: free for a healthy connection, and a connection
the server closed is still replaced before a request uses it."""

import time
from unittest.mock import patch

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from comptoir.core.models import Workspace

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the backend is PostgreSQL's; SQLite has none"
    ),
    pytest.mark.django_db(transaction=True),
]


def _start_request() -> None:
    """What Django does when a request starts (`close_old_connections`)."""
    connection.close_if_unusable_or_obsolete()


def test_a_connection_the_server_closed_is_replaced_before_the_next_request():
    # Given a connection in use, that the server then terminates (a restart, an idle timeout)
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        other.close()
    time.sleep(0.2)  # the server's goodbye reaches our socket

    # When the next request starts and queries
    _start_request()
    count = Workspace.objects.count()

    # Then it got a new connection instead of an error
    assert count == 0
    assert connection.connection.info.backend_pid != backend


def test_a_healthy_connection_is_checked_without_a_query():
    # Given a healthy connection between two requests
    connection.ensure_connection()
    asked = []
    real_check = django_postgresql.DatabaseWrapper.is_usable

    def select_one(self):
        asked.append(self.alias)
        return real_check(self)

    # When the next request starts and queries
    with patch.object(django_postgresql.DatabaseWrapper, "is_usable", select_one):
        _start_request()
        Workspace.objects.count()
        backend = connection.connection.info.backend_pid

        # Then its health was checked without `SELECT 1`, on the same connection
        assert connection.health_check_done
        assert asked == []

        # And a connection the server closed is still asked, and replaced
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
        finally:
            other.close()
        time.sleep(0.2)
        _start_request()
        Workspace.objects.count()
    assert asked == ["default"]
    assert connection.connection.info.backend_pid != backend
