"""The order backfill: many orders in a few statements, each refused on its own."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import DataError, transaction
from django.utils.translation import gettext as _

from comptoir.commerce import events, inputs, postgres
from comptoir.commerce.models import (
    Cart,
    Order,
    OrderItem,
    Source,
)
from comptoir.commerce.services.base import _contact_source, _item_rows, _retrying, logger
from comptoir.commerce.services.contact_figures import _carts_follow, _details_follow
from comptoir.commerce.services.orders import (
    _is_replay,
    _order_new,
    _order_write,
)
from comptoir.commerce.services.store_contacts import (
    contacts_for_store,
)
from comptoir.contacts.normalize import email_key
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

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
            workspace=workspace,
            external_id=one.external_id,
            clean=one.clean,
            digest=one.digest,
            source=source,
            insert=insert,
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
            (
                one,
                _order_new(
                    workspace=workspace,
                    external_id=one.external_id,
                    clean=one.clean,
                    digest=one.digest,
                    source=source,
                    contact=contact,
                ),
            )
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
    events.orders_recorded_events(
        orders=(order for _one, order in orders), insert=postgres.rows_insert
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
