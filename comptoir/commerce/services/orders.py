"""Orders: the upsert keyed by the store's id, and its cancellation."""

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from comptoir.commerce import events, followers, inputs, postgres
from comptoir.commerce.figures import Figures
from comptoir.commerce.models import (
    Order,
    OrderItem,
    Source,
)
from comptoir.commerce.services.base import (
    ATTEMPTS,
    Upserted,
    _contact_source,
    _is_stale,
    _item_rows,
    _lock_contact,
    _remember_items,
    _retrying,
)
from comptoir.commerce.services.contact_figures import (
    _after_figures,
    _after_order_change,
    _carts_convert_by_order,
    _figures_store,
)
from comptoir.commerce.services.store_contacts import (
    contact_for_store,
)
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

# ---------------------------------------------------------------------------- orders


def _after_commit_tell_automations(*, order_external_id: str, workspace: Workspace) -> None:
    """Reminders of the carts an order converts stop, a first order may be welcomed (A1,
    A6): once the order is committed, whatever this transaction still writes."""

    def tell():
        order = scoped(Order, workspace).filter(external_id=order_external_id).first()
        if order is not None:
            followers.order_written(order_id=order.pk)

    # robust: a failure there is logged and never turns the stored order into an error.
    transaction.on_commit(tell, robust=True)


def order_upsert(
    *,
    workspace: Workspace,
    external_id: str,
    data: Mapping,
    source: str = Source.API,
    email_required: bool = True,
) -> Upserted[Order]:
    """Create or update the store's order `external_id` (O1) from `data` (the keys of
    CONTRACT's `PUT /orders`).

    An unknown address creates the contact (source `order`, or `pos` for the till); a known
    one, in any case, attaches to it (C2). ServiceError (422) for invalid data, before any
    write. `email_required=False` lets adapters keep orders without an address (a walk-in
    sale): they belong to no contact.
    """
    external_id = inputs.external_id(external_id, what="order id")
    clean = inputs.order(data, workspace=workspace, email_required=email_required)
    digest = clean.digest()
    # Replays (a store retrying a webhook, a nightly re-sync) are answered from one indexed
    # read, without a transaction or a lock.
    known = (
        scoped(Order, workspace)
        .filter(external_id=external_id)
        .values_list("pk", "digest", "updated_at_store")
        .order_by()[:1]
    )
    known = known[0] if known else None
    if known is not None and _is_replay(clean, digest, known_digest=known[1], known_stamp=known[2]):
        order = scoped(Order, workspace).prefetch_related("items").get(pk=known[0])
        return Upserted(order, created=False, changed=False)
    attempts = iter(range(ATTEMPTS))

    def write():
        # A new order is inserted straight away; when a concurrent request inserted it first,
        # the unique key refuses ours and the next attempt reads and updates theirs.
        insert = known is None and next(attempts) == 0
        return _order_write(
            workspace=workspace,
            external_id=external_id,
            clean=clean,
            digest=digest,
            source=source,
            insert=insert,
        )

    return _retrying(write)


def _is_replay(clean: inputs.OrderInput, digest: str, *, known_digest, known_stamp) -> bool:
    """Whether a stored order (its digest and store time) already is what `clean` says, or
    newer: answered without a write (O1)."""
    same = known_digest == digest and not _is_stale(known_stamp, clean.updated_at)
    return same or _is_stale(clean.updated_at, known_stamp)


def _order_write(
    *,
    workspace: Workspace,
    external_id: str,
    clean: inputs.OrderInput,
    digest: str,
    source: str,
    insert: bool,
) -> Upserted[Order]:
    with transaction.atomic():
        _after_commit_tell_automations(order_external_id=external_id, workspace=workspace)
        contact, new_contact = None, False
        if clean.email:
            # The contact first, then the order: every writer takes the locks in this order.
            contact, new_contact = contact_for_store(
                workspace=workspace,
                email=clean.email,
                source=_contact_source(clean.channel),
                details=clean.contact_details(),
            )
        if insert:
            return _order_create(
                workspace=workspace,
                external_id=external_id,
                clean=clean,
                digest=digest,
                source=source,
                contact=contact,
                new_contact=new_contact,
            )
        order = scoped(Order, workspace).select_for_update().filter(external_id=external_id)
        order = order.order_by()[:1]
        if not order:
            return _order_create(
                workspace=workspace,
                external_id=external_id,
                clean=clean,
                digest=digest,
                source=source,
                contact=contact,
            )
        return _order_update(order[0], clean, digest, source, contact)


def _order_new(*, workspace, external_id, clean, digest, source, contact) -> Order:
    """The unsaved new order `clean` describes."""
    return Order(
        workspace=workspace,
        external_id=external_id,
        contact=contact,
        digest=digest,
        updated_at_store=clean.updated_at,
        source=source,
        **clean.order_fields(),
    )


def _order_create(
    *, workspace, external_id, clean, digest, source, contact, new_contact: bool = False
) -> Upserted[Order]:
    order = _order_new(
        workspace=workspace,
        external_id=external_id,
        clean=clean,
        digest=digest,
        source=source,
        contact=contact,
    )
    items = _item_rows(clean.items, lambda **f: OrderItem(order=order, **f))
    if contact is not None and postgres.in_use():
        previous_last = contact.last_order_at
        figures = postgres.order_insert(order, items, contact, events.order_recorded_entry(order))
        _remember_items(order, items)
        _after_figures(order, contact, figures, previous_last, created=True)
        return Upserted(order, created=True, changed=True)

    order.save(force_insert=True)
    _remember_items(order, OrderItem.objects.bulk_create(items))
    if contact is not None:
        events.order_recorded_event(contact=contact, order=order)
    if new_contact:
        # Created in this transaction, from this order: its only order, its own details, no
        # carts — the figures are this order's, with no need to read them back.
        counted = order.counted
        figures = Figures(
            count=int(counted),
            spent=order.total if counted else Decimal("0.00"),
            first=order.placed_at if counted else None,
            last=order.placed_at if counted else None,
            open_carts=0,
        )
        _figures_store(contact, figures)
        if counted and order.cart_token:
            _carts_convert_by_order(order, contact)
    else:
        _after_order_change(order, contact, created=True)
    return Upserted(order, created=True, changed=True)


def _current_items(order: Order) -> tuple[inputs.Item, ...]:
    return tuple(
        inputs.Item(product_id=p, name=n, quantity=q, price=price)
        for p, n, q, price in order.items.order_by("position", "id").values_list(
            "product_external_id", "name", "quantity", "price"
        )
    )


def _order_update(order: Order, clean, digest, source, contact) -> Upserted[Order]:
    workspace = contact.workspace if contact is not None else order.workspace
    if _is_stale(clean.updated_at, order.updated_at_store) or order.digest == digest:
        if order.digest == digest and _is_stale(order.updated_at_store, clean.updated_at):
            # Nothing we keep changed, but later versions must be compared with this time.
            order.updated_at_store = clean.updated_at
            order.save(update_fields=["updated_at_store", "updated_at"])
        return Upserted(order, created=False, changed=False)

    previous_contact = None
    if order.contact_id is not None and order.contact_id != getattr(contact, "pk", None):
        previous_contact = _lock_contact(workspace, order.contact_id)
    was_status = order.status
    fields = clean.order_fields()
    changes = sorted(field for field, value in fields.items() if getattr(order, field) != value)
    items_changed = _current_items(order) != clean.items
    if items_changed:
        changes.append("items")
    if previous_contact is not None:
        changes.append("contact")
    if order.is_draft:
        changes.append("is_draft")
    for field, value in fields.items():
        setattr(order, field, value)
    order.contact = contact
    order.digest = digest
    order.updated_at_store = clean.updated_at or order.updated_at_store
    order.source = source
    order.is_draft = False  # the store sent it: it is an order now, whatever it was
    order.save()
    if items_changed:
        order.items.all().delete()
        items = OrderItem.objects.bulk_create(
            _item_rows(clean.items, lambda **f: OrderItem(order=order, **f))
        )
        _remember_items(order, items)

    if contact is not None and changes:
        canceled = order.status == Order.Status.CANCELED and was_status != Order.Status.CANCELED
        events.order_changed_event(contact=contact, order=order, changes=changes, canceled=canceled)
    if previous_contact is not None:
        events.order_moved_event(
            contact=previous_contact, order=order, moved_to=getattr(contact, "pk", None)
        )
        _after_order_change(order, previous_contact)
    _after_order_change(order, contact)
    return Upserted(order, created=False, changed=True)


def order_cancel(*, workspace: Workspace, external_id: str, source: str) -> Upserted | None:
    """Mark the store's order canceled (the store deleted it): it leaves the figures but
    stays in the history. None when no such order is known."""
    external_id = inputs.external_id(external_id, what="order id")

    def write():
        with transaction.atomic():
            found = scoped(Order, workspace).filter(external_id=external_id).first()
            if found is None:
                return None
            contact = _lock_contact(workspace, found.contact_id)
            order = scoped(Order, workspace).select_for_update().get(pk=found.pk)
            if order.status == Order.Status.CANCELED:
                return Upserted(order, created=False, changed=False)
            order.status = Order.Status.CANCELED
            order.digest = ""  # whatever the store sends next applies again
            order.source = source
            order.save(update_fields=["status", "digest", "source", "updated_at"])
            if contact is not None:
                events.order_changed_event(
                    contact=contact, order=order, changes=["status"], canceled=True
                )
            _after_order_change(order, contact)
            return Upserted(order, created=False, changed=True)

    return _retrying(write)
