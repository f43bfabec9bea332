"""The exports as HTTP downloads, the same for the API and the dashboard: a streamed
response, an attachment named after the business and the day."""

import zoneinfo
from collections.abc import Iterator
from typing import Literal

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.core.models import Workspace
from comptoir.core.services import ServiceError
from comptoir.transfer.columns import DELIMITERS
from comptoir.transfer.export_selectors import ContactSelection, contacts_selected
from comptoir.transfer.exports import (
    XLSX_MAX_CONTACTS,
    contacts_csv,
    contacts_xlsx,
    suppressions_csv,
)

FileFormat = Literal["csv", "xlsx"]
Delimiter = Literal["comma", "semicolon"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(workspace: Workspace, stream: Iterator[bytes], name: str, file_format: str):
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date()
    filename = f"{slugify(workspace.slug) or 'comptoir'}-{name}-{today.isoformat()}.{file_format}"
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Customer data: neither a shared cache nor the browser's keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def contact_export_response(
    *,
    workspace: Workspace,
    selection: ContactSelection,
    file_format: FileFormat = "csv",
    delimiter: Delimiter = "comma",
) -> StreamingHttpResponse:
    """The contact file for download. Errors come before the first byte: an unknown
    segment (Http404), or more contacts than a spreadsheet holds (ServiceError)."""
    # Evaluated now, so that an unknown segment is a 404 rather than a broken download.
    contacts = contacts_selected(workspace=workspace, selection=selection)
    if file_format == "xlsx":
        if contacts.count() > XLSX_MAX_CONTACTS:
            raise ServiceError(
                _("An XLSX file holds at most %(count)s contacts: export them as CSV.")
                % {"count": f"{XLSX_MAX_CONTACTS:,}"},
                code="too_many_rows",
                status=422,
            )
        stream = contacts_xlsx(workspace=workspace, contacts=contacts)
    else:
        stream = contacts_csv(
            workspace=workspace, contacts=contacts, delimiter=DELIMITERS[delimiter]
        )
    return _download(workspace, stream, "contacts", file_format)


def suppression_export_response(
    *, workspace: Workspace, delimiter: Delimiter = "comma"
) -> StreamingHttpResponse:
    stream = suppressions_csv(workspace=workspace, delimiter=DELIMITERS[delimiter])
    return _download(workspace, stream, "suppressions", "csv")
