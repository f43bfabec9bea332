"""Imports (X1, X2, issue 15): upload a contact file or an orders export, then follow its job."""

import datetime as dt

from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from comptoir.api.auth import require
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped, scoped
from comptoir.transfer.import_reports import error_report_response, first_errors
from comptoir.transfer.imports import (
    import_can_run_again,
    import_cancel,
    import_create,
    import_run_again,
)
from comptoir.transfer.models import ImportJob

router = Router(tags=["imports"])


class ImportCreatedOut(Schema):
    id: int
    status: str


class ImportErrorOut(Schema):
    detail: str
    code: str


class RowErrorOut(Schema):
    row: int
    message: str


class ImportOut(Schema):
    id: int
    status: str
    kind: str = Field(
        description="`contacts`, or `orders` for an orders export of Shopify or Square: its "
        "counters (total, created, updated, skipped, errors_total) count orders, not rows."
    )
    total: int
    created: int
    updated: int
    skipped: int = Field(
        description="Rows that changed nothing: unchanged, or repeating an "
        "address the file gave before. For orders: orders already imported and unchanged, "
        "Square refunds and sales to no customer."
    )
    unsubscribed_by_later_row: int = Field(
        description="Contacts unsubscribed by a later row of their address in the file "
        "(the first said nothing or subscribed): counted here, not in `skipped`. "
        "created + updated + skipped + unsubscribed_by_later_row + errors_total = total."
    )
    errors: list[RowErrorOut]
    errors_total: int
    processed: int
    progress: float
    dry_run: bool
    file_name: str
    preset: str
    mapping: dict[str, str]
    failure: str
    can_run_again: bool
    cancel_requested: bool
    error_report_url: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _job(workspace, job_id: int) -> ImportJob:
    # Dashboard drafts (columns not mapped yet) are not imports of the API.
    visible = scoped(ImportJob, workspace).exclude(status=ImportJob.Status.DRAFT)
    return get_scoped(visible, workspace, pk=job_id)


@router.post("", response={202: ImportCreatedOut})
def import_post(
    request,
    file: File[UploadedFile],
    preset: Form[str | None] = None,
    mapping: Form[str | None] = None,
    consent_confirmed: Form[bool] = False,
    dry_run: Form[bool] = False,
    kind: Form[str | None] = None,
):
    """Upload a CSV file of contacts, or an orders export; it is imported in the background.

    `kind` is `contacts` or `orders`; without it an orders export of Shopify (Orders →
    Export: one row per line item, grouped by `Name`) or of Square (item sales or
    transactions export, grouped by `Transaction ID`) is recognised by its columns. Its
    orders go through the same backfill as `POST /orders/batch`: contacts are matched or
    created by e-mail address as an order `PUT` does, and their figures and type follow.
    Each order's id is Shopify's own order id (`Id`, as its webhooks send it; else
    `shopify:<Name>`) or `square:<Transaction ID>`, so importing a file twice changes
    nothing. Square names customers by id: import Square's customer export first (its
    `Square Customer ID` column ties each id to a contact). 422 `not_an_orders_export`
    for `kind=orders` on another file, `invalid_kind`.

    `preset` (square, shopify, squarespace, mailchimp, generic) names the tool that wrote
    the file; without it the columns tell. `mapping` is a JSON object {contact field:
    column name} overriding the preset's guess (null leaves a field out). Contacts are
    subscribed only when a consent column says so and `consent_confirmed` is true. A
    `dry_run` counts what would happen and changes nothing. 413 `file_too_large`; 422
    `invalid_file`, `invalid_preset`, `invalid_mapping`, `email_column_required`."""
    workspace = require(request, Action.EDIT)
    job = import_create(
        workspace=workspace,
        upload=file,
        actor=request.auth.created_by,
        preset=preset,
        mapping=mapping,
        consent_confirmed=consent_confirmed,
        dry_run=dry_run,
        kind=kind,
    )
    return Status(202, {"id": job.pk, "status": job.status})


@router.get("/{job_id}", response=ImportOut)
def import_get(request, job_id: int):
    """Where an import is; `errors` holds the first 1,000 refused rows (`row` is the line
    in the file, the header being line 1), `errors_total` counts them all and
    `error_report_url` downloads every one as CSV. A `failed` import says why in `failure`;
    `can_run_again` tells whether `POST /imports/{id}/retry` may run its file again (after
    a cancel, a lost worker or an unexpected error: not after a problem with the file)."""
    job = _job(require(request, Action.VIEW), job_id)
    return {
        **{name: getattr(job, name) for name in ImportOut.model_fields if hasattr(job, name)},
        "errors": [{"row": error.line, "message": error.reason} for error in first_errors(job)],
        "failure": job.failure_message,
        "can_run_again": import_can_run_again(job),
        "cancel_requested": job.cancel_requested_at is not None,
        "error_report_url": request.build_absolute_uri(f"{request.path.rstrip('/')}/errors.csv"),
    }


@router.get("/{job_id}/errors.csv")
def import_errors_csv(request, job_id: int):
    """Every refused row as CSV: line, e-mail, reason. Personal data: the export role only."""
    job = _job(require(request, Action.EXPORT), job_id)
    return error_report_response(job)


@router.post("/{job_id}/cancel", response={200: ImportCreatedOut, 409: ImportErrorOut})
def import_cancel_post(request, job_id: int):
    """Cancel a `queued` or `running` import. A queued one is `failed` at once; a running
    one stops at its next chunk of rows and then reads `failed`, having changed nothing
    (`cancel_requested` is true meanwhile). Either can be run again. 409 `already_saving`
    once the contacts are being saved (the last, short step), 409 `not_cancellable` for an
    import that has ended."""
    workspace = require(request, Action.EDIT)
    job = import_cancel(job=_job(workspace, job_id), actor=request.auth.created_by)
    return {"id": job.pk, "status": job.status}


@router.post("/{job_id}/retry", response={202: ImportCreatedOut, 409: ImportErrorOut})
def import_retry_post(request, job_id: int):
    """Run a failed import's file again, with the same mapping and choices, as a new import
    (its `id` is returned). 409 `cannot_run_again` when `can_run_again` is false, 409
    `already_started` when the file is already being imported again."""
    workspace = require(request, Action.EDIT)
    job = import_run_again(job=_job(workspace, job_id), actor=request.auth.created_by)
    return Status(202, {"id": job.pk, "status": job.status})
