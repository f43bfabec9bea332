"""Importing contacts in a real browser (X1): upload a file, map its columns from the
preview, start, and read the counts once the worker has run the job."""

import pytest
from playwright.sync_api import expect

from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from comptoir.core.worker import run_once
from tests.transfer.helpers import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT = (
    "I confirm that the people this file marks as subscribed explicitly agreed to receive "
    "marketing e-mails from this business, and that I can prove it"
)


def test_upload_map_run_and_see_the_counts(
    page, live_server, log_in, workspace, owner, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    log_in(owner.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/contacts/imports/")

    page.get_by_label("CSV file").set_input_files(str(FIXTURES / "french_excel_cp1252.csv"))
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Map the columns")
    expect(page.get_by_role("table", name="The first rows of the file")).to_contain_text("Hélène")
    expect(page.get_by_label("E-mail address")).to_have_value("Adresse e-mail")
    page.get_by_label("Company").select_option("— not imported —")
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="Start the import").click()

    expect(page.get_by_role("heading", name="Queued")).to_be_visible()
    run_once()
    page.reload()

    status = page.locator("#import-status")
    expect(page.get_by_role("heading", name="Completed")).to_be_visible()
    expect(status).to_contain_text("Created")
    expect(status.locator("dd").nth(1)).to_have_text("3")
    helene = scoped(Contact, workspace).get(email_key="helene.lefevre@example.fr")
    assert (helene.first_name, helene.company) == ("Hélène", "")
