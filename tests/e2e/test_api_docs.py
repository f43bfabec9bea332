"""From Settings → API tokens to the API documentation, in a real browser: the page runs under
the Content-Security-Policy and names every operation in words."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_tokens_page_leads_to_readable_api_documentation(
    page, live_server, log_in, workspace, owner
):
    refused = []
    page.on("console", lambda message: message.type == "error" and refused.append(message.text))
    log_in(owner.email)
    page.goto(f"{live_server.url}/w/{workspace.slug}/settings/tokens/")

    page.get_by_role("link", name="Read the API documentation").click()

    expect(page).to_have_url(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("Search and filter contacts")).to_be_visible()
    expect(page.get_by_text("Subscribe or unsubscribe a contact")).to_be_visible()
    assert not [text for text in refused if "Content Security Policy" in text]


def test_the_dashboard_shows_its_favicon(page, live_server, log_in, owner):
    log_in(owner.email)

    href = page.locator('link[rel="icon"][type="image/svg+xml"]').get_attribute("href")
    response = page.request.get(live_server.url + href)

    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
