"""The import pages (X1, X2, issue 15): upload, map the columns (contacts) or check the
format (orders exports), follow the job, read its result."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped, scoped
from comptoir.core.services import ServiceError
from comptoir.transfer import imports
from comptoir.transfer.import_reports import error_report_response, first_errors
from comptoir.transfer.imports import (
    import_can_run_again,
    import_create,
    import_inspect,
    import_start,
)
from comptoir.transfer.models import ImportJob
from comptoir.web.access import workspace_view
from comptoir.web.import_forms import ImportStartForm, ImportUploadForm, OrderImportUploadForm

RECENT = 20
ERRORS_SHOWN = 100


@workspace_view(write=Action.EDIT)
def import_list(request):
    """Recent imports, and the upload form that starts a new one."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    # No kind asked: an orders export uploaded here is recognised by its columns.
    return _upload_page(
        request, form, listed=ImportJob.Kind.CONTACTS, template="web/contacts/imports/list.html"
    )


@workspace_view(write=Action.EDIT)
def order_import_list(request):
    """Recent orders imports, and the upload of a Shopify or Square orders export."""
    form = OrderImportUploadForm(request.POST or None, request.FILES or None)
    return _upload_page(
        request,
        form,
        listed=ImportJob.Kind.ORDERS,
        template="web/contacts/imports/orders.html",
        kind=ImportJob.Kind.ORDERS,
    )


def _upload_page(request, form, *, listed: str, template: str, kind: str | None = None):
    """An upload page: a valid file becomes a draft job of `kind` (its mapping page comes
    next); the page lists the recent jobs of kind `listed`."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = import_create(
                    workspace=request.workspace,
                    upload=form.cleaned_data["file"],
                    preset=form.cleaned_data.get("preset") or None,
                    actor=request.user,
                    kind=kind,
                    start=False,
                )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                return redirect("import_detail", slug=request.workspace.slug, job_id=job.pk)
        status = 422
    jobs = scoped(ImportJob, request.workspace).filter(kind=listed).select_related("created_by")
    return render(request, template, {"form": form, "jobs": jobs[:RECENT]}, status=status)


@workspace_view(write=Action.EDIT)
def import_detail(request, job_id: int):
    """A draft's mapping page; then the job's progress and result."""
    job = get_scoped(ImportJob, request.workspace, pk=job_id)
    if job.status == ImportJob.Status.DRAFT and job.kind == ImportJob.Kind.ORDERS:
        return _orders_start_page(request, job)
    if job.status == ImportJob.Status.DRAFT:
        return _mapping_page(request, job)
    form = ImportStartForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            real = import_start(
                job=job,
                mapping={},
                consent_confirmed=form.cleaned_data["consent_confirmed"],
                dry_run=False,
                actor=request.user,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            return redirect("import_detail", slug=request.workspace.slug, job_id=real.pk)
    context = {
        "job": job,
        "errors": first_errors(job, ERRORS_SHOWN),
        "form": form,
        "can_run_again": import_can_run_again(job),
    }
    if request.htmx:
        return render(request, "web/contacts/imports/status.html", context)
    return render(request, "web/contacts/imports/detail.html", context)


def _orders_start_page(request, job: ImportJob):
    """An orders export needs no mapping: the page shows what was recognised and starts
    a dry run or the import itself."""
    try:
        inspection = import_inspect(job)
    except ServiceError as error:
        return render(
            request, "web/contacts/imports/detail.html", {"job": job, "failure": error.message}
        )
    if request.method == "POST":
        try:
            import_start(
                job=job,
                mapping={},
                consent_confirmed=False,
                dry_run="dry_run" in request.POST,
                actor=request.user,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        return redirect("import_detail", slug=request.workspace.slug, job_id=job.pk)
    return render(
        request, "web/contacts/imports/orders_start.html", {"job": job, "inspection": inspection}
    )


def _mapping_page(request, job: ImportJob):
    try:
        inspection = import_inspect(job)
    except ServiceError as error:
        return render(
            request, "web/contacts/imports/detail.html", {"job": job, "failure": error.message}
        )
    form = ImportStartForm(request.POST or None, header=inspection.header, mapping=job.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            import_start(
                job=job,
                mapping=form.mapping(),
                consent_confirmed=form.cleaned_data["consent_confirmed"],
                dry_run=form.cleaned_data["dry_run"],
                actor=request.user,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            return redirect("import_detail", slug=request.workspace.slug, job_id=job.pk)
    context = {"job": job, "form": form, "inspection": inspection}
    status = 422 if form.errors else 200
    return render(request, "web/contacts/imports/mapping.html", context, status=status)


@require_POST
@workspace_view()
def import_cancel(request, job_id: int):
    job = get_scoped(ImportJob, request.workspace, pk=job_id)
    try:
        job = imports.import_cancel(job=job, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if job.is_finished:
            messages.success(request, _("Import cancelled: nothing was imported."))
        else:
            messages.info(request, _("The import stops after the rows it is reading now."))
    return redirect("import_detail", slug=request.workspace.slug, job_id=job.pk)


@require_POST
@workspace_view()
def import_retry(request, job_id: int):
    job = get_scoped(ImportJob, request.workspace, pk=job_id)
    try:
        job = imports.import_run_again(job=job, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("import_detail", slug=request.workspace.slug, job_id=job.pk)


# The report lists the refused rows' e-mail addresses: personal data, as an export is.
@workspace_view(read=Action.EXPORT)
def import_errors(request, job_id: int):
    job = get_scoped(ImportJob, request.workspace, pk=job_id)
    return error_report_response(job)
