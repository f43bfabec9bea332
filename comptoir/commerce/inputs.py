"""What the store sends, checked and cleaned before any write (house rule 10).

The API and the platform adapters hand the services plain dicts with the keys of
CONTRACT.md; everything is validated here, once, with the machine codes the API returns,
so that a webhook and an API call get the same rules.
"""

import datetime as dt
import hashlib
import json
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.commerce.currencies import ISO_4217
from comptoir.commerce.models import EXTERNAL_ID_MAX, Order, Subscription
from comptoir.contacts import normalize
from comptoir.contacts.models import ADDRESS_KEYS
from comptoir.core.models import Workspace
from comptoir.core.services import ServiceError

MAX_ITEMS = 500
MAX_QUANTITY = 1_000_000
CENT = Decimal("0.01")
MONEY_MAX = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds
ZERO = Decimal("0.00")

ORDER_KEYS = frozenset(
    {
        "email",
        "first_name",
        "last_name",
        "phone",
        "number",
        "status",
        "placed_at",
        "updated_at",
        "currency",
        "subtotal",
        "shipping",
        "tax",
        "discount",
        "total",
        "refunded",
        "coupon_code",
        "channel",
        "shipping_address",
        "billing_address",
        "items",
        "accepts_marketing",
        "cart_token",
    }
)
CART_KEYS = frozenset({"email", "items", "recovery_url", "updated_at", "completed_at", "currency"})
PRODUCT_KEYS = frozenset({"name", "description", "image_url", "price", "available"})
SUBSCRIPTION_KEYS = frozenset({"email", "product_id", "status", "next_billing_at"})


# --------------------------------------------------------------------------- values


def _check_keys(data: Mapping, allowed: frozenset) -> None:
    unknown = set(data) - allowed
    if unknown:
        # The API's schemas never pass unknown keys; an adapter that does has a bug.
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def external_id(value, *, what: str = "id") -> str:
    text = normalize.clean_line(str(value) if value is not None else "")
    if not text or len(text) > EXTERNAL_ID_MAX or text != str(value).strip():
        raise ServiceError(
            _("The store's %(what)s must be 1 to %(max)d printable characters.")
            % {"what": what, "max": EXTERNAL_ID_MAX},
            code="invalid_external_id",
        )
    return text


def money(value, field: str, *, required: bool = True) -> Decimal:
    """A non-negative amount with two places (half-up), as strings or numbers give it."""
    if value is None or value == "":
        if required:
            raise ServiceError(_("%(field)s is required.") % {"field": field}, code="invalid_money")
        return ZERO
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ServiceError(
            _("%(field)s is not an amount: %(value)s") % {"field": field, "value": value},
            code="invalid_money",
        )
    if amount < 0:
        raise ServiceError(
            _("%(field)s cannot be negative.") % {"field": field}, code="invalid_money"
        )
    # Compared before rounding: quantize() cannot even represent "1e28" with two places.
    if amount > MONEY_MAX:
        raise ServiceError(_("%(field)s is too large.") % {"field": field}, code="invalid_money")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def currency(value) -> str:
    code = normalize.clean_line(str(value or "")).upper()
    if code not in ISO_4217:
        raise ServiceError(
            _("“%(code)s” is not an ISO 4217 currency code.") % {"code": value},
            code="invalid_currency",
        )
    return code


def instant(value, field: str, workspace: Workspace, *, required: bool = True):
    """An aware UTC datetime; a time without offset is read in the workspace's time zone."""
    if value is None or value == "":
        if required:
            raise ServiceError(_("%(field)s is required.") % {"field": field}, code="invalid_date")
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        raise ServiceError(
            _("%(field)s is not an ISO 8601 date and time.") % {"field": field},
            code="invalid_date",
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zoneinfo.ZoneInfo(workspace.time_zone))
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ServiceError(
            _("%(field)s is out of range.") % {"field": field}, code="invalid_date"
        ) from None


def email(value, *, required: bool) -> str:
    try:
        address = normalize.normalize_email(value if isinstance(value, str) else None)
    except normalize.InvalidEmail:
        raise ServiceError(
            _("“%(email)s” is not a valid e-mail address.") % {"email": value},
            code="invalid_email",
        ) from None
    if required and not address:
        raise ServiceError(_("An e-mail address is required."), code="email_required")
    return address


def text(value, max_length: int) -> str:
    return normalize.clean_line(str(value) if value is not None else "")[:max_length]


def phone(value) -> str:
    """A phone from the store: normalised when possible; text that is no number at all is
    dropped rather than refusing the order over it."""
    try:
        return normalize.normalize_phone(value if value is None else str(value))
    except normalize.InvalidPhone:
        return ""


def address(value) -> dict:
    """An address object of CONTRACT.md, blank parts dropped; unknown keys are ignored."""
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise ServiceError(_("An address is an object."), code="invalid_address")
    cleaned = {key: text(value.get(key), 200) for key in ADDRESS_KEYS}
    if cleaned.get("phone"):
        cleaned["phone"] = phone(cleaned["phone"])
    return {key: part for key, part in cleaned.items() if part}


def url(value, field: str) -> str:
    link = (value or "").strip() if isinstance(value, str) else ""
    if not link:
        return ""
    try:
        parts = urlsplit(link)
    except ValueError:  # "http://[x": a bracket that opens an IPv6 host and never closes
        parts = None
    if any(unicodedata.category(char) == "Cc" for char in link):
        parts = None  # a control character (NUL, a line break) is in no URL
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(link) > 2000
    ):
        raise ServiceError(
            _("%(field)s must be an http or https URL.") % {"field": field}, code="invalid_url"
        )
    return link


def choice(value, allowed: Iterable[str], code: str, field: str) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise ServiceError(
            _("%(field)s must be one of %(allowed)s, not “%(value)s”.")
            % {"field": field, "allowed": ", ".join(allowed), "value": value},
            code=code,
        )
    return value


# ---------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Item:
    product_id: str
    name: str
    quantity: int
    price: Decimal


def items(values, *, name_required: bool) -> tuple[Item, ...]:
    if values is None:
        values = []
    if not isinstance(values, list | tuple):
        raise ServiceError(_("`items` is a list."), code="invalid_item")
    if len(values) > MAX_ITEMS:
        raise ServiceError(
            _("At most %(max)d line items.") % {"max": MAX_ITEMS}, code="too_many_items"
        )
    cleaned = []
    for number, value in enumerate(values, 1):
        if not isinstance(value, Mapping):
            raise ServiceError(_("Each item is an object."), code="invalid_item")
        quantity = value.get("quantity")
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 0 < quantity <= MAX_QUANTITY
        ):
            raise ServiceError(
                _("Item %(n)d: the quantity must be a whole number from 1 to %(max)d.")
                % {"n": number, "max": MAX_QUANTITY},
                code="invalid_quantity",
            )
        product_id = value.get("product_id")
        product_id = "" if product_id in (None, "") else external_id(product_id, what="product id")
        name = text(value.get("name"), 255)
        if name_required and not name and not product_id:
            raise ServiceError(
                _("Item %(n)d needs a name or a product id.") % {"n": number},
                code="invalid_item",
            )
        price = money(value.get("price"), _("Item %(n)d: the price") % {"n": number})
        cleaned.append(Item(product_id=product_id, name=name, quantity=quantity, price=price))
    return tuple(cleaned)


def _fields(obj) -> dict:
    """A dataclass's fields as a dict, values as they are (asdict() copies them deeply)."""
    return {field.name: getattr(obj, field.name) for field in fields(obj)}


def _digest(values: dict) -> str:
    raw = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


# --------------------------------------------------------------------------- orders


@dataclass(frozen=True)
class OrderInput:
    email: str
    first_name: str
    last_name: str
    phone: str
    number: str
    status: str
    placed_at: dt.datetime
    updated_at: dt.datetime | None
    currency: str
    subtotal: Decimal
    shipping: Decimal
    tax: Decimal
    discount: Decimal
    total: Decimal
    refunded: Decimal
    coupon_code: str
    channel: str
    shipping_address: dict
    billing_address: dict
    items: tuple[Item, ...]
    accepts_marketing: bool | None
    cart_token: str

    def digest(self) -> str:
        """What makes two payloads "the same order": every field but the store's own
        modification time, which changes when nothing we keep did."""
        values = _fields(self)
        del values["updated_at"]
        # The JSON asdict() would give (stored digests compare with it), without its deep
        # copy of every value, which cost more than the rest of the cleaning.
        values["items"] = [vars(item) for item in self.items]
        return _digest(values)

    def order_fields(self) -> dict:
        """The Order columns this input sets."""
        values = _fields(self)
        del values["items"], values["updated_at"]
        return values

    def contact_details(self) -> dict:
        """What the order says about the person, for the contact (C1, C6): only what it
        names (an order without a phone does not erase the contact's)."""
        details = {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone": self.phone,
            "shipping_address": self.shipping_address,
            "billing_address": self.billing_address,
        }
        return {key: value for key, value in details.items() if value}


def order(data: Mapping, *, workspace: Workspace, email_required: bool = True) -> OrderInput:
    _check_keys(data, ORDER_KEYS)
    return OrderInput(
        email=email(data.get("email"), required=email_required),
        first_name=text(data.get("first_name"), 150),
        last_name=text(data.get("last_name"), 150),
        phone=phone(data.get("phone")),
        number=text(data.get("number"), 64),
        status=choice(data.get("status"), Order.Status.values, "invalid_status", "status"),
        placed_at=instant(data.get("placed_at"), "placed_at", workspace),
        updated_at=instant(data.get("updated_at"), "updated_at", workspace, required=False),
        currency=currency(data.get("currency")),
        subtotal=money(data.get("subtotal"), "subtotal"),
        shipping=money(data.get("shipping"), "shipping"),
        tax=money(data.get("tax"), "tax"),
        discount=money(data.get("discount"), "discount"),
        total=money(data.get("total"), "total"),
        refunded=money(data.get("refunded"), "refunded", required=False),
        coupon_code=text(data.get("coupon_code"), 100),
        channel=choice(
            data.get("channel") or Order.Channel.ONLINE,
            Order.Channel.values,
            "invalid_channel",
            "channel",
        ),
        shipping_address=address(data.get("shipping_address")),
        billing_address=address(data.get("billing_address")),
        items=items(data.get("items"), name_required=True),
        accepts_marketing=(
            None if data.get("accepts_marketing") is None else bool(data["accepts_marketing"])
        ),
        cart_token=text(data.get("cart_token"), EXTERNAL_ID_MAX),
    )


# ---------------------------------------------------------------------------- carts


@dataclass(frozen=True)
class CartInput:
    email: str
    items: tuple[Item, ...]
    recovery_url: str
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    currency: str

    def digest(self) -> str:
        return _digest(asdict(self))


def cart(data: Mapping, *, workspace: Workspace) -> CartInput:
    _check_keys(data, CART_KEYS)
    return CartInput(
        email=email(data.get("email"), required=False),
        items=items(data.get("items"), name_required=False),
        recovery_url=url(data.get("recovery_url"), "recovery_url"),
        updated_at=instant(data.get("updated_at"), "updated_at", workspace),
        completed_at=instant(data.get("completed_at"), "completed_at", workspace, required=False),
        currency=currency(data["currency"]) if data.get("currency") else "",
    )


# ------------------------------------------------------------------------- products


@dataclass(frozen=True)
class ProductInput:
    name: str
    description: str
    image_url: str
    price: Decimal
    available: bool


def product(data: Mapping) -> ProductInput:
    _check_keys(data, PRODUCT_KEYS)
    name = text(data.get("name"), 255)
    if not name:
        raise ServiceError(_("A product needs a name."), code="invalid_name")
    description = normalize.clean_text(data.get("description"))[:20_000]
    return ProductInput(
        name=name,
        description=description,
        image_url=url(data.get("image_url"), "image_url"),
        price=money(data.get("price"), "price"),
        available=bool(data.get("available", True)),
    )


# -------------------------------------------------------------------- subscriptions


@dataclass(frozen=True)
class SubscriptionInput:
    email: str
    product_id: str
    status: str
    next_billing_at: dt.datetime | None


def subscription(data: Mapping, *, workspace: Workspace) -> SubscriptionInput:
    _check_keys(data, SUBSCRIPTION_KEYS)
    product_id = data.get("product_id")
    return SubscriptionInput(
        email=email(data.get("email"), required=True),
        product_id="" if product_id in (None, "") else external_id(product_id, what="product id"),
        status=choice(data.get("status"), Subscription.Status.values, "invalid_status", "status"),
        next_billing_at=instant(
            data.get("next_billing_at"), "next_billing_at", workspace, required=False
        ),
    )
