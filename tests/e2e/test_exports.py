"""Exports in a real browser: the filtered list and the ticked contacts download as files."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.contacts.helpers import make_contact, set_figures
from tests.transfer.export_helpers import read_csv, read_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(workspace):
    zoe = make_contact(
        workspace, "zoe@example.com", first_name="Zoé", last_name="Martin", tags=["vip"]
    )
    set_figures(zoe, orders=3, spent="120.00", consent="subscribed")
    make_contact(workspace, "paul@example.com", first_name="Paul", last_name="Durand", tags=["vip"])
    make_contact(workspace, "lea@example.com", first_name="Léa", last_name="Roux")


def download(page, click) -> tuple[str, bytes]:
    with page.expect_download() as started:
        click()
    file = started.value
    return file.suggested_filename, Path(file.path()).read_bytes()


def test_staff_downloads_the_filtered_list_then_the_ticked_contacts(page, log_in, directory, owner):
    log_in(owner.email)
    page.get_by_role("checkbox", name="vip").check()
    expect(page.get_by_role("status")).to_have_text("2 contacts")

    name, data = download(page, page.get_by_role("link", name="CSV", exact=True).click)

    assert name.endswith(".csv") and "-contacts-" in name
    assert sorted(row["Email"] for row in read_csv(data)) == [
        "paul@example.com",
        "zoe@example.com",
    ]

    page.get_by_role("checkbox", name="Select Zoé Martin").check()
    page.get_by_label("File format").select_option("xlsx")
    name, data = download(page, page.get_by_role("button", name="Export selected").click)

    assert name.endswith(".xlsx")
    _header, *rows = read_xlsx(data)
    assert [(row[0], row[10]) for row in rows] == [("zoe@example.com", 3)]
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
