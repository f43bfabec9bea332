"""Shopify webhooks (O4): orders, checkouts (carts) and customers.

Fields are those of Shopify's documented REST webhook payloads (see FORMATS.md): amounts
are strings in the shop's currency, times ISO 8601 with offset.
"""

from decimal import Decimal

from comptoir.commerce import services
from comptoir.commerce.adapters import amount, hmac_base64_valid, outcome, text
from comptoir.commerce.models import Order, Source
from comptoir.core.models import Workspace

TOPIC_HEADER = "X-Shopify-Topic"
SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
ORDER_TOPICS = {"orders/create", "orders/updated", "orders/cancelled", "orders/paid"}
CHECKOUT_TOPICS = {"checkouts/create", "checkouts/update"}
CUSTOMER_TOPICS = {"customers/create", "customers/update"}
# Financial states in which no money is owed or taken yet: the order is still open.
OPEN_FINANCIAL_STATES = {"pending", "authorized", "partially_paid"}


def signature_valid(secret: str, body: bytes, headers) -> bool:
    return hmac_base64_valid(secret, body, headers.get(SIGNATURE_HEADER))


def is_ping(body: bytes, headers) -> bool:
    return False  # Shopify sends no ping: a test notification is a signed, normal webhook


def address(value) -> dict:
    if not isinstance(value, dict):
        return {}
    name = text(value.get("name")) or " ".join(
        part for part in (text(value.get("first_name")), text(value.get("last_name"))) if part
    )
    return {
        "name": name,
        "line1": text(value.get("address1")),
        "line2": text(value.get("address2")),
        "city": text(value.get("city")),
        "postal_code": text(value.get("zip")),
        "region": text(value.get("province")),
        "country": text(value.get("country_code")) or text(value.get("country")),
        "phone": text(value.get("phone")),
    }


def status(payload: dict) -> str:
    """cancelled_at set, or a voided payment (an authorisation released, nothing sold):
    canceled. Paid, refunded or partially refunded: completed — a refund is not a
    cancellation (C5: the order counts, refunds are not subtracted). Payment still pending
    or only authorised: open (it counts too; C3 only excludes canceled orders)."""
    if payload.get("cancelled_at") or payload.get("financial_status") == "voided":
        return Order.Status.CANCELED
    if payload.get("financial_status") in OPEN_FINANCIAL_STATES:
        return Order.Status.OPEN
    return Order.Status.COMPLETED


def refunded(payload: dict) -> Decimal:
    """The money given back: the successful refund transactions of `refunds`."""
    total = Decimal("0")
    for refund in payload.get("refunds") or []:
        for transaction in refund.get("transactions") or []:
            if transaction.get("kind") == "refund" and transaction.get("status") == "success":
                total += Decimal(str(transaction.get("amount") or "0"))
    return total


def shipping(payload: dict) -> Decimal:
    money_set = (payload.get("total_shipping_price_set") or {}).get("shop_money") or {}
    if money_set.get("amount") is not None:
        return amount(money_set["amount"])
    return sum((amount(line.get("price")) for line in payload.get("shipping_lines") or []), 0)


def items(lines) -> list[dict]:
    return [
        {
            "product_id": text(line.get("product_id")) or None,
            "name": text(line.get("name")) or text(line.get("title")),
            "quantity": line.get("quantity"),
            "price": amount(line.get("price")),
        }
        for line in lines or []
        # Lines removed by an order edit stay in the payload with nothing left to sell.
        if line.get("quantity") != 0
    ]


def order_data(payload: dict) -> dict:
    customer = payload.get("customer") or {}
    billing = payload.get("billing_address") or {}
    shipping_address = payload.get("shipping_address") or {}
    codes = [text(code.get("code")) for code in payload.get("discount_codes") or []]

    def first(key: str):
        return customer.get(key) or billing.get(key) or shipping_address.get(key)

    return {
        "email": text(
            payload.get("email") or payload.get("contact_email") or customer.get("email")
        ),
        "first_name": text(first("first_name")),
        "last_name": text(first("last_name")),
        "phone": text(customer.get("phone") or payload.get("phone") or billing.get("phone")),
        "number": text(payload.get("name")) or text(payload.get("order_number")),
        "status": status(payload),
        # processed_at is the date Shopify shows on the order (imported orders keep their
        # original date there); created_at is when the record was made.
        "placed_at": payload.get("processed_at") or payload.get("created_at"),
        "updated_at": payload.get("updated_at"),
        "currency": text(payload.get("currency")),
        "subtotal": amount(payload.get("subtotal_price")),
        "shipping": shipping(payload),
        "tax": amount(payload.get("total_tax")),
        "discount": amount(payload.get("total_discounts")),
        "total": amount(payload.get("total_price")),
        "refunded": refunded(payload),
        "coupon_code": next((code for code in codes if code), ""),
        "channel": Order.Channel.POS if payload.get("source_name") == "pos" else "online",
        "shipping_address": address(shipping_address),
        "billing_address": address(billing),
        "items": items(payload.get("line_items")),
        "accepts_marketing": payload.get("buyer_accepts_marketing"),
        "cart_token": text(payload.get("checkout_token") or payload.get("cart_token")),
    }


def cart_data(payload: dict) -> dict:
    customer = payload.get("customer") or {}
    return {
        "email": text(payload.get("email") or customer.get("email")),
        "items": items(payload.get("line_items")),
        "recovery_url": text(payload.get("abandoned_checkout_url")),
        "updated_at": payload.get("updated_at") or payload.get("created_at"),
        "completed_at": payload.get("completed_at"),
        "currency": text(payload.get("presentment_currency") or payload.get("currency")),
    }


def customer_details(payload: dict) -> dict:
    default = payload.get("default_address") or {}
    details = {
        "first_name": payload.get("first_name") or default.get("first_name"),
        "last_name": payload.get("last_name") or default.get("last_name"),
        "phone": payload.get("phone") or default.get("phone"),
    }
    # Addresses come from orders ("last shipping address"): Shopify sends customers/update
    # after every order, and its default address would undo the order's.
    if payload.get("state") in ("enabled", "disabled"):
        details["has_account"] = payload["state"] == "enabled"
    return details


def handle(workspace: Workspace, topic: str, payload: dict) -> str | None:
    if topic in ORDER_TOPICS and payload.get("test") is True:
        # A test order: Shopify's "Send test notification" (its sample order #9999) or an
        # order paid with the test gateway. No sale happened, so nothing is stored.
        return "test"
    if topic in ORDER_TOPICS:
        result = services.order_upsert(
            workspace=workspace,
            external_id=text(payload.get("id")),
            data=order_data(payload),
            source=Source.SHOPIFY,
            email_required=False,
        )
        return outcome(result)
    if topic in CHECKOUT_TOPICS:
        result = services.cart_upsert(
            workspace=workspace,
            token=text(payload.get("token")),
            data=cart_data(payload),
            source=Source.SHOPIFY,
        )
        return outcome(result)
    if topic in CUSTOMER_TOPICS:
        result = services.customer_upsert(
            workspace=workspace,
            email=text(payload.get("email")),
            details=customer_details(payload),
            origin={"source": Source.SHOPIFY, "customer_id": text(payload.get("id"))},
        )
        return outcome(result)
    return None
