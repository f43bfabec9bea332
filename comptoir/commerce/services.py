"""Every write of commerce (house rule 1): keyword-only, typed, atomic.

Orders, carts, products and subscriptions are **upserts keyed by the store's own ids**:

- the same payload again changes nothing and writes no timeline entry (O1) — recognised by
  a digest of the cleaned payload, from one indexed read, without a lock;
- when the store sends its own modification time (`updated_at`), an older version arriving
  after a newer one is ignored; without it, the last write wins;
- each order change recomputes the contact's figures (C5) and type (C3) from its orders in
  the same transaction, with the contact row locked, so concurrent orders for one person
  queue up instead of losing each other's figures;
- a race on a unique key (two requests creating the same order or contact at once) is
  retried: the second attempt reads what the first wrote.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from django.db import DataError, IntegrityError, OperationalError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.automations import services as automations
from comptoir.commerce import inputs, postgres
from comptoir.commerce.events import CommerceEvent
from comptoir.commerce.figures import Figures, order_figures
from comptoir.commerce.models import (
    Cart,
    CartItem,
    Order,
    OrderItem,
    Product,
    Source,
    StoreConnection,
    Subscription,
)
from comptoir.contacts.models import Contact
from comptoir.contacts.normalize import email_key
from comptoir.contacts.services import (
    contact_details_sync,
    contact_event_add,
    contact_events_add,
    contact_figures_set,
    contact_for_store,
    contact_lock,
    contacts_for_store,
)
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

logger = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 5
# Orders that make a customer and count in the figures (C3, C5).
COUNTED = Q(is_draft=False) & ~Q(status=Order.Status.CANCELED)


@dataclass(frozen=True)
class Upserted(Generic[T]):
    obj: T
    created: bool
    changed: bool


def _retrying(write: Callable[[], T]) -> T:
    """Run `write` (one atomic block) again when a concurrent request won a race: on a
    unique key (IntegrityError) or on row locks (a deadlock PostgreSQL broke)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return write()
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
        except OperationalError as error:
            if attempt == ATTEMPTS or getattr(error.__cause__, "sqlstate", None) != "40P01":
                raise
        logger.info("commerce write retried after a concurrent change (attempt %d)", attempt)
    raise AssertionError("unreachable")


def _is_stale(incoming, stored) -> bool:
    return incoming is not None and stored is not None and incoming < stored


def _item_rows(items: Iterable[inputs.Item], make) -> list:
    return [
        make(
            position=position,
            product_external_id=item.product_id,
            name=item.name,
            quantity=item.quantity,
            price=item.price,
        )
        for position, item in enumerate(items)
    ]


def _remember_items(obj, items: list) -> None:
    """Keep the rows just written as the object's `items`, as a prefetch would: the API
    answers with them without reading them back."""
    # What QuerySet.prefetch_related() itself stores: a queryset with its rows in cache.
    queryset = obj.items.all()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    obj._prefetched_objects_cache = {"items": queryset}


def _contact_source(channel: str) -> str:
    return Contact.Source.POS if channel == Order.Channel.POS else Contact.Source.ORDER


def _lock_contact(workspace: Workspace, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = scoped(Contact, workspace).select_for_update().filter(pk=contact_id).first()
    if contact is not None:
        contact.workspace = workspace
    return contact


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


def _order_event_data(order: Order, **extra) -> dict:
    return {
        "order_id": order.pk,
        "external_id": order.external_id,
        "number": order.number,
        "total": str(order.total),
        "currency": order.currency,
        "status": order.status,
        **extra,
    }


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


# ---------------------------------------------------------------------------- orders


def _after_commit_tell_automations(*, order_external_id: str, workspace: Workspace) -> None:
    """Reminders of the carts an order converts stop, a first order may be welcomed (A1,
    A6): once the order is committed, whatever this transaction still writes."""

    def tell():
        order = scoped(Order, workspace).filter(external_id=order_external_id).first()
        if order is not None:
            automations.order_written(order_id=order.pk)

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
        return _order_write(workspace, external_id, clean, digest, source, insert=insert)

    return _retrying(write)


def _is_replay(clean: inputs.OrderInput, digest: str, *, known_digest, known_stamp) -> bool:
    """Whether a stored order (its digest and store time) already is what `clean` says, or
    newer: answered without a write (O1)."""
    same = known_digest == digest and not _is_stale(known_stamp, clean.updated_at)
    return same or _is_stale(clean.updated_at, known_stamp)


def _order_write(
    workspace: Workspace,
    external_id: str,
    clean: inputs.OrderInput,
    digest: str,
    source: str,
    *,
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
                workspace, external_id, clean, digest, source, contact, new_contact=new_contact
            )
        order = scoped(Order, workspace).select_for_update().filter(external_id=external_id)
        order = order.order_by()[:1]
        if not order:
            return _order_create(workspace, external_id, clean, digest, source, contact)
        return _order_update(order[0], clean, digest, source, contact)


def _order_new(workspace, external_id, clean, digest, source, contact) -> Order:
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
    workspace, external_id, clean, digest, source, contact, *, new_contact: bool = False
) -> Upserted[Order]:
    order = _order_new(workspace, external_id, clean, digest, source, contact)
    items = _item_rows(clean.items, lambda **f: OrderItem(order=order, **f))
    if contact is not None and postgres.in_use():
        previous_last = contact.last_order_at
        figures = postgres.order_insert(order, items, contact, _order_placed_event(order))
        _remember_items(order, items)
        _after_figures(order, contact, figures, previous_last, created=True)
        return Upserted(order, created=True, changed=True)

    order.save(force_insert=True)
    _remember_items(order, OrderItem.objects.bulk_create(items))
    if contact is not None:
        kind, data = _order_placed_event(order)
        contact_event_add(contact, kind, order_id=order.pk, **data)
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


def _order_placed_event(order: Order, *, with_id: bool = False) -> tuple[str, dict]:
    """The timeline entry of a new order: (kind, data), the order's id left out unless
    `with_id` (commerce.postgres adds it in SQL)."""
    canceled = order.status == Order.Status.CANCELED
    kind = CommerceEvent.ORDER_CANCELED if canceled else CommerceEvent.ORDER_PLACED
    data = _order_event_data(order)
    if not with_id:
        del data["order_id"]
    return kind, data


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
        if order.status == Order.Status.CANCELED and was_status != Order.Status.CANCELED:
            kind = CommerceEvent.ORDER_CANCELED
        else:
            kind = CommerceEvent.ORDER_UPDATED
        contact_event_add(contact, kind, **_order_event_data(order, changes=changes))
    if previous_contact is not None:
        contact_event_add(
            previous_contact,
            CommerceEvent.ORDER_UPDATED,
            **_order_event_data(order, changes=["contact"], moved_to=getattr(contact, "pk", None)),
        )
        _after_order_change(order, previous_contact)
    _after_order_change(order, contact)
    return Upserted(order, created=False, changed=True)


# ----------------------------------------------------------------- order backfill

BATCH_MAX = 1000


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one order of a batch: `created`, `updated`, `unchanged` or `error`
    (with the machine `code` and the `detail` a single PUT would have answered)."""

    index: int
    external_id: str
    status: str
    order_id: int | None = None
    code: str = ""
    detail: str = ""


@dataclass(frozen=True)
class _Pending:
    index: int
    external_id: str
    clean: inputs.OrderInput
    digest: str


def _refused(index: int, external_id, error: ServiceError) -> BatchOutcome:
    return BatchOutcome(index, str(external_id), "error", code=error.code, detail=error.message)


def _unstorable() -> ServiceError:
    return ServiceError(_("A value of the order cannot be stored."), code="invalid_value")


def batch_too_large() -> ServiceError:
    return ServiceError(
        _("A batch holds at most %(max)d orders.") % {"max": BATCH_MAX}, code="too_many_orders"
    )


def orders_batch_upsert(
    *, workspace: Workspace, orders: Sequence[tuple[str, Mapping]], source: str = Source.API
) -> list[BatchOutcome]:
    """`order_upsert` for up to BATCH_MAX orders (external_id, data) at once — a shop's
    history. Each order follows the PUT's rules and is answered on its own: a bad one is an
    `error` outcome and the others are stored; the same batch again is all `unchanged`.

    On PostgreSQL the new orders are written set-based (one statement per table for the
    whole batch) and each contact's figures are recomputed once; orders already stored that
    changed, and every order on SQLite, go through the PUT's own write, each in a
    savepoint. ServiceError `too_many_orders` (422) for a larger batch.
    """
    if len(orders) > BATCH_MAX:
        raise batch_too_large()
    outcomes: dict[int, BatchOutcome] = {}
    pending, seen = [], set()
    for index, (external_id, data) in enumerate(orders):
        try:
            external_id = inputs.external_id(external_id, what="order id")
            clean = inputs.order(data, workspace=workspace)
        except ServiceError as error:
            outcomes[index] = _refused(index, external_id, error)
            continue
        if external_id in seen:
            error = ServiceError(
                _("This order id comes earlier in the batch."), code="duplicate_in_batch"
            )
            outcomes[index] = _refused(index, external_id, error)
            continue
        seen.add(external_id)
        pending.append(_Pending(index, external_id, clean, clean.digest()))
    if pending:
        outcomes |= _retrying(lambda: _batch_write(workspace, pending, source))
    return [outcomes[index] for index in range(len(orders))]


def _batch_write(workspace, pending: list[_Pending], source) -> dict[int, BatchOutcome]:
    outcomes = {}
    with transaction.atomic():
        external_ids = [one.external_id for one in pending]
        if postgres.in_use():
            known = postgres.known_orders(workspace.pk, external_ids)
        else:
            known = {
                external_id: rest
                for external_id, *rest in scoped(Order, workspace)
                .filter(external_id__in=external_ids)
                .values_list("external_id", "pk", "digest", "updated_at_store")
                .order_by()
            }
        new = []
        for one in pending:
            found = known.get(one.external_id)
            if found is None:
                new.append(one)
            elif _is_replay(one.clean, one.digest, known_digest=found[1], known_stamp=found[2]):
                outcomes[one.index] = BatchOutcome(
                    one.index, one.external_id, "unchanged", order_id=found[0]
                )
            else:
                outcomes[one.index] = _batch_one(workspace, one, source, insert=False)
        if new and postgres.in_use():
            try:
                with transaction.atomic():
                    outcomes |= _batch_create(workspace, new, source)
                new = []
            except DataError:
                # A value PostgreSQL refuses (validation let it through): one by one, so
                # that it is that order's error alone.
                logger.info("order batch written one by one after a refused value")
        for one in new:
            outcomes[one.index] = _batch_one(workspace, one, source, insert=True)
    return outcomes


def _batch_one(workspace, one: _Pending, source, *, insert: bool) -> BatchOutcome:
    """One order of a batch through the PUT's own write, in a savepoint."""
    try:
        result = _order_write(
            workspace, one.external_id, one.clean, one.digest, source, insert=insert
        )
    except ServiceError as error:
        return _refused(one.index, one.external_id, error)
    except DataError:
        return _refused(one.index, one.external_id, _unstorable())
    status = "created" if result.created else "updated" if result.changed else "unchanged"
    return BatchOutcome(one.index, one.external_id, status, order_id=result.obj.pk)


def _batch_create(workspace, new: list[_Pending], source) -> dict[int, BatchOutcome]:
    """The batch's new orders, set-based (PostgreSQL): their contacts, orders, lines and
    timeline entries in one insert each, then each contact's figures once, and the details
    and carts that follow, by the same rules as `_order_create`."""
    wanted = {}
    for one in new:
        if one.clean.email:
            key = email_key(one.clean.email)
            # A new contact is made from its first order, as the PUT makes it.
            details = (
                one.clean.email,
                _contact_source(one.clean.channel),
                one.clean.contact_details(),
            )
            wanted.setdefault(key, details)
    contacts, _created, refused = contacts_for_store(workspace=workspace, wanted=wanted)
    outcomes, orders = {}, []
    for one in new:
        key = email_key(one.clean.email) if one.clean.email else None
        if key in refused:
            outcomes[one.index] = _refused(one.index, one.external_id, refused[key])
            continue
        contact = contacts.get(key)
        orders.append(
            (one, _order_new(workspace, one.external_id, one.clean, one.digest, source, contact))
        )
    postgres.rows_insert([order for _one, order in orders])
    postgres.rows_insert(
        [
            line
            for one, order in orders
            for line in _item_rows(
                one.clean.items, lambda order=order, **f: OrderItem(order=order, **f)
            )
        ]
    )
    by_contact: dict[int, list[Order]] = {}
    for _one, order in orders:
        if order.contact is not None:
            by_contact.setdefault(order.contact_id, []).append(order)
    contact_events_add(
        (
            (order.contact, *_order_placed_event(order, with_id=True))
            for _one, order in orders
            if order.contact is not None
        ),
        insert=postgres.rows_insert,
    )
    touched = [contact for contact in contacts.values() if contact.pk in by_contact]
    previous_last = {contact.pk: contact.last_order_at for contact in touched}
    postgres.figures_refresh(touched)
    open_carts = set(
        scoped(Cart, workspace)
        .filter(contact_id__in=list(by_contact), converted_at__isnull=True)
        .values_list("contact_id", flat=True)
        .distinct()
    )
    for contact in touched:
        placed = by_contact[contact.pk]
        # The order the contact's details come from, as _details_source ranks them.
        latest = max(placed, key=lambda order: (order.counted, order.placed_at, order.external_id))
        _details_follow(latest, contact, previous_last[contact.pk], created=True)
        for order in placed:
            _carts_follow(order, contact, open_carts=int(contact.pk in open_carts))
    for one, order in orders:
        outcomes[one.index] = BatchOutcome(one.index, one.external_id, "created", order_id=order.pk)
    return outcomes


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
                contact_event_add(
                    contact,
                    CommerceEvent.ORDER_CANCELED,
                    **_order_event_data(order, changes=["status"]),
                )
            _after_order_change(order, contact)
            return Upserted(order, created=False, changed=True)

    return _retrying(write)


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
    contact_event_add(contact, CommerceEvent.DRAFT_ORDER_CREATED, actor, **_order_event_data(order))
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
        contact_event_add(
            contact, CommerceEvent.ORDER_PLACED, actor, **_order_event_data(order, draft=True)
        )
    _after_order_change(order, contact)
    transaction.on_commit(lambda: automations.order_written(order_id=order.pk), robust=True)
    return order


# -------------------------------------------------------------------------- products


def _link_subscriptions(workspace: Workspace, product: Product) -> None:
    """Subscriptions that named this product before it was known now point at it."""
    key = {"product__isnull": True, "product_external_id": product.external_id}
    scoped(Subscription, workspace).filter(**key).update(product=product)


def product_upsert(*, workspace: Workspace, external_id: str, data: Mapping) -> Upserted[Product]:
    """Create or update the store's product `external_id` (O2). Products concern no
    contact: nothing goes on a timeline."""
    external_id = inputs.external_id(external_id, what="product id")
    clean = asdict(inputs.product(data))

    def write():
        with transaction.atomic():
            product = scoped(Product, workspace).select_for_update()
            product = product.filter(external_id=external_id).first()
            if product is None:
                product = Product.objects.create(
                    workspace=workspace, external_id=external_id, **clean
                )
                _link_subscriptions(workspace, product)
                return Upserted(product, created=True, changed=True)
            changed = [field for field, value in clean.items() if getattr(product, field) != value]
            if not changed:
                return Upserted(product, created=False, changed=False)
            for field in changed:
                setattr(product, field, clean[field])
            product.save(update_fields=[*changed, "updated_at"])
            return Upserted(product, created=False, changed=True)

    return _retrying(write)


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
        transaction.on_commit(lambda: automations.cart_changed(cart_id=cart.pk), robust=True)
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
            contact_event_add(
                contact,
                CommerceEvent.CART_CREATED,
                cart_id=cart.pk,
                token=cart.token,
                items=len(clean.items),
            )
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


# --------------------------------------------------------------------- subscriptions


def subscription_upsert(
    *, workspace: Workspace, external_id: str, data: Mapping, source: str = Source.API
) -> Upserted[Subscription]:
    """Create or update the store's recurring subscription `external_id` (O3)."""
    external_id = inputs.external_id(external_id, what="subscription id")
    clean = inputs.subscription(data, workspace=workspace)

    def write():
        with transaction.atomic():
            contact, _created = contact_for_store(
                workspace=workspace, email=clean.email, source=Contact.Source.API
            )
            subscription = scoped(Subscription, workspace).select_for_update()
            subscription = subscription.filter(external_id=external_id).first()
            product = None
            if clean.product_id:
                product = scoped(Product, workspace).filter(external_id=clean.product_id).first()
            values = {
                "contact_id": contact.pk,
                "product_external_id": clean.product_id,
                "product_id": getattr(product, "pk", None),
                "status": clean.status,
                "next_billing_at": clean.next_billing_at,
            }
            data = {
                "subscription_id": None,
                "external_id": external_id,
                "product": getattr(product, "name", clean.product_id),
                "status": clean.status,
            }
            if subscription is None:
                subscription = Subscription.objects.create(
                    workspace=workspace, external_id=external_id, source=source, **values
                )
                data["subscription_id"] = subscription.pk
                contact_event_add(contact, CommerceEvent.SUBSCRIPTION_STARTED, **data)
                return Upserted(subscription, created=True, changed=True)
            changed = [f for f, v in values.items() if getattr(subscription, f) != v]
            if not changed:
                return Upserted(subscription, created=False, changed=False)
            previous_status = subscription.status
            for field in changed:
                setattr(subscription, field, values[field])
            subscription.source = source
            subscription.save()
            if previous_status != clean.status or "contact_id" in changed:
                data.update(subscription_id=subscription.pk, previous_status=previous_status)
                contact_event_add(contact, CommerceEvent.SUBSCRIPTION_CHANGED, **data)
            return Upserted(subscription, created=False, changed=True)

    return _retrying(write)


# ------------------------------------------------------------------------- customers


def customer_upsert(
    *, workspace: Workspace, email: str, details: dict, origin: dict
) -> Upserted[Contact] | None:
    """A store's customer record (Shopify `customers/*`): creates the contact, or updates
    the details of an unlocked one (C6). None when the record has no address."""
    address = inputs.email(email, required=False)
    if not address:
        return None
    details = {
        "first_name": inputs.text(details.get("first_name"), 150),
        "last_name": inputs.text(details.get("last_name"), 150),
        "phone": inputs.phone(details.get("phone")),
        "shipping_address": inputs.address(details.get("shipping_address")),
        "has_account": details.get("has_account"),
    }

    def write():
        with transaction.atomic():
            contact, created = contact_for_store(
                workspace=workspace,
                email=address,
                source=Contact.Source.API,
                details={k: v for k, v in details.items() if v not in (None, "", {})},
            )
            if created:
                return Upserted(contact, created=True, changed=True)
            changes = contact_details_sync(contact=contact, details=details, origin=origin)
            return Upserted(contact, created=False, changed=bool(changes))

    return _retrying(write)


# ------------------------------------------------------------------ store connections


def _store_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if not secret or len(secret) > 255:
        raise ServiceError(
            _("The shared secret must be 1 to 255 characters."), code="invalid_secret"
        )
    return secret


def store_connection_create(
    *, workspace: Workspace, platform: str, secret: str | None, actor: User | None
) -> StoreConnection:
    """A webhook endpoint for a store platform (O4): an unguessable URL for this workspace
    and the shared secret its signatures are checked with.

    Without a secret: WooCommerce gets one made here (the merchant pastes it into the
    webhook's Secret field, so it is shown once); Shopify waits for its own signing key,
    which it shows only once a webhook pointing here exists."""
    if platform not in StoreConnection.Platform.values:
        raise ServiceError(_("Unknown store platform."), code="invalid_platform")
    if secret is not None:
        secret = _store_secret(secret)
    elif platform == StoreConnection.Platform.WOOCOMMERCE:
        secret = secrets.token_urlsafe(32)
    else:
        secret = ""
    connection = StoreConnection.objects.create(
        workspace=workspace,
        platform=platform,
        secret=secret,
        url_token=secrets.token_urlsafe(32),
        created_by=actor,
    )
    logger.info("store connection %s (%s) created by %s", connection.pk, platform, actor)
    return connection


def store_connection_secret_set(
    *, connection: StoreConnection, secret: str, actor: User | None
) -> StoreConnection:
    """Replace the secret with the one the store uses (Shopify's signing key, or the
    Secret typed into a WooCommerce webhook): from now on only its signatures pass."""
    connection.secret = _store_secret(secret)
    connection.save(update_fields=["secret"])
    logger.info("store connection %s: secret replaced by %s", connection.pk, actor)
    return connection


def store_connection_secret_regenerate(*, connection: StoreConnection, actor: User | None) -> str:
    """A new random secret for a WooCommerce connection (the old one may have leaked): the
    store's webhooks are refused until the new one is pasted there. Returned to be shown
    once. Shopify chooses its own signing key, so there is nothing to make for it."""
    if connection.platform != StoreConnection.Platform.WOOCOMMERCE:
        raise ServiceError(
            _("Shopify chooses its signing key: paste the one it shows instead."),
            code="secret_chosen_by_platform",
        )
    connection.secret = secrets.token_urlsafe(32)
    connection.save(update_fields=["secret"])
    logger.info("store connection %s: secret regenerated by %s", connection.pk, actor)
    return connection.secret


def store_connection_delete(*, connection: StoreConnection, actor: User | None) -> None:
    """Stop accepting this connection's webhooks: its URL answers 404 from now on."""
    logger.info("store connection %s deleted by %s", connection.pk, actor)
    connection.delete()


def store_connection_record(
    *, connection: StoreConnection, result: str, reason: str, topic: str = "", detail: str = ""
) -> None:
    """Note what became of a webhook (shown to staff on the store page). A verdict like the
    one stored is written at most once a minute, so that a burst of orders does not queue
    on one row; a different verdict is written at once, so that the page tells a merchant
    at once whether the secret they just fixed works."""
    now = timezone.now()
    last = connection.last_received_at
    same = (connection.last_result, connection.last_reason) == (result, reason) or (
        result == connection.last_result == StoreConnection.Result.ACCEPTED
    )
    if last is not None and same and (now - last).total_seconds() <= 60:
        return
    values = {
        "last_received_at": now,
        "last_result": result,
        "last_reason": reason[:40],
        "last_topic": topic[:64],
        "last_detail": detail[:200],
    }
    StoreConnection.objects.filter(pk=connection.pk).update(**values)
    for field, value in values.items():
        setattr(connection, field, value)


def payload_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
