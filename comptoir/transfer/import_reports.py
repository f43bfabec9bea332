"""What an import reports back (reads only): its refused rows, for the API, the dashboard
and the downloadable error report."""

import csv
import io
from collections.abc import Iterator

from comptoir.transfer.models import ImportJob, ImportRowError

ERRORS_SHOWN = 1000
# A spreadsheet runs a cell starting with these as a formula; the report quotes rows of a
# file from outside, so they are written with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def first_errors(job: ImportJob, limit: int = ERRORS_SHOWN) -> list[ImportRowError]:
    return list(job.row_errors.order_by("line", "id")[:limit])


def _safe(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def error_report_lines(job: ImportJob) -> Iterator[str]:
    """The error report as CSV lines (line, e-mail, reason), streamed from the database."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(*cells) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line("Line", "Email", "Reason")
    errors = job.row_errors.order_by("line", "id").values_list("line", "email", "message")
    for number, email, message in errors.iterator(chunk_size=2000):
        yield line(number, _safe(email), _safe(message))


def error_report_filename(job: ImportJob) -> str:
    return f"import-{job.pk}-errors.csv"
