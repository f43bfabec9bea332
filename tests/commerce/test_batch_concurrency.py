"""Races of the order backfill on PostgreSQL: batches sharing orders and new contacts, sent
at once with single PUTs of the same orders, leave each order once, each contact once, and
figures equal to a recount."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from comptoir.commerce import services
from comptoir.commerce.models import Order
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from tests.commerce.helpers import at, order_body
from tests.commerce.test_concurrency import run_together
from tests.conftest import make_workspace

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers itself; row locks and unique-key races happen on "
        "PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def _orders(first: int, last: int) -> list[tuple[str, dict]]:
    return [
        (
            f"o-{n}",
            order_body(email=f"p{n % 7}@example.com", placed_at=at(n), total=f"{n}.50"),
        )
        for n in range(first, last)
    ]


def test_overlapping_batches_and_puts_at_once_store_each_order_once_with_right_figures():
    workspace = make_workspace()

    def batch(first, last):
        return lambda: services.orders_batch_upsert(
            workspace=workspace, orders=_orders(first, last)
        )

    def put(n):
        ((external_id, data),) = _orders(n, n + 1)
        return lambda: services.order_upsert(
            workspace=workspace, external_id=external_id, data=data
        )

    outcomes = run_together([batch(0, 40), batch(20, 60), batch(10, 50), put(5), put(25), put(55)])

    batches = [result for result in outcomes if isinstance(result, list)]
    assert {outcome.status for result in batches for outcome in result} <= {
        "created",
        "unchanged",
    }
    assert scoped(Order, workspace).count() == 60
    assert scoped(Contact, workspace).count() == 7
    recount = {
        email_key: (count, spent)
        for email_key, count, spent in scoped(Contact, workspace)
        .annotate(count=Count("orders"), spent=Sum("orders__total"))
        .values_list("email_key", "count", "spent")
    }
    for contact in scoped(Contact, workspace):
        count, spent = recount[contact.email_key]
        assert (contact.order_count, contact.total_spent) == (count, spent)
        assert spent > Decimal("0") and contact.type == Contact.Type.CUSTOMER
