"""What every public form of the sign-up flow checks before reading a field (S6).

CSRF: these endpoints take no Django CSRF token. The widget and the contact form live on
the merchant's own site, another origin, where our CSRF cookie can be neither read nor
sent (third-party cookies are blocked), and the sign-up page sets no cookie at all, like
every public page. What a CSRF token would prove, that the form was posted from a page we
trust, the browser's `Origin` header proves here: a browser always sends it (or a Referer)
with a cross-site POST, so a post from a site the workspace did not allow is refused. A
client that sends neither is not a browser acting for a visitor, so there is nobody to
forge a submission for; like every bot it meets the honeypot and the rate limits.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.core.ratelimit import rate_limit_hit

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
MAX_BODY_BYTES = 16 * 1024  # the longest legitimate form (a 2,000-character message) fits
# Per visitor IP: a family at the till signs up one after the other, a script does not.
IP_LIMIT, IP_WINDOW = 10, 10 * 60
# Per workspace: far above a shop's busiest day, far below a flood of made-up addresses.
WORKSPACE_LIMIT, WORKSPACE_WINDOW = 300, 60 * 60
# Printing a poster costs a second of CPU: per IP, enough for a shop owner trying sizes.
POSTER_LIMIT, POSTER_WINDOW = 20, 10 * 60


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int = 0):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else "null"


def own_origins(request) -> set[str]:
    return {
        _origin_of(settings.COMPTOIR_BASE_URL),
        f"{request.scheme}://{request.get_host()}".lower(),
    }


def request_origin(request) -> str | None:
    """The page the form was posted from: `Origin`, else the Referer's origin, else None."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.strip().lower().rstrip("/")
    referer = request.headers.get("Referer")
    return _origin_of(referer) if referer else None


def check_origin(request, allowed: set[str]) -> None:
    origin = request_origin(request)
    if origin is not None and origin not in allowed:
        raise Refused(403, "origin_not_allowed", _("This form may not be sent from this web site."))


def check_body(request) -> None:
    if request.content_type not in FORM_TYPES:
        raise Refused(415, "unsupported_media_type", _("Send the form as a web form."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        raise Refused(413, "payload_too_large", _("The form is too long."))


def check_rate(request, workspace_id: int) -> None:
    """Count this submission against the visitor's IP, then against the workspace."""
    for key, limit, window in (
        (f"collect:ip:{client_ip(request)}", IP_LIMIT, IP_WINDOW),
        (f"collect:workspace:{workspace_id}", WORKSPACE_LIMIT, WORKSPACE_WINDOW),
    ):
        verdict = rate_limit_hit(key=key, limit=limit, window_seconds=window)
        if not verdict.allowed:
            raise Refused(
                429,
                "rate_limited",
                _("Too many sign-ups in a short time. Try again in a few minutes."),
                retry_after=verdict.retry_after,
            )


def check_submission(request, *, workspace_id: int, origins: set[str]) -> None:
    """Refused (with its status) unless the POST may be read: cheap checks first."""
    check_body(request)
    check_origin(request, origins)
    check_rate(request, workspace_id)


def check_poster_rate(request) -> None:
    verdict = rate_limit_hit(
        key=f"collect:poster:{client_ip(request)}", limit=POSTER_LIMIT, window_seconds=POSTER_WINDOW
    )
    if not verdict.allowed:
        raise Refused(
            429,
            "rate_limited",
            _("Too many posters printed in a short time. Try again in a few minutes."),
            retry_after=verdict.retry_after,
        )
