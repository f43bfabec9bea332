"""The timeline entries that commerce writes (C4): one keyword-only writer per event, each
through contacts' one timeline writer.

ContactEvent.kind has no choices on purpose; these labels are what the timeline shows for a
kind `web/timeline.py` has no sentence of its own for.
"""

from collections.abc import Callable, Iterable
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.commerce.models import Cart, Order, StoreConnection, Subscription
from comptoir.contacts.events import contact_event_add, contact_events_add
from comptoir.contacts.models import Contact
from comptoir.core.audit import audit_record
from comptoir.core.models import User


class CommerceEvent(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    ORDER_UPDATED = "order_updated", _("Order updated")
    ORDER_CANCELED = "order_canceled", _("Order canceled")
    DRAFT_ORDER_CREATED = "draft_order_created", _("Draft order created")
    CART_CREATED = "cart_created", _("Cart started")
    SUBSCRIPTION_STARTED = "subscription_started", _("Subscription started")
    SUBSCRIPTION_CHANGED = "subscription_changed", _("Subscription changed")
    DETAILS_SYNCED = "details_synced", _("Details updated by the store")


# ------------------------------------------------------------------------------ orders


def order_event_data(order: Order, **extra) -> dict:
    """What every order entry holds: enough to read it without the order (which may go)."""
    return {
        "order_id": order.pk,
        "external_id": order.external_id,
        "number": order.number,
        "total": str(order.total),
        "currency": order.currency,
        "status": order.status,
        **extra,
    }


def order_recorded_entry(order: Order, *, with_id: bool = False) -> tuple[CommerceEvent, dict]:
    """The entry of an order the store sent for the first time, as (kind, data): placed, or
    canceled when it arrives canceled. The order's id is left out unless `with_id`
    (commerce.postgres adds it in SQL, in the statement that inserts the order)."""
    canceled = order.status == Order.Status.CANCELED
    kind = CommerceEvent.ORDER_CANCELED if canceled else CommerceEvent.ORDER_PLACED
    data = order_event_data(order)
    if not with_id:
        del data["order_id"]
    return kind, data


def order_recorded_event(*, contact: Contact, order: Order) -> None:
    kind, data = order_recorded_entry(order, with_id=True)
    contact_event_add(contact, kind, **data)


def orders_recorded_events(*, orders: Iterable[Order], insert: Callable[[list], object]) -> None:
    """`order_recorded_event` for a whole backfill batch in one insert (`insert`: see
    `contact_events_add`)."""
    contact_events_add(
        (
            (order.contact, *order_recorded_entry(order, with_id=True))
            for order in orders
            if order.contact is not None
        ),
        insert=insert,
    )


def order_changed_event(
    *, contact: Contact, order: Order, changes: list[str], canceled: bool
) -> None:
    """An update of a known order; `canceled` when this update is the cancellation."""
    kind = CommerceEvent.ORDER_CANCELED if canceled else CommerceEvent.ORDER_UPDATED
    contact_event_add(contact, kind, **order_event_data(order, changes=changes))


def order_moved_event(*, contact: Contact, order: Order, moved_to: int | None) -> None:
    """Told to the contact an order no longer belongs to (its e-mail address changed)."""
    contact_event_add(
        contact,
        CommerceEvent.ORDER_UPDATED,
        **order_event_data(order, changes=["contact"], moved_to=moved_to),
    )


def draft_order_created_event(*, contact: Contact, order: Order, actor: User | None) -> None:
    contact_event_add(contact, CommerceEvent.DRAFT_ORDER_CREATED, actor, **order_event_data(order))


def draft_order_completed_event(*, contact: Contact, order: Order, actor: User | None) -> None:
    contact_event_add(
        contact, CommerceEvent.ORDER_PLACED, actor, **order_event_data(order, draft=True)
    )


# ----------------------------------------------------------------- carts, subscriptions


def cart_started_event(*, contact: Contact, cart: Cart, items: int) -> None:
    contact_event_add(
        contact, CommerceEvent.CART_CREATED, cart_id=cart.pk, token=cart.token, items=items
    )


def subscription_event(
    *,
    contact: Contact,
    subscription: Subscription,
    product: str,
    previous_status: str | None = None,
) -> None:
    """Started, or with `previous_status` changed (its status, or the contact it is for)."""
    data = {
        "subscription_id": subscription.pk,
        "external_id": subscription.external_id,
        "product": product,
        "status": subscription.status,
    }
    kind = CommerceEvent.SUBSCRIPTION_STARTED
    if previous_status is not None:
        kind = CommerceEvent.SUBSCRIPTION_CHANGED
        data["previous_status"] = previous_status
    contact_event_add(contact, kind, **data)


# ---------------------------------------------------------------------- contact details


def details_synced_event(
    *, contact: Contact, actor: User | None, changes: dict, origin: dict
) -> None:
    """Details the store brought (C6): `changes` maps each field to [old, new]; `origin`
    says what brought them (e.g. `{"order": "#1001"}`)."""
    contact_event_add(contact, CommerceEvent.DETAILS_SYNCED, actor, changes=changes, **origin)


# -------------------------------------------------------------------------- activity log


class Audit(StrEnum):
    """What commerce records in the workspace's activity log (core.audit): the store
    connections, since whoever holds a connection's secret can write orders and contacts."""

    STORE_CONNECTED = "store_connected"
    STORE_KEY_REPLACED = "store_key_replaced"
    STORE_KEY_REGENERATED = "store_key_regenerated"
    STORE_DISCONNECTED = "store_disconnected"


def store_connection_audit(
    *, connection: StoreConnection, actor: User | None, action: Audit
) -> None:
    audit_record(
        workspace=connection.workspace_id,
        actor=actor,
        action=action,
        connection_id=connection.pk,
        platform=connection.platform,
    )
