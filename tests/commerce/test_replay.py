"""O1: replaying the same orders, in any order, leaves the same state — no duplicate, the
same figures and details — whatever order the store's messages arrive in.

The rule that makes it hold: a payload equal to the stored one changes nothing; an order
carrying the store's `updated_at` is ignored when older than the stored version. (Without
`updated_at`, the last write wins: see test_orders.py.)
"""

import copy
import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.commerce import services
from comptoir.commerce.models import Order, OrderItem
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.scoping import scoped
from tests.commerce.helpers import at, order_body
from tests.conftest import make_workspace

NAMES = ["Zoé", "Léa", "Hugo", "Inès", "Jules", "Chloé"]
CITIES = ["Paris", "Lyon", "Nantes", "Lille"]


def history(seed: int = 7, orders: int = 70, updates: int = 30, customers: int = 15):
    """`orders` orders over `customers` addresses (written in varying case), and `updates`
    later versions of some of them (a status, a total, a name changed)."""
    rng = random.Random(seed)
    messages = []
    latest = {}
    for n in range(orders):
        customer = rng.randrange(customers)
        email = f"client{customer}@example.com"
        email = email.upper() if rng.random() < 0.2 else email
        price = Decimal(rng.randrange(100, 20000)) / 100
        quantity = rng.randint(1, 3)
        subtotal = price * quantity
        shipping = Decimal(rng.choice(["0.00", "4.90", "6.50"]))
        tax = (subtotal * Decimal("0.2")).quantize(Decimal("0.01"))
        discount = Decimal(rng.choice(["0.00", "0.00", "5.00"]))
        body = order_body(
            email=email,
            first_name=rng.choice(NAMES),
            last_name=f"Nom{customer}",
            number=f"#{1000 + n}",
            status=rng.choices(["completed", "open", "canceled"], [7, 2, 1])[0],
            placed_at=at(days=n % 40, hours=n),
            updated_at=at(days=60, hours=n),
            subtotal=str(subtotal),
            shipping=str(shipping),
            tax=str(tax),
            discount=str(discount),
            total=str(subtotal + shipping + tax - discount),
            refunded=rng.choice(["0.00", "0.00", str(subtotal)]),
            items=[
                {
                    "product_id": f"p-{n}",
                    "name": "Article",
                    "quantity": quantity,
                    "price": str(price),
                }
            ],
            shipping_address={"city": rng.choice(CITIES), "line1": f"{n} rue Haute"},
        )
        messages.append((f"o{n}", body))
        latest[f"o{n}"] = body
    for n, external_id in enumerate(rng.sample(sorted(latest), updates)):
        body = copy.deepcopy(latest[external_id])
        body["updated_at"] = at(days=90, hours=n)
        change = rng.choice(["status", "total", "name"])
        if change == "status":
            body["status"] = "canceled" if body["status"] != "canceled" else "completed"
        elif change == "total":
            body["total"] = str(Decimal(body["total"]) + Decimal("1.00"))
        else:
            body["first_name"] = rng.choice(NAMES) + "-Marie"
        messages.append((external_id, body))
        latest[external_id] = body
    return messages


def ingest(workspace, messages):
    return [
        services.order_upsert(workspace=workspace, external_id=external_id, data=body)
        for external_id, body in messages
    ]


def state(workspace) -> tuple:
    orders = scoped(Order, workspace).select_related("contact").order_by("external_id")
    items = {}
    for item in OrderItem.objects.filter(order__workspace=workspace).order_by("position"):
        items.setdefault(item.order_id, []).append((item.name, item.quantity, item.price))
    contacts = scoped(Contact, workspace).order_by("email_key")
    return (
        [
            (
                o.external_id,
                o.contact.email_key,
                o.email,
                o.status,
                o.number,
                o.placed_at,
                o.updated_at_store,
                o.total,
                o.refunded,
                o.first_name,
                tuple(items[o.pk]),
            )
            for o in orders
        ],
        [
            (
                c.email_key,
                c.type,
                c.order_count,
                c.total_spent,
                c.average_order_value,
                c.last_order_at,
                c.customer_since,
                c.first_name,
                c.last_name,
                c.phone,
                c.shipping_address,
            )
            for c in contacts
        ],
    )


def test_replaying_the_same_100_orders_in_any_order_leaves_the_same_state(workspace):
    messages = history()
    assert len(messages) == 100
    ingest(workspace, messages)
    expected = state(workspace)
    assert len(expected[0]) == 70  # one order per store id, whatever the versions
    assert len(expected[1]) == 15  # one contact per address, whatever its case

    for seed in (1, 2, 3):
        shuffled = messages[:]
        random.Random(seed).shuffle(shuffled)
        other = make_workspace(f"Replay {seed}")
        ingest(other, shuffled)
        assert state(other) == expected, f"seed {seed}"


def test_replaying_everything_again_changes_nothing_and_writes_no_event(workspace):
    messages = history()
    ingest(workspace, messages)
    expected = state(workspace)
    events = ContactEvent.objects.filter(workspace=workspace).count()

    shuffled = messages[:]
    random.Random(99).shuffle(shuffled)
    results = ingest(workspace, shuffled)

    assert [r.changed for r in results] == [False] * 100
    assert state(workspace) == expected
    assert ContactEvent.objects.filter(workspace=workspace).count() == events


def test_the_figures_equal_a_sum_over_the_final_versions(workspace):
    messages = history()
    ingest(workspace, messages)
    final = dict(messages)  # the last version of each order wins in this list
    for contact in scoped(Contact, workspace):
        counted = [
            body
            for body in final.values()
            if body["email"].lower() == contact.email_key and body["status"] != "canceled"
        ]
        assert contact.order_count == len(counted)
        assert contact.total_spent == sum((Decimal(b["total"]) for b in counted), Decimal("0"))
        assert contact.type == ("customer" if counted else "prospect")


SMALL = history(seed=3, orders=8, updates=4, customers=3)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(range(len(SMALL))))
def test_any_permutation_of_a_small_history_gives_the_same_state(db, order):
    reference = make_workspace("Reference")
    ingest(reference, SMALL)
    workspace = make_workspace("Permuted")
    ingest(workspace, [SMALL[i] for i in order])
    assert state(workspace) == state(reference)
