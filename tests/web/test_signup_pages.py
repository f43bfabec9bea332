"""The Sign-ups section of the dashboard: address, QR code, poster editor, settings, counts."""

import pytest
from django.test import Client

from comptoir.collect.models import SignupSettings
from comptoir.collect.selectors import public_urls
from comptoir.collect.services import signup_settings_get
from comptoir.core.roles import Role
from tests.collect.helpers import page_path, submit
from tests.conftest import login
from tests.html import unlabelled_fields

pytestmark = pytest.mark.django_db


def url(workspace, rest=""):
    return f"/w/{workspace.slug}/signups/{rest}"


def test_the_page_shows_the_address_qr_code_poster_and_snippets(workspace, owner):
    html = login(owner).get(url(workspace), headers={"Accept-Language": "en"}).content.decode()
    urls = public_urls(signup_settings_get(workspace=workspace))

    assert unlabelled_fields(html) == []
    for link in urls.values():
        assert link in html
    assert urls["url"] + "widget.js" in html
    assert "&lt;noscript&gt;" in html  # the snippet, shown as text to copy
    assert urls["url"] + "contact/" in html


def test_counts_per_source_over_the_last_30_days(workspace, owner):
    path = page_path(workspace)
    submit(path, {"email": "a@example.com"}, ip="192.0.2.1")
    submit(path + "?via=qr", {"email": "b@example.com"}, ip="192.0.2.2")
    submit(path + "?via=qr", {"email": "c@example.com"}, ip="192.0.2.3")

    html = login(owner).get(url(workspace), headers={"Accept-Language": "en"}).content.decode()

    assert '<th scope="row">Sign-up page</th><td>1</td>' in html
    assert '<th scope="row">QR code</th><td>2</td>' in html
    assert '<th scope="row">Sign-up widget</th><td>0</td>' in html


def test_drawing_a_new_address_retires_the_old_one(workspace, owner):
    old = page_path(workspace)

    response = login(owner).post(url(workspace, "redraw/"))

    assert response.status_code == 302
    assert Client().get(old).status_code == 404
    assert Client().get(page_path(workspace)).status_code == 200


def test_a_viewer_may_look_but_not_redraw_or_change_settings(workspace, staff):
    viewer = login(staff[Role.VIEWER])
    before = signup_settings_get(workspace=workspace).token

    assert viewer.get(url(workspace)).status_code == 200
    assert viewer.post(url(workspace, "redraw/")).status_code == 403
    assert viewer.post(url(workspace), {"double_opt_in": "on"}).status_code == 403
    assert SignupSettings.objects.get(workspace=workspace).token == before


def test_settings_are_saved_and_bad_origins_are_refused(workspace, staff):
    marketer = login(staff[Role.MARKETER])
    fields = {
        "consent_wording": "Oui à la lettre du fromager.",
        "double_opt_in": "on",
        "loyalty_tag": "fidélité",
        "allowed_origins": "https://shop.example/\nhttps://blog.example",
    }

    assert marketer.post(url(workspace), fields).status_code == 302
    saved = SignupSettings.objects.get(workspace=workspace)
    assert saved.double_opt_in and saved.consent_wording == "Oui à la lettre du fromager."
    assert saved.origins == ["https://shop.example", "https://blog.example"]

    bad = marketer.post(url(workspace), {**fields, "allowed_origins": "javascript:alert(1)"})
    assert bad.status_code == 400
    assert SignupSettings.objects.get(workspace=workspace).origins == saved.origins


def test_the_poster_editor_previews_without_saving_and_saves(workspace, owner):
    client = login(owner)
    draft = {"slogan": "Fromages & cie", "discount_offer": "−10 %", "poster_size": "a5"}

    page = client.get(url(workspace, "poster/"), headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert unlabelled_fields(page.content.decode()) == []
    # Without JavaScript: the Preview button posts the form and the page shows the draft.
    preview = client.post(url(workspace, "poster/"), {**draft, "preview": "1"})
    assert "Fromages &amp; cie" in preview.content.decode()
    assert "poster-a5" in preview.content.decode()
    # With htmx: the same view answers the preview alone.
    partial = client.get(url(workspace, "poster/"), draft, headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<div id="poster-preview"')
    assert "−10 %" in partial.content.decode()
    assert SignupSettings.objects.get(workspace=workspace).slogan == ""

    saved = client.post(url(workspace, "poster/"), {**draft, "save": "1"})
    assert saved.status_code == 302
    assert SignupSettings.objects.get(workspace=workspace).slogan == "Fromages & cie"
