"""Django settings, built from the COMPTOIR_* environment variables (see comptoir.config)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

from comptoir import config

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = config.var_dir()

DEBUG = config.flag("COMPTOIR_DEBUG")
SECRET_KEY = config.secret_key()
COMPTOIR_BASE_URL = config.base_url(os.environ.get("COMPTOIR_BASE_URL"))

ALLOWED_HOSTS = [
    urlsplit(COMPTOIR_BASE_URL).hostname,
    "127.0.0.1",
    "localhost",
    *filter(None, os.environ.get("COMPTOIR_ALLOWED_HOSTS", "").split(",")),
]
CSRF_TRUSTED_ORIGINS = [COMPTOIR_BASE_URL]
if COMPTOIR_BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # Browsers that saw Comptoir over https never fall back to http for a year.
    SECURE_HSTS_SECONDS = int(os.environ.get("COMPTOIR_HSTS_SECONDS", 31_536_000))
    # Subdomains of Comptoir's own host only (e.g. *.comptoir.shop.example), not siblings.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Joining the browsers' preload list binds the whole registrable domain for good: that
    # is its owner's decision, not something a self-hosted app may take for them.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain http, and must not be sent round in redirects.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # gunicorn speaks plain http: an https base URL means a proxy terminates TLS in front
    # and says so in X-Forwarded-Proto. Trusting that header is only safe when such a proxy
    # overwrites it, so an operator serving without one turns it off.
    if config.flag("COMPTOIR_BEHIND_PROXY", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "anymail",
    "comptoir.core",
    "comptoir.contacts",
    "comptoir.commerce",
    "comptoir.consent",
    "comptoir.mail",
    "comptoir.campaigns",
    "comptoir.automations",
    "comptoir.transfer",
    "comptoir.collect",
    "comptoir.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "comptoir.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "comptoir.api.middleware.ApiErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
WSGI_APPLICATION = "comptoir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptoir.web.context_processors.dashboard",
            ],
        },
    }
]

DATABASES = {"default": config.database(os.environ.get("COMPTOIR_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The dashboard speaks French and English; the browser's Accept-Language picks one, the
# language switch overrides it, and anything else falls back to English.
LANGUAGE_CODE = "en"
# The names untranslated: {% get_available_languages %} translates them itself.
LANGUAGES = [("en", gettext_noop("English")), ("fr", gettext_noop("Français"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English dates that read the same on both sides of the Atlantic (comptoir/formats/en).
FORMAT_MODULE_PATH = ["comptoir.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves straight from the packages' static folders, so an installed Comptoir
# needs no collectstatic step before `comptoir serve`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest contact file an import accepts (X1); uploaded files wait under VAR_DIR/imports/.
COMPTOIR_IMPORT_MAX_BYTES = int(os.environ.get("COMPTOIR_IMPORT_MAX_BYTES", 512 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

globals().update(config.email(os.environ.get("COMPTOIR_EMAIL_URL")))
# E-mail services post bounces and complaints to /webhooks/esp/<service>/tracking/, with
# HTTP basic auth "user:password" (anymail's WEBHOOK_SECRET).
# Where a service signs its webhooks too, COMPTOIR_ESP_WEBHOOK_SIGNING_KEY is its key
# (Mailgun's "HTTP webhook signing key", Mandrill's webhook key).
_ESP_SIGNING_KEY = os.environ.get("COMPTOIR_ESP_WEBHOOK_SIGNING_KEY") or None
ANYMAIL = {
    **globals().get("ANYMAIL", {}),
    "WEBHOOK_SECRET": os.environ.get("COMPTOIR_ESP_WEBHOOK_SECRET") or None,
    **(
        {"MAILGUN_WEBHOOK_SIGNING_KEY": _ESP_SIGNING_KEY, "MANDRILL_WEBHOOK_KEY": _ESP_SIGNING_KEY}
        if _ESP_SIGNING_KEY
        else {}
    ),
}
# Optional DKIM signing of every outgoing message (comptoir/mail/dkim.py).
COMPTOIR_DKIM_DOMAIN = os.environ.get("COMPTOIR_DKIM_DOMAIN", "")
COMPTOIR_DKIM_SELECTOR = os.environ.get("COMPTOIR_DKIM_SELECTOR", "comptoir")
COMPTOIR_DKIM_KEY_FILE = os.environ.get("COMPTOIR_DKIM_KEY_FILE", "")
if COMPTOIR_DKIM_DOMAIN and not Path(COMPTOIR_DKIM_KEY_FILE).is_file():
    raise config.ConfigError(
        "COMPTOIR_DKIM_DOMAIN is set but COMPTOIR_DKIM_KEY_FILE names no readable key file"
    )
# How many batches a worker sends at once, each over its own SMTP connection (PostgreSQL
# only; SQLite sends one at a time). A small relay that limits connections wants 1 or 2.
COMPTOIR_SEND_CONNECTIONS = config.count("COMPTOIR_SEND_CONNECTIONS", 4, most=32)
DEFAULT_FROM_EMAIL = os.environ.get("COMPTOIR_FROM_EMAIL", "Comptoir <no-reply@localhost>")

COMPTOIR_REDIS_URL = os.environ.get("COMPTOIR_REDIS_URL") or None
# A running job whose worker has not renewed its heartbeat (every sixth of this) for this
# long, and that no live process of this machine holds, is taken back (core.leases).
COMPTOIR_TASK_LEASE_SECONDS = config.seconds("COMPTOIR_TASK_LEASE_SECONDS", 60.0)
TASKS = config.tasks(COMPTOIR_REDIS_URL)
if COMPTOIR_REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": COMPTOIR_REDIS_URL}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden": {"()": "comptoir.core.log_filters.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING"},
    "loggers": {"comptoir": {"level": "INFO"}, "django.request": {"filters": ["forbidden"]}},
}

# Functions that `comptoir worker` calls on every tick to claim due rows of our own tables.
COMPTOIR_DISPATCHERS: list[str] = [
    # Starts the campaigns that are due, then sends what is queued (the one pipeline).
    "comptoir.campaigns.services.campaigns_dispatch",
    # Hands the automations' due sends (reminders, welcome e-mails) to the same pipeline.
    "comptoir.automations.services.automations_dispatch",
    "comptoir.mail.pipeline.dispatch",
]
