"""Input and output shapes of commerce: products, orders, carts, subscriptions, draft orders
and store connections (CONTRACT "Commerce").

Inputs are parsed here (types) and validated by the services (rules), so that the API and
the platform webhooks share every rule and the same 422 codes: `invalid_money`,
`invalid_status`, `invalid_currency`, `invalid_quantity`, `too_many_items`,
`invalid_email`, `email_required`, `invalid_date`, `invalid_url`, `invalid_item`.

These are plain pydantic models, and outputs are built as dicts (`order_out`, …): order
ingestion is the API's hottest path, and ninja's `Schema` reads every field through a
getter object, which cost more than the rest of the request's Python.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
)

from comptoir.api.contact_schemas import (
    EMAIL,
    NO_VALUE,
    Address,
    money,
)
from comptoir.commerce.currencies import ISO_4217
from comptoir.commerce.inputs import MAX_ITEMS, MAX_QUANTITY, MONEY_MAX
from comptoir.commerce.models import EXTERNAL_ID_MAX
from comptoir.commerce.services import BATCH_MAX
from comptoir.core.input_types import PRINTABLE, JsonInt, money_input


def _iso_text(value):
    # pydantic would read a number as a Unix time: -1 is then 1969. The contract says ISO.
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 date and time with offset is required")
    return value


def _plausible(value: datetime) -> datetime:
    if not 1970 <= value.year <= 2100:
        raise ValueError("the year must be between 1970 and 2100")
    return value


# A time the store sends: ISO 8601 with its offset, in a year a shop can have lived. (The
# pattern stops at the 28th of a month, which every month has; later days are read too.)
STORE_TIME_PATTERN = (
    r"^(19[7-9][0-9]|20[0-9][0-9]|2100)-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
StoreTime = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_text),
    AfterValidator(_plausible),
    # A pattern rather than `format: date-time` and a pattern for the year: a generator
    # drawing date-times of any year would throw away 75 in 76 of them.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": STORE_TIME_PATTERN,
            "description": "ISO 8601 with offset, year 1970 to 2100.",
            "examples": ["2026-07-01T12:00:00+02:00"],
        }
    ),
]

# The services' rules (commerce/inputs.py), stated in the schema and still checked there,
# so that the API and the platform webhooks answer the same 422 codes.
Money = money_input(
    integer_digits=10,
    maximum=MONEY_MAX,
    numbers=True,
    ruled=True,
    description='A decimal string, e.g. `"12.50"` (a number is read too); never negative; '
    "rounded half-up to cents.",
)
Currency = Annotated[
    str,
    Field(max_length=10),
    WithJsonSchema({"type": "string", "enum": sorted(ISO_4217), "description": "ISO 4217 code."}),
]
Quantity = Annotated[JsonInt, Field(json_schema_extra={"minimum": 1, "maximum": MAX_QUANTITY})]
RequiredEmail = Annotated[str, Field(max_length=254), WithJsonSchema(EMAIL)]
OptionalEmail = Annotated[str, Field(max_length=254), WithJsonSchema({"anyOf": [EMAIL, NO_VALUE]})]
# An http(s) URL with a host (else 422 `invalid_url`); IPv6 hosts in brackets are read too.
URL = {
    "type": "string",
    "maxLength": 2000,
    "pattern": r"^https?://[^/?#\s\[\]\x00-\x1f\x7f-\x9f]+([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$",
}
OptionalUrl = Annotated[str, Field(max_length=2000), WithJsonSchema({"anyOf": [URL, NO_VALUE]})]
# The store's ids (inputs.external_id): printable, single spaces inside, no blank.
EXTERNAL_ID = {
    "type": "string",
    "minLength": 1,
    "maxLength": EXTERNAL_ID_MAX,
    "pattern": rf"^{PRINTABLE}+( {PRINTABLE}+)*$",
}
ProductId = Annotated[
    str, Field(max_length=200), WithJsonSchema({"anyOf": [EXTERNAL_ID, NO_VALUE]})
]
ORDER_STATUSES = ["open", "completed", "canceled"]
SUBSCRIPTION_STATUSES = ["active", "paused", "past_due", "canceled", "expired"]


def _enum(values: list[str], description: str = ""):
    return {"description": description, "json_schema_extra": {"enum": values}}


# ---------------------------------------------------------------------------- inputs


class ItemIn(BaseModel):
    product_id: ProductId | None = Field(None, description="The store's product id.")
    name: str | None = Field(None, max_length=1000)
    quantity: Quantity = Field(description="At least 1 (else 422 `invalid_quantity`).")
    price: Money = Field(description="Unit price.")


class NamedItemIn(ItemIn):
    """A line that needs a name or a product id (else 422 `invalid_item`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["product_id"], "properties": {"product_id": EXTERNAL_ID}},
                {
                    "required": ["name"],
                    "properties": {"name": {"type": "string", "pattern": PRINTABLE}},
                },
            ]
        }
    )


class CartItemIn(BaseModel):
    product_id: ProductId = Field(description="The store's product id.")
    name: str | None = Field(None, max_length=1000)
    quantity: Quantity = Field(description="At least 1 (else 422 `invalid_quantity`).")
    price: Money = Field(description="Unit price.")


class ProductIn(BaseModel):
    name: str = Field(
        max_length=1000, json_schema_extra={"pattern": PRINTABLE}, description="Not blank."
    )
    description: str | None = Field(None, max_length=20_000)
    image_url: OptionalUrl | None = None
    price: Money
    available: StrictBool = True


class OrderIn(BaseModel):
    """An order as the store knows it. Sending the same body again changes nothing; an
    older `updated_at` than the one stored is ignored (the store's own modification time,
    optional); without it, the last write wins."""

    email: RequiredEmail
    first_name: str | None = Field(None, max_length=1000)
    last_name: str | None = Field(None, max_length=1000)
    phone: str | None = Field(None, max_length=100)
    number: str | None = Field(None, max_length=200, description="As shown to the buyer.")
    status: str = Field(**_enum(ORDER_STATUSES, "Else 422 `invalid_status`."))
    placed_at: StoreTime = Field(description="ISO 8601 with offset, year 1970 to 2100.")
    updated_at: StoreTime | None = Field(
        None, description="The store's modification time: older versions are ignored."
    )
    currency: Currency = Field(description="Else 422 `invalid_currency`.")
    subtotal: Money
    shipping: Money
    tax: Money
    discount: Money
    total: Money = Field(
        description="The original total, shipping, tax and discount included (C5)."
    )
    refunded: Money | None = Field(None, description="Refunded so far; never subtracted.")
    coupon_code: str | None = Field(None, max_length=200)
    channel: str | None = Field(None, **_enum(["online", "pos"], "Default `online`."))
    shipping_address: Address | None = None
    billing_address: Address | None = None
    items: list[NamedItemIn] = Field(
        description="At most 500 (else 422 `too_many_items`).",
        json_schema_extra={"maxItems": MAX_ITEMS},
    )
    accepts_marketing: StrictBool | None = Field(
        None,
        description="What the buyer ticked at checkout; kept on the order, never a consent "
        "by itself.",
    )
    cart_token: str | None = Field(
        None, max_length=200, description="The cart this order completed, if any."
    )


class OrderBatchItemIn(OrderIn):
    """One order of a batch: the PUT's body and the store's id of the order."""

    external_id: str = Field(
        max_length=200, json_schema_extra=EXTERNAL_ID, description="The store's order id."
    )


def _as_sent(value):
    # Each order is validated apart (api/commerce.py), so that a bad one fails alone.
    return value


# An order of a batch, as sent: documented as OrderBatchItemIn, read as it comes.
BatchOrder = Annotated[Any, PlainValidator(_as_sent, json_schema_input_type=OrderBatchItemIn)]


class OrderBatchIn(BaseModel):
    orders: list[BatchOrder] = Field(
        min_length=1,
        description="1 to 1,000 orders (more: 422 `too_many_orders`). Each one is validated "
        "and stored on its own: a bad order is an `error` result, never the batch's failure.",
        json_schema_extra={"maxItems": BATCH_MAX},
    )


class CartIn(BaseModel):
    email: OptionalEmail | None = None
    items: list[CartItemIn] = Field(
        description="At most 500.", json_schema_extra={"maxItems": MAX_ITEMS}
    )
    recovery_url: OptionalUrl | None = None
    updated_at: StoreTime = Field(description="ISO 8601; an older one than stored is ignored.")
    completed_at: StoreTime | None = None
    currency: Currency | None = Field(None, description="Default: the workspace's.")


class SubscriptionIn(BaseModel):
    email: RequiredEmail
    product_id: ProductId | None = None
    status: str = Field(**_enum(SUBSCRIPTION_STATUSES, "Else 422 `invalid_status`."))
    next_billing_at: StoreTime | None = None


class DraftOrderIn(BaseModel):
    items: list[NamedItemIn] = Field(
        min_length=1, description="At most 500.", json_schema_extra={"maxItems": MAX_ITEMS}
    )
    currency: Currency | None = Field(None, description="Default: the workspace's.")
    shipping: Money = Decimal("0")
    tax: Money = Decimal("0")
    discount: Money = Decimal("0")
    coupon_code: str | None = Field(None, max_length=200)
    note: str = Field("", max_length=2000, description="Internal: never shown to the customer.")


class StoreConnectionIn(BaseModel):
    platform: Literal["shopify", "woocommerce"]
    secret: str = Field(
        min_length=1,
        max_length=255,
        description="Shopify: the app's client secret (API secret key). WooCommerce: the "
        "secret set on the webhook.",
    )


# --------------------------------------------------------------------------- outputs


class ItemOut(BaseModel):
    product_id: str | None
    name: str
    quantity: int
    price: str


class OrderOut(BaseModel):
    id: int
    external_id: str
    contact_id: int | None
    number: str
    status: Literal["open", "completed", "canceled"]
    is_draft: bool
    counted: bool = Field(
        description="Counts in the customer's figures: not canceled, not a draft (C5)."
    )
    placed_at: datetime
    currency: str
    subtotal: str
    shipping: str
    tax: str
    discount: str
    total: str
    refunded: str
    coupon_code: str
    channel: Literal["online", "pos"]
    source: str
    email: str
    first_name: str
    last_name: str
    phone: str
    shipping_address: dict[str, str]
    billing_address: dict[str, str]
    accepts_marketing: bool | None
    note: str = Field(description="Staff's internal note on a draft order.")
    items: list[ItemOut]
    created_at: datetime
    updated_at: datetime


class OrderList(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None


class OrderBatchResult(BaseModel):
    index: int = Field(description="The order's position in the batch, from 0.")
    external_id: str | None = Field(description="The store's order id, as sent.")
    status: Literal["created", "updated", "unchanged", "error"]
    id: int | None = Field(description="The stored order's id; null for an error.")
    code: str | None = Field(
        description="For an error: the machine code a single PUT of this order would answer "
        "(`invalid_money`, `validation_error`, `duplicate_in_batch`, …)."
    )
    detail: str | None = Field(description="For an error: why, in words.")


class OrderBatchOut(BaseModel):
    results: list[OrderBatchResult] = Field(description="One per order, in the batch's order.")
    created: int
    updated: int
    unchanged: int
    errors: int


class ProductOut(BaseModel):
    id: int
    external_id: str
    name: str
    description: str
    image_url: str
    price: str
    available: bool
    created_at: datetime
    updated_at: datetime


class CartOut(BaseModel):
    id: int
    token: str
    contact_id: int | None
    email: str
    currency: str
    recovery_url: str
    updated_at: datetime
    completed_at: datetime | None
    converted: bool
    converted_at: datetime | None
    order_id: int | None
    items: list[ItemOut]
    created_at: datetime


class SubscriptionOut(BaseModel):
    id: int
    external_id: str
    contact_id: int
    product_id: str | None
    product_name: str | None
    status: str
    next_billing_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SubscriptionList(BaseModel):
    items: list[SubscriptionOut]
    next_cursor: str | None


class StoreConnectionOut(BaseModel):
    id: int
    platform: str
    webhook_url: str = Field(
        description="Where the platform sends its webhooks; whoever knows it and the "
        "secret can write orders, so it is shown to owners and admins only."
    )
    created_at: datetime
    last_received_at: datetime | None
    last_result: Literal["accepted", "refused"] | None = Field(
        description="What became of the last webhook received, if any."
    )
    last_reason: str | None = Field(
        description="Why it was refused, or what it did when accepted (a code such as "
        "invalid_signature, no_secret, unknown_topic, created, updated)."
    )
    last_topic: str | None


class StoreConnectionList(BaseModel):
    items: list[StoreConnectionOut]
    next_cursor: str | None


# ------------------------------------------------------------------ models → outputs


def _items_out(items) -> list[dict]:
    return [
        {
            "product_id": item.product_external_id or None,
            "name": item.name,
            "quantity": item.quantity,
            "price": money(item.price),
        }
        for item in items
    ]


def batch_error_detail(error) -> str:
    """A pydantic ValidationError of one order of a batch, in one line."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'order'}: {problem['msg']}"
        for problem in error.errors(include_url=False)
    )


def order_out(order) -> dict:
    return {
        "id": order.pk,
        "external_id": order.external_id,
        "contact_id": order.contact_id,
        "number": order.number,
        "status": order.status,
        "is_draft": order.is_draft,
        "counted": order.counted,
        "placed_at": order.placed_at,
        "currency": order.currency,
        "subtotal": money(order.subtotal),
        "shipping": money(order.shipping),
        "tax": money(order.tax),
        "discount": money(order.discount),
        "total": money(order.total),
        "refunded": money(order.refunded),
        "coupon_code": order.coupon_code,
        "channel": order.channel,
        "source": order.source,
        "email": order.email,
        "first_name": order.first_name,
        "last_name": order.last_name,
        "phone": order.phone,
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "accepts_marketing": order.accepts_marketing,
        "note": order.note,
        "items": _items_out(order.items.all()),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def product_out(product) -> dict:
    return {
        "id": product.pk,
        "external_id": product.external_id,
        "name": product.name,
        "description": product.description,
        "image_url": product.image_url,
        "price": money(product.price),
        "available": product.available,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def cart_out(cart) -> dict:
    return {
        "id": cart.pk,
        "token": cart.token,
        "contact_id": cart.contact_id,
        "email": cart.email,
        "currency": cart.currency,
        "recovery_url": cart.recovery_url,
        "updated_at": cart.updated_at_store,
        "completed_at": cart.completed_at,
        "converted": cart.converted,
        "converted_at": cart.converted_at,
        "order_id": cart.order_id,
        "items": _items_out(cart.items.all()),
        "created_at": cart.created_at,
    }


def subscription_out(subscription) -> dict:
    return {
        "id": subscription.pk,
        "external_id": subscription.external_id,
        "contact_id": subscription.contact_id,
        "product_id": subscription.product_external_id or None,
        "product_name": subscription.product.name if subscription.product_id else None,
        "status": subscription.status,
        "next_billing_at": subscription.next_billing_at,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
    }


def store_connection_out(connection) -> dict:
    return {
        "id": connection.pk,
        "platform": connection.platform,
        "webhook_url": connection.webhook_url,
        "created_at": connection.created_at,
        "last_received_at": connection.last_received_at,
        "last_result": connection.last_result or None,
        "last_reason": connection.last_reason or None,
        "last_topic": connection.last_topic or None,
    }


def page_out(page, serialize) -> dict:
    return {"items": [serialize(row) for row in page.items], "next_cursor": page.next_cursor}
