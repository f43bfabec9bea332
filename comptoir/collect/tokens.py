"""Signed, expiring double opt-in links (K7): the signature is the credential, the
timestamp makes an old e-mail stop confirming anything."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "comptoir.collect.confirm"
CONFIRMATION_MAX_AGE = 7 * 24 * 3600  # a week to click the link of the confirmation e-mail


class ExpiredLink(Exception):
    pass


def confirmation_token(*, workspace_id: int, signup_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object([workspace_id, signup_id])


def confirmation_url(*, workspace_id: int, signup_id: int) -> str:
    token = confirmation_token(workspace_id=workspace_id, signup_id=signup_id)
    return settings.COMPTOIR_BASE_URL + reverse("signup_confirm", args=[token])


def read_confirmation_token(token: str) -> tuple[int, int] | None:
    """(workspace id, sign-up id) of a link we signed; None if forged; ExpiredLink if old."""
    if len(token) > 200:
        return None
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign_object(token, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ExpiredLink from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return None
    return value[0], value[1]
