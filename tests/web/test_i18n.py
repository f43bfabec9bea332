"""The dashboard speaks French and English, and every form field on it has a label."""

import io
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from PIL import Image

from comptoir.core.services import token_create, workspace_update
from tests.conftest import login
from tests.html import unlabelled_fields

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "comptoir"
CATALOGUE = PACKAGE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"

FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH_BROWSER = {"Accept-Language": "en"}

NAVIGATION = {
    "en": ["Contacts", "Campaigns", "Automations", "Sign-ups", "Settings"],
    "fr": ["Contacts", "Campagnes", "Automatisations", "Inscriptions", "Paramètres"],
}
LOG_OUT = {"en": "Log out", "fr": "Déconnexion"}
DASHBOARD_PAGES = [
    "contacts/",
    "campaigns/",
    "automations/",
    "signups/",
    "settings/",
    "settings/staff/",
    "settings/tokens/",
]


def page_language(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)">', html)
    assert found, "the page has no <html lang>"
    return found.group(1)


def navigation(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.DOTALL)
    assert nav, "the page has no main navigation"
    return [text.strip() for text in re.findall(r"<a [^>]*>([^<]*)</a>", nav.group(1))]


# Login page and Accept-Language


def test_login_page_is_french_for_a_french_browser(db):
    html = Client().get("/accounts/login/", headers=FRENCH_BROWSER).content.decode()

    assert page_language(html) == "fr"
    assert "<h1>Se connecter à Comptoir</h1>" in html
    assert "Adresse e-mail" in html  # the e-mail field's label, from our catalogue
    assert "Mot de passe oublié ?" in html
    assert "Log in to Comptoir" not in html


@pytest.mark.parametrize("headers", [ENGLISH_BROWSER, {}], ids=["english-browser", "no-header"])
def test_login_page_is_english_for_an_english_browser_or_none(db, headers):
    html = Client().get("/accounts/login/", headers=headers).content.decode()

    assert page_language(html) == "en"
    assert "<h1>Log in to Comptoir</h1>" in html
    assert "E-mail address" in html
    assert "Se connecter" not in html


def test_a_language_nobody_translated_falls_back_to_english(db):
    html = Client().get("/accounts/login/", headers={"Accept-Language": "de-DE,de"}).content

    assert page_language(html.decode()) == "en"


# The language switch


def test_language_switch_overrides_the_browser_language(workspace, owner):
    client = login(owner)
    contacts = f"/w/{workspace.slug}/contacts/"

    response = client.post("/i18n/setlang/", {"language": "fr", "next": contacts})
    html = client.get(contacts, headers=ENGLISH_BROWSER).content.decode()

    assert response.status_code == 302
    assert response.url == contacts
    assert page_language(html) == "fr"
    assert navigation(html) == NAVIGATION["fr"]


def test_language_switch_back_to_english(workspace, owner):
    client = login(owner)
    contacts = f"/w/{workspace.slug}/contacts/"
    client.post("/i18n/setlang/", {"language": "fr", "next": contacts})

    client.post("/i18n/setlang/", {"language": "en", "next": contacts})
    html = client.get(contacts, headers=FRENCH_BROWSER).content.decode()

    assert page_language(html) == "en"
    assert navigation(html) == NAVIGATION["en"]


# Every dashboard page in both languages


@pytest.mark.parametrize(
    "language, headers",
    [pytest.param("fr", FRENCH_BROWSER, id="fr"), pytest.param("en", ENGLISH_BROWSER, id="en")],
)
@pytest.mark.parametrize("page", DASHBOARD_PAGES)
def test_dashboard_page_renders_in_the_browser_language(workspace, owner, page, language, headers):
    response = login(owner).get(f"/w/{workspace.slug}/{page}", headers=headers)
    html = response.content.decode()

    assert response.status_code == 200
    assert page_language(html) == language
    assert navigation(html) == NAVIGATION[language]
    assert LOG_OUT[language] in html
    other = "en" if language == "fr" else "fr"
    assert LOG_OUT[other] not in html


def test_settings_subnavigation_is_french(workspace, owner):
    html = (
        login(owner).get(f"/w/{workspace.slug}/settings/", headers=FRENCH_BROWSER).content.decode()
    )

    for label in ("Entreprise", "Équipe", "Jetons d'API", "Identité de l'entreprise"):
        assert label in html


# Every form field has a label


def test_unlabelled_fields_finds_a_field_without_a_label():
    html = """
    <form>
      <input type="hidden" name="csrf">
      <label for="email">E-mail</label><input id="email" name="email">
      <input id="phone" name="phone">
      <label for="empty"></label><input id="empty" name="empty">
      <label>Note <textarea name="note"></textarea></label>
      <select name="role" aria-label="Role"></select>
      <span id="size-label">Size</span><select name="size" aria-labelledby="size-label"></select>
      <select name="colour" aria-labelledby="nowhere"></select>
      <input type="checkbox" name="agree" />
      <button type="submit">Send</button><input type="submit" value="Send">
    </form>
    """

    assert unlabelled_fields(html) == [
        '<input name="phone" id="phone">',
        '<input name="empty" id="empty">',
        '<select name="colour">',
        '<input type="checkbox" name="agree">',
    ]


def anonymous_page(path: str) -> str:
    return Client().get(path).content.decode()


def owner_page(workspace, owner, path: str) -> str:
    response = login(owner).get(f"/w/{workspace.slug}/{path}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password_reset/"])
def test_every_field_of_the_account_pages_has_a_label(db, path):
    html = anonymous_page(path)

    assert "<input" in html
    assert unlabelled_fields(html) == []


@pytest.mark.parametrize("page", DASHBOARD_PAGES)
def test_every_field_of_the_dashboard_pages_has_a_label(workspace, owner, page):
    html = owner_page(workspace, owner, page)

    assert unlabelled_fields(html) == []


def test_every_field_of_the_staff_page_has_a_label_with_a_role_menu_per_member(
    workspace, owner, staff
):
    html = owner_page(workspace, owner, "settings/staff/")

    assert html.count('name="role"') == len(staff) + 1  # one per member, one to invite
    assert unlabelled_fields(html) == []


def test_every_field_of_the_tokens_page_has_a_label_when_it_shows_a_new_secret(workspace, owner):
    token_create(workspace=workspace, name="Shop", role="admin")
    response = login(owner).post(
        f"/w/{workspace.slug}/settings/tokens/", {"name": "Till", "role": "marketer"}
    )
    html = response.content.decode()

    assert 'id="new-token"' in html
    assert unlabelled_fields(html) == []


def png_image() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "#1f4e79").save(buffer, "PNG")
    return buffer.getvalue()


def test_every_field_of_the_settings_page_has_a_label_once_a_logo_is_set(
    workspace, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    workspace_update(workspace=workspace, logo=SimpleUploadedFile("logo.png", png_image()))

    html = owner_page(workspace, owner, "settings/")

    assert 'name="logo-clear"' in html  # the checkbox that removes the logo
    assert unlabelled_fields(html) == []


def test_every_field_of_the_settings_page_has_a_label_for_a_viewer(workspace, staff):
    html = login(staff["viewer"]).get(f"/w/{workspace.slug}/settings/").content.decode()

    assert "disabled" in html
    assert unlabelled_fields(html) == []


# The French catalogue


def entries_in_error(catalogue: polib.POFile) -> list[str]:
    return [entry.msgid for entry in catalogue.untranslated_entries()] + [
        f"{entry.msgid} (fuzzy)" for entry in catalogue.fuzzy_entries()
    ]


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    catalogue = polib.pofile(str(CATALOGUE))

    assert catalogue.metadata["Language"] == "fr"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert not catalogue.metadata_is_fuzzy, "remove the '#, fuzzy' flag from the header"
    missing = entries_in_error(catalogue)
    assert not missing, f"translate these in {CATALOGUE}:\n" + "\n".join(missing)


def test_french_translations_keep_the_placeholders_of_the_english():
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
    changed = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE)).translated_entries()
        if sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr))
    ]

    assert not changed, "these translations lost or changed a placeholder:\n" + "\n".join(changed)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_french_catalogue_holds_every_translatable_string_of_the_code(tmp_path, monkeypatch):
    """A string added to a template or a _() call without `make messages` fails here."""
    # makemessages rewrites the catalogue it finds, so it runs on a copy of the package.
    copy = tmp_path / "comptoir"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.chdir(copy)

    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["fr"], no_obsolete=True, no_location=True, verbosity=0)

    refreshed = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = entries_in_error(refreshed)
    assert not missing, f"run `make messages`, then translate these in {CATALOGUE}:\n" + (
        "\n".join(missing)
    )


def test_french_catalogue_is_compiled_and_up_to_date():
    """The pages above read the .mo; pip install (setup.py) compiles it from the .po."""
    compiled = CATALOGUE.with_suffix(".mo")
    hint = "run `make install` (pip install -e .) to compile the .po"
    assert compiled.exists(), hint

    def translations(entries):
        return {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in entries}

    built = translations(polib.mofile(str(compiled)))
    assert built == translations(polib.pofile(str(CATALOGUE)).translated_entries()), hint
