"""The background job of an import: the worker (`comptoir worker`) runs it in its own
process, reading the file the upload left under VAR_DIR/imports/."""

from django_tasks import task

from comptoir.core.leases import when_worker_lost
from comptoir.transfer.imports import import_run, import_worker_lost


@task()
def import_run_task(job_id: int) -> str:
    return import_run(job_id=job_id).status


# Not run again by itself: a file that took its worker down (out of memory) would take the
# next one down too. The job fails, undoes what it staged, and the importer may run it again.
@when_worker_lost(import_run_task, retries=0)
def _import_worker_lost(job_id: int, *, retrying: bool, reason: str) -> None:
    import_worker_lost(job_id=job_id, reason=reason)
