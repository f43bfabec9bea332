"""Imports that stop through no fault of their file (P2): cancelled, or their worker lost.
Either way nothing is imported, what the job had staged goes, and it can be run again."""

import pytest
from django.utils import timezone

from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from comptoir.transfer import imports
from comptoir.transfer.imports import (
    import_can_run_again,
    import_cancel,
    import_create,
    import_run,
    import_run_again,
    import_worker_lost,
)
from comptoir.transfer.models import ImportJob
from tests.transfer.helpers import run_import, upload

# Refused rows first: with small chunks the job stages some before it checks for a cancel.
CONTENT = (
    "Email,First name\n"
    + "".join(f"bad{n},X\n" for n in range(5))
    + ("".join(f"person{n}@example.com,P\n" for n in range(20)))
)


def queued(workspace, content=CONTENT) -> ImportJob:
    return import_create(workspace=workspace, upload=upload(content), actor=None)


def test_a_queued_import_cancelled_fails_at_once_and_its_job_then_does_nothing(workspace, owner):
    job = queued(workspace)
    job = import_cancel(job=job, actor=owner)
    assert (job.status, job.stop_reason) == ("failed", "cancelled")
    assert "You can run it again." in job.failure_message

    import_run(job_id=job.pk)  # the task still runs when its turn comes

    job.refresh_from_db()
    assert job.status == "failed"
    assert not scoped(Contact, workspace).exists()
    assert import_can_run_again(job)


def test_a_running_import_stops_at_its_next_chunk_and_undoes_what_it_staged(
    workspace, owner, monkeypatch
):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    monkeypatch.setattr(imports, "ERROR_BATCH", 2)
    job = queued(workspace)
    flushes = []
    real_flush = imports._flush

    def flush_then_cancel(staging, batch, errors):
        refused = real_flush(staging, batch, errors)
        flushes.append(refused)
        if len(flushes) == 1:
            # The importer presses "Cancel" while the job reads.
            assert job.row_errors.exists()
            import_cancel(job=ImportJob.objects.get(pk=job.pk), actor=owner)
        return refused

    monkeypatch.setattr(imports, "_flush", flush_then_cancel)

    import_run(job_id=job.pk)

    job.refresh_from_db()
    assert len(flushes) == 1
    assert (job.status, job.stop_reason) == ("failed", "cancelled")
    assert (job.processed, job.errors_total) == (0, 0)
    assert not job.row_errors.exists()
    assert not scoped(Contact, workspace).exists()
    assert import_can_run_again(job)

    monkeypatch.setattr(imports, "_flush", real_flush)
    again = import_run_again(job=job, actor=owner)
    import_run(job_id=again.pk)
    again.refresh_from_db()
    assert (again.status, again.created, again.errors_total) == ("completed", 20, 5)


def test_a_cancel_during_the_merge_is_refused_and_after_the_end_too(workspace, owner):
    job = queued(workspace)
    ImportJob.objects.filter(pk=job.pk).update(status="running", phase="merging")
    with pytest.raises(ServiceError) as refused:
        import_cancel(job=job, actor=owner)
    assert (refused.value.code, refused.value.status) == ("already_saving", 409)

    done = run_import(workspace, CONTENT)
    with pytest.raises(ServiceError) as refused:
        import_cancel(job=done, actor=owner)
    assert refused.value.code == "not_cancellable"


def test_a_cancel_that_arrives_during_the_merge_throws_the_merge_away(
    workspace, owner, monkeypatch
):
    job = queued(workspace)
    real_run = imports.Merge.run

    def merge_then_cancel(merge):
        result = real_run(merge)
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested_at=timezone.now())
        return result

    monkeypatch.setattr(imports.Merge, "run", merge_then_cancel)
    import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stop_reason) == ("failed", "cancelled")
    assert not scoped(Contact, workspace).exists()


def test_an_import_whose_worker_was_lost_fails_undone_and_can_run_again(workspace, owner):
    job = queued(workspace)
    # What a worker killed in the middle of reading leaves behind.
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", phase="reading", processed=10, errors_total=5, bytes_read=100
    )
    job.row_errors.create(line=2, email="bad0", message="not an address")

    import_worker_lost(job_id=job.pk, reason="the worker running this job stopped (vm:1:2:3)")

    job.refresh_from_db()
    assert (job.status, job.stop_reason) == ("failed", "worker_lost")
    assert (job.processed, job.errors_total, job.phase) == (0, 0, "")
    assert not job.row_errors.exists()
    assert "vm:1:2:3" in job.failure
    assert "You can run it again." in job.failure_message
    again = import_run_again(job=job, actor=owner)
    with pytest.raises(ServiceError) as twice:
        import_run_again(job=job, actor=owner)
    assert twice.value.code == "already_started"
    import_run(job_id=again.pk)
    assert scoped(Contact, workspace).count() == 20


def test_a_lost_worker_does_not_undo_an_import_that_ended(workspace):
    job = run_import(workspace, CONTENT)
    import_worker_lost(job_id=job.pk, reason="late news")
    job.refresh_from_db()
    assert (job.status, job.errors_total) == ("completed", 5)


def test_a_job_taken_back_from_its_worker_is_left_as_the_taker_set_it(
    workspace, owner, monkeypatch
):
    """A worker thought lost (its lease expired) that was in fact still reading stops at its
    next chunk without overwriting the job."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 4)
    job = queued(workspace)
    real_flush = imports._flush

    def flush_then_lose(staging, batch, errors):
        refused = real_flush(staging, batch, errors)
        import_worker_lost(job_id=job.pk, reason="heartbeat too old")
        return refused

    monkeypatch.setattr(imports, "_flush", flush_then_lose)
    import_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.stop_reason) == ("failed", "worker_lost")
    assert not scoped(Contact, workspace).exists()
    assert import_can_run_again(job)


def test_an_import_that_failed_on_its_file_cannot_be_run_again(workspace, owner):
    job = queued(workspace)
    imports.stored_path(job).write_text("Email,First name\n")  # rows gone since the upload
    import_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.failure_message) == (
        "failed",
        "The file has a header but no rows under it.",
    )
    assert not import_can_run_again(job)
    with pytest.raises(ServiceError) as refused:
        import_run_again(job=job, actor=owner)
    assert (refused.value.code, refused.value.status) == ("cannot_run_again", 409)
