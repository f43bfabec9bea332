"""Every read of commerce that is more than a `get` (house rule 1)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from comptoir.commerce.models import (
    Cart,
    Order,
    OrderItem,
    Product,
    StoreConnection,
    Subscription,
)
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import get_scoped, scoped


def _with_items(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("position", "id"))
    )


def order_get(*, workspace: Workspace, external_id: str) -> Order:
    """One order of this workspace by the store's id, with its items; Http404 otherwise."""
    return get_scoped(_with_items(scoped(Order, workspace)), workspace, external_id=external_id)


def contact_orders(
    *, workspace: Workspace, contact: Contact, drafts: bool = True
) -> QuerySet[Order]:
    """The profile's order history (C4): every order of the contact, newest first, with
    items. Nothing is left out; canceled orders and drafts carry `counted = False` and the
    profile leaves them out of its summary (C5). `drafts=False` leaves drafts out, for a
    history that shows them apart."""
    orders = scoped(Order, workspace).filter(contact=contact)
    if not drafts:
        orders = orders.filter(is_draft=False)
    return _with_items(orders.order_by("-placed_at", "-id"))


def contact_drafts(*, workspace: Workspace, contact: Contact) -> QuerySet[Order]:
    """The contact's draft orders (C13), newest first, with items: few, and waiting for
    staff to complete them."""
    drafts = scoped(Order, workspace).filter(contact=contact, is_draft=True)
    return _with_items(drafts.order_by("-placed_at", "-id"))


def contact_order_get(*, workspace: Workspace, contact: Contact, order_id: int) -> Order:
    """One order of this contact in this workspace by its row id; Http404 otherwise."""
    return get_scoped(Order, workspace, contact=contact, pk=order_id)


def contact_last_order(*, workspace: Workspace, contact: Contact) -> Order | None:
    """The latest order that counts, for the profile's "last order value" (C5)."""
    counted = scoped(Order, workspace).filter(Order.counted_q(), contact=contact)
    return counted.order_by("-placed_at", "-id").first()


def contact_subscriptions(*, workspace: Workspace, contact: Contact) -> QuerySet[Subscription]:
    """The contact's recurring subscriptions (O3), newest first, with their product."""
    subscriptions = scoped(Subscription, workspace).filter(contact=contact)
    return subscriptions.select_related("product").order_by("-id")


def contact_open_carts(*, workspace: Workspace, contact: Contact) -> QuerySet[Cart]:
    """The contact's carts not converted into an order, last changed first, with items."""
    carts = scoped(Cart, workspace).filter(contact=contact, converted_at__isnull=True)
    return carts.prefetch_related("items").order_by("-updated_at_store", "-id")


def store_connections(*, workspace: Workspace) -> QuerySet[StoreConnection]:
    return scoped(StoreConnection, workspace)


def store_connection_for_webhook(*, platform: str, url_token: str) -> StoreConnection | None:
    """The connection a webhook URL names: the token alone says which workspace it is for
    (a webhook carries no bearer token)."""
    if not url_token or len(url_token) > 64:
        return None
    return (
        StoreConnection.objects.select_related("workspace")
        .filter(platform=platform, url_token=url_token)
        .first()
    )


def product_get(*, workspace: Workspace, external_id: str) -> Product:
    return get_scoped(Product, workspace, external_id=external_id)


def products_for_sale(*, workspace: Workspace) -> QuerySet[Product]:
    """The available products of the catalogue, by name: what staff pick from for a draft
    order's lines (C13)."""
    return scoped(Product, workspace).filter(available=True).order_by("name", "id")


def cart_get(*, workspace: Workspace, token: str) -> Cart:
    carts = scoped(Cart, workspace).prefetch_related("items")
    return get_scoped(carts, workspace, token=token)


def subscription_get(*, workspace: Workspace, external_id: str) -> Subscription:
    subscriptions = scoped(Subscription, workspace).select_related("product")
    return get_scoped(subscriptions, workspace, external_id=external_id)


def products_by_external_id(*, workspace: Workspace, external_ids) -> dict[str, Product]:
    """The catalogue rows that order or cart lines name (lines keep the store's product id),
    e.g. for a cart reminder's images, availability and current prices (A1, A4)."""
    wanted = {external_id for external_id in external_ids if external_id}
    if not wanted:
        return {}
    products = scoped(Product, workspace).filter(external_id__in=wanted).order_by()
    return {product.external_id: product for product in products}


# ---------------------------------------------------------------------------
# What the dashboard shows of a contact's commerce (C4, O3, C13): orders with their lines
# titled from the catalogue, drafts, subscriptions and open carts.
#
# Only the selectors above are read; the profile stays as fast with hundreds of orders as
# with one, because it reads the latest few and links to the paged list for the rest.


PROFILE_ORDERS = 10
PROFILE_CARTS = 5
PROFILE_SUBSCRIPTIONS = 20
ORDERS_PAGE_SIZE = 25

STATE_LABELS = {
    "draft": _("Draft"),
    Order.Status.OPEN: _("Open"),
    Order.Status.COMPLETED: _("Completed"),
    Order.Status.CANCELED: _("Canceled"),
}


@dataclass(frozen=True)
class Line:
    title: str
    quantity: int
    price: Decimal

    @property
    def total(self) -> Decimal:
        return self.price * self.quantity


@dataclass
class OrderRow:
    order: Order
    lines: list[Line]

    @property
    def state(self) -> str:
        """draft, open, completed or canceled: what the badge says and styles."""
        return "draft" if self.order.is_draft else self.order.status

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def refund_label(self) -> str:
        """Refunds are shown beside the status; they never change the figures (C5)."""
        refunded, total = self.order.refunded, self.order.total
        if not refunded:
            return ""
        return str(_("Refunded") if refunded >= total else _("Partially refunded"))


@dataclass
class CartRow:
    cart: Cart
    lines: list[Line]

    @property
    def value(self) -> Decimal:
        return sum((line.total for line in self.lines), Decimal("0.00"))


@dataclass
class ContactCommerce:
    """The profile's commerce section."""

    drafts: list[OrderRow]
    orders: list[OrderRow]  # the latest placed orders, drafts left out
    more_orders: int  # placed orders beyond those shown
    last_order: Order | None
    subscriptions: list[Subscription]
    carts: list[CartRow]
    all_orders: int = field(init=False)

    def __post_init__(self):
        self.all_orders = len(self.orders) + self.more_orders


def _titled(workspace: Workspace, holders: Iterable) -> list[tuple[object, list[Line]]]:
    """Each order or cart with its lines, titled with what the line itself says was sold
    (the store's title, with its variant; the title staff typed on a draft), else as the
    catalogue names the product it points at (one read for all), else by the product id."""
    holders = list(holders)
    items = {holder.pk: list(holder.items.all()) for holder in holders}
    catalogue = products_by_external_id(
        workspace=workspace,
        external_ids={
            item.product_external_id for lines in items.values() for item in lines if not item.name
        },
    )

    def title(item) -> str:
        if item.name:
            return item.name
        product = catalogue.get(item.product_external_id)
        return product.name if product else item.product_external_id

    return [
        (
            holder,
            [Line(title(item), item.quantity, item.price) for item in items[holder.pk]],
        )
        for holder in holders
    ]


def order_rows(*, workspace: Workspace, orders: Iterable[Order]) -> list[OrderRow]:
    return [OrderRow(order, lines) for order, lines in _titled(workspace, orders)]


def contact_commerce(*, workspace: Workspace, contact: Contact) -> ContactCommerce:
    placed = list(
        contact_orders(workspace=workspace, contact=contact, drafts=False)[: PROFILE_ORDERS + 1]
    )
    more = 0
    if len(placed) > PROFILE_ORDERS:
        placed = placed[:PROFILE_ORDERS]
        counted = contact_orders(workspace=workspace, contact=contact, drafts=False).count()
        more = counted - PROFILE_ORDERS
    drafts = list(contact_drafts(workspace=workspace, contact=contact))
    rows = order_rows(workspace=workspace, orders=[*drafts, *placed])
    carts = list(contact_open_carts(workspace=workspace, contact=contact)[:PROFILE_CARTS])
    subscriptions = contact_subscriptions(workspace=workspace, contact=contact)
    return ContactCommerce(
        drafts=rows[: len(drafts)],
        orders=rows[len(drafts) :],
        more_orders=more,
        last_order=contact_last_order(workspace=workspace, contact=contact),
        subscriptions=list(subscriptions[:PROFILE_SUBSCRIPTIONS]),
        carts=[CartRow(cart, lines) for cart, lines in _titled(workspace, carts)],
    )


def contact_order_page(*, workspace: Workspace, contact: Contact, number) -> tuple[Page, list]:
    """One page of all the contact's orders, drafts included, newest first."""
    orders = contact_orders(workspace=workspace, contact=contact)
    page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(number)
    return page, order_rows(workspace=workspace, orders=page.object_list)
