"""Jobs of the core app."""

from django_tasks import task


@task()
def ping(marker: str) -> str:
    """A job that does nothing but prove the worker runs jobs (used by `comptoir` checks)."""
    return f"pong {marker}"
