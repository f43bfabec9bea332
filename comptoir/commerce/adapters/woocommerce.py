"""WooCommerce order webhooks (O4): `order.created`, `order.updated`, `order.restored`
and `order.deleted`, with the fields of the WooCommerce REST API's order object."""

import re
from decimal import Decimal

from comptoir.commerce import services
from comptoir.commerce.adapters import amount, hmac_base64_valid, outcome, text
from comptoir.commerce.models import Order, Source
from comptoir.core.models import Workspace

TOPIC_HEADER = "X-WC-Webhook-Topic"
SIGNATURE_HEADER = "X-WC-Webhook-Signature"
UPSERT_TOPICS = {"order.created", "order.updated", "order.restored"}
DELETE_TOPICS = {"order.deleted"}
_PING = re.compile(rb"^webhook_id=\d+$")

# WooCommerce order statuses, and what they are to Comptoir:
# - pending (awaiting payment), on-hold (awaiting a transfer or a check): open — placed,
#   not paid yet; open orders count, as C3 only leaves out canceled ones;
# - processing (paid, to be shipped), completed: completed — the sale happened, shipping
#   is the merchant's business;
# - refunded: completed with the total refunded — a refund is not a cancellation: C5 keeps
#   the original total and does not subtract refunds;
# - cancelled, failed (the payment was declined: nothing was sold), trash: canceled.
# checkout-draft is a checkout in progress, not an order yet: ignored until it becomes one.
STATUSES = {
    "pending": Order.Status.OPEN,
    "on-hold": Order.Status.OPEN,
    "processing": Order.Status.COMPLETED,
    "completed": Order.Status.COMPLETED,
    "refunded": Order.Status.COMPLETED,
    "cancelled": Order.Status.CANCELED,
    "failed": Order.Status.CANCELED,
    "trash": Order.Status.CANCELED,
}
IGNORED_STATUSES = {"checkout-draft", "draft", "auto-draft"}


def signature_valid(secret: str, body: bytes, headers) -> bool:
    return hmac_base64_valid(secret, body, headers.get(SIGNATURE_HEADER))


def is_ping(body: bytes, headers) -> bool:
    """WooCommerce checks a new webhook's URL with an unsigned form POST
    `webhook_id=<id>`, without a topic; it stores nothing, so it needs no signature."""
    return not headers.get(TOPIC_HEADER) and bool(_PING.match(body.strip()))


def status(value: str) -> str:
    value = (value or "").removeprefix("wc-")
    # Statuses added by plugins ("shipped", "delivered", …) are not cancellations: they
    # count, and "open" claims the least about them.
    return STATUSES.get(value, Order.Status.OPEN)


def gmt(value) -> str | None:
    """WooCommerce's *_gmt times carry no offset: they are UTC."""
    value = text(value)
    if not value:
        return None
    return value if value.endswith(("Z", "+00:00")) else f"{value}+00:00"


def address(value) -> dict:
    if not isinstance(value, dict):
        return {}
    name = " ".join(
        part for part in (text(value.get("first_name")), text(value.get("last_name"))) if part
    )
    return {
        "name": name,
        "line1": text(value.get("address_1")),
        "line2": text(value.get("address_2")),
        "city": text(value.get("city")),
        "postal_code": text(value.get("postcode")),
        "region": text(value.get("state")),
        "country": text(value.get("country")),
        "phone": text(value.get("phone")),
    }


def refunded(payload: dict, total) -> Decimal:
    refunds = payload.get("refunds") or []
    given = sum((abs(Decimal(str(r.get("total") or "0"))) for r in refunds), Decimal("0"))
    if not given and payload.get("status") == "refunded":
        return total  # refunded in full, without the refund lines in the payload
    return given


def items(lines) -> list[dict]:
    rows = []
    for line in lines or []:
        quantity = line.get("quantity")
        if quantity == 0:
            continue
        price = line.get("price")
        if price in (None, "") and isinstance(quantity, int) and quantity > 0:
            price = amount(line.get("subtotal")) / quantity
        rows.append(
            {
                "product_id": text(line.get("product_id")) if line.get("product_id") else None,
                "name": text(line.get("name")),
                "quantity": quantity,
                "price": amount(price),
            }
        )
    return rows


def order_data(payload: dict) -> dict:
    billing = payload.get("billing") or {}
    shipping = payload.get("shipping") or {}
    lines = payload.get("line_items") or []
    total = amount(payload.get("total"))
    codes = [text(line.get("code")) for line in payload.get("coupon_lines") or []]
    subtotal = sum((amount(line.get("subtotal")) for line in lines), Decimal("0"))
    return {
        "email": text(billing.get("email")),
        "first_name": text(billing.get("first_name") or shipping.get("first_name")),
        "last_name": text(billing.get("last_name") or shipping.get("last_name")),
        "phone": text(billing.get("phone") or shipping.get("phone")),
        "number": text(payload.get("number")) or text(payload.get("id")),
        "status": status(payload.get("status")),
        "placed_at": gmt(payload.get("date_created_gmt")) or payload.get("date_created"),
        "updated_at": gmt(payload.get("date_modified_gmt")),
        "currency": text(payload.get("currency")),
        "subtotal": subtotal,
        "shipping": amount(payload.get("shipping_total")),
        "tax": amount(payload.get("total_tax")),
        "discount": amount(payload.get("discount_total")),
        "total": total,
        "refunded": refunded(payload, total),
        "coupon_code": next((code for code in codes if code), ""),
        "channel": Order.Channel.POS if "pos" in text(payload.get("created_via")) else "online",
        "shipping_address": address(shipping),
        "billing_address": address(billing),
        "items": items(lines),
    }


def handle(workspace: Workspace, topic: str, payload: dict) -> str | None:
    if topic in UPSERT_TOPICS:
        if text(payload.get("status")).removeprefix("wc-") in IGNORED_STATUSES:
            return "ignored"
        result = services.order_upsert(
            workspace=workspace,
            external_id=text(payload.get("id")),
            data=order_data(payload),
            source=Source.WOOCOMMERCE,
            email_required=False,
        )
        return outcome(result)
    if topic in DELETE_TOPICS:
        result = services.order_cancel(
            workspace=workspace, external_id=text(payload.get("id")), source=Source.WOOCOMMERCE
        )
        return outcome(result)
    return None
