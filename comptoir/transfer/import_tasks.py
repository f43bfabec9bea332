"""The background job of an import: the worker (`comptoir worker`) runs it in its own
process, reading the file the upload left under VAR_DIR/imports/."""

from django_tasks import task

from comptoir.transfer.imports import import_run


@task()
def import_run_task(job_id: int) -> str:
    return import_run(job_id=job_id).status
