"""Reading the COMPTOIR_* environment variables of CONTRACT.md into Django settings.

Every parser raises ConfigError with a message that names the variable and says what
would be accepted, so that `comptoir` can stop with one clear line instead of a traceback.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(Exception):
    """A COMPTOIR_* variable holds something Comptoir cannot use."""


def var_dir() -> Path:
    """Where the embedded defaults live: the SQLite file, the secret key, uploads."""
    path = Path(os.environ.get("COMPTOIR_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1 or 0)")


def seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name}={raw!r} is not a number of seconds above 0")
    return value


def count(name: str, default: int, *, most: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ConfigError(f"{name}={raw!r} is not a whole number from 1 to {most}")
    return int(raw)


def secret_key() -> str:
    """COMPTOIR_SECRET_KEY, or a key generated once and kept under the var directory."""
    key = os.environ.get("COMPTOIR_SECRET_KEY")
    if key:
        return key
    path = var_dir() / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting together must not end up with different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def database(url: str | None) -> dict:
    """Django DATABASES['default'] from COMPTOIR_DATABASE_URL."""
    if not url:
        url = f"sqlite:///{var_dir() / 'comptoir.sqlite3'}"
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy spells them.
        name = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        if not name:
            raise ConfigError(
                f"COMPTOIR_DATABASE_URL={url!r} names no file (use sqlite:///path/to/file)"
            )
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers wait instead of failing mid-way.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": None},
        }
    if parts.scheme in {"postgres", "postgresql", "postgis"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(
                f"COMPTOIR_DATABASE_URL={url!r} names no database "
                "(use postgres://user@host:port/dbname)"
            )
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        try:
            port = parts.port
        except ValueError as error:
            raise ConfigError(f"COMPTOIR_DATABASE_URL={url!r}: {error}") from None
        return {
            "ENGINE": "comptoir.core.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ConfigError(
        f"COMPTOIR_DATABASE_URL has an unknown scheme {parts.scheme!r} "
        "(use sqlite:///path or postgres://user@host:port/db)"
    )


# E-mail services reached through django-anymail: scheme → (API key setting, domain setting).
ESP_SETTINGS = {
    "mailgun": ("MAILGUN_API_KEY", "MAILGUN_SENDER_DOMAIN"),
    "postmark": ("POSTMARK_SERVER_TOKEN", None),
    "sendgrid": ("SENDGRID_API_KEY", None),
    "brevo": ("BREVO_API_KEY", None),
}


def email(url: str | None) -> dict:
    """Django e-mail settings from COMPTOIR_EMAIL_URL."""
    url = url or "outbox://"
    parts = urlsplit(url)
    if parts.scheme == "outbox":
        return {"EMAIL_BACKEND": "comptoir.mail.backends.OutboxBackend"}
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme in {"smtp", "smtp+tls", "smtp+ssl"}:
        if not parts.hostname:
            raise ConfigError(f"COMPTOIR_EMAIL_URL={url!r} names no host (use smtp://host:port)")
        try:
            port = parts.port
        except ValueError as error:
            raise ConfigError(f"COMPTOIR_EMAIL_URL={url!r}: {error}") from None
        return {
            "EMAIL_BACKEND": "comptoir.mail.backends.SmtpBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[parts.scheme],
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
            "EMAIL_USE_SSL": parts.scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": 30,
        }
    if parts.scheme in ESP_SETTINGS:
        secret = unquote(parts.username or "")
        if not secret:
            raise ConfigError(
                f"COMPTOIR_EMAIL_URL={parts.scheme}://… needs the API key before the @ "
                f"(e.g. {parts.scheme}://KEY@{parts.hostname or 'mail.example.com'})"
            )
        key_name, domain_name = ESP_SETTINGS[parts.scheme]
        anymail = {key_name: secret}
        if domain_name and parts.hostname:
            anymail[domain_name] = parts.hostname
        return {
            "EMAIL_BACKEND": f"anymail.backends.{parts.scheme}.EmailBackend",
            "ANYMAIL": anymail,
        }
    raise ConfigError(
        f"COMPTOIR_EMAIL_URL has an unknown scheme {parts.scheme!r} "
        "(use outbox://, console://, smtp://host:port, smtp+tls://user:pass@host:port, "
        f"or an e-mail service: {', '.join(f'{name}://KEY@' for name in ESP_SETTINGS)})"
    )


def base_url(url: str | None) -> str:
    url = (url or "http://127.0.0.1:8000").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"COMPTOIR_BASE_URL={url!r} is not an http(s) URL (e.g. https://shop.example)"
        )
    return url


def tasks(redis_url: str | None) -> dict:
    """The Django tasks backend: the database by default, RQ on Redis to scale out."""
    if not redis_url:
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    if urlsplit(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigError(
            f"COMPTOIR_REDIS_URL={redis_url!r} is not a Redis URL (use redis://host:6379/0)"
        )
    return {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
