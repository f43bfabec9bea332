"""The dashboard's exports: the list as filtered, the ticked contacts, a segment, and the
suppression list — plain links and forms, for the roles allowed to export."""

import html as html_lib
import re

import pytest

from comptoir.consent.services import suppression_add
from comptoir.contacts.services import segment_create
from comptoir.core.roles import Role
from tests.conftest import login
from tests.contacts.helpers import make_contact, set_figures
from tests.html import unlabelled_fields
from tests.transfer.export_helpers import read_csv, read_xlsx
from tests.web.directory_helpers import ENGLISH, FRENCH, text, url


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def emails(response) -> list[str]:
    return [row["Email"] for row in read_csv(body(response))]


def export_links(page: str, element_id: str) -> dict[str, str]:
    """{link text: href} of the links inside the element with this id."""
    found = re.search(rf'id="{element_id}".*?</p>', page, re.S)
    assert found, f"no #{element_id} on the page"
    return {
        html_lib.unescape(label): html_lib.unescape(href)
        for href, label in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', found.group(0))
    }


@pytest.fixture
def shop(workspace):
    vip = make_contact(workspace, "vip@example.com", tags=["VIP"])
    set_figures(vip, orders=3, spent="300")
    make_contact(workspace, "other@example.com")
    return vip


def test_the_list_links_export_the_current_filter(workspace, staff, shop):
    client = login(staff[Role.MARKETER])
    page = client.get(url(workspace), {"tag": "VIP"}, headers=ENGLISH).content.decode()

    links = export_links(page, "export-list")

    assert "Export these contacts:" in text(page)
    assert list(links) == ["CSV", "CSV with semicolons (Excel in French)", "Excel (XLSX)"]
    csv_file = client.get(links["CSV"])
    assert csv_file["Content-Disposition"].startswith("attachment; filename=")
    assert emails(csv_file) == ["vip@example.com"]
    semicolon = body(client.get(links["CSV with semicolons (Excel in French)"]))
    assert [r["Email"] for r in read_csv(semicolon, ";")] == ["vip@example.com"]
    _header, *rows = read_xlsx(body(client.get(links["Excel (XLSX)"])))
    assert [row[0] for row in rows] == ["vip@example.com"]


def test_without_filters_every_contact_is_exported(workspace, owner, shop):
    client = login(owner)
    page = client.get(url(workspace), headers=ENGLISH).content.decode()

    links = export_links(page, "export-list")

    assert "Export every contact:" in text(page)
    assert sorted(emails(client.get(links["CSV"]))) == ["other@example.com", "vip@example.com"]


def test_export_selected_posts_the_ticked_contacts(workspace, staff, shop):
    client = login(staff[Role.MARKETER])
    page = client.get(url(workspace), headers=ENGLISH).content.decode()
    assert 'formaction="/w/' in page and "Export selected" in page
    assert unlabelled_fields(page) == []

    response = client.post(url(workspace, "export/"), {"ids": [shop.pk], "format": "csv-semicolon"})

    assert response.status_code == 200
    assert [r["Email"] for r in read_csv(body(response), ";")] == ["vip@example.com"]


def test_export_selected_without_a_ticked_contact_says_so(workspace, owner, shop):
    client = login(owner)

    response = client.post(
        url(workspace, "export/"), {"format": "csv", "next": url(workspace)}, follow=True
    )

    assert "Tick at least one contact first." in text(response.content.decode())


def test_an_invalid_filter_is_explained_not_exported(workspace, owner, shop):
    response = login(owner).get(
        url(workspace, "export/"), {"min_orders": "many", "format": "csv"}, follow=True
    )

    assert "Some filters are not valid. Correct them to export." in text(response.content.decode())


def test_each_segment_has_its_export(workspace, owner, shop):
    group = segment_create(
        workspace=workspace, name="Picked", kind="static", actor=None, contact_ids=[shop.pk]
    )
    client = login(owner)
    page = client.get(url(workspace, "segments/"), headers=ENGLISH).content.decode()

    export_path = f"{url(workspace, 'export/')}?segment={group.pk}&amp;format=csv"
    assert 'aria-label="Export Picked as CSV"' in page
    assert 'aria-label="Export Repeat customers (2+ orders) as CSV"' in page
    assert emails(client.get(html_lib.unescape(export_path))) == ["vip@example.com"]
    assert unlabelled_fields(page) == []


def test_the_suppression_list_exports(workspace, owner):
    suppression_add(workspace=workspace, email="bounced@example.com", reason="bounce")
    client = login(owner)
    page = client.get(url(workspace, "suppressions/"), headers=ENGLISH).content.decode()

    links = export_links(page, "export-suppressions")
    response = client.get(links["CSV"])

    assert "Erased people are not in the file" in text(page)
    assert response["Content-Disposition"].startswith("attachment;")
    assert [r["Email Address"] for r in read_csv(body(response))] == ["bounced@example.com"]


def test_a_viewer_sees_no_export_and_may_not_download(workspace, staff, shop):
    client = login(staff[Role.VIEWER])

    pages = [
        client.get(url(workspace, path), headers=ENGLISH).content.decode()
        for path in ("", "segments/", "suppressions/")
    ]

    assert all("export" not in page.lower() for page in pages)
    assert client.get(url(workspace, "export/")).status_code == 403
    assert client.post(url(workspace, "export/"), {"ids": [shop.pk]}).status_code == 403
    assert client.get(url(workspace, "suppressions/export/")).status_code == 403


def test_another_workspaces_contacts_cannot_be_ticked_into_an_export(
    workspace, other_workspace, owner
):
    theirs = make_contact(other_workspace, "theirs@example.com")
    make_contact(workspace, "mine@example.com")

    response = login(owner).post(url(workspace, "export/"), {"ids": [theirs.pk]})

    assert emails(response) == []


def test_the_controls_read_in_french(workspace, owner, shop):
    client = login(owner)

    page = text(client.get(url(workspace), headers=FRENCH).content.decode())
    suppressions = client.get(url(workspace, "suppressions/"), headers=FRENCH)
    suppressions = text(suppressions.content.decode())

    assert "Exporter tous les contacts :" in page
    assert "CSV avec points-virgules (Excel en français)" in page
    assert "Exporter la sélection" in page
    assert "Exporter pour un autre outil d’envoi d’e-mails" in suppressions
