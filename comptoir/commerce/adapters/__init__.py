"""Store platform adapters (O4): each maps its platform's webhook payloads onto the same
services as the API, so that a Shopify order and an API order follow the same rules.

An adapter module provides `TOPIC_HEADER`, `signature_valid(secret, body, headers)`,
`is_ping(body, headers)` and `handle(workspace, topic, payload)`, which returns what
happened (`created`, `updated`, `unchanged`, `ignored`) or None for a topic it does not
handle.
"""

import base64
import hashlib
import hmac
from decimal import Decimal, InvalidOperation


def hmac_base64(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)): how Shopify and WooCommerce sign a body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def hmac_base64_valid(secret: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` is base64(HMAC-SHA256(secret, body)), compared in constant time
    (Shopify's and WooCommerce's scheme)."""
    if not signature or not secret:
        return False
    expected = hmac_base64(secret, body).encode()
    try:
        given = signature.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


def amount(value) -> Decimal:
    """A platform's amount (a string or a JSON number); 0 when absent. Garbage is passed
    on as text, for the service to refuse with its own message."""
    if value in (None, ""):
        return Decimal("0")
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def outcome(result) -> str:
    if result is None:
        return "ignored"
    if result.created:
        return "created"
    return "updated" if result.changed else "unchanged"


def text(value) -> str:
    return "" if value is None else str(value).strip()
