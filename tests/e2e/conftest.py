"""Browser tests: Debian's Chromium driven through Playwright against pytest-django's live_server.

Chromium comes from the `chromium` Debian package (`.ci/run` installs it); `playwright install`
is never used. Without it the browser tests are skipped on a laptop, and fail in CI (CI=true).
"""

import os
import shutil

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API keeps an asyncio loop running in the test thread for as long as the
# browser lives (the whole session), so Django would take every ORM call made by the tests,
# here and in the modules collected after this one, for one made from async code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google services, which the closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Browser:
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Debian's chromium is not on PATH (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (Accept-Language); override it in a test module to change it."""
    return "en-US"


@pytest.fixture
def page(browser, browser_locale) -> Page:
    context = browser.new_context(locale=browser_locale)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page, live_server):
    """Log in through the login form, as a person would: `log_in(email[, password])`."""

    def submit(email: str, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()

    return submit
