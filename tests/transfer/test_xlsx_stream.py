"""The streamed XLSX writer: a workbook two readers open, written as the rows come."""

import datetime
import io
import secrets
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from comptoir.transfer.xlsx_stream import CELL_MAX_UTF16, Column, Kind, workbook
from tests.transfer.export_helpers import read_xlsx, read_xlsx_calamine

COLUMNS = (
    Column("Name"),
    Column("Orders", Kind.INTEGER),
    Column("Spent", Kind.MONEY),
    Column("Last order", Kind.DATETIME),
)


def write(batches, columns=COLUMNS, **options) -> bytes:
    return b"".join(workbook(sheet_name="Contacts", columns=columns, batches=batches, **options))


def test_values_keep_their_types_in_both_readers():
    rows = [
        ["Zoé", 3, Decimal("1234.50"), datetime.datetime(2026, 11, 23, 2, 29, 1)],
        ["", 0, Decimal("0.00"), None],
    ]

    data = write([rows])

    for read in (read_xlsx, read_xlsx_calamine):
        header, zoe, empty = read(data)
        assert header == ("Name", "Orders", "Spent", "Last order")
        assert zoe == ("Zoé", 3, 1234.5, datetime.datetime(2026, 11, 23, 2, 29, 1))
        assert empty[1:3] == (0, 0)
        assert empty[0] in (None, "") and empty[3] in (None, "")


def test_the_header_is_bold_and_stays_in_view_and_money_shows_two_decimals():
    data = write([[["Zoé", 3, Decimal("10.5"), datetime.datetime(2026, 1, 1)]]])

    sheet = load_workbook(io.BytesIO(data)).active

    assert sheet["A1"].font.b is True
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].number_format == "0.00"
    assert sheet["D2"].is_date


def test_awkward_text_is_escaped_kept_or_dropped_and_long_text_cut_to_the_cell_limit():
    awkward = [
        "<b>Délices</b> & \"Fils\" 'et' >",
        "bell\x07 null\x00 esc\x1b kept\ttab\nline",
        "carriage\rreturn",
        "  spaces around  ",
        "party 🎉 time",
        "x" * 40_000,
        # Excel counts UTF-16 units: an emoji is two, and is not cut in half.
        "y" * (CELL_MAX_UTF16 - 1) + "🎉",
        "\x01\x02",  # nothing storable left: an empty cell
    ]
    columns = [Column(f"T{i}") for i in range(len(awkward))]

    data = write([[awkward]], columns=columns)

    for read in (read_xlsx, read_xlsx_calamine):
        _header, row = read(data)
        assert row[:5] == (
            "<b>Délices</b> & \"Fils\" 'et' >",
            "bell null esc kept\ttab\nline",
            "carriage\rreturn",
            "  spaces around  ",
            "party 🎉 time",
        )
        assert row[5] == "x" * CELL_MAX_UTF16
        assert row[6] == "y" * (CELL_MAX_UTF16 - 1)
        assert row[7] in (None, "")


def test_the_first_bytes_leave_before_any_row_is_read_and_then_batch_by_batch():
    # Random text does not compress: each batch fills the compressor's window.
    batches_read = []

    def batches():
        for index in range(10):
            batches_read.append(index)
            yield [[secrets.token_hex(32), index, Decimal("1.00"), None] for _ in range(2000)]

    stream = workbook(sheet_name="Contacts", columns=COLUMNS, batches=batches())

    first = next(stream)
    assert first.startswith(b"PK\x03\x04")
    assert batches_read == []
    second = next(stream)
    assert len(batches_read) <= 2
    rest = b"".join(stream)
    assert len(batches_read) == 10
    assert len(read_xlsx(first + second + rest)) == 1 + 10 * 2000


def test_a_small_workbook_has_no_zip64_markers_a_large_one_has():
    # Excel refuses ZIP64 markers where they are not needed, and needs them past 2 GiB.
    rows = [["Zoé", 1, Decimal("1.00"), None]]

    small = zipfile.ZipFile(io.BytesIO(write([rows])))
    large = zipfile.ZipFile(io.BytesIO(write([rows], zip64=True)))

    assert small.testzip() is None and large.testzip() is None
    assert {info.extract_version for info in small.infolist()} == {20}
    assert large.getinfo("xl/worksheets/sheet1.xml").extract_version == 45
    assert read_xlsx_calamine(large.fp.getvalue())[1][0] == "Zoé"


def test_a_row_past_the_sheet_limit_is_refused(monkeypatch):
    monkeypatch.setattr("comptoir.transfer.xlsx_stream.MAX_ROWS", 3)

    with pytest.raises(ValueError, match="at most 3 rows"):
        write([[["a", 1, Decimal(0), None]] * 3])
