"""Store connections: their creation, secrets, deletion and last contact."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.commerce import events
from comptoir.commerce.events import Audit
from comptoir.commerce.models import StoreConnection
from comptoir.core.models import User, Workspace
from comptoir.core.services import ServiceError

# ------------------------------------------------------------------ store connections


def _store_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if not secret or len(secret) > 255:
        raise ServiceError(
            _("The shared secret must be 1 to 255 characters."), code="invalid_secret"
        )
    return secret


@transaction.atomic
def store_connection_create(
    *, workspace: Workspace, platform: str, secret: str | None, actor: User | None
) -> StoreConnection:
    """A webhook endpoint for a store platform (O4): an unguessable URL for this workspace
    and the shared secret its signatures are checked with.

    Without a secret: WooCommerce gets one made here (the merchant pastes it into the
    webhook's Secret field, so it is shown once); Shopify waits for its own signing key,
    which it shows only once a webhook pointing here exists."""
    if platform not in StoreConnection.Platform.values:
        raise ServiceError(_("Unknown store platform."), code="invalid_platform")
    if secret is not None:
        secret = _store_secret(secret)
    elif platform == StoreConnection.Platform.WOOCOMMERCE:
        secret = secrets.token_urlsafe(32)
    else:
        secret = ""
    connection = StoreConnection.objects.create(
        workspace=workspace,
        platform=platform,
        secret=secret,
        url_token=secrets.token_urlsafe(32),
        created_by=actor,
    )
    events.store_connection_audit(connection=connection, actor=actor, action=Audit.STORE_CONNECTED)
    return connection


@transaction.atomic
def store_connection_secret_set(
    *, connection: StoreConnection, secret: str, actor: User | None
) -> StoreConnection:
    """Replace the secret with the one the store uses (Shopify's signing key, or the
    Secret typed into a WooCommerce webhook): from now on only its signatures pass."""
    connection.secret = _store_secret(secret)
    connection.save(update_fields=["secret"])
    events.store_connection_audit(
        connection=connection, actor=actor, action=Audit.STORE_KEY_REPLACED
    )
    return connection


@transaction.atomic
def store_connection_secret_regenerate(*, connection: StoreConnection, actor: User | None) -> str:
    """A new random secret for a WooCommerce connection (the old one may have leaked): the
    store's webhooks are refused until the new one is pasted there. Returned to be shown
    once. Shopify chooses its own signing key, so there is nothing to make for it."""
    if connection.platform != StoreConnection.Platform.WOOCOMMERCE:
        raise ServiceError(
            _("Shopify chooses its signing key: paste the one it shows instead."),
            code="secret_chosen_by_platform",
        )
    connection.secret = secrets.token_urlsafe(32)
    connection.save(update_fields=["secret"])
    events.store_connection_audit(
        connection=connection, actor=actor, action=Audit.STORE_KEY_REGENERATED
    )
    return connection.secret


@transaction.atomic
def store_connection_delete(*, connection: StoreConnection, actor: User | None) -> None:
    """Stop accepting this connection's webhooks: its URL answers 404 from now on."""
    events.store_connection_audit(
        connection=connection, actor=actor, action=Audit.STORE_DISCONNECTED
    )
    connection.delete()


def store_connection_record(
    *, connection: StoreConnection, result: str, reason: str, topic: str = "", detail: str = ""
) -> None:
    """Note what became of a webhook (shown to staff on the store page). A verdict like the
    one stored is written at most once a minute, so that a burst of orders does not queue
    on one row; a different verdict is written at once, so that the page tells a merchant
    at once whether the secret they just fixed works."""
    now = timezone.now()
    last = connection.last_received_at
    same = (connection.last_result, connection.last_reason) == (result, reason) or (
        result == connection.last_result == StoreConnection.Result.ACCEPTED
    )
    if last is not None and same and (now - last).total_seconds() <= 60:
        return
    values = {
        "last_received_at": now,
        "last_result": result,
        "last_reason": reason[:40],
        "last_topic": topic[:64],
        "last_detail": detail[:200],
    }
    StoreConnection.objects.filter(pk=connection.pk).update(**values)
    for field, value in values.items():
        setattr(connection, field, value)
