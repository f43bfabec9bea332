"""Carts: the upsert keyed by the store's token, and their conversion into an order."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q

from comptoir.commerce import events, followers, inputs
from comptoir.commerce.models import (
    Cart,
    CartItem,
    Order,
    Source,
)
from comptoir.commerce.services.base import (
    COUNTED,
    Upserted,
    _is_stale,
    _item_rows,
    _remember_items,
    _retrying,
)
from comptoir.commerce.services.store_contacts import (
    contact_for_store,
)
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

# ----------------------------------------------------------------------------- carts


def cart_upsert(
    *, workspace: Workspace, token: str, data: Mapping, source: str = Source.API
) -> Upserted[Cart]:
    """Create or update the store's cart `token` (O2). Its address attaches it to the
    contact, created as a prospect when new (C2). A cart the store completed, or followed by
    an order of the same person, is converted and never reminded (A3)."""
    token = inputs.external_id(token, what="cart token")
    clean = inputs.cart(data, workspace=workspace)
    digest = clean.digest()
    known = scoped(Cart, workspace).filter(token=token).first()
    if known is not None and (
        known.digest == digest or _is_stale(clean.updated_at, known.updated_at_store)
    ):
        return Upserted(known, created=False, changed=False)
    return _retrying(lambda: _cart_write(workspace, token, clean, digest, source))


def _cart_write(workspace, token, clean: inputs.CartInput, digest, source) -> Upserted[Cart]:
    with transaction.atomic():
        contact = None
        if clean.email:
            contact, _created = contact_for_store(
                workspace=workspace, email=clean.email, source=Contact.Source.API
            )
        cart = scoped(Cart, workspace).select_for_update().filter(token=token).first()
        if cart is not None and (
            cart.digest == digest or _is_stale(clean.updated_at, cart.updated_at_store)
        ):
            return Upserted(cart, created=False, changed=False)
        created = cart is None
        if created:
            cart = Cart(workspace=workspace, token=token)
        transaction.on_commit(lambda: followers.cart_changed(cart_id=cart.pk), robust=True)
        cart.contact = contact
        cart.email = clean.email
        cart.currency = clean.currency or workspace.currency
        cart.recovery_url = clean.recovery_url
        cart.updated_at_store = clean.updated_at
        cart.completed_at = clean.completed_at
        cart.digest = digest
        cart.source = source
        if cart.converted_at is None:
            _cart_conversion(workspace, cart, contact)
        cart.save()
        if not created:
            cart.items.all().delete()
        items = CartItem.objects.bulk_create(
            _item_rows(clean.items, lambda **f: CartItem(cart=cart, **f))
        )
        _remember_items(cart, items)
        if created and contact is not None:
            events.cart_started_event(contact=contact, cart=cart, items=len(clean.items))
        return Upserted(cart, created=created, changed=True)


def _cart_conversion(workspace: Workspace, cart: Cart, contact: Contact | None) -> None:
    orders = scoped(Order, workspace).filter(COUNTED)
    if cart.completed_at is not None:
        cart.converted_at = cart.completed_at
        cart.order = orders.filter(cart_token=cart.token).order_by("placed_at", "pk").first()
        return
    match = Q(cart_token=cart.token)
    if contact is not None:
        match |= Q(contact=contact, placed_at__gte=cart.updated_at_store)
    order = orders.filter(match).order_by("placed_at", "pk").first()
    if order is not None:
        cart.converted_at = order.placed_at
        cart.order = order
