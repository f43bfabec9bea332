"""The contact file (X3) and the suppression file (X4), written as streams of bytes.

Every writer is a generator: a response streams it, a row batch at a time, so a million
contacts take the memory of one batch. On PostgreSQL the contact CSV comes from COPY
(export_postgres.py); elsewhere, and for XLSX, Python formats the rows by columns.py.
"""

import csv
import io
import tempfile
import zoneinfo
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.transfer import export_postgres
from comptoir.transfer.columns import (
    ADDRESS_COLUMNS,
    BOM,
    CONTACT_HEADER,
    DATE_FIELDS,
    LINE_END,
    SUPPRESSION_HEADER,
    TEXT_FIELDS,
    iso_datetime,
    local_datetime,
    money,
    neutralise,
    subscription_status,
    tags_cell,
)
from comptoir.transfer.export_selectors import ContactRecord, contact_records, suppression_entries

# Excel opens at most 1,048,576 rows; the header takes one.
XLSX_MAX_CONTACTS = 1_048_575
XLSX_BLOCK = 256 * 1024


def _address_parts(address: dict) -> list[str]:
    return [neutralise(address.get(key) or "") for key in ADDRESS_COLUMNS]


def contact_csv_cells(record: ContactRecord, zone: zoneinfo.ZoneInfo) -> list[str]:
    """One contact as the CSV's text cells, in the order of CONTACT_HEADER."""
    values = record.values
    return [
        *(neutralise(values[name]) for name in TEXT_FIELDS),
        values["type"],
        subscription_status(values["consent"]),
        neutralise(tags_cell(record.tags)),
        "yes" if values["has_account"] else "no",
        str(values["order_count"]),
        money(values["total_spent"]),
        money(values["average_order_value"]),
        *(iso_datetime(values[name], zone) for name in DATE_FIELDS),
        *_address_parts(values["shipping_address"]),
        *_address_parts(values["billing_address"]),
    ]


def contact_xlsx_cells(record: ContactRecord, zone: zoneinfo.ZoneInfo) -> list:
    """The same cells typed for a spreadsheet: figures as numbers, dates as date cells (in
    the business's time zone: a spreadsheet date has none), nothing for an empty text."""
    cells = contact_csv_cells(record, zone)
    values = record.values
    typed = [_sheet_text(cell) for cell in cells]
    figures = CONTACT_HEADER.index("Total orders")
    typed[figures : figures + 3] = [
        values["order_count"],
        values["total_spent"],
        values["average_order_value"],
    ]
    first_date = CONTACT_HEADER.index("Last order date")
    typed[first_date : first_date + 3] = [
        local_datetime(values[name], zone) if values[name] else None for name in DATE_FIELDS
    ]
    return typed


def _sheet_text(cell: str) -> str | None:
    # Control characters other than TAB, LF and CR cannot be stored in an XLSX file.
    return ILLEGAL_CHARACTERS_RE.sub("", cell) or None


class _Lines:
    """csv.writer's file: collects what it writes until the caller takes it as bytes."""

    def __init__(self):
        self.buffer = io.StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> bytes:
        data = self.buffer.getvalue().encode()
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


def _csv_stream(header: Iterable[str], batches: Iterable[list[list]], delimiter: str):
    lines = _Lines()
    writer = csv.writer(lines, delimiter=delimiter, lineterminator=LINE_END)
    lines.write(BOM)
    writer.writerow(header)
    yield lines.take()
    for rows in batches:
        writer.writerows(rows)
        yield lines.take()


def contacts_csv_python(
    *, workspace: Workspace, contacts: QuerySet[Contact], delimiter: str = ","
) -> Iterator[bytes]:
    """The contact CSV written by Python (SQLite, and the reference the COPY path meets)."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    batches = (
        [contact_csv_cells(record, zone) for record in records]
        for records in contact_records(workspace=workspace, contacts=contacts)
    )
    return _csv_stream(CONTACT_HEADER, batches, delimiter)


def contacts_csv(
    *, workspace: Workspace, contacts: QuerySet[Contact], delimiter: str = ","
) -> Iterator[bytes]:
    """The contact CSV of `contacts` (export_selectors.contacts_selected): UTF-8 with a
    BOM, CRLF line ends, one contact a row, by increasing id."""
    if connection.vendor != "postgresql":
        yield from contacts_csv_python(workspace=workspace, contacts=contacts, delimiter=delimiter)
        return
    yield from _csv_stream(CONTACT_HEADER, [], delimiter)
    yield from export_postgres.contact_csv_lines(
        workspace=workspace, contacts=contacts, delimiter=delimiter
    )


def contacts_xlsx(*, workspace: Workspace, contacts: QuerySet[Contact]) -> Iterator[bytes]:
    """The contact file as an XLSX workbook.

    openpyxl's write-only mode keeps one row in memory, but a workbook is a ZIP archive
    whose sheet is compressed only once complete: it is built in a temporary file, then
    streamed from there.
    """
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Contacts")
    sheet.append(CONTACT_HEADER)
    for records in contact_records(workspace=workspace, contacts=contacts):
        for record in records:
            sheet.append(contact_xlsx_cells(record, zone))
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while block := file.read(XLSX_BLOCK):
            yield block


def suppressions_csv(*, workspace: Workspace, delimiter: str = ",") -> Iterator[bytes]:
    """The addresses no marketing may reach, for another tool's suppression import."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    entries = suppression_entries(workspace=workspace)

    def batches():
        batch = []
        for email, reason, since in entries:
            batch.append([neutralise(email), reason, iso_datetime(since, zone)])
            if len(batch) == 1000:
                yield batch
                batch = []
        yield batch

    return _csv_stream(SUPPRESSION_HEADER, batches(), delimiter)
