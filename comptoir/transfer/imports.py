"""Every write of an import (X1, X2): upload, start, run.

A file is a contact file, or an orders export of Shopify or Square (issue 15), told
apart by its columns (or by `kind`); an orders import runs in transfer.order_imports and
shares everything else here: the upload, the job, its progress, cancel and error report.

An upload is stored under VAR_DIR/imports/ and inspected at once (encoding, delimiter,
columns), so that an unusable file is refused while the person is still there; the rows
are read by the worker (`import_run_task`, in its own process), in two phases:

1. reading: every row is parsed and normalised (import_rows), valid rows stream into a
   staging table (staging), refused ones into ImportRowError with their line and reason;
2. merging: one transaction merges the staging table into the directory (import_merge).
   A dry run does exactly the same and rolls that transaction back, so its counts are the
   ones a real run would give.
"""

import datetime as dt
import json
import logging
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_tasks import task

from comptoir.core.leases import when_worker_lost
from comptoir.core.models import User, Workspace
from comptoir.core.services import ServiceError
from comptoir.core.tasks import enqueue_on_commit
from comptoir.transfer import order_files, presets, reading
from comptoir.transfer.import_extras import imported_notes_add, store_customer_ids_keep
from comptoir.transfer.import_merge import Merge, analyze_after_merge
from comptoir.transfer.import_rows import RowError, RowParser
from comptoir.transfer.models import ImportJob, ImportRowError
from comptoir.transfer.order_imports import OrdersRun
from comptoir.transfer.reasons import Reason, RefusedImport
from comptoir.transfer.staging import Staging

logger = logging.getLogger("comptoir.transfer")

Status = ImportJob.Status
Kind = ImportJob.Kind
CHUNK_ROWS = 20_000
ERROR_BATCH = 1_000
# Finished dry runs keep their file, so that the real import needs no second upload; past
# this age nobody is coming back for it.
DRY_RUN_FILE_DAYS = 1


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_path(job: ImportJob) -> Path:
    return imports_dir() / job.stored_name


def _too_large() -> ServiceError:
    limit = settings.COMPTOIR_IMPORT_MAX_BYTES
    return ServiceError(
        _("The file is larger than %(size)s MB, the most an import accepts.")
        % {"size": f"{limit / 1_000_000:g}"},
        code="file_too_large",
        status=413,
    )


def _store(upload) -> tuple[str, int]:
    """Copy the upload under VAR_DIR/imports/, chunk by chunk; (stored name, size)."""
    if upload.size is not None and upload.size > settings.COMPTOIR_IMPORT_MAX_BYTES:
        raise _too_large()
    name = f"{uuid.uuid4().hex}.csv"
    path = imports_dir() / name
    size = 0
    try:
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                size += len(chunk)
                if size > settings.COMPTOIR_IMPORT_MAX_BYTES:
                    raise _too_large()
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name, size


def parse_mapping(raw) -> dict | None:
    """The `mapping` of the API: a JSON object {field: column name or null}."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ServiceError(
                _("The mapping is not valid JSON."), code="invalid_mapping", status=400
            ) from None
    if not isinstance(raw, dict) or not all(
        isinstance(value, str | None) for value in raw.values()
    ):
        raise ServiceError(
            _("The mapping is a JSON object of contact field → column name."),
            code="invalid_mapping",
            status=400,
        )
    return raw


def resolve_mapping(header: list[str], preset: str, given: dict | None) -> dict[str, str]:
    """The preset's guess, overridden field by field by `given` (null unmaps a field)."""
    mapping = presets.guess_mapping(header, preset)
    for field, column in (given or {}).items():
        if field not in presets.FIELDS:
            raise ServiceError(
                _("“%(field)s” is not a contact field an import can fill. Known fields: %(known)s.")
                % {"field": field, "known": ", ".join(presets.FIELDS)},
                code="invalid_mapping",
            )
        if not column:
            mapping.pop(field, None)
        elif column not in header:
            raise ServiceError(
                _("The file has no column “%(column)s”.") % {"column": column},
                code="invalid_mapping",
            )
        else:
            mapping[field] = column
    if "email" not in mapping:
        raise ServiceError(
            _("No column is mapped to the e-mail address: every contact needs one."),
            code="email_column_required",
        )
    return mapping


def _preset(header: list[str], preset: str | None) -> str:
    if not preset:
        return presets.detect_preset(header)
    if preset not in presets.PRESETS:
        raise ServiceError(
            _("Unknown preset “%(preset)s”: use one of %(known)s.")
            % {"preset": preset, "known": ", ".join(presets.PRESETS)},
            code="invalid_preset",
        )
    return preset


def _kind(header: list[str], kind: str | None, preset: str | None, workspace) -> tuple[str, str]:
    """(kind, preset) of an uploaded file: an orders export when `kind` says so or, without
    `kind`, when its columns are Shopify's or Square's orders export."""
    if kind not in (None, "", *Kind.values):
        raise ServiceError(
            _("Unknown kind “%(kind)s”: use contacts or orders.") % {"kind": kind},
            code="invalid_kind",
        )
    detected = order_files.detect(header)
    if kind == Kind.ORDERS and detected is None:
        raise ServiceError(
            _(
                "This is not an orders export of Shopify or Square: Shopify’s has the "
                "columns “Name” and “Lineitem name”, Square’s “Transaction ID” and “Item”."
            ),
            code="not_an_orders_export",
        )
    if detected is None or kind == Kind.CONTACTS:
        return Kind.CONTACTS, preset or ""
    try:
        order_files.reader_for(header, detected, workspace)
    except reading.FileError as error:
        raise ServiceError(str(error), code="invalid_file") from None
    return Kind.ORDERS, detected


def _enqueue(job: ImportJob) -> None:
    enqueue_on_commit(import_run_task, job.pk)


@transaction.atomic
def import_create(
    *,
    workspace: Workspace,
    upload,
    actor: User | None,
    preset: str | None = None,
    mapping: dict | str | None = None,
    consent_confirmed: bool = False,
    dry_run: bool = False,
    start: bool = True,
    kind: str | None = None,
) -> ImportJob:
    """Store and inspect an uploaded file; queue its import (`start`), or keep it as a
    draft for the dashboard's mapping page. Refuses an unusable file, preset or mapping
    with a ServiceError, and then nothing is kept. `kind` (contacts, orders) is found from
    the columns when not given."""
    given = parse_mapping(mapping)
    if preset and preset not in presets.PRESETS:
        _preset([], preset)
    stored_name, size = _store(upload)
    path = imports_dir() / stored_name
    try:
        try:
            inspection = reading.inspect(path)
        except reading.FileError as error:
            raise ServiceError(str(error), code="invalid_file") from None
        kind, order_preset = _kind(inspection.header, kind, preset, workspace)
        if kind == Kind.ORDERS:
            # The columns of an orders export are fixed: there is nothing to map.
            preset, resolved = order_preset, {}
        else:
            preset = _preset(inspection.header, preset)
            resolved = resolve_mapping(inspection.header, preset, given)
        job = ImportJob.objects.create(
            workspace=workspace,
            kind=kind,
            status=Status.QUEUED if start else Status.DRAFT,
            file_name=(getattr(upload, "name", "") or "import.csv")[:255],
            stored_name=stored_name,
            size=size,
            encoding=inspection.encoding,
            delimiter=inspection.delimiter,
            preset=preset,
            mapping=resolved,
            file_consent=""
            if "consent" in resolved
            else presets.file_consent(inspection.header, preset),
            consent_confirmed=bool(consent_confirmed),
            dry_run=bool(dry_run),
            created_by=actor,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if start:
        _enqueue(job)
    return job


def import_inspect(job: ImportJob) -> reading.Inspection:
    """The header and first rows of a job's file, for the mapping page."""
    try:
        return reading.inspect(stored_path(job))
    except (reading.FileError, OSError) as error:
        raise ServiceError(str(error), code="invalid_file") from None


@transaction.atomic
def import_start(
    *,
    job: ImportJob,
    mapping: dict,
    consent_confirmed: bool,
    dry_run: bool,
    actor: User | None,
) -> ImportJob:
    """Queue a draft once its columns are mapped; or, after a finished dry run, queue the
    real import of the same file with the same choices."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == Status.DRAFT and job.kind == Kind.ORDERS:
        job.dry_run = bool(dry_run)
        job.status = Status.QUEUED
        job.save()
        _enqueue(job)
        return job
    if job.status == Status.DRAFT:
        header = import_inspect(job).header
        job.mapping = resolve_mapping(
            header, job.preset, {field: None for field in job.mapping} | mapping
        )
        job.file_consent = (
            "" if "consent" in job.mapping else presets.file_consent(header, job.preset)
        )
        job.consent_confirmed = bool(consent_confirmed)
        job.dry_run = bool(dry_run)
        job.status = Status.QUEUED
        job.save()
        _enqueue(job)
        return job
    if job.status == Status.COMPLETED and job.dry_run and stored_path(job).exists():
        return _copy(job, consent_confirmed=consent_confirmed, dry_run=False, actor=actor)
    raise ServiceError(_("This import has already started."), code="already_started", status=409)


def _copy(job: ImportJob, *, consent_confirmed: bool, dry_run: bool, actor: User | None):
    """A new queued job of the same stored file with the same choices."""
    copy = ImportJob.objects.create(
        workspace=job.workspace,
        kind=job.kind,
        file_name=job.file_name,
        stored_name=job.stored_name,
        size=job.size,
        encoding=job.encoding,
        delimiter=job.delimiter,
        preset=job.preset,
        mapping=job.mapping,
        file_consent=job.file_consent,
        consent_confirmed=bool(consent_confirmed),
        dry_run=dry_run,
        created_by=actor,
    )
    _enqueue(copy)
    return copy


def import_can_run_again(job: ImportJob) -> bool:
    """A failed job whose file is still here: cancelled, its worker lost, or stopped on
    an error that was not the file's (a file-level problem deletes the file)."""
    return job.status == Status.FAILED and stored_path(job).exists()


@transaction.atomic
def import_run_again(*, job: ImportJob, actor: User | None) -> ImportJob:
    """Queue a new job of a failed import's file, with the same choices."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not import_can_run_again(job):
        raise ServiceError(
            _("Only a failed import whose file is still kept can be run again."),
            code="cannot_run_again",
            status=409,
        )
    if ImportJob.objects.filter(
        stored_name=job.stored_name, status__in=[Status.QUEUED, Status.RUNNING]
    ).exists():
        raise ServiceError(
            _("This file is already being imported again."), code="already_started", status=409
        )
    return _copy(job, consent_confirmed=job.consent_confirmed, dry_run=job.dry_run, actor=actor)


@transaction.atomic
def import_cancel(*, job: ImportJob, actor: User | None) -> ImportJob:
    """Stop a queued or running import: a queued one at once, a running one at its next
    chunk of rows (it undoes what it staged). Either can be run again afterwards."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == Status.QUEUED:
        _stop(job, ImportJob.StopReason.CANCELLED, "Cancelled before it started.")
    elif job.status == Status.RUNNING and job.phase != ImportJob.Phase.MERGING:
        if job.cancel_requested_at is None:
            _progress(job, cancel_requested_at=timezone.now())
    elif job.status == Status.RUNNING:
        # The merge is one transaction that ends soon: stopping it would only throw it away.
        raise ServiceError(
            _("The contacts are being saved: it is too late to cancel this import."),
            code="already_saving",
            status=409,
        )
    else:
        raise ServiceError(
            _("This import has ended: there is nothing to cancel."),
            code="not_cancellable",
            status=409,
        )
    logger.info("import %s: cancelled by %s", job.pk, actor or "an API token")
    return job


@transaction.atomic
def import_worker_lost(*, job_id: int, reason: str) -> ImportJob | None:
    """The worker running this job is gone (core.leases): undo what it staged and fail the
    job, which can be run again. Whatever it had merged was one transaction, which the
    database rolled back when the worker's connection went away."""
    job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status not in (Status.QUEUED, Status.RUNNING):
        return job
    logger.warning("import %s failed: %s", job_id, reason)
    _stop(
        job,
        ImportJob.StopReason.WORKER_LOST,
        f"The import did not finish: {reason}. Nothing was imported; it can be run again.",
    )
    return job


# ------------------------------------------------------------------------------ the job


def _progress(job: ImportJob, **fields) -> None:
    """Counters for the progress bar: written at once (outside the merge transaction)."""
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def import_run(*, job_id: int) -> ImportJob:
    """Run a queued import to its end (the worker's job). A file-level problem fails the
    job with its reason and writes nothing to the directory."""
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, phase=ImportJob.Phase.READING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("workspace", "created_by").get(pk=job_id)
    if not claimed:
        return job  # already run, or running elsewhere
    _forget_stale_files(job)
    staging = Staging(job.pk)
    # Kept for "Run it again", unless the file itself is the problem (or no longer needed).
    keep_file = True
    try:
        if job.kind == Kind.ORDERS:
            _orders(job)
        else:
            _read(job, staging)
            _merge(job, staging)
    except _Cancelled:
        _stop(job, ImportJob.StopReason.CANCELLED, "Cancelled while it ran.")
    except _TakenBack:
        # Our worker was thought lost and the job was failed meanwhile: leave it so.
        logger.warning("import %s was taken back from this worker; stopped", job.pk)
    except reading.FileError as error:
        _fail(job, error.reason.stored())
        keep_file = False
    except RefusedImport as error:
        _fail(job, error.reason.stored())
    except ServiceError as error:
        _fail(job, str(error))
    except Exception:
        logger.exception("import %s failed", job.pk)
        _fail(
            job,
            Reason(
                gettext_noop(
                    "The import stopped on an unexpected error; nothing was imported. "
                    "You can run it again."
                )
            ).stored(),
        )
    finally:
        staging.drop()
        if job.status == Status.COMPLETED and not job.dry_run or not keep_file:
            _forget_file(job)
    return job


@task()
def import_run_task(job_id: int) -> str:
    return import_run(job_id=job_id).status


# Not run again by itself: a file that took its worker down (out of memory) would take the
# next one down too. The job fails, undoes what it staged, and the importer may run it again.
@when_worker_lost(import_run_task, retries=0)
def _import_worker_lost(job_id: int, *, retrying: bool, reason: str) -> None:
    import_worker_lost(job_id=job_id, reason=reason)


class _Cancelled(Exception):
    pass


class _TakenBack(Exception):
    pass


def _still_wanted(job: ImportJob, *, lock: bool = False) -> None:
    """Between two chunks: stop if someone cancelled the job, or if another worker took it
    back from this one."""
    rows = ImportJob.objects.filter(pk=job.pk)
    if lock:
        rows = rows.select_for_update()
    status, cancel = rows.values_list("status", "cancel_requested_at").get()
    if status != Status.RUNNING:
        raise _TakenBack
    if cancel is not None:
        raise _Cancelled


def _fail(job: ImportJob, message: str) -> None:
    _progress(job, status=Status.FAILED, failure=message, finished_at=timezone.now())


def _stop(job: ImportJob, reason: str, failure: str) -> None:
    """Fail a job that was not at fault, as if it had never run: the refused rows it noted
    go, and so do its counters (the staging table goes with its database session)."""
    job.row_errors.all().delete()
    _progress(
        job,
        status=Status.FAILED,
        stop_reason=reason,
        failure=failure,
        finished_at=timezone.now(),
        phase="",
        total=0,
        processed=0,
        bytes_read=0,
        errors_total=0,
    )


def _read(job: ImportJob, staging: Staging) -> None:
    started = time.perf_counter()
    job.row_errors.all().delete()
    staging.create()
    parser_args = {
        "mapping": job.mapping,
        "file_consent": job.file_consent,
        "tz": job.workspace.time_zone,
    }
    raw, rows = reading.open_rows(stored_path(job), job.encoding, job.delimiter)
    with raw:
        missing = set(job.mapping.values()) - set(rows.header)
        if missing:
            raise reading.FileError(
                gettext_noop("The file has no column “%(column)s”."), column=sorted(missing)[0]
            )
        parser = RowParser(header=rows.header, **parser_args)
        email_column = rows.header.index(job.mapping["email"])
        batch, errors, total, refused = [], [], 0, 0
        staging_s = 0.0
        for row in rows:
            total += 1
            try:
                batch.append(parser.parse(row.line, row.cells))
            except RowError as error:
                cells = row.cells
                email = cells[email_column].strip() if email_column < len(cells) else ""
                errors.append(
                    ImportRowError(
                        job=job, line=row.line, email=email[:254], message=error.reason.stored(500)
                    )
                )
            if len(batch) >= CHUNK_ROWS or len(errors) >= ERROR_BATCH:
                _still_wanted(job)
                flushing = time.perf_counter()
                refused += _flush(staging, batch, errors)
                _progress(job, processed=total, errors_total=refused, bytes_read=rows.position)
                staging_s += time.perf_counter() - flushing
        flushing = time.perf_counter()
        refused += _flush(staging, batch, errors)
        staging_s += time.perf_counter() - flushing
    if total == 0:
        raise reading.FileError(gettext_noop("The file has a header but no rows under it."))
    # "read" includes "stage": the COPY of the parsed rows into the staging table.
    job.timings = {
        "read": round(time.perf_counter() - started, 3),
        "stage": round(staging_s, 3),
    }
    _progress(
        job,
        total=total,
        processed=total,
        errors_total=refused,
        bytes_read=job.size,
        phase=ImportJob.Phase.MERGING,
    )


def _flush(staging: Staging, batch: list, errors: list) -> int:
    staging.write(batch)
    ImportRowError.objects.bulk_create(errors)
    count = len(errors)
    batch.clear()
    errors.clear()
    return count


def _merge(job: ImportJob, staging: Staging) -> None:
    started = time.perf_counter()
    with transaction.atomic():
        result = Merge(
            staged=staging.rows,
            workspace=job.workspace,
            actor=job.created_by,
            consent_confirmed=job.consent_confirmed,
            suppression_detail=f"import: cleaned in {job.file_name}",
        ).run()
        if "note" in job.mapping:
            imported_notes_add(
                staged=staging.rows,
                workspace=job.workspace,
                actor=job.created_by,
                now=timezone.now(),
            )
        if "store_customer_id" in job.mapping:
            store_customer_ids_keep(staged=staging.rows, workspace=job.workspace)
        # A cancel that came during the merge (or a takeover) throws the merge away.
        _still_wanted(job, lock=True)
        if job.dry_run:
            transaction.set_rollback(True)
        committing = time.perf_counter()
    commit_s = time.perf_counter() - committing
    if not job.dry_run:
        analyze_after_merge(result)
    timings = {
        **job.timings,
        **result.timings,
        "commit": round(commit_s, 3),
        "merge": round(time.perf_counter() - started, 3),
    }
    _progress(
        job,
        status=Status.COMPLETED,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        unsubscribed_by_later_row=result.unsubscribed_by_later_row,
        timings=timings,
        finished_at=timezone.now(),
    )


def _orders(job: ImportJob) -> None:
    started = time.perf_counter()
    job.row_errors.all().delete()
    OrdersRun(job, path=stored_path(job), still_wanted=_still_wanted, progress=_progress).run()
    _progress(
        job,
        status=Status.COMPLETED,
        timings={"orders": round(time.perf_counter() - started, 3)},
        finished_at=timezone.now(),
    )


def _forget_file(job: ImportJob) -> None:
    still_needed = (
        ImportJob.objects.filter(stored_name=job.stored_name)
        .exclude(pk=job.pk)
        .exclude(status__in=[Status.COMPLETED, Status.FAILED])
        .exists()
    )
    if not still_needed:
        stored_path(job).unlink(missing_ok=True)


def _forget_stale_files(job: ImportJob) -> None:
    """Files of dry runs nobody followed with the real import, of drafts never started
    and of failed imports nobody ran again go after a day."""
    cutoff = timezone.now() - dt.timedelta(days=DRY_RUN_FILE_DAYS)
    in_use = ImportJob.objects.filter(
        Q(created_at__gte=cutoff) | Q(status__in=[Status.QUEUED, Status.RUNNING])
    ).values("stored_name")
    stale = (
        ImportJob.objects.filter(
            created_at__lt=cutoff, status__in=[Status.COMPLETED, Status.DRAFT, Status.FAILED]
        )
        .exclude(stored_name__in=in_use)
        .values_list("stored_name", flat=True)
        .distinct()
    )
    for name in stale[:100]:
        (imports_dir() / name).unlink(missing_ok=True)
