"""The export endpoints: the list's query, downloads streamed, the EXPORT permission, and
nothing of another workspace."""

import zoneinfo

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from comptoir.consent.services import suppression_add
from comptoir.contacts.models import Contact
from comptoir.contacts.services import segment_create
from comptoir.core.roles import Role
from tests.conftest import ApiClient, api_client_for
from tests.contacts.helpers import make_contact, set_figures
from tests.transfer.export_helpers import (
    BOM,
    HEADER_LINE,
    KNOWN_ZOE_ROW,
    make_zoe,
    read_csv,
    read_xlsx,
)

EXPORTS = [
    "/api/v1/contacts/export.csv",
    "/api/v1/contacts/export.xlsx",
    "/api/v1/suppressions/export.csv",
]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def emails(response) -> list[str]:
    return [row["Email"] for row in read_csv(body(response))]


def test_the_csv_download_is_the_contact_file(api, workspace):
    make_zoe(workspace)

    response = api.get("/api/v1/contacts/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{workspace.slug}-contacts-{_today(workspace)}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    assert body(response) == BOM + (HEADER_LINE + KNOWN_ZOE_ROW).encode()


def _today(workspace) -> str:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(workspace.time_zone)).date().isoformat()


def test_the_download_is_streamed_not_built_in_memory(api, workspace):
    # Given more contacts than one batch of the writer
    Contact.objects.bulk_create(
        Contact(workspace=workspace, email=f"c{n}@example.com", email_key=f"c{n}@example.com")
        for n in range(2500)
    )

    response = api.get("/api/v1/contacts/export.csv")

    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # the header, then the rows a block at a time
    assert len(read_csv(b"".join(chunks))) == 2500


def test_the_semicolon_option(api, workspace):
    make_zoe(workspace)

    data = body(api.get("/api/v1/contacts/export.csv", delimiter="semicolon"))

    assert data.startswith(BOM + b"Email;First name;")
    assert read_csv(data, ";")[0]["Tags"] == "alpha, Marché, vip"


def test_an_unknown_delimiter_is_refused(api):
    response = api.get("/api/v1/contacts/export.csv", delimiter="tab")

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_the_list_filters_select_the_exported_contacts(api, workspace):
    set_figures(make_contact(workspace, "big@example.com", tags=["VIP"]), orders=4, spent="800")
    set_figures(make_contact(workspace, "small@example.com", tags=["VIP"]), orders=1, spent="20")
    make_contact(workspace, "prospect@example.com")

    listed = api.get("/api/v1/contacts", tag="vip", min_total_spent="100").json()["items"]
    exported = api.get("/api/v1/contacts/export.csv", tag="vip", min_total_spent="100")

    assert emails(exported) == [c["email"] for c in listed] == ["big@example.com"]
    assert emails(api.get("/api/v1/contacts/export.csv", type="prospect")) == [
        "prospect@example.com"
    ]


def test_a_segment_and_a_selection_of_ids(api, workspace):
    first = make_contact(workspace, "first@example.com")
    second = make_contact(workspace, "second@example.com")
    make_contact(workspace, "third@example.com")
    group = segment_create(
        workspace=workspace, name="G", kind="static", actor=None, contact_ids=[second.pk]
    )

    by_segment = api.get("/api/v1/contacts/export.csv", segment=str(group.pk))
    by_ids = api.get("/api/v1/contacts/export.csv", ids=[second.pk, first.pk])

    assert emails(by_segment) == ["second@example.com"]
    assert emails(by_ids) == ["first@example.com", "second@example.com"]


def test_an_unknown_segment_is_a_404_before_any_byte(api):
    response = api.get("/api/v1/contacts/export.csv", segment="999999")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_the_xlsx_download(api, workspace):
    make_zoe(workspace)

    response = api.get("/api/v1/contacts/export.xlsx", q="zoe")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    header, row = read_xlsx(body(response))
    assert (header[0], row[0], row[10]) == ("Email", "zoe@example.com", 3)


def test_too_many_contacts_for_a_sheet_is_a_clear_error(api, workspace, monkeypatch):
    monkeypatch.setattr("comptoir.transfer.downloads.XLSX_MAX_CONTACTS", 1)
    make_contact(workspace, "a@example.com")
    make_contact(workspace, "b@example.com")

    response = api.get("/api/v1/contacts/export.xlsx")

    assert (response.status_code, response.json()["code"]) == (422, "too_many_rows")
    assert "CSV" in response.json()["detail"]


def test_the_suppression_download(api, workspace):
    suppression_add(workspace=workspace, email="bounced@example.com", reason="bounce")

    response = api.get("/api/v1/suppressions/export.csv")

    assert response["Content-Disposition"].startswith(
        f'attachment; filename="{workspace.slug}-suppressions-'
    )
    assert [row["Email Address"] for row in read_csv(body(response))] == ["bounced@example.com"]


@pytest.mark.parametrize("path", EXPORTS)
def test_a_viewer_token_may_not_export(workspace, path):
    viewer = api_client_for(workspace, Role.VIEWER)

    response = viewer.get(path)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "This token's role does not allow this action.",
        "code": "forbidden",
    }


@pytest.mark.parametrize("path", EXPORTS)
def test_a_marketer_token_may_export(workspace, path):
    assert api_client_for(workspace, Role.MARKETER).get(path).status_code == 200


@pytest.mark.parametrize("path", EXPORTS)
def test_no_token_is_a_401(db, path):
    response = ApiClient(None).get(path)

    assert (response.status_code, response.json()["code"]) == (401, "unauthorized")


def test_the_export_path_is_not_taken_for_a_contact_id(api, workspace):
    # "/contacts/{contact_id}" is declared after the export routes.
    make_contact(workspace, "a@example.com")

    assert api.get("/api/v1/contacts/export.csv").status_code == 200
    assert api.get("/api/v1/contacts/export.xlsx").status_code == 200


def test_nothing_of_another_workspace_is_ever_exported(api, workspace, other_workspace):
    theirs = make_contact(other_workspace, "theirs@example.com", tags=["Secret"])
    their_group = segment_create(
        workspace=other_workspace, name="G", kind="static", actor=None, contact_ids=[theirs.pk]
    )
    suppression_add(workspace=other_workspace, email="their-bounce@example.com", reason="bounce")
    make_contact(workspace, "mine@example.com")

    assert emails(api.get("/api/v1/contacts/export.csv")) == ["mine@example.com"]
    assert emails(api.get("/api/v1/contacts/export.csv", ids=[theirs.pk])) == []
    assert emails(api.get("/api/v1/contacts/export.csv", tag="Secret")) == []
    assert read_xlsx(body(api.get("/api/v1/contacts/export.xlsx", ids=[theirs.pk])))[1:] == []
    segment = api.get("/api/v1/contacts/export.csv", segment=str(their_group.pk))
    assert segment.status_code == 404
    assert b"their-bounce" not in body(api.get("/api/v1/suppressions/export.csv"))
