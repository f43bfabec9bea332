"""What every commerce upsert shares: the retry on a lost race, staleness, item rows."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import IntegrityError, OperationalError

from comptoir.commerce import inputs
from comptoir.commerce.models import (
    Order,
)
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

logger = logging.getLogger("comptoir.commerce.services")  # the name it has always had

T = TypeVar("T")
ATTEMPTS = 5
# Orders that make a customer and count in the figures (C3, C5).
COUNTED = Order.counted_q()


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
