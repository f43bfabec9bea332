"""COMPTOIR_* variables: what they accept, and the one-line errors for what they refuse."""

import pytest

from comptoir import config
from tests.processes import run_comptoir


def test_sqlite_url_gives_a_wal_database_with_immediate_transactions(tmp_path):
    settings = config.database(f"sqlite:///{tmp_path}/shop.sqlite3")
    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == f"{tmp_path}/shop.sqlite3"
    assert "journal_mode=WAL" in settings["OPTIONS"]["init_command"]
    assert settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgres_url_is_split_into_its_parts():
    settings = config.database("postgres://shop:s%40cret@db.internal:6543/comptoir")
    assert settings["ENGINE"] == "comptoir.core.postgresql"  # Django's, cheaper health check
    assert (settings["USER"], settings["PASSWORD"]) == ("shop", "s@cret")
    assert (settings["HOST"], settings["PORT"], settings["NAME"]) == (
        "db.internal",
        "6543",
        "comptoir",
    )


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://root@localhost/shop", "unknown scheme 'mysql'"),
        ("postgres://postgres@localhost:5432/", "names no database"),
        ("postgres://postgres@localhost:99999/db", "Port out of range"),
        ("sqlite://", "names no file"),
    ],
)
def test_bad_database_urls_are_refused_with_a_clear_message(url, message):
    with pytest.raises(config.ConfigError, match=message):
        config.database(url)


@pytest.mark.parametrize(
    "url, backend",
    [
        ("outbox://", "comptoir.mail.backends.OutboxBackend"),
        ("console://", "django.core.mail.backends.console.EmailBackend"),
        ("smtp://mail.example:2525", "comptoir.mail.backends.SmtpBackend"),
    ],
)
def test_email_urls_choose_a_backend(url, backend):
    assert config.email(url)["EMAIL_BACKEND"] == backend


def test_smtp_tls_url_carries_credentials_and_tls():
    settings = config.email("smtp+tls://shop%40example.com:p%2Fw@smtp.example:587")
    assert settings["EMAIL_HOST_USER"] == "shop@example.com"
    assert settings["EMAIL_HOST_PASSWORD"] == "p/w"
    assert settings["EMAIL_USE_TLS"] is True
    assert settings["EMAIL_PORT"] == 587


def test_unknown_email_scheme_is_refused():
    with pytest.raises(config.ConfigError, match="COMPTOIR_EMAIL_URL has an unknown scheme"):
        config.email("pigeon://roof")


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPTOIR_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("COMPTOIR_SECRET_KEY", raising=False)
    first = config.secret_key()
    assert len(first) > 40
    assert config.secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_unknown_database_scheme_stops_the_cli_with_one_line(tmp_path):
    result = run_comptoir(tmp_path, "migrate", COMPTOIR_DATABASE_URL="mysql://root@localhost/x")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "comptoir: error: COMPTOIR_DATABASE_URL has an unknown scheme 'mysql' "
        "(use sqlite:///path or postgres://user@host:port/db)"
    ]


@pytest.mark.slow
def test_unreachable_database_stops_the_cli_with_one_line(tmp_path):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    result = run_comptoir(
        tmp_path, "serve", COMPTOIR_DATABASE_URL="postgres://postgres@127.0.0.1:1/comptoir"
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("comptoir: error: cannot reach the database 127.0.0.1:1/comptoir")
    assert "Traceback" not in result.stderr


def test_an_email_service_url_selects_its_anymail_backend():
    settings = config.email("mailgun://key-123@mg.shop.example")
    assert settings["EMAIL_BACKEND"] == "anymail.backends.mailgun.EmailBackend"
    assert settings["ANYMAIL"] == {
        "MAILGUN_API_KEY": "key-123",
        "MAILGUN_SENDER_DOMAIN": "mg.shop.example",
    }


def test_an_email_service_url_without_its_key_is_refused():
    with pytest.raises(config.ConfigError, match="needs the API key"):
        config.email("postmark://")


@pytest.mark.parametrize("raw, seconds", [(None, 60.0), ("", 60.0), ("90", 90.0), ("2.5", 2.5)])
def test_the_task_lease_is_a_number_of_seconds(monkeypatch, raw, seconds):
    if raw is None:
        monkeypatch.delenv("COMPTOIR_TASK_LEASE_SECONDS", raising=False)
    else:
        monkeypatch.setenv("COMPTOIR_TASK_LEASE_SECONDS", raw)
    assert config.seconds("COMPTOIR_TASK_LEASE_SECONDS", 60.0) == seconds


def test_a_task_lease_that_is_no_duration_stops_the_cli_with_one_line(tmp_path):
    result = run_comptoir(tmp_path, "worker", "--once", COMPTOIR_TASK_LEASE_SECONDS="0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "comptoir: error: COMPTOIR_TASK_LEASE_SECONDS='0' is not a number of seconds above 0"
    ]
