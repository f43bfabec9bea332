import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from comptoir.core import clock
from comptoir.core.worker import run_forever, run_once


def instant(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at {value!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise CommandError(f"--at {value!r} needs a UTC offset, e.g. 2026-11-22T09:00:00+00:00")
    return moment


class Command(BaseCommand):
    help = "Run background jobs: continuously, or everything due once (--once)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="process everything due, exit")
        parser.add_argument("--at", help="treat this ISO 8601 instant as now")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, once, at, interval, **options):
        if at:
            with clock.at(instant(at)):
                self._work(once, interval)
        else:
            self._work(once, interval)

    def _work(self, once: bool, interval: float) -> None:
        if once:
            done = run_once()
            self.stdout.write(f"{done} job(s) done")
        else:
            run_forever(interval=interval)
