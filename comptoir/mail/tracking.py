"""Signed open-pixel and click URLs (T1). A click URL names its delivery and its target, and
the signature covers both: nobody can make Comptoir redirect elsewhere (no open redirect)."""

from django.core import signing

from comptoir.core.links import public_url

OPEN_SALT = "comptoir.mail.open"
CLICK_SALT = "comptoir.mail.click"


def open_pixel_url(delivery_id: int) -> str:
    token = signing.Signer(salt=OPEN_SALT).sign(str(delivery_id))
    return public_url("track_open", token)


def click_url(delivery_id: int, target: str) -> str:
    token = signing.Signer(salt=CLICK_SALT).sign_object([delivery_id, target], compress=True)
    return public_url("track_click", token)


def read_open_token(token: str) -> int | None:
    try:
        value = signing.Signer(salt=OPEN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def read_click_token(token: str) -> tuple[int, str] | None:
    if len(token) > 4000:
        return None
    try:
        value = signing.Signer(salt=CLICK_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        return value[0], value[1]
    return None
