"""What an import reports back (reads only): its refused rows, for the API, the dashboard
and the downloadable error report."""

import csv
import io
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import translation

from comptoir.transfer.columns import neutralise
from comptoir.transfer.models import ImportJob, ImportRowError
from comptoir.transfer.reasons import in_words

ERRORS_SHOWN = 1000


def first_errors(job: ImportJob, limit: int = ERRORS_SHOWN) -> list[ImportRowError]:
    return list(job.row_errors.order_by("line", "id")[:limit])


def error_report_lines(job: ImportJob, language: str | None = None) -> Iterator[str]:
    """The error report as CSV lines (line, e-mail, reason), streamed from the database in
    `language` (the reader's: the lines are written after the view has returned)."""
    with translation.override(language):
        yield from _report_lines(job)


def _report_lines(job: ImportJob) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(*cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    # The column names stay as scripts read them; the reasons are for the person.
    yield "\ufeff" + line("Line", "Email", "Reason")
    errors = job.row_errors.order_by("line", "id").values_list("line", "email", "message")
    for number, email, message in errors.iterator(chunk_size=2000):
        # The report quotes rows of a file from outside: a spreadsheet must not run them.
        yield line(number, neutralise(email), neutralise(in_words(message)))


def error_report_response(job: ImportJob) -> StreamingHttpResponse:
    """The error report as a download, the same for the API and the dashboard."""
    response = StreamingHttpResponse(
        error_report_lines(job, translation.get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
