"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request
that reuses a connection, so that a connection the server dropped (a restart, an idle
timeout) is replaced instead of failing the request. That is one more round trip per
request: on the 2-core benchmark machine, as much time as the API token lookup itself.

A connection the server closed has something to read — the server's goodbye, or the end of
the stream — while a healthy idle connection between two requests has nothing. So the
socket is polled without waiting, and only a connection with something to read is asked
with `SELECT 1`, as before. (A server that vanished without closing its connections is
caught by the first query, as without health checks.)
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if self.errors_occurred:
            return super().is_usable()
        # poll(), not select(): select() cannot watch a descriptor numbered 1024 or more,
        # which a busy server process may well hold.
        poller = select.poll()
        try:
            poller.register(connection.fileno(), select.POLLIN)
            readable = poller.poll(0)
        except (OSError, ValueError):
            return False
        return super().is_usable() if readable else True
