"""One store webhook, from its raw body to a verdict (O4): the path the webhook views take,
and the one the store page's "send a test" takes too, so that the test checks the very
code a real webhook goes through.

A verdict is what the platform is answered and what the store page shows: accepted or
refused, with a reason code. Nothing of the body is kept beyond the topic and, for a
refusal by our rules, the rule's short message.
"""

import datetime
import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.commerce.adapters import hmac_base64, shopify, woocommerce
from comptoir.commerce.models import StoreConnection
from comptoir.core.json_errors import error_response
from comptoir.core.services import ServiceError

logger = logging.getLogger("comptoir.commerce.webhooks")

ADAPTERS = {
    StoreConnection.Platform.SHOPIFY: shopify,
    StoreConnection.Platform.WOOCOMMERCE: woocommerce,
}
# The topics each adapter stores, in the order the store page lists them.
TOPICS = {
    StoreConnection.Platform.SHOPIFY: [
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/cancelled",
        "checkouts/create",
        "checkouts/update",
        "customers/create",
        "customers/update",
    ],
    StoreConnection.Platform.WOOCOMMERCE: [
        "order.created",
        "order.updated",
        "order.restored",
        "order.deleted",
    ],
}
# Kept in step with the adapters: a topic they add must be listed for the merchant.
assert set(TOPICS[StoreConnection.Platform.SHOPIFY]) == (  # noqa: S101
    shopify.ORDER_TOPICS | shopify.CHECKOUT_TOPICS | shopify.CUSTOMER_TOPICS
)
assert set(TOPICS[StoreConnection.Platform.WOOCOMMERCE]) == (  # noqa: S101
    woocommerce.UPSERT_TOPICS | woocommerce.DELETE_TOPICS
)

ACCEPTED = StoreConnection.Result.ACCEPTED
REFUSED = StoreConnection.Result.REFUSED

# What each reason means to the merchant, shown on the store page.
REASONS = {
    "created": _("stored as new"),
    "updated": _("stored, it updated what Comptoir had"),
    "unchanged": _("already up to date, nothing changed"),
    "ignored": _("nothing to store (a draft, or a status that is not an order yet)"),
    "test": _("a test order from the store: recognised, nothing stored"),
    "ping": _("the store checked the address: it answers"),
    "no_secret": _("no secret in Comptoir yet: paste the store’s signing key below"),
    "invalid_signature": _(
        "wrong or missing signature: the secret in the store and in Comptoir differ"
    ),
    "unknown_topic": _("a topic Comptoir does not handle: remove this webhook from the store"),
    "invalid_json": _("the body is not a JSON object: choose the JSON format in the store"),
    "too_large": _("the body is over 1 MiB"),
    "unreadable_payload": _("fields of an unexpected shape"),
}
DETAIL_LENGTH = StoreConnection._meta.get_field("last_detail").max_length
TOPIC_LENGTH = StoreConnection._meta.get_field("last_topic").max_length


def reason_text(reason: str, detail: str = ""):
    """The merchant's words for a reason code; a rule of ours speaks its own message."""
    return REASONS.get(reason) or detail or reason


@dataclass(frozen=True)
class Verdict:
    """What became of one webhook: the answer for the platform, the line for staff."""

    result: str  # StoreConnection.Result
    reason: str
    topic: str = ""
    detail: str = ""
    status_code: int = 200
    answer: dict | None = None  # the JSON of a 200 answer
    code: str = ""  # the error code answered, when it is not the reason itself

    @property
    def accepted(self) -> bool:
        return self.result == ACCEPTED

    @property
    def note(self) -> str:
        """The detail worth keeping: a rule's own message; our reasons speak for themselves."""
        return "" if self.reason in REASONS else self.detail

    @property
    def text(self):
        return reason_text(self.reason, self.detail)

    def response(self) -> JsonResponse:
        if self.status_code == 200:
            return JsonResponse(self.answer or {"status": self.reason})
        return error_response(self.status_code, self.code or self.reason, self.detail)


def refused(reason: str, detail: str, *, status_code: int, topic: str = "", code="") -> Verdict:
    return Verdict(REFUSED, reason, topic=topic, detail=detail, status_code=status_code, code=code)


def process(connection: StoreConnection, body: bytes, headers, *, dry_run: bool = False) -> Verdict:
    """Check and handle one webhook body of `connection`. With `dry_run`, everything runs
    (signature, mapping, our rules, the writes) inside a transaction rolled back at the
    end: nothing stays, and what would have happened is the verdict."""
    adapter = ADAPTERS[connection.platform]
    context = f"{connection.platform} webhook (connection {connection.pk})"
    topic = (headers.get(adapter.TOPIC_HEADER) or "")[:TOPIC_LENGTH]
    if adapter.is_ping(body, headers):
        logger.info("%s: ping acknowledged", context)
        return Verdict(ACCEPTED, "ping", answer={"status": "ok"})
    if not connection.secret:
        logger.warning("%s: no secret set yet, nothing stored", context)
        # The platform is told what any unverifiable body gets; staff are told why.
        return refused(
            "no_secret",
            "Invalid or missing signature.",
            status_code=401,
            topic=topic,
            code="invalid_signature",
        )
    if not adapter.signature_valid(connection.secret, body, headers):
        logger.warning("%s: missing or wrong signature, nothing stored", context)
        return refused(
            "invalid_signature", "Invalid or missing signature.", status_code=401, topic=topic
        )
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        logger.warning("%s %s: body is not JSON", context, topic)
        return refused("invalid_json", "The body is not JSON.", status_code=400, topic=topic)
    if not isinstance(payload, dict):
        logger.warning("%s %s: body is not a JSON object", context, topic)
        return refused(
            "invalid_json", "The body is not a JSON object.", status_code=400, topic=topic
        )

    try:
        result = _handle(adapter, connection, topic, payload, dry_run=dry_run)
    except ServiceError as error:
        logger.warning(
            "%s %s (id %s) refused: %s [%s]",
            context,
            topic,
            payload.get("id"),
            error.message,
            error.code,
        )
        # 200: the platforms retry anything else for days, and this can never be stored.
        answer = {"status": "rejected", "code": error.code, "detail": error.message}
        detail = str(error.message)[:DETAIL_LENGTH]
        return Verdict(REFUSED, error.code[:40], topic=topic, detail=detail, answer=answer)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # Fields of an unexpected shape (a list where an object was documented, …).
        logger.warning("%s %s (id %s) unreadable: %r", context, topic, payload.get("id"), error)
        answer = {"status": "rejected", "code": "unreadable_payload", "detail": str(error)}
        return Verdict(REFUSED, "unreadable_payload", topic=topic, answer=answer)
    if result is None:
        logger.info("%s: topic %r ignored", context, topic)
        return Verdict(
            REFUSED, "unknown_topic", topic=topic, answer={"status": "ignored", "topic": topic}
        )
    logger.info("%s %s (id %s): %s", context, topic, payload.get("id"), result)
    return Verdict(ACCEPTED, result, topic=topic, answer={"status": result})


def _handle(adapter, connection, topic: str, payload: dict, *, dry_run: bool) -> str | None:
    if not dry_run:
        return adapter.handle(connection.workspace, topic, payload)
    # Rolling back discards the writes and the on-commit jobs they queued (a reminder, …).
    with transaction.atomic():
        result = adapter.handle(connection.workspace, topic, payload)
        transaction.set_rollback(True)
    return result


# ------------------------------------------------------------------ the store page's test

TEST_EMAIL = "test-comptoir@example.com"


def _sample(connection: StoreConnection) -> tuple[str, dict]:
    """A new paid order of 20.00 in the workspace's currency, as the platform sends it."""
    now = timezone.now().replace(microsecond=0)
    currency = connection.workspace.currency
    if connection.platform == StoreConnection.Platform.SHOPIFY:
        return "orders/create", {
            "id": 990000000001,
            "name": "#TEST-COMPTOIR",
            "email": TEST_EMAIL,
            "financial_status": "paid",
            "processed_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "currency": currency,
            "subtotal_price": "20.00",
            "total_tax": "0.00",
            "total_discounts": "0.00",
            "total_price": "20.00",
            "line_items": [{"name": "Comptoir test", "quantity": 1, "price": "20.00"}],
            "customer": {"first_name": "Test", "last_name": "Comptoir", "email": TEST_EMAIL},
            "test": False,  # a test order would be recognised and skip the rest of the path
        }
    gmt = now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return "order.created", {
        "id": 990000001,
        "number": "TEST-COMPTOIR",
        "status": "processing",
        "currency": currency,
        "date_created_gmt": gmt,
        "date_modified_gmt": gmt,
        "total": "20.00",
        "total_tax": "0.00",
        "shipping_total": "0.00",
        "discount_total": "0.00",
        "billing": {"first_name": "Test", "last_name": "Comptoir", "email": TEST_EMAIL},
        "line_items": [
            {"name": "Comptoir test", "quantity": 1, "price": "20.00", "subtotal": "20.00"}
        ],
    }


def store_connection_test(*, connection: StoreConnection) -> Verdict:
    """Sign a sample order with the connection's secret and run it through `process` as a
    dry run: the signature check, the platform's mapping, our rules and the writes all
    run, then roll back — the directory gets no test order and no test contact.

    In-process rather than an HTTP post to our own URL: no network I/O inside a request
    (house rule), and a server that cannot reach its own public address (behind NAT, a
    single-process `comptoir run`) would fail a check that says nothing about the store.
    The store's side is checked by the store's own test (Shopify's "Send test
    notification", WooCommerce's ping), whose verdict the page shows as the last webhook.
    """
    adapter = ADAPTERS[connection.platform]
    topic, payload = _sample(connection)
    body = json.dumps(payload).encode()
    headers = {adapter.TOPIC_HEADER: topic}
    if connection.secret:
        headers[adapter.SIGNATURE_HEADER] = hmac_base64(connection.secret, body)
    return process(connection, body, headers, dry_run=True)
