"""Jobs of the core app, and the one way every app enqueues its jobs."""

from functools import partial

from django.db import transaction
from django_tasks import task


def enqueue_on_commit(job, *args) -> None:
    """Enqueue `job` with `args` once the current transaction commits (house rule 4): a job
    never starts on rows the worker cannot see yet, nor for a change that was rolled back.
    Outside a transaction it is enqueued at once."""
    transaction.on_commit(partial(job.enqueue, *args))


@task()
def ping(marker: str) -> str:
    """A job that does nothing but prove the worker runs jobs (used by `comptoir` checks)."""
    return f"pong {marker}"
