"""Signed per-recipient unsubscribe links (K4): they work without login, forever, and a
forged or altered one is refused. The signature is what makes them safe to act on."""

from django.core import signing

from comptoir.core.links import public_url

SALT = "comptoir.consent.unsubscribe"


def unsubscribe_token(*, workspace_id: int, contact_id: int) -> str:
    return signing.Signer(salt=SALT).sign_object([workspace_id, contact_id])


def unsubscribe_url(*, workspace_id: int, contact_id: int) -> str:
    token = unsubscribe_token(workspace_id=workspace_id, contact_id=contact_id)
    return public_url("unsubscribe", token)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(workspace id, contact id) of a token we signed, or None."""
    if len(token) > 200:
        return None
    try:
        value = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return None
    return value[0], value[1]
