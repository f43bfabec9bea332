"""The current time, which `comptoir worker --at` can move.

Everything that decides whether work is due asks `now()` rather than `timezone.now()`, so
that a catch-up run (or a test) can say "behave as if it were this instant".
"""

import contextlib
import datetime as dt
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("comptoir_now", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def at(instant: dt.datetime):
    if timezone.is_naive(instant):
        raise ValueError("the instant needs a UTC offset")
    token = _frozen.set(instant)
    try:
        yield
    finally:
        _frozen.reset(token)
