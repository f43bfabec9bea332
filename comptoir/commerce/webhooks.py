"""Webhooks from the store platforms (O4): plain Django views, one URL per connection.

`/webhooks/<platform>/<token>/`: the token says which workspace; the HMAC signature of the
body, with the connection's secret, says the platform sent it. Nothing is read from a body
before its signature is checked, and a wrong or missing signature stores nothing (401).

Answers are chosen so that platforms retry only what a retry can fix: a payload that can
never be stored (an unknown topic, data our rules refuse) is acknowledged with 200 and
logged — Shopify deletes a subscription after repeated failures, which would lose every
later order — while a database failure is a 500, which they retry.
"""

import json
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comptoir.commerce import selectors, services
from comptoir.commerce.adapters import shopify, woocommerce
from comptoir.commerce.models import StoreConnection
from comptoir.core.json_errors import error_response
from comptoir.core.services import ServiceError

logger = logging.getLogger("comptoir.commerce.webhooks")

MAX_BODY = 1_048_576  # 1 MiB: far above a real order with 500 lines
ADAPTERS = {
    StoreConnection.Platform.SHOPIFY: shopify,
    StoreConnection.Platform.WOOCOMMERCE: woocommerce,
}


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
    adapter = ADAPTERS[platform]
    connection = selectors.store_connection_for_webhook(platform=platform, url_token=token)
    if connection is None:
        logger.warning("%s webhook for an unknown connection", platform)
        return error_response(404, "not_found", "Not found.")
    context = f"{platform} webhook (connection {connection.pk})"
    body = _read_body(request)
    if body is None:
        logger.warning("%s: body over %d bytes refused", context, MAX_BODY)
        return error_response(413, "too_large", "The body is too large.")
    if adapter.is_ping(body, request.headers):
        logger.info("%s: ping acknowledged", context)
        return JsonResponse({"status": "ok"})
    if not adapter.signature_valid(connection.secret, body, request.headers):
        logger.warning("%s: missing or wrong signature, nothing stored", context)
        return error_response(401, "invalid_signature", "Invalid or missing signature.")
    services.store_connection_touch(connection=connection)

    topic = request.headers.get(adapter.TOPIC_HEADER, "")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        logger.warning("%s %s: body is not JSON", context, topic)
        return error_response(400, "invalid_json", "The body is not JSON.")
    if not isinstance(payload, dict):
        logger.warning("%s %s: body is not a JSON object", context, topic)
        return error_response(400, "invalid_json", "The body is not a JSON object.")

    try:
        result = adapter.handle(connection.workspace, topic, payload)
    except ServiceError as error:
        logger.warning(
            "%s %s (id %s) refused: %s [%s]",
            context,
            topic,
            payload.get("id"),
            error.message,
            error.code,
        )
        return JsonResponse({"status": "rejected", "code": error.code, "detail": error.message})
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # Fields of an unexpected shape (a list where an object was documented, …).
        logger.warning("%s %s (id %s) unreadable: %r", context, topic, payload.get("id"), error)
        return JsonResponse(
            {"status": "rejected", "code": "unreadable_payload", "detail": str(error)}
        )
    if result is None:
        logger.info("%s: topic %r ignored", context, topic)
        return JsonResponse({"status": "ignored", "topic": topic})
    logger.info("%s %s (id %s): %s", context, topic, payload.get("id"), result)
    return JsonResponse({"status": result})


@csrf_exempt
@require_POST
def shopify_webhook(request, token: str):
    return receive(request, StoreConnection.Platform.SHOPIFY, token)


@csrf_exempt
@require_POST
def woocommerce_webhook(request, token: str):
    return receive(request, StoreConnection.Platform.WOOCOMMERCE, token)
