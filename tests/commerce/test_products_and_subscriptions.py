"""Products (O2) and recurring subscriptions (O3), upserted by the store's ids."""

from decimal import Decimal

import pytest

from comptoir.commerce import services
from comptoir.commerce.models import Product, Subscription
from comptoir.commerce.selectors import contact_subscriptions
from comptoir.contacts.models import ContactEvent
from comptoir.core.services import ServiceError
from tests.commerce.helpers import contact_of
from tests.contacts.helpers import events_of

PRODUCT = {
    "name": "Comté 24 mois",
    "description": "Affiné en cave\nà Poligny.",
    "image_url": "https://cdn.example.com/comte.jpg",
    "price": "24.90",
    "available": True,
}


def put_product(workspace, external_id="sku-1", **overrides):
    return services.product_upsert(
        workspace=workspace, external_id=external_id, data={**PRODUCT, **overrides}
    )


def test_a_product_is_created_then_updated_then_left_alone(workspace):
    created = put_product(workspace)
    updated = put_product(workspace, price="26.00", available=False)
    same = put_product(workspace, price="26.00", available=False)

    assert [(r.created, r.changed) for r in (created, updated, same)] == [
        (True, True),
        (False, True),
        (False, False),
    ]
    product = Product.objects.get()
    assert (product.price, product.available, product.description) == (
        Decimal("26.00"),
        False,
        "Affiné en cave\nà Poligny.",
    )
    assert not ContactEvent.objects.exists()


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"name": " "}, "invalid_name"),
        ({"price": "-1"}, "invalid_money"),
        ({"image_url": "ftp://x/y.png"}, "invalid_url"),
    ],
)
def test_invalid_products_are_refused(workspace, overrides, code):
    with pytest.raises(ServiceError) as refused:
        put_product(workspace, **overrides)
    assert refused.value.code == code
    assert not Product.objects.exists()


@pytest.mark.parametrize("external_id", ["", " ", "x" * 129, "a\x00b"])
def test_invalid_store_ids_are_refused(workspace, external_id):
    with pytest.raises(ServiceError) as refused:
        put_product(workspace, external_id=external_id)
    assert refused.value.code == "invalid_external_id"


def put_subscription(workspace, external_id="sub-1", **overrides):
    data = {
        "email": "zoe@example.com",
        "product_id": "sku-1",
        "status": "active",
        "next_billing_at": "2026-04-01T00:00:00+02:00",
    }
    data.update(overrides)
    return services.subscription_upsert(workspace=workspace, external_id=external_id, data=data)


def test_a_subscription_attaches_to_the_contact_and_logs_its_changes(workspace):
    product = put_product(workspace).obj
    created = put_subscription(workspace)
    same = put_subscription(workspace)
    paused = put_subscription(workspace, status="paused")
    next_date = put_subscription(workspace, status="paused", next_billing_at=None)

    assert [(r.created, r.changed) for r in (created, same, paused, next_date)] == [
        (True, True),
        (False, False),
        (False, True),
        (False, True),
    ]
    contact = contact_of(workspace)
    subscription = Subscription.objects.get()
    assert (subscription.contact, subscription.product, subscription.status) == (
        contact,
        product,
        "paused",
    )
    assert [e.kind for e in events_of(contact)] == [
        "created",
        "subscription_started",
        "subscription_changed",
    ]
    changed = events_of(contact, "subscription_changed")[0].data
    assert (changed["previous_status"], changed["status"], changed["product"]) == (
        "active",
        "paused",
        "Comté 24 mois",
    )
    assert list(contact_subscriptions(workspace=workspace, contact=contact)) == [subscription]


def test_a_subscription_to_a_product_not_yet_known_is_linked_when_it_arrives(workspace):
    put_subscription(workspace)
    assert Subscription.objects.get().product is None
    product = put_product(workspace).obj
    assert Subscription.objects.get().product == product


@pytest.mark.parametrize(
    "overrides, code",
    [({"status": "trial"}, "invalid_status"), ({"email": ""}, "email_required")],
)
def test_invalid_subscriptions_are_refused(workspace, overrides, code):
    with pytest.raises(ServiceError) as refused:
        put_subscription(workspace, **overrides)
    assert refused.value.code == code
    assert not Subscription.objects.exists()
