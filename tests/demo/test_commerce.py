"""`comptoir demo` gives the demo shop a catalogue, orders, drafts, carts and subscriptions,
and every contact's figures are exactly what its orders give (C3, C5)."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from comptoir.commerce.models import Cart, Order, OrderItem, Product, Subscription
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.demo.fill import DEMO_SLUG

CONTACTS = 400


def demo(contacts: int) -> str:
    out = StringIO()
    call_command("demo", contacts=contacts, stdout=out)
    return out.getvalue()


@pytest.fixture
def shop(db):
    output = demo(CONTACTS)
    return Workspace.objects.get(slug=DEMO_SLUG), output


def order_aggregates(workspace) -> dict[int, tuple]:
    """(count, sum of totals, first, last) of the orders that count, per contact, in SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_id, COUNT(*), SUM(total), MIN(placed_at), MAX(placed_at) "
            "FROM commerce_order WHERE workspace_id = %s AND contact_id IS NOT NULL "
            "AND is_draft = %s AND status <> %s GROUP BY contact_id",
            [workspace.pk, False, "canceled"],
        )
        rows = cursor.fetchall()

    def instant(value):
        if isinstance(value, str):  # SQLite hands back the stored UTC text
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        return value

    return {
        contact_id: (count, Decimal(str(spent)).quantize(Decimal("0.01")), instant(a), instant(b))
        for contact_id, count, spent, a, b in rows
    }


def test_every_contacts_figures_are_what_its_orders_give(shop):
    workspace, output = shop
    sums = order_aggregates(workspace)

    contacts = list(scoped(Contact, workspace))
    assert len(contacts) == CONTACTS
    assert 0.4 < len(sums) / CONTACTS < 0.7, "about half the contacts bought"
    for contact in contacts:
        count, spent, first, last = sums.get(contact.pk, (0, Decimal("0.00"), None, None))
        assert (
            contact.order_count,
            contact.total_spent,
            contact.customer_since,
            contact.last_order_at,
        ) == (count, spent, first, last), contact.email
        average = (spent / count).quantize(Decimal("0.01")) if count else Decimal("0.00")
        assert abs(contact.average_order_value - average) <= Decimal("0.01")
        assert contact.type == (Contact.Type.CUSTOMER if count else Contact.Type.PROSPECT)
    assert "orders for" in output


def test_the_demo_shop_has_every_kind_of_order_cart_and_subscription(shop):
    workspace, _output = shop
    orders = scoped(Order, workspace)
    products = set(scoped(Product, workspace).values_list("external_id", flat=True))
    assert 10 <= len(products) <= 30

    assert orders.filter(status="canceled").exists()
    assert orders.filter(status="open", is_draft=False).exists()
    refunded = orders.filter(refunded__gt=0)
    assert any(o.refunded == o.total for o in refunded)
    assert any(0 < o.refunded < o.total for o in refunded)
    assert orders.filter(is_draft=True).exists()
    assert orders.filter(source="dashboard", is_draft=False).exists(), "a completed draft"
    assert orders.filter(channel="pos").exists() and orders.filter(coupon_code="").exists()
    assert orders.exclude(coupon_code="").exists()

    items = OrderItem.objects.filter(order__workspace=workspace)
    assert not orders.exclude(pk__in=items.values("order")).exists(), "every order has lines"
    assert set(items.values_list("product_external_id", flat=True)) <= products
    for order in orders.prefetch_related("items"):
        lines = sum((i.price * i.quantity for i in order.items.all()), Decimal("0.00"))
        assert order.subtotal == lines
        assert order.total == order.subtotal + order.shipping + order.tax - order.discount

    carts = scoped(Cart, workspace).filter(converted_at__isnull=True, contact__isnull=False)
    day_ago = timezone.now() - dt.timedelta(days=1)
    assert carts.filter(updated_at_store__gte=day_ago).exists(), "a cart being filled"
    assert carts.filter(updated_at_store__lt=day_ago).exists(), "an abandoned cart"
    assert not carts.filter(items__isnull=True).exists()

    subscriptions = scoped(Subscription, workspace)
    assert subscriptions.filter(status="active", next_billing_at__isnull=False).exists()
    assert subscriptions.exclude(status="active").exists()
    assert not subscriptions.filter(product__isnull=True).exists()


def test_each_demo_order_is_on_its_customers_timeline_when_it_was_placed(shop):
    workspace, _output = shop
    events = scoped(ContactEvent, workspace).filter(kind__in=["order_placed", "order_canceled"])
    by_order = {event.data["order_id"]: event for event in events}
    orders = scoped(Order, workspace).filter(is_draft=False)

    assert len(by_order) == events.count() == orders.count()
    for order in orders:
        event = by_order[order.pk]
        assert event.contact_id == order.contact_id
        expected = "order_canceled" if order.status == "canceled" else "order_placed"
        assert event.kind == expected
        if order.source != "dashboard":  # a completed draft is placed when completed
            assert event.created_at == order.placed_at


def test_demo_again_adds_no_commerce_and_a_larger_count_tops_it_up(shop):
    workspace, _output = shop

    def counts():
        return Counter(
            {
                model.__name__: scoped(model, workspace).count()
                for model in (Order, Cart, Subscription, Product, ContactEvent)
            }
        )

    before = counts()
    demo(CONTACTS)
    assert counts() == before

    demo(CONTACTS + 60)
    after = counts()
    assert after["Order"] > before["Order"] and after["Product"] == before["Product"]
    external_ids = list(scoped(Order, workspace).values_list("external_id", flat=True))
    assert len(external_ids) == len(set(external_ids))
    sums = order_aggregates(workspace)
    for contact in scoped(Contact, workspace):
        assert contact.order_count == sums.get(contact.pk, (0,))[0]
