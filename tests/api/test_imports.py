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


@pytest.mark.django_db(transaction=True)
def test_an_import_cancelled_through_the_api_can_be_run_again(api, workspace):
    job_id = post_import(api, "Email\na@example.com\nb@example.com\n").json()["id"]

    cancelled = api.post(f"/api/v1/imports/{job_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json() == {"id": job_id, "status": "failed"}
    run_once()
    result = api.get(f"/api/v1/imports/{job_id}").json()
    assert (result["status"], result["can_run_again"]) == ("failed", True)
    assert result["failure"] == "Cancelled; nothing was imported. You can run it again."
    assert not scoped(Contact, workspace).exists()
    again = api.post(f"/api/v1/imports/{job_id}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "not_cancellable")

    retried = api.post(f"/api/v1/imports/{job_id}/retry")
    assert retried.status_code == 202
    new_id = retried.json()["id"]
    assert new_id != job_id
    run_once()
    assert api.get(f"/api/v1/imports/{new_id}").json()["created"] == 2
    assert api.get(f"/api/v1/imports/{job_id}").json()["status"] == "failed"  # history kept
    refused = api.post(f"/api/v1/imports/{new_id}/retry")
    assert (refused.status_code, refused.json()["code"]) == (409, "cannot_run_again")


def test_cancelling_a_running_import_through_the_api_asks_it_to_stop(api, workspace):
    from comptoir.transfer.models import ImportJob

    job_id = post_import(api, "Email\na@example.com\n").json()["id"]
    ImportJob.objects.filter(pk=job_id).update(status="running", phase="reading")

    response = api.post(f"/api/v1/imports/{job_id}/cancel")

    assert response.json() == {"id": job_id, "status": "running"}
    assert api.get(f"/api/v1/imports/{job_id}").json()["cancel_requested"] is True


def test_cancel_and_retry_need_the_edit_permission_and_stay_in_their_workspace(
    api, workspace, other_workspace
):
    job_id = post_import(api, "Email\na@example.com\n").json()["id"]
    viewer = api_client_for(workspace, Role.VIEWER)
    assert viewer.post(f"/api/v1/imports/{job_id}/cancel").status_code == 403
    assert viewer.post(f"/api/v1/imports/{job_id}/retry").status_code == 403
    stranger = api_client_for(other_workspace)
    assert stranger.post(f"/api/v1/imports/{job_id}/cancel").status_code == 404
    assert stranger.post(f"/api/v1/imports/{job_id}/retry").status_code == 404


def test_cancel_and_retry_are_in_the_openapi_schema(api):
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    assert "409" in paths["/api/v1/imports/{job_id}/cancel"]["post"]["responses"]
    assert "202" in paths["/api/v1/imports/{job_id}/retry"]["post"]["responses"]


@pytest.mark.django_db(transaction=True)
def test_the_result_counts_a_contact_unsubscribed_by_a_later_row(api, workspace):
    content = (
        "Email,Email subscription status\n"
        "zoe@example.com,subscribed\n"
        "zoe@example.com,Unsubscribed\n"
        "leo@example.com,\n"
    )
    job_id = post_import(api, content, consent_confirmed="true").json()["id"]
    run_once()

    result = api.get(f"/api/v1/imports/{job_id}").json()
    assert (result["created"], result["skipped"], result["unsubscribed_by_later_row"]) == (2, 0, 1)
    assert scoped(Contact, workspace).get(email_key="zoe@example.com").consent == "unsubscribed"
