"""W1 for commerce: the store's ids are unique per workspace only. A PUT naming another
workspace's order, product, cart or subscription id creates the caller's own object and
never touches theirs; reads of theirs are 404 (tests/isolation.py)."""

from django.forms.models import model_to_dict

from comptoir.commerce.models import Cart, Order, OrderItem, Product, Subscription
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.scoping import scoped
from tests.commerce.helpers import order_body, put_order


def frozen(workspace):
    """Everything commerce and the directory hold for `workspace`."""
    rows = []
    for model in (Order, Product, Cart, Subscription, Contact, ContactEvent):
        rows.append([model_to_dict(row) for row in scoped(model, workspace).order_by("pk")])
    rows.append(list(OrderItem.objects.filter(order__workspace=workspace).values()))
    return rows


def test_put_of_another_workspaces_order_id_creates_our_own_order(api, workspace, other_workspace):
    theirs = put_order(other_workspace, "1001").obj
    before = frozen(other_workspace)

    response = api.put("/api/v1/orders/1001", order_body(total="1.00", status="canceled"))

    assert response.status_code == 201
    ours = scoped(Order, workspace).get(external_id="1001")
    assert ours.pk != theirs.pk and response.json()["id"] == ours.pk
    assert ours.contact.workspace_id == workspace.pk
    assert frozen(other_workspace) == before
    # Same address, two businesses: two contacts, each with its own figures.
    assert Contact.objects.filter(email_key="zoe@example.com").count() == 2
    assert scoped(Contact, other_workspace).get().total_spent == theirs.total


def test_put_of_another_workspaces_product_cart_and_subscription_ids(
    api, workspace, other_workspace
):
    from tests.isolation import _cart, _product, _subscription

    _product(other_workspace), _cart(other_workspace), _subscription(other_workspace)
    before = frozen(other_workspace)

    product = api.put("/api/v1/products/secret-sku", {"name": "Mine", "price": "1.00"})
    cart = api.put(
        "/api/v1/carts/secret-cart",
        {"email": "cart@example.com", "items": [], "updated_at": "2026-03-02T10:00:00Z"},
    )
    subscription = api.put(
        "/api/v1/subscriptions/secret-sub",
        {"email": "subscriber@example.com", "status": "canceled"},
    )

    assert [r.status_code for r in (product, cart, subscription)] == [201, 201, 201]
    assert frozen(other_workspace) == before
    for model in (Product, Cart, Subscription):
        assert scoped(model, workspace).count() == 1


def test_lists_of_a_contacts_orders_show_only_this_workspaces(api, workspace, other_workspace):
    put_order(other_workspace, "theirs")
    api.put("/api/v1/orders/mine", order_body())
    mine = scoped(Contact, workspace).get()

    listed = api.get(f"/api/v1/contacts/{mine.pk}/orders").json()["items"]

    assert [o["external_id"] for o in listed] == ["mine"]
