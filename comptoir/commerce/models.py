"""What the store sends (O1–O4): products, orders, carts, subscriptions, and the store
connections whose webhooks bring them.

Every object the store names is keyed by the store's own id (`external_id`, a cart's
`token`), unique per workspace, so that sending it again updates it instead of adding a
second one. Money is Decimal with two places, in the currency the order names.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.contacts.models import Contact
from comptoir.core.models import WorkspaceScoped

EXTERNAL_ID_MAX = 128


def money_field(verbose_name, **options) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, default=Decimal("0.00"), **options
    )


class Source(models.TextChoices):
    """How an object reached Comptoir."""

    API = "api", _("API")
    SHOPIFY = "shopify", _("Shopify")
    WOOCOMMERCE = "woocommerce", _("WooCommerce")
    DASHBOARD = "dashboard", _("Dashboard")


class Product(WorkspaceScoped):
    """A product of the store's catalogue (O2), shown in cart reminders."""

    external_id = models.CharField(_("product id"), max_length=EXTERNAL_ID_MAX)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    image_url = models.URLField(_("image URL"), max_length=2000, blank=True)
    price = money_field(_("price"))
    available = models.BooleanField(_("available"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="product_one_per_external_id"
            )
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Order(WorkspaceScoped):
    """One order of the store (O1), or a draft written by staff (C13)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        CANCELED = "canceled", _("Canceled")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        POS = "pos", _("Point of sale")

    external_id = models.CharField(_("order id"), max_length=EXTERNAL_ID_MAX)
    # Null for an order without an e-mail address (a walk-in sale at the till): it is kept,
    # for coupon attribution, but belongs to nobody's figures.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="orders"
    )
    number = models.CharField(_("number"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    is_draft = models.BooleanField(_("draft"), default=False)
    placed_at = models.DateTimeField(_("placed"))
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = money_field(_("subtotal"))
    shipping = money_field(_("shipping"))
    tax = money_field(_("tax"))
    discount = money_field(_("discount"))
    total = money_field(_("total"))
    refunded = money_field(_("refunded"))
    coupon_code = models.CharField(_("coupon code"), max_length=100, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.API)

    # The customer as the order names them. The contact's own details follow these only
    # while it is not locked (C6); the order keeps what the store sent either way.
    email = models.CharField(_("e-mail address"), max_length=254, blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    billing_address = models.JSONField(_("billing address"), default=dict, blank=True)
    # What the buyer ticked at checkout. Kept here until the consent ledger (K1) decides
    # what it means; it never subscribes anyone by itself.
    accepts_marketing = models.BooleanField(null=True, blank=True)
    # The cart or checkout this order completed, when the store says so.
    cart_token = models.CharField(max_length=EXTERNAL_ID_MAX, blank=True)
    # Staff's word on a draft order (C13), e.g. "to collect on Saturday". Internal, like a
    # contact's notes: never shown to the customer, blanked when the person is erased.
    note = models.TextField(_("note"), blank=True)

    # SHA-256 of the cleaned payload: the same payload again is recognised and changes
    # nothing (O1). `updated_at_store` is the store's own modification time, when it sends
    # one: an older version arriving late is ignored.
    digest = models.CharField(max_length=64)
    updated_at_store = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="order_one_per_external_id"
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0)
                & Q(subtotal__gte=0)
                & Q(shipping__gte=0)
                & Q(tax__gte=0)
                & Q(discount__gte=0)
                & Q(refunded__gte=0),
                name="order_money_not_negative",
            ),
        ]
        indexes = [
            # The profile's order history, and the figures' aggregate, per contact. The
            # workspace leads because every query is scoped by it: with (contact, …) alone
            # PostgreSQL may AND it with the workspace index and read every order of the shop.
            models.Index(
                fields=["workspace", "contact", "placed_at", "id"], name="order_by_ws_contact"
            ),
            models.Index(fields=["workspace", "placed_at"], name="order_by_date"),
            # The order that completed a cart (A3), looked up when the cart arrives.
            models.Index(
                fields=["workspace", "cart_token"],
                condition=~Q(cart_token=""),
                name="order_by_cart_token",
            ),
            # Campaign and automation revenue from their coupons (T2).
            models.Index(
                fields=["workspace", "coupon_code"],
                condition=~Q(coupon_code=""),
                name="order_by_coupon",
            ),
        ]
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return self.number or self.external_id

    @property
    def counted(self) -> bool:
        """Whether the order counts in the customer's figures (C3, C5)."""
        return not self.is_draft and self.status != self.Status.CANCELED


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    # The store's product id: a line records what was sold (name, price) when it was sold;
    # the catalogue is joined by this id when needed (selectors.products_by_external_id),
    # which spares order ingestion a lookup and survives products sent after their orders.
    product_external_id = models.CharField(max_length=EXTERNAL_ID_MAX, blank=True)
    name = models.CharField(_("name"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"))
    price = money_field(_("unit price"))

    class Meta:
        ordering = ["order", "position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class Cart(WorkspaceScoped):
    """A cart or checkout of the store (O2); the abandoned-cart automation (A1–A4) reads it."""

    token = models.CharField(_("token"), max_length=EXTERNAL_ID_MAX)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="carts"
    )
    email = models.CharField(_("e-mail address"), max_length=254, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    recovery_url = models.URLField(_("recovery URL"), max_length=2000, blank=True)
    updated_at_store = models.DateTimeField(_("updated in the store"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Converted: the store completed the checkout, or an order by the same person came in at
    # or after the cart's last change. A converted cart is never reminded (A3).
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="carts"
    )
    # Kept by the abandoned-cart automation: when it judged the cart abandoned, and when it
    # sent the reminders (A1, A2).
    abandoned_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    second_reminded_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.API)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "token"], name="cart_one_per_token")
        ]
        indexes = [
            # "Carts with an e-mail, not converted, untouched since …" (A1).
            models.Index(
                fields=["workspace", "updated_at_store"],
                condition=Q(converted_at__isnull=True) & Q(contact__isnull=False),
                name="cart_open_by_update",
            ),
            models.Index(
                fields=["contact", "updated_at_store"],
                condition=Q(converted_at__isnull=True),
                name="cart_open_by_contact",
            ),
        ]
        ordering = ["-updated_at_store", "-id"]

    def __str__(self) -> str:
        return self.token

    @property
    def converted(self) -> bool:
        return self.converted_at is not None


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    # Joined with the catalogue by id at send time: a reminder shows the product as it is
    # then (A4: availability and price may have changed).
    product_external_id = models.CharField(max_length=EXTERNAL_ID_MAX, blank=True)
    name = models.CharField(_("name"), max_length=255, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    price = money_field(_("unit price"))

    class Meta:
        ordering = ["cart", "position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name or self.product_external_id}"


class Subscription(WorkspaceScoped):
    """A recurring subscription of a contact to a product (O3)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        PAST_DUE = "past_due", _("Payment overdue")
        CANCELED = "canceled", _("Canceled")
        EXPIRED = "expired", _("Expired")

    external_id = models.CharField(_("subscription id"), max_length=EXTERNAL_ID_MAX)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="subscriptions")
    product_external_id = models.CharField(max_length=EXTERNAL_ID_MAX, blank=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    next_billing_at = models.DateTimeField(_("next billing"), null=True, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.API)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="subscription_one_per_external_id"
            )
        ]
        indexes = [models.Index(fields=["contact", "id"], name="subscription_by_contact")]
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.external_id


class StoreConnection(WorkspaceScoped):
    """A store platform sending webhooks to this workspace (O4).

    The URL token says which workspace a webhook is for; the shared secret proves the
    platform sent it (HMAC of the body). The secret has to be kept readable to check
    signatures, so it is never shown again after creation. It may be empty for a while: a
    Shopify shop shows its signing key only once its first webhook exists, which needs
    this connection's URL first; until the key is pasted, every webhook is refused.
    """

    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        WOOCOMMERCE = "woocommerce", "WooCommerce"

    class Result(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REFUSED = "refused", _("refused")

    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    secret = models.CharField(max_length=255, blank=True)
    url_token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What became of the last webhook, for the store page: the verdict, a reason code and
    # the topic, never the body nor anything of the secret (see commerce.webhooks).
    last_received_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=8, choices=Result.choices, blank=True)
    last_reason = models.CharField(max_length=40, blank=True)
    last_topic = models.CharField(max_length=64, blank=True)
    last_detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} #{self.pk}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret)

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.platform}/{self.url_token}/"

    @property
    def webhook_url(self) -> str:
        return settings.COMPTOIR_BASE_URL.rstrip("/") + self.webhook_path
