"""POST /api/v1/imports and GET /api/v1/imports/{id} (CONTRACT.md, X1, X2)."""

import csv
import io

import pytest

from comptoir.contacts.models import Contact
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.core.worker import run_once
from tests.conftest import api_client_for
from tests.transfer.helpers import FIXTURES, upload


def post_import(client, content, **fields):
    return client.client.post(
        "/api/v1/imports",
        {"file": upload(content), **fields},
        headers=client.headers,
    )


@pytest.fixture(autouse=True)
def imports_in_a_temporary_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_file_is_queued_then_imported_by_the_worker(api, workspace):
    content = (FIXTURES / "shopify_customer_template.csv").read_bytes()
    response = post_import(api, content, preset="shopify", consent_confirmed="true")

    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status"}
    assert body["status"] == "queued"
    assert api.get(f"/api/v1/imports/{body['id']}").json()["status"] == "queued"

    run_once()

    result = api.get(f"/api/v1/imports/{body['id']}").json()
    assert {"status", "total", "created", "updated", "skipped", "errors"} <= set(result)
    assert (result["status"], result["total"], result["created"]) == ("completed", 3, 3)
    assert (result["updated"], result["skipped"], result["errors"]) == (0, 0, [])
    camille = scoped(Contact, workspace).get(email_key="camille.martin@example.com")
    assert camille.consent == "subscribed"


def test_refused_rows_come_with_their_line_and_a_downloadable_report(api, workspace):
    content = "Email,First name\ngood@example.com,A\nnope,B\n=cmd@,C\n"
    job_id = post_import(api, content).json()["id"]
    from comptoir.transfer.imports import import_run

    import_run(job_id=job_id)

    result = api.get(f"/api/v1/imports/{job_id}").json()
    assert result["errors"] == [
        {"row": 3, "message": "“nope” is not a valid e-mail address."},
        {"row": 4, "message": "“=cmd@” is not a valid e-mail address."},
    ]
    assert result["errors_total"] == 2
    report = api.client.get(result["error_report_url"], headers=api.headers)
    assert report.status_code == 200
    assert report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Line", "Email", "Reason"],
        ["3", "nope", "“nope” is not a valid e-mail address."],
        ["4", "'=cmd@", "“=cmd@” is not a valid e-mail address."],
    ]


def test_the_api_shows_the_first_thousand_errors_and_counts_them_all(api, workspace):
    content = "Email\n" + "broken\n" * 1200
    job_id = post_import(api, content).json()["id"]
    from comptoir.transfer.imports import import_run

    import_run(job_id=job_id)

    result = api.get(f"/api/v1/imports/{job_id}").json()
    assert (len(result["errors"]), result["errors_total"]) == (1000, 1200)
    assert result["errors"][0]["row"] == 2


@pytest.mark.parametrize(
    "content, fields, status, code",
    [
        (b"\x00\x01\x02binary", {}, 422, "invalid_file"),
        (b"Email\n", {}, 422, "invalid_file"),
        (b"Email\na@example.com\n", {"mapping": "{nope"}, 400, "invalid_mapping"),
        (b"Email\na@example.com\n", {"mapping": '{"age": "Email"}'}, 422, "invalid_mapping"),
        (b"Email\na@example.com\n", {"preset": "hubspot"}, 422, "invalid_preset"),
    ],
)
def test_a_bad_upload_gets_a_clear_error_and_creates_nothing(api, content, fields, status, code):
    response = post_import(api, content, **fields)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"]
    from comptoir.transfer.models import ImportJob

    assert not ImportJob.objects.exists()


def test_a_file_over_the_limit_is_refused_with_413(api, settings):
    settings.COMPTOIR_IMPORT_MAX_BYTES = 50
    response = post_import(api, "Email\n" + "someone@example.com\n" * 10)
    assert (response.status_code, response.json()["code"]) == (413, "file_too_large")


def test_a_request_without_a_file_is_refused(api):
    response = api.client.post("/api/v1/imports", {}, headers=api.headers)
    assert response.status_code == 422


@pytest.mark.parametrize("role, status", [(Role.VIEWER, 403), (Role.MARKETER, 202)])
def test_importing_needs_the_edit_permission(workspace, role, status):
    client = api_client_for(workspace, role)
    assert post_import(client, "Email\na@example.com\n").status_code == status


def test_a_dashboard_draft_is_not_an_api_import(api, workspace):
    from comptoir.transfer.imports import import_create

    draft = import_create(
        workspace=workspace, upload=upload("Email\na@example.com\n"), actor=None, start=False
    )
    assert api.get(f"/api/v1/imports/{draft.pk}").status_code == 404
