"""What an order change does to its contact: figures (C5), type (C3), details (C6), carts."""

from django.db.models import Case, Q, Value, When

from comptoir.commerce.figures import Figures, order_figures
from comptoir.commerce.models import (
    Cart,
    Order,
)
from comptoir.commerce.services.base import COUNTED
from comptoir.commerce.services.store_contacts import (
    contact_details_sync,
    contact_figures_set,
)
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped

# --------------------------------------------------------------------------- figures


def contact_figures_refresh(*, contact: Contact) -> bool:
    """Recompute the contact's order figures (C5) and type (C3) from its orders, in one
    aggregate: original totals (shipping, tax and discount included, refunds not
    subtracted), canceled and draft orders left out. Returns whether they changed.

    Call inside a transaction with the contact row locked (`contact_for_store` or
    `select_for_update`), so that two orders committing at once cannot both compute from a
    state without the other.
    """
    return _figures_store(contact, order_figures(contact))


def _figures_store(contact: Contact, figures: Figures) -> bool:
    return contact_figures_set(
        contact=contact,
        order_count=figures.count,
        total_spent=figures.spent,
        last_order_at=figures.last,
        customer_since=figures.first,
    )


def _order_details(order: Order) -> dict:
    return {
        "first_name": order.first_name,
        "last_name": order.last_name,
        "phone": order.phone,
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
    }


def _details_source(order: Order, contact: Contact, previous_last, created: bool) -> Order | None:
    """The order whose details the contact should show: its latest order that counts (C4's
    "last shipping address"), or its latest canceled one when none counts. Whatever order
    the store's messages arrive in, the contact ends with the same details.

    Answered without a query in the common cases: a new order later than every other
    one is the latest; a new order that is not is not."""
    if order.contact_id == contact.pk:
        if order.counted and (previous_last is None or order.placed_at > previous_last):
            return order
        if created and previous_last is not None and order.placed_at != previous_last:
            return None  # an older order, or a canceled one: the latest is unchanged
    orders = scoped(Order, contact.workspace).filter(contact=contact, is_draft=False)
    return (
        orders.annotate(is_counted=Case(When(COUNTED, then=Value(1)), default=Value(0)))
        .order_by("-is_counted", "-placed_at", "-external_id")
        .first()
    )


def _after_order_change(order: Order, contact: Contact | None, *, created: bool = False) -> None:
    """What every order change implies for its contact: figures (C5), type (C3), details
    (unless locked, C6) and carts (A3). `contact` must be locked."""
    if contact is None:
        return
    previous_last = contact.last_order_at
    figures = order_figures(contact)
    _figures_store(contact, figures)
    _after_figures(order, contact, figures, previous_last, created=created)


def _after_figures(order: Order, contact: Contact, figures: Figures, previous_last, *, created):
    """The details and carts that follow an order change, once the figures are stored."""
    _details_follow(order, contact, previous_last, created=created)
    _carts_follow(order, contact, open_carts=figures.open_carts)


def _details_follow(order: Order, contact: Contact, previous_last, *, created: bool) -> None:
    """The contact shows the details of its latest order (C4), unless locked (C6)."""
    if not contact.locked:
        source = _details_source(order, contact, previous_last, created)
        details = _order_details(source) if source is not None else {}
        # Most orders repeat what the contact already shows: compared here, cheaply, before
        # the service cleans and compares them again.
        if any(value and getattr(contact, key) != value for key, value in details.items()):
            contact_details_sync(
                contact=contact,
                details=details,
                origin={"order_id": source.pk, "number": source.number or source.external_id},
            )


def _carts_follow(order: Order, contact: Contact, *, open_carts: int) -> None:
    converts = open_carts or order.cart_token
    if converts and order.counted and order.contact_id == contact.pk:
        _carts_convert_by_order(order, contact)


def _carts_convert_by_order(order: Order, contact: Contact) -> None:
    """Carts this order completed stop being "abandoned" (A3): the one it names by token,
    and the contact's carts last changed before the order was placed."""
    workspace = contact.workspace
    open_carts = scoped(Cart, workspace).filter(converted_at__isnull=True)
    match = Q(contact=contact, updated_at_store__lte=order.placed_at)
    if order.cart_token:
        match |= Q(token=order.cart_token)
    open_carts.filter(match).update(converted_at=order.placed_at, order=order)
