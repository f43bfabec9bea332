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
    "settings/store/",
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

    for label in ("Entreprise", "Équipe", "Jetons d’API", "Identité de l’entreprise"):
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


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def keeps_placeholders(entry: polib.POEntry) -> bool:
    if not entry.msgid_plural:
        return placeholders(entry.msgid) == placeholders(entry.msgstr)
    # French uses the singular form for 0 and 1 (plural=(n > 1)): both forms must show the
    # number, so every form must carry the placeholders of the English plural.
    return all(
        placeholders(form) == placeholders(entry.msgid_plural)
        for form in entry.msgstr_plural.values()
    )


def test_a_plural_translation_that_drops_the_number_in_one_form_is_caught():
    entry = polib.POEntry(
        msgid="%(count)d contact deleted.",
        msgid_plural="%(count)d contacts deleted.",
        msgstr_plural={0: "Un contact supprimé.", 1: "%(count)d contacts supprimés."},
    )

    assert not keeps_placeholders(entry)
    entry.msgstr_plural[0] = "%(count)d contact supprimé."
    assert keeps_placeholders(entry)


def test_french_translations_keep_the_placeholders_of_the_english():
    changed = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE)).translated_entries()
        if not keeps_placeholders(entry)
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


def test_french_translations_use_curly_apostrophes():
    straight = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE)).translated_entries()
        if any("'" in text for text in [entry.msgstr, *entry.msgstr_plural.values()])
    ]

    assert not straight, "write ’ instead of ' in these translations:\n" + "\n".join(straight)


# The workspace's language when the browser says nothing


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_browser_that_names_no_language_gets_the_workspace_language(workspace, owner, language):
    workspace_update(workspace=workspace, language=language)

    response = login(owner, language=None).get(f"/w/{workspace.slug}/contacts/")
    html = response.content.decode()

    assert page_language(html) == language
    assert navigation(html) == NAVIGATION[language]
    assert response["Content-Language"] == language


def test_the_browser_language_and_the_switch_outrank_the_workspace_language(workspace, owner):
    assert workspace.language == "fr"
    contacts = f"/w/{workspace.slug}/contacts/"

    english_browser = login(owner, language="en").get(contacts).content.decode()
    switched = login(owner, language=None)
    switched.post("/i18n/setlang/", {"language": "en", "next": contacts})

    assert page_language(english_browser) == "en"
    assert page_language(switched.get(contacts).content.decode()) == "en"


# Every message a French page shows comes from the catalogue


class MissedMessages:
    """Records what a French page asked gettext for and the catalogues did not translate."""

    # Django asks for this one to learn which punctuation ends a label: not for the page.
    DJANGO_INTERNAL = {(None, ":?.!")}

    def __init__(self):
        self.missed: set[tuple[str | None, str]] = set()

    def note(self, translation, message: str, result: str) -> None:
        if translation.language() == "fr" and result == message:
            context, _, msgid = message.rpartition("\x04")
            self.missed.add((context or None, msgid))

    def not_in(self, catalogue: polib.POFile) -> list[str]:
        known = {(entry.msgctxt, entry.msgid) for entry in catalogue.translated_entries()}
        missed = self.missed - known - self.DJANGO_INTERNAL
        return sorted(f"{context} | {msgid}" for context, msgid in missed)


@pytest.fixture
def missed_messages(monkeypatch):
    from django.utils.translation import trans_real

    missed = MissedMessages()
    gettext, ngettext = trans_real.DjangoTranslation.gettext, trans_real.DjangoTranslation.ngettext

    def recording_gettext(self, message):
        result = gettext(self, message)
        missed.note(self, message, result)
        return result

    def recording_ngettext(self, singular, plural, number):
        result = ngettext(self, singular, plural, number)
        missed.note(self, singular, result if result != plural else singular)
        return result

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", recording_gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", recording_ngettext)
    return missed


def test_the_recorder_catches_a_message_missing_from_the_catalogue(missed_messages):
    from django.utils import translation

    with translation.override("fr"):
        translation.gettext("Contacts")
        translation.gettext("A sentence nobody translated")
        translation.pgettext("import count", "Created")

    assert missed_messages.not_in(polib.pofile(str(CATALOGUE))) == [
        "None | A sentence nobody translated"
    ]


def test_every_message_of_the_french_dashboard_is_in_the_catalogue(
    workspace, owner, missed_messages, settings, tmp_path
):
    from tests.contacts.helpers import make_contact
    from tests.transfer.helpers import run_import

    settings.VAR_DIR = tmp_path
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé", tags=["vip"])
    job = run_import(workspace, "Email,Phone\nnope,\nleo@example.com,no digits\n")
    client = login(owner, language="fr")
    pages = [
        *DASHBOARD_PAGES,
        "contacts/?q=zoe&tag=vip",
        "contacts/new/",
        "contacts/tags/",
        "contacts/segments/",
        "contacts/imports/",
        f"contacts/imports/{job.pk}/",
        "contacts/suppressions/",
        f"contacts/{contact.pk}/",
        f"contacts/{contact.pk}/edit/",
    ]

    for page in pages:
        response = client.get(f"/w/{workspace.slug}/{page}")
        assert response.status_code == 200, page

    missing = missed_messages.not_in(polib.pofile(str(CATALOGUE)))
    assert not missing, "these messages reach a French page untranslated:\n" + "\n".join(missing)


# What an import refused, in the reader's language


BAD_FILE = "Email,Phone,First name\nnope,,\nleo@example.com,no digits,\nlong@example.com,," + (
    "x" * 200 + "\n"
)


def test_the_reasons_of_refused_rows_are_in_the_reader_language(
    workspace, owner, settings, tmp_path
):
    from tests.transfer.helpers import run_import

    settings.VAR_DIR = tmp_path
    job = run_import(workspace, BAD_FILE)  # as the worker runs it: in English
    page = f"/w/{workspace.slug}/contacts/imports/{job.pk}/"

    french = login(owner, language="fr").get(page).content.decode()
    english = login(owner, language="en").get(page).content.decode()

    assert "« nope » n’est pas une adresse e-mail valide." in french
    assert "« no digits » n’est pas un numéro de téléphone." in french
    assert "Prénom dépasse 150 caractères." in french
    assert "<dt>Créés</dt><dd>0</dd>" in french  # a count, not a date ("Créé le")
    assert "is not a valid e-mail address" not in french
    assert "“nope” is not a valid e-mail address." in english
    assert "First name is longer than 150 characters." in english


def test_the_api_and_the_error_report_give_reasons_in_the_asked_language(
    workspace, owner, settings, tmp_path
):
    from tests.transfer.helpers import run_import

    settings.VAR_DIR = tmp_path
    job = run_import(workspace, BAD_FILE)
    _token, secret = token_create(workspace=workspace, name="Shop", role="admin")
    api = Client(headers={"Authorization": f"Bearer {secret}", "Accept-Language": "fr"})

    body = api.get(f"/api/v1/imports/{job.pk}").json()
    report = b"".join(api.get(f"/api/v1/imports/{job.pk}/errors.csv").streaming_content)

    assert body["errors"][0] == {
        "row": 2,
        "message": "« nope » n’est pas une adresse e-mail valide.",
    }
    assert "« nope » n’est pas une adresse e-mail valide." in report.decode()


def test_a_file_level_failure_is_in_the_reader_language(workspace, owner, settings, tmp_path):
    from tests.transfer.helpers import run_import

    settings.VAR_DIR = tmp_path
    # Past the sample that the upload inspects: only the worker finds the NUL byte.
    rows = "".join(f"p{n}@example.com\n" for n in range(5_000))
    job = run_import(workspace, "Email\n" + rows + "bad\x00@example.com\n")

    french = login(owner, language="fr").get(f"/w/{workspace.slug}/contacts/imports/{job.pk}/")

    assert job.status == "failed"
    assert "La ligne 5002 contient un octet NUL" in french.content.decode()


# Dates in the workspace's time zone, never in the American order


def test_dates_are_in_the_workspace_time_zone_and_never_month_first(workspace, owner):
    import datetime

    from comptoir.contacts.models import Contact
    from comptoir.core.scoping import scoped
    from tests.contacts.helpers import make_contact

    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    # 23:30 UTC on 3 March is 4 March in Paris: a US date would read 03/04/2026.
    late = datetime.datetime(2026, 3, 3, 23, 30, tzinfo=datetime.UTC)
    scoped(Contact, workspace).filter(pk=contact.pk).update(created_at=late)
    profile = f"/w/{workspace.slug}/contacts/{contact.pk}/"

    french = login(owner, language="fr").get(profile).content.decode()
    english = login(owner, language="en").get(profile).content.decode()
    listing = login(owner, language="en").get(f"/w/{workspace.slug}/contacts/").content.decode()

    assert "Ajouté le 4 mars 2026" in french
    assert "Added on 4 March 2026" in english
    assert "4 Mar 2026" in listing
    assert "03/04/2026" not in english + listing
    assert "3/4/2026" not in english + listing
