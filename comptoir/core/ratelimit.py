"""Fixed-window rate limits shared by every process (login throttling, public forms)."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from comptoir.core import clock
from comptoir.core.models import RateLimitWindow


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until a new attempt may succeed; 0 when allowed


def _window(window_seconds: int) -> tuple[dt.datetime, int]:
    now = clock.now()
    epoch = int(now.timestamp())
    start = epoch - epoch % window_seconds
    return dt.datetime.fromtimestamp(start, tz=dt.UTC), start + window_seconds - epoch


def rate_limit_peek(*, key: str, limit: int, window_seconds: int) -> Verdict:
    """Whether one more hit would still be allowed, without counting one."""
    start, remaining = _window(window_seconds)
    hits = (
        RateLimitWindow.objects.filter(key=key, window_start=start)
        .values_list("hits", flat=True)
        .first()
        or 0
    )
    return Verdict(True, 0) if hits < limit else Verdict(False, remaining)


@transaction.atomic
def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> Verdict:
    """Count one hit for `key`; allowed while the window holds at most `limit` of them."""
    start, remaining = _window(window_seconds)
    rows = RateLimitWindow.objects.filter(key=key, window_start=start)
    if not rows.update(hits=F("hits") + 1):
        try:
            with transaction.atomic():
                RateLimitWindow.objects.create(key=key, window_start=start, hits=1)
        except IntegrityError:
            # Another process opened the window between our update and our insert.
            rows.update(hits=F("hits") + 1)
        else:
            # A new window: the key's older ones will never be read again.
            RateLimitWindow.objects.filter(key=key, window_start__lt=start).delete()
    hits = rows.values_list("hits", flat=True).get()
    return Verdict(True, 0) if hits <= limit else Verdict(False, remaining)
