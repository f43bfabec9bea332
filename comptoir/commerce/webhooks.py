"""Webhooks from the store platforms (O4): plain Django views, one URL per connection.

`/webhooks/<platform>/<token>/`: the token says which workspace; the HMAC signature of the
body, with the connection's secret, says the platform sent it. Nothing is read from a body
before its signature is checked, and a wrong or missing signature stores nothing (401).

Answers are chosen so that platforms retry only what a retry can fix: a payload that can
never be stored (an unknown topic, data our rules refuse) is acknowledged with 200 and
logged — Shopify deletes a subscription after repeated failures, which would lose every
later order — while a database failure is a 500, which they retry.
"""

import logging

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comptoir.commerce import deliveries, selectors, services
from comptoir.commerce.models import StoreConnection
from comptoir.core.json_errors import error_response

logger = logging.getLogger("comptoir.commerce.webhooks")

MAX_BODY = 1_048_576  # 1 MiB: far above a real order with 500 lines


def _read_body(request) -> bytes | None:
    """The raw body, or None when it is larger than MAX_BODY."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def receive(request, platform: str, token: str):
    connection = selectors.store_connection_for_webhook(platform=platform, url_token=token)
    if connection is None:
        logger.warning("%s webhook for an unknown connection", platform)
        return error_response(404, "not_found", "Not found.")
    body = _read_body(request)
    if body is None:
        logger.warning(
            "%s webhook (connection %s): body over %d bytes refused",
            platform,
            connection.pk,
            MAX_BODY,
        )
        verdict = deliveries.refused("too_large", "The body is too large.", status_code=413)
    else:
        verdict = deliveries.process(connection, body, request.headers)
    services.store_connection_record(
        connection=connection,
        result=verdict.result,
        reason=verdict.reason,
        topic=verdict.topic,
        detail=verdict.note,
    )
    return verdict.response()


@csrf_exempt
@require_POST
def shopify_webhook(request, token: str):
    return receive(request, StoreConnection.Platform.SHOPIFY, token)


@csrf_exempt
@require_POST
def woocommerce_webhook(request, token: str):
    return receive(request, StoreConnection.Platform.WOOCOMMERCE, token)
