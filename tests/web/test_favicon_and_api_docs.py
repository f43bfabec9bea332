"""A favicon on every dashboard page, and the API documentation one click from the tokens."""

import re

from django.test import Client

from tests.conftest import login


def test_every_dashboard_page_links_an_svg_and_a_png_favicon_that_are_served(workspace, owner):
    html = login(owner).get(f"/w/{workspace.slug}/contacts/").content.decode()
    icons = dict(re.findall(r'<link rel="icon" href="([^"]+)" type="([^"]+)"', html))

    assert sorted(icons.values()) == ["image/png", "image/svg+xml"]
    for href, kind in icons.items():
        response = Client().get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"].startswith(kind)
    svg = next(href for href, kind in icons.items() if kind == "image/svg+xml")
    assert b"<svg" in b"".join(Client().get(svg).streaming_content)


def test_the_login_page_has_the_favicon_too(db):
    assert '<link rel="icon"' in Client().get("/accounts/login/").content.decode()


def test_favicon_ico_leads_to_the_png(db):
    response = Client().get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("/comptoir/favicon.png")
    assert Client().get(response["Location"]).status_code == 200


def test_the_tokens_page_links_the_api_documentation_which_opens(workspace, owner):
    html = login(owner).get(f"/w/{workspace.slug}/settings/tokens/").content.decode()

    assert '<a id="api-docs" href="/api/v1/docs">Read the API documentation</a>' in html
    assert 'href="/api/v1/openapi.json"' in html
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    # Served from our own static files: the page's Content-Security-Policy allows no other.
    assert re.search(r'<script src="/static/ninja/swagger-ui-bundle\.js"', docs.content.decode())


def test_the_link_to_the_documentation_reads_french(workspace, owner):
    html = login(owner, language="fr").get(f"/w/{workspace.slug}/settings/tokens/")

    assert "Lire la documentation de l’API" in html.content.decode()
