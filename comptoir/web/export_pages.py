"""Downloads of the dashboard (X3, X4): the list's contacts as filtered, the ticked ones,
a segment's, and the suppression list. Each is a plain link or form: no script needed."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core.roles import Action
from comptoir.core.services import ServiceError
from comptoir.transfer.downloads import contact_export_response, suppression_export_response
from comptoir.transfer.export_selectors import ContactSelection
from comptoir.web.access import workspace_view
from comptoir.web.directory import back_to_list, filter_form, filters_only
from comptoir.web.export_forms import BulkExportForm, ExportFormatForm


@workspace_view(read=Action.EXPORT, write=Action.EXPORT)
def contact_export(request):
    """GET: the contacts of the list's filters (the same query string as the list).
    POST: the contacts ticked in the list's bulk bar."""
    workspace = request.workspace
    if request.method == "POST":
        form = BulkExportForm(request.POST)
        back = back_to_list(request)
        if not form.is_valid() or not form.cleaned_data["ids"]:
            messages.error(request, _("Tick at least one contact first."))
            return redirect(back)
        selection = ContactSelection(ids=tuple(form.cleaned_data["ids"]))
    else:
        form = ExportFormatForm(request.GET)
        query = filters_only(request.GET)
        query.pop("format", None)
        back = f"{reverse('contacts', args=[workspace.slug])}?{query.urlencode()}"
        flt = filter_form(request, query).to_filter()
        if flt is None:
            messages.error(request, _("Some filters are not valid. Correct them to export."))
            return redirect(back)
        selection = ContactSelection(filter=flt)
    chosen = form.file_format()
    if chosen is None:
        messages.error(request, _("Choose a file format."))
        return redirect(back)
    file_format, delimiter = chosen
    try:
        return contact_export_response(
            workspace=workspace, selection=selection, file_format=file_format, delimiter=delimiter
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(back)


@workspace_view(read=Action.EXPORT)
def suppression_export(request):
    chosen = ExportFormatForm(request.GET).file_format()
    if chosen is None or chosen[0] != "csv":
        messages.error(request, _("Choose a file format."))
        return redirect("suppressions", slug=request.workspace.slug)
    return suppression_export_response(workspace=request.workspace, delimiter=chosen[1])
