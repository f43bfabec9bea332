"""The contact file (X3) and the suppression file (X4), written as streams of bytes.

Every writer is a generator: a response streams it, a row batch at a time, so a million
contacts take the memory of one batch. On PostgreSQL the contact CSV comes from COPY
(export_postgres.py); elsewhere, and for XLSX, Python formats the rows by columns.py.
"""

import csv
import io
import zoneinfo
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.transfer import export_postgres, xlsx_stream
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
XLSX_MAX_CONTACTS = xlsx_stream.MAX_ROWS - 1
# The sheet of a selection this large may pass 2 GiB, which takes ZIP64: about 1 KB a row
# on the benchmark's contacts, so only rows averaging over 16 KB would reach the limit
# below it. Excel refuses ZIP64 markers in a small file, hence not always.
XLSX_ZIP64_FROM = 130_000
_XLSX_KINDS = {
    "Total orders": xlsx_stream.Kind.INTEGER,
    "Total spent": xlsx_stream.Kind.MONEY,
    "Average order value": xlsx_stream.Kind.MONEY,
    "Last order date": xlsx_stream.Kind.DATETIME,
    "Customer since": xlsx_stream.Kind.DATETIME,
    "Created at": xlsx_stream.Kind.DATETIME,
}
_XLSX_WIDTHS = {
    "Email": 30,
    "Tags": 24,
    "Last order date": 19,
    "Customer since": 19,
    "Created at": 19,
}
XLSX_COLUMNS = tuple(
    xlsx_stream.Column(
        title, _XLSX_KINDS.get(title, xlsx_stream.Kind.TEXT), _XLSX_WIDTHS.get(title, 14)
    )
    for title in CONTACT_HEADER
)


def _address_parts(address: dict) -> list[str]:
    return [neutralise(address.get(key) or "") for key in ADDRESS_COLUMNS]


def _contact_cells(record: ContactRecord, count, amount, date) -> list:
    """One contact's cells in the order of CONTACT_HEADER, the figures and dates written by
    `count`, `amount` and `date` (text for a CSV, typed values for a spreadsheet)."""
    values = record.values
    return [
        *(neutralise(values[name]) for name in TEXT_FIELDS),
        values["type"],
        subscription_status(values["consent"]),
        neutralise(tags_cell(record.tags)),
        "yes" if values["has_account"] else "no",
        count(values["order_count"]),
        amount(values["total_spent"]),
        amount(values["average_order_value"]),
        *(date(values[name]) for name in DATE_FIELDS),
        *_address_parts(values["shipping_address"]),
        *_address_parts(values["billing_address"]),
    ]


def contact_csv_cells(record: ContactRecord, zone: zoneinfo.ZoneInfo) -> list[str]:
    """One contact as the CSV's text cells."""
    return _contact_cells(record, str, money, lambda value: iso_datetime(value, zone))


def contact_xlsx_cells(record: ContactRecord, zone: zoneinfo.ZoneInfo) -> list:
    """The same cells typed for a spreadsheet (XLSX_COLUMNS): figures as numbers, dates as
    date cells (in the business's time zone: a spreadsheet date has none)."""
    return _contact_cells(
        record, int, Decimal, lambda value: local_datetime(value, zone) if value else None
    )


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
    """The contact file as an XLSX workbook, streamed (xlsx_stream.py): the first bytes
    leave before a contact is read, then each batch of rows as it is written."""
    zone = zoneinfo.ZoneInfo(workspace.time_zone)
    batches = (
        [contact_xlsx_cells(record, zone) for record in records]
        for records in contact_records(workspace=workspace, contacts=contacts)
    )
    return xlsx_stream.workbook(
        sheet_name="Contacts",
        columns=XLSX_COLUMNS,
        batches=batches,
        zip64=contacts.count() >= XLSX_ZIP64_FROM,
    )


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
