"""Uploaded files are hostile: each unusable one is refused with a clear reason, and nothing
is kept — no job, no stored file, no contact."""

import random
import unicodedata

import pytest

from comptoir.contacts.models import Contact
from comptoir.contacts.normalize import InvalidEmail, normalize_email
from comptoir.core.services import ServiceError
from comptoir.transfer import reading
from comptoir.transfer.import_rows import EmailNormaliser
from comptoir.transfer.imports import import_create, imports_dir
from comptoir.transfer.models import ImportJob
from tests.transfer.helpers import run_import, upload


def refused(workspace, content, **options) -> ServiceError:
    with pytest.raises(ServiceError) as caught:
        import_create(workspace=workspace, upload=upload(content), actor=None, **options)
    assert not ImportJob.objects.exists()
    assert not list(imports_dir().iterdir())
    assert not Contact.objects.exists()
    return caught.value


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"\r\n\r\n", "The file is empty."),
        (b"Email,First name\r\n", "The file has a header but no rows under it."),
        (b"Email,Name\n\n,\n", "The file has a header but no rows under it."),
        (b"Email\x00,Name\na@example.com,A\n", "This is not a text file: it contains NUL bytes."),
        (random.Random(1).randbytes(5000), "This is not a text file"),
        (bytes(b or 1 for b in random.Random(2).randbytes(5000)), "This is not a text file."),
        (("E" * (2 * 1024 * 1024)).encode(), "Line 1 is longer than 1048576 characters."),
        ((",".join(f"c{n}" for n in range(5000)) + "\n1\n").encode(), "The file has 5000 columns"),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "empty-rows",
        "nul",
        "binary",
        "binary-no-nul",
        "huge-line",
        "columns",
    ],
)
def test_an_unusable_file_is_refused_with_its_reason_and_nothing_is_kept(
    workspace, content, message
):
    error = refused(workspace, content)
    assert error.code in ("invalid_file", "email_column_required")
    assert message in error.message


def test_a_file_with_no_email_column_is_refused(workspace):
    error = refused(workspace, "Name,City\nZoé,Lyon\n")
    assert error.code == "email_column_required"


@pytest.mark.parametrize(
    "mapping, code, message",
    [
        ("{not json", "invalid_mapping", "The mapping is not valid JSON."),
        ('["email"]', "invalid_mapping", "a JSON object"),
        ('{"password": "Email"}', "invalid_mapping", "“password” is not a contact field"),
        ('{"email": "Courriel"}', "invalid_mapping", "The file has no column “Courriel”."),
        ('{"email": null}', "email_column_required", "No column is mapped to the e-mail"),
    ],
)
def test_a_bad_mapping_is_refused(workspace, mapping, code, message):
    error = refused(workspace, "Email,Name\na@example.com,A\n", mapping=mapping)
    assert error.code == code
    assert message in error.message


def test_an_unknown_preset_is_refused(workspace):
    error = refused(workspace, "Email\na@example.com\n", preset="hubspot")
    assert error.code == "invalid_preset"


def test_a_file_over_the_size_limit_is_refused_as_too_large(workspace, settings):
    settings.COMPTOIR_IMPORT_MAX_BYTES = 100
    error = refused(workspace, "Email\n" + "a@example.com\n" * 20)
    assert (error.code, error.status) == ("file_too_large", 413)


def test_a_nul_byte_deep_in_the_file_fails_the_job_and_imports_nothing(workspace):
    rows = "".join(f"p{n}@example.com\n" for n in range(70_000))
    job = run_import(workspace, "Email\n" + rows + "bad\x00@example.com\n")

    assert job.status == "failed"
    assert job.failure_message == "Line 70002 contains a NUL byte: this is not a text file."
    assert not Contact.objects.exists()
    assert not list(imports_dir().iterdir())


def test_invalid_utf8_after_a_valid_start_fails_the_job_with_the_line(workspace):
    rows = "".join(f"p{n}@example.com\n" for n in range(6000)).encode()
    job = run_import(workspace, b"Email\n" + rows + b"caf\xe9@example.com\n")

    assert job.status == "failed"
    assert "is not valid utf-8 text" in job.failure_message
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "zoe@example.com",
        "Zoe.Lefevre+shop@Example.COM",
        "a@localhost",
        "a@b",
        "x@example.test",
        "x@example.invalid",
        "weird..dots@example.com",
        ".start@example.com",
        'quoted"@example.com',
        "zoé@exemple.fr",
        "a@xn--e1afmkfd.xn--p1ai",
        "a@-bad-.com",
        "a@exa_mple.com",
        "a@123.123.123.123",
        "a@[127.0.0.1]",
        "l" * 65 + "@example.com",
        "a@" + "d" * 250 + ".com",
        " spaced@example.com ",
        "two@@example.com",
    ],
)
def test_the_fast_email_check_answers_exactly_as_the_full_validation(address):
    def full(raw):
        try:
            return normalize_email(raw)
        except InvalidEmail:
            return "invalid"

    def fast(raw):
        try:
            return EmailNormaliser()(raw)
        except InvalidEmail:
            return "invalid"

    checker = EmailNormaliser()
    checker("warm@example.com")  # a remembered domain must not change the answer
    assert fast(address) == full(address)


def test_delimiters_are_told_apart_from_the_header():
    assert reading.detect_delimiter("Email,Prénom,Nom") == ","
    assert reading.detect_delimiter("Email;Prénom;Nom, société") == ";"
    assert reading.detect_delimiter("Email\tPrénom\tNom") == "\t"
    assert reading.detect_delimiter("Email") == ","


@pytest.mark.parametrize(
    "text", ["  Zoé   Lefèvre ", "a\tb", "x\x00y", "nbsp\u00a0here", "line\nbreak", "", "\u200bzw"]
)
def test_the_fast_line_cleaning_gives_what_the_character_by_character_pass_gives(text):
    from comptoir.contacts.normalize import clean_line

    # Every control character becomes a space, then runs of white space collapse.
    by_character = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    assert clean_line(text) == " ".join(by_character.split())
