"""Where the import job lived before it moved beside its service (transfer.imports): jobs
queued under this path by an older release still find it."""

from comptoir.transfer.imports import import_run_task

__all__ = ["import_run_task"]
