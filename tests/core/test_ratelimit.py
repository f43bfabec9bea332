"""The shared fixed-window limiter behind login throttling."""

import datetime as dt

from django.utils import timezone

from comptoir.core import clock
from comptoir.core.models import RateLimitWindow
from comptoir.core.ratelimit import rate_limit_hit, rate_limit_peek


def test_hits_are_allowed_up_to_the_limit_then_refused_until_the_window_ends(db):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    with clock.at(start):
        verdicts = [rate_limit_hit(key="k", limit=3, window_seconds=60) for _ in range(4)]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
        assert verdicts[-1].retry_after == 60
        assert not rate_limit_peek(key="k", limit=3, window_seconds=60).allowed
        assert rate_limit_hit(key="other", limit=3, window_seconds=60).allowed
    with clock.at(start + dt.timedelta(seconds=61)):
        assert rate_limit_peek(key="k", limit=3, window_seconds=60).allowed
        assert rate_limit_hit(key="k", limit=3, window_seconds=60).allowed
    # The key's old window went when its new one opened.
    assert RateLimitWindow.objects.filter(key="k").count() == 1
