"""The contact file as an XLSX workbook: the same rows, typed, and no formula ever runs."""

import datetime
import io
import zipfile
from decimal import Decimal

from openpyxl import load_workbook

from comptoir.transfer.export_selectors import ContactSelection, contact_records, contacts_selected
from comptoir.transfer.exports import contacts_xlsx
from tests.contacts.helpers import make_contact
from tests.transfer.export_helpers import HEADER_LINE, make_zoe, read_xlsx, read_xlsx_calamine


def export(workspace) -> bytes:
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection())
    return b"".join(contacts_xlsx(workspace=workspace, contacts=contacts))


def test_the_workbook_holds_the_known_contact_with_numbers_and_dates(workspace):
    make_zoe(workspace)

    header, zoe = read_xlsx(export(workspace))

    assert header == tuple(HEADER_LINE.rstrip("\r\n").split(","))
    assert zoe[:10] == (
        "zoe@example.com",
        "Zoé",
        "Martin",
        "'+33612345678",
        'Les "Délices"',
        "fr",
        "customer",
        "subscribed",
        "alpha, Marché, vip",
        "yes",
    )
    assert zoe[10:13] == (3, 1234.5, 411.5)
    # Date cells hold the time the business's clock showed (Paris), to the second.
    assert zoe[13:16] == (
        datetime.datetime(2026, 11, 23, 2, 29),
        datetime.datetime(2025, 7, 14, 10, 0),
        datetime.datetime(2025, 1, 2, 4, 4, 5),
    )
    assert zoe[16:24] == (
        "Zoé Martin",
        "12 rue des Lilas",
        "Bât. B, 2e étage",
        "Lyon",
        "69003",
        None,
        "France",
        "'+33 6 12 34 56 78",
    )
    assert zoe[24:] == (None,) * 8


def test_a_formula_in_a_name_is_stored_as_text_starting_with_an_apostrophe(workspace):
    make_contact(
        workspace,
        "formula@example.com",
        first_name='=HYPERLINK("http://evil.example","Click")',
        last_name="@SUM(A1)",
    )

    workbook = load_workbook(io.BytesIO(export(workspace)))
    first_name, last_name = workbook.active["B2"], workbook.active["C2"]

    assert first_name.data_type == "s"
    assert first_name.value == '\'=HYPERLINK("http://evil.example","Click")'
    assert (last_name.data_type, last_name.value) == ("s", "'@SUM(A1)")


def test_a_contact_who_never_ordered_has_zero_figures_and_empty_dates(workspace):
    make_contact(workspace, "new@example.com")

    _header, row = read_xlsx(export(workspace))

    assert row[10:15] == (0, 0, 0, None, None)
    assert isinstance(row[15], datetime.datetime)


def test_control_characters_that_xlsx_cannot_hold_are_dropped(workspace):
    from tests.contacts.helpers import set_figures

    set_figures(make_contact(workspace, "ctl@example.com"), company="Bell\x07 & Co")

    _header, row = read_xlsx(export(workspace))

    assert row[4] == "Bell & Co"
    assert Decimal(str(row[11])) == Decimal("0")


def test_a_second_reader_sees_the_same_typed_row(workspace):
    make_zoe(workspace)

    openpyxl_rows = read_xlsx(export(workspace))
    calamine_rows = read_xlsx_calamine(export(workspace))

    assert calamine_rows[0] == openpyxl_rows[0]
    # calamine gives an empty cell as "" where openpyxl gives None.
    assert calamine_rows[1] == tuple("" if value is None else value for value in openpyxl_rows[1])


def test_awkward_text_comes_back_as_typed_and_a_too_long_cell_is_cut(workspace):
    make_contact(
        workspace,
        "awkward@example.com",
        first_name='<Zoé> & "Fils"',
        company="Crêpes 🥞\x1b & Co",
        shipping_address={"line1": "a" * 40_000, "city": "Lyon"},
    )

    _header, row = read_xlsx(export(workspace))

    assert row[1] == '<Zoé> & "Fils"'
    assert row[4] == "Crêpes 🥞 & Co"
    # An XLSX cell holds 32,767 characters: longer text is cut, the export goes on.
    assert row[17] == "a" * 32_767
    assert row[19] == "Lyon"


def test_the_first_bytes_leave_before_any_contact_is_read(workspace, monkeypatch):
    for number in range(3):
        make_contact(workspace, f"c{number}@example.com")
    batches_read = []

    def one_contact_a_batch(**kwargs):
        for batch in contact_records(**kwargs, batch=1):
            batches_read.append(batch)
            yield batch

    monkeypatch.setattr("comptoir.transfer.exports.contact_records", one_contact_a_batch)
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection())
    stream = contacts_xlsx(workspace=workspace, contacts=contacts)

    first = next(stream)

    assert first.startswith(b"PK\x03\x04")
    assert batches_read == []
    rows = read_xlsx(first + b"".join(stream))
    assert len(batches_read) == 3
    assert [row[0] for row in rows[1:]] == ["c0@example.com", "c1@example.com", "c2@example.com"]


def test_a_large_selection_is_written_as_zip64_and_still_opens(workspace, monkeypatch):
    monkeypatch.setattr("comptoir.transfer.exports.XLSX_ZIP64_FROM", 1)
    make_zoe(workspace)

    data = export(workspace)

    sheet = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert sheet.extract_version == 45  # ZIP64
    assert read_xlsx(data)[1][0] == read_xlsx_calamine(data)[1][0] == "zoe@example.com"
