"""What the dashboard shows of a contact's commerce (C4, O3, C13): orders with their lines
titled from the catalogue, drafts, subscriptions and open carts.

Only commerce selectors are read here; the profile stays as fast with hundreds of orders as
with one, because it reads the latest few and links to the paged list for the rest.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from comptoir.commerce.models import Cart, Order, Subscription
from comptoir.commerce.selectors import (
    contact_drafts,
    contact_last_order,
    contact_open_carts,
    contact_orders,
    contact_subscriptions,
    products_by_external_id,
)
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace

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
