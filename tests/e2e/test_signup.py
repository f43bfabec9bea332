"""S1–S3 in a real browser: the page the QR code leads to, and the widget on a shop's site."""

import http.server
import io
import threading

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from comptoir.collect.selectors import public_urls
from comptoir.collect.services import signup_settings_get, signup_settings_update
from comptoir.collect.snippets import widget_snippet
from comptoir.consent.models import ConsentEvent
from comptoir.contacts.models import Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def served(settings, live_server):
    """Public URLs (QR code, widget) point at the test server."""
    settings.COMPTOIR_BASE_URL = live_server.url
    return live_server


def test_the_qr_code_leads_to_a_page_that_needs_the_box_ticked(page, served, workspace):
    urls = public_urls(signup_settings_get(workspace=workspace))
    png = page.request.get(urls["qr_png_url"]).body()
    (scanned,) = [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]

    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(scanned)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chez Zoé")
    consent = page.get_by_role("checkbox", name="I agree to receive e-mails")
    expect(consent).not_to_be_checked()
    page.get_by_label("E-mail address").fill("zoe@example.com")
    page.get_by_label("First name").fill("Zoé")
    page.get_by_label("Phone").fill("06 12 34 56 78")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("alert")).to_contain_text("Tick the box")
    assert not Contact.objects.exists() and not ConsentEvent.objects.exists()

    wording = page.locator("label[for=comptoir_consent]").inner_text()
    page.get_by_role("checkbox", name="I agree to receive e-mails").check()
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.consent) == (
        "zoe@example.com",
        "Zoé",
        "subscribed",
    )
    event = ConsentEvent.objects.get()
    assert (event.source, event.ip, event.wording) == ("qr_code", "127.0.0.1", wording)
    assert "Chrome" in event.user_agent
    assert page.context.cookies() == []
    # The refused submission's 400 aside, nothing failed: no style or script was refused
    # by the page's Content-Security-Policy.
    assert [e for e in errors if "status of 400" not in e] == []


class ShopSite:
    """The merchant's own web site: another origin (another port) serving the snippet.

    A real server on the loopback address, not an intercepted URL: Chromium forbids a page
    it takes for a public site from reaching a loopback server (Local Network Access)."""

    def __init__(self):
        self.html = b""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(site.html)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def show(self, settings) -> str:
        self.html = (
            "<!doctype html><html lang='en'><title>Shop</title><h1>Shop</h1>"
            f"{widget_snippet(settings)}</html>"
        ).encode()
        return self.origin + "/"


@pytest.fixture
def shop():
    site = ShopSite()
    yield site
    site.server.shutdown()
    site.server.server_close()


def fill_and_send(page):
    page.get_by_label("E-mail address").fill("zoe@example.com")
    page.get_by_role("checkbox", name="I agree to receive e-mails").check()
    page.get_by_role("button", name="Sign up").click()


def test_the_widget_signs_up_from_the_shops_site(page, served, workspace, shop):
    settings = signup_settings_update(workspace=workspace, allowed_origins=shop.origin)
    address = shop.show(settings)

    page.goto(address)
    fill_and_send(page)

    expect(page.get_by_role("status")).to_contain_text("Thank you")
    assert page.url == address  # the visitor stayed on the shop's page
    assert ConsentEvent.objects.get().source == "widget"


def test_the_widget_fallback_works_without_javascript(browser, served, workspace, shop):
    settings = signup_settings_update(workspace=workspace, allowed_origins=shop.origin)
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()

    page.goto(shop.show(settings))
    fill_and_send(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert ConsentEvent.objects.get().source == "widget"
    context.close()


def test_the_widget_on_a_site_that_is_not_allowed_stores_nothing(page, served, workspace, shop):
    settings = signup_settings_update(workspace=workspace, allowed_origins="https://shop.example")

    page.goto(shop.show(settings))
    fill_and_send(page)

    expect(page.get_by_role("status")).to_contain_text("could not be sent")
    assert not Contact.objects.exists()


def test_the_poster_preview_follows_the_typing(page, served, workspace, owner, log_in):
    log_in(owner.email)
    page.goto(f"{served.url}/w/{workspace.slug}/signups/poster/")

    page.get_by_label("Slogan").fill("Le fromage du mois")
    page.get_by_label("Discount offer").fill("−10 % sur votre prochaine visite")

    preview = page.locator("#poster-preview")
    expect(preview).to_contain_text("Le fromage du mois")
    expect(preview).to_contain_text("−10 % sur votre prochaine visite")
    assert signup_settings_get(workspace=workspace).slogan == ""  # a preview saves nothing

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Poster saved")
    assert signup_settings_get(workspace=workspace).slogan == "Le fromage du mois"
