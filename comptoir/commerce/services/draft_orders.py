"""Draft orders written by staff in the dashboard, and their completion."""

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.commerce import events, followers, inputs
from comptoir.commerce.models import (
    Order,
    OrderItem,
    Product,
    Source,
)
from comptoir.commerce.services.base import _item_rows, _lock_contact
from comptoir.commerce.services.contact_figures import _after_order_change
from comptoir.contacts.models import Contact
from comptoir.contacts.services import contact_lock
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

# ---------------------------------------------------------------------- draft orders


def _draft_number(workspace: Workspace) -> str:
    drafts = scoped(Order, workspace).filter(source=Source.DASHBOARD).count()
    return f"#D{drafts + 1}"


DRAFT_NOTE_MAX = 2000


def _draft_note(value) -> str:
    note = (value or "").strip()
    if len(note) > DRAFT_NOTE_MAX:
        raise ServiceError(
            _("The note may hold at most %(max)d characters.") % {"max": DRAFT_NOTE_MAX},
            code="invalid_note",
        )
    return note


@transaction.atomic
def draft_order_create(
    *,
    contact: Contact,
    items: Iterable[Mapping],
    actor: User | None,
    currency: str | None = None,
    shipping=0,
    tax=0,
    discount=0,
    coupon_code: str = "",
    note: str = "",
) -> Order:
    """A draft order for a contact, written by staff (C13). It counts nowhere until it is
    completed (`draft_order_complete`). A line names a catalogue product (`product_id`), or
    has a free title (`name`), or both; `note` is staff's internal word on it."""
    workspace = contact.workspace
    lines = inputs.items(list(items), name_required=True)
    if not lines:
        raise ServiceError(_("A draft order needs at least one item."), code="invalid_item")
    shipping = inputs.money(shipping, "shipping", required=False)
    tax = inputs.money(tax, "tax", required=False)
    discount = inputs.money(discount, "discount", required=False)
    subtotal = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
    total = subtotal + shipping + tax - discount
    if total < 0:
        raise ServiceError(
            _("The discount cannot exceed the order's amount."), code="invalid_money"
        )
    subtotal = inputs.money(subtotal, "subtotal")
    total = inputs.money(total, "total")
    names = {}
    if any(not line.name for line in lines):
        names = dict(
            scoped(Product, workspace)
            .filter(external_id__in=[line.product_id for line in lines])
            .values_list("external_id", "name")
        )
    lines = tuple(
        inputs.Item(
            product_id=line.product_id,
            name=line.name or names.get(line.product_id, line.product_id),
            quantity=line.quantity,
            price=line.price,
        )
        for line in lines
    )
    # After the contact's lock: an erasure running meanwhile makes this a 404.
    contact_lock(contact)
    order = Order.objects.create(
        workspace=workspace,
        external_id=f"draft-{secrets.token_hex(8)}",
        contact=contact,
        number=_draft_number(workspace),
        status=Order.Status.OPEN,
        is_draft=True,
        placed_at=timezone.now(),
        currency=inputs.currency(currency or workspace.currency),
        subtotal=subtotal,
        shipping=shipping,
        tax=tax,
        discount=discount,
        total=total,
        coupon_code=inputs.text(coupon_code, 100),
        note=_draft_note(note),
        source=Source.DASHBOARD,
        email=contact.email,
        first_name=contact.first_name,
        last_name=contact.last_name,
        phone=contact.phone,
        shipping_address=contact.shipping_address,
        billing_address=contact.billing_address,
        digest="",
    )
    OrderItem.objects.bulk_create(_item_rows(lines, lambda **f: OrderItem(order=order, **f)))
    events.draft_order_created_event(contact=contact, order=order, actor=actor)
    return order


@transaction.atomic
def draft_order_complete(*, order: Order, actor: User | None) -> Order:
    """Turn a draft into a completed order, placed now: it counts in the figures, and a
    prospect becomes a customer (C3, C13). 409 `not_draft` for any other order."""
    workspace = order.workspace
    contact = _lock_contact(workspace, order.contact_id)
    order = scoped(Order, workspace).select_for_update().get(pk=order.pk)
    if not order.is_draft:
        raise ServiceError(_("This order is not a draft."), code="not_draft", status=409)
    order.is_draft = False
    order.status = Order.Status.COMPLETED
    order.placed_at = timezone.now()
    order.save(update_fields=["is_draft", "status", "placed_at", "updated_at"])
    if contact is not None:
        events.draft_order_completed_event(contact=contact, order=order, actor=actor)
    _after_order_change(order, contact)
    transaction.on_commit(lambda: followers.order_written(order_id=order.pk), robust=True)
    return order
