"""The contact import pages: upload, map with a preview, follow progress, read the result."""

import pytest

from comptoir.contacts.models import Contact
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.transfer.imports import import_run
from comptoir.transfer.models import ImportJob
from tests.conftest import api_client_for, login
from tests.html import unlabelled_fields
from tests.transfer.helpers import upload
from tests.web.directory_helpers import text


@pytest.fixture(autouse=True)
def imports_in_a_temporary_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def url(workspace, suffix=""):
    return f"/w/{workspace.slug}/contacts/imports/{suffix}"


CONTENT = "Courriel;Prénom;Statut\nzoe@example.com;Zoé;oui\nbad;X;\nleo@example.com;Léo;non\n"


def test_upload_map_and_run_an_import_from_the_dashboard(workspace, owner):
    client = login(owner)
    page = client.get(url(workspace))
    assert page.status_code == 200
    assert unlabelled_fields(page.content.decode()) == []

    response = client.post(url(workspace), {"file": upload(CONTENT), "preset": ""})
    job = scoped(ImportJob, workspace).get()
    assert response.status_code == 302
    assert response["Location"] == url(workspace, f"{job.pk}/")
    assert job.status == "draft"

    mapping = client.get(url(workspace, f"{job.pk}/"))
    html = mapping.content.decode()
    assert unlabelled_fields(html) == []
    assert '<th scope="col">Courriel</th>' in html and "zoe@example.com" in html  # preview

    response = client.post(
        url(workspace, f"{job.pk}/"),
        {
            "map_email": "Courriel",
            "map_first_name": "Prénom",
            "map_consent": "Statut",
            "consent_confirmed": "on",
        },
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.mapping["consent"], job.consent_confirmed) == ("queued", "Statut", True)

    import_run(job_id=job.pk)

    result = client.get(url(workspace, f"{job.pk}/")).content.decode()
    assert "<dt>Created</dt><dd>2</dd>" in result
    assert "<dt>Rows with errors</dt><dd>1</dd>" in result
    assert "“bad” is not a valid e-mail address." in result
    assert scoped(Contact, workspace).get(email_key="zoe@example.com").consent == "subscribed"
    report = client.get(url(workspace, f"{job.pk}/errors.csv"))
    assert b"".join(report.streaming_content).decode("utf-8-sig").splitlines()[1] == (
        "3,bad,“bad” is not a valid e-mail address."
    )


def test_a_running_import_shows_a_progress_bar_that_htmx_refreshes(workspace, owner):
    client = login(owner)
    client.post(url(workspace), {"file": upload(CONTENT)})
    job = scoped(ImportJob, workspace).get()
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", phase="reading", size=1000, bytes_read=500, processed=1234
    )

    page = client.get(url(workspace, f"{job.pk}/")).content.decode()
    assert '<progress id="import-progress" max="100" value="45">' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript
    partial = client.get(url(workspace, f"{job.pk}/"), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="import-status"')
    assert "1,234" in partial.content.decode() or "1 234" in partial.content.decode()


def test_an_unusable_file_is_refused_in_place(workspace, owner):
    response = login(owner).post(url(workspace), {"file": upload(b"\x00\x01binary")})
    assert response.status_code == 422
    assert "This is not a text file" in response.content.decode()
    assert not scoped(ImportJob, workspace).exists()


def test_a_dry_run_can_be_followed_by_the_real_import(workspace, owner):
    client = login(owner)
    client.post(url(workspace), {"file": upload(CONTENT)})
    job = scoped(ImportJob, workspace).get()
    client.post(url(workspace, f"{job.pk}/"), {"map_email": "Courriel", "dry_run": "on"})
    import_run(job_id=job.pk)
    assert not scoped(Contact, workspace).exists()

    response = client.post(url(workspace, f"{job.pk}/"), {})
    real = scoped(ImportJob, workspace).exclude(pk=job.pk).get()
    assert response["Location"] == url(workspace, f"{real.pk}/")
    import_run(job_id=real.pk)
    assert scoped(Contact, workspace).count() == 2


def test_a_viewer_sees_imports_but_cannot_upload(workspace, staff):
    client = login(staff[Role.VIEWER])
    assert client.get(url(workspace)).status_code == 200
    assert client.post(url(workspace), {"file": upload(CONTENT)}).status_code == 403


FRENCH = {"Accept-Language": "fr"}


def test_a_queued_import_can_be_cancelled_then_run_again_from_the_dashboard(workspace, owner):
    client = login(owner)
    client.post(url(workspace), {"file": upload(CONTENT)})
    job = scoped(ImportJob, workspace).get()
    client.post(url(workspace, f"{job.pk}/"), {"map_email": "Courriel"})

    page = client.get(url(workspace, f"{job.pk}/"), headers=FRENCH).content.decode()
    assert f'action="{url(workspace, f"{job.pk}/cancel/")}"' in page
    assert "Annuler l’import" in page

    response = client.post(url(workspace, f"{job.pk}/cancel/"), headers=FRENCH)
    assert response["Location"] == url(workspace, f"{job.pk}/")
    page = client.get(response["Location"], headers=FRENCH).content.decode()
    assert "Import annulé : rien n’a été importé." in page
    assert "Annulé ; rien n’a été importé. Vous pouvez le relancer." in page
    assert "Annuler l’import" not in page
    assert f'action="{url(workspace, f"{job.pk}/retry/")}"' in page
    assert "Relancer l’import" in page

    response = client.post(url(workspace, f"{job.pk}/retry/"))
    again = scoped(ImportJob, workspace).exclude(pk=job.pk).get()
    assert response["Location"] == url(workspace, f"{again.pk}/")
    assert (again.status, again.mapping) == ("queued", {"email": "Courriel"})
    import_run(job_id=again.pk)
    assert scoped(Contact, workspace).count() == 2


def test_a_running_import_asked_to_stop_says_so_and_offers_no_second_cancel(workspace, owner):
    client = login(owner)
    client.post(url(workspace), {"file": upload(CONTENT)})
    job = scoped(ImportJob, workspace).get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", phase="reading")

    client.post(url(workspace, f"{job.pk}/cancel/"))

    page = client.get(url(workspace, f"{job.pk}/"), headers=FRENCH).content.decode()
    assert "Arrêt de l’import : rien de ce qu’il a lu n’est conservé." in page
    assert "Annuler l’import" not in page


def test_an_import_whose_worker_was_lost_reads_so_in_french(workspace, owner):
    client = login(owner)
    client.post(url(workspace), {"file": upload(CONTENT)})
    job = scoped(ImportJob, workspace).get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", phase="reading")
    from comptoir.transfer.imports import import_worker_lost

    import_worker_lost(job_id=job.pk, reason="the worker running this job stopped (test)")

    page = client.get(url(workspace, f"{job.pk}/"), headers=FRENCH).content.decode()
    assert "Le processus qui exécutait cet import s’est arrêté avant la fin" in page
    assert "Relancer l’import" in page


def test_a_viewer_can_neither_cancel_nor_run_again(workspace, staff, owner):
    login(owner).post(url(workspace), {"file": upload(CONTENT)})
    job = scoped(ImportJob, workspace).get()
    viewer = login(staff[Role.VIEWER])
    assert "/cancel/" not in viewer.get(url(workspace, f"{job.pk}/")).content.decode()
    assert viewer.post(url(workspace, f"{job.pk}/cancel/")).status_code == 403
    assert viewer.post(url(workspace, f"{job.pk}/retry/")).status_code == 403


def test_a_viewer_cannot_download_the_error_report_which_lists_addresses(workspace, staff):
    owner = login(staff[Role.OWNER])
    owner.post(url(workspace), {"file": upload(CONTENT), "preset": ""})
    job = scoped(ImportJob, workspace).get()
    owner.post(
        url(workspace, f"{job.pk}/"),
        {"map_email": "Courriel", "map_first_name": "Prénom", "map_consent": "Statut"},
    )
    import_run(job_id=job.pk)
    viewer = login(staff[Role.VIEWER])

    page = viewer.get(url(workspace, f"{job.pk}/")).content.decode()
    assert "errors.csv" not in page
    assert viewer.get(url(workspace, f"{job.pk}/errors.csv")).status_code == 403
    api = api_client_for(workspace, Role.VIEWER)
    assert api.get(f"/api/v1/imports/{job.pk}/errors.csv").status_code == 403
    assert (
        login(staff[Role.MARKETER]).get(url(workspace, f"{job.pk}/errors.csv")).status_code == 200
    )


def test_a_later_row_that_unsubscribes_is_reported_as_such_not_as_skipped(workspace, owner):
    client = login(owner)
    content = "Email;Statut\nzoe@example.com;\nzoe@example.com;Unsubscribed\n"
    client.post(url(workspace), {"file": upload(content)})
    job = scoped(ImportJob, workspace).get()
    client.post(url(workspace, f"{job.pk}/"), {"map_email": "Email", "map_consent": "Statut"})
    import_run(job_id=job.pk)

    page = text(client.get(url(workspace, f"{job.pk}/")).content.decode())
    french = text(client.get(url(workspace, f"{job.pk}/"), headers=FRENCH).content.decode())

    assert "Unsubscribed by a later row of the file 1" in page
    assert "Skipped (unchanged or repeated) 0" in page
    assert "Désinscrits par une ligne suivante du fichier 1" in french
