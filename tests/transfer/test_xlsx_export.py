"""The contact file as an XLSX workbook: the same rows, typed, and no formula ever runs."""

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from comptoir.transfer.export_selectors import ContactSelection, contacts_selected
from comptoir.transfer.exports import contacts_xlsx
from tests.contacts.helpers import make_contact
from tests.transfer.export_helpers import HEADER_LINE, make_zoe, read_xlsx


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
