"""The workspace-isolation registry (W1), shared by every feature.

Each feature registers, for each kind of object it stores, how to make one in a workspace
and which API requests name it. tests/api/test_isolation.py then checks that a token of
another workspace gets 404 for every one of those requests and that the object is left as
it was. To cover a new model, add a case here (or in a module imported at the bottom).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from comptoir.core.models import Workspace


@dataclass(frozen=True)
class IsolationCase:
    name: str
    make: Callable[[Workspace], models.Model]
    # (method, path, JSON body or None); the path may name {id} (the pk) or {obj.<field>}
    requests: list[tuple[str, str, dict | None]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def path(template: str, obj: models.Model) -> str:
        return template.format(id=obj.pk, obj=obj)


CASES: list[IsolationCase] = []


def isolation_case(name: str, requests: list[tuple[str, str, dict | None]]):
    def register(make: Callable[[Workspace], models.Model]):
        CASES.append(IsolationCase(name, make, requests))
        return make

    return register


@isolation_case(
    "api token",
    [("DELETE", "/api/v1/tokens/{id}", None)],
)
def _token(workspace):
    from comptoir.core.services import token_create

    return token_create(workspace=workspace, name="shop")[0]


@isolation_case(
    "staff membership",
    [
        ("PATCH", "/api/v1/staff/{id}", {"role": "viewer"}),
        ("DELETE", "/api/v1/staff/{id}", None),
    ],
)
def _membership(workspace):
    from comptoir.core.models import Membership
    from comptoir.core.roles import Role
    from tests.conftest import make_user

    return Membership.objects.create(workspace=workspace, user=make_user(), role=Role.MARKETER)


@isolation_case(
    "contact",
    [
        ("GET", "/api/v1/contacts/{id}", None),
        ("PATCH", "/api/v1/contacts/{id}", {"first_name": "Hacked"}),
        ("POST", "/api/v1/contacts/{id}/tags", {"tags": ["x"]}),
        ("POST", "/api/v1/contacts/{id}/notes", {"body": "x"}),
        ("POST", "/api/v1/contacts/{id}/consent", {"status": "unsubscribed"}),
        ("GET", "/api/v1/contacts/{id}/consent-history", None),
        ("GET", "/api/v1/contacts/{id}/export", None),
        ("POST", "/api/v1/contacts/{id}/erase", None),
        ("DELETE", "/api/v1/contacts/{id}", None),
    ],
)
def _contact(workspace):
    from tests.contacts.helpers import make_contact

    return make_contact(workspace, "secret@example.com")


@isolation_case(
    "note",
    [
        ("GET", "/api/v1/notes/{id}", None),
        ("PATCH", "/api/v1/notes/{id}", {"body": "x"}),
        ("DELETE", "/api/v1/notes/{id}", None),
    ],
)
def _note(workspace):
    from comptoir.contacts.services import note_create
    from tests.contacts.helpers import make_contact

    return note_create(contact=make_contact(workspace, "noted@example.com"), author=None, body="x")


@isolation_case(
    "tag",
    [
        ("PATCH", "/api/v1/tags/{obj.name}", {"name": "renamed"}),
        ("DELETE", "/api/v1/tags/{obj.name}", None),
    ],
)
def _tag(workspace):
    from comptoir.contacts.models import Tag
    from tests.contacts.helpers import make_contact

    make_contact(workspace, "tagged@example.com", tags=["Secret"])
    return Tag.objects.get(workspace=workspace, name="Secret")


@isolation_case(
    "segment",
    [
        ("GET", "/api/v1/segments/{id}", None),
        ("GET", "/api/v1/segments/{id}/contacts", None),
        ("PATCH", "/api/v1/segments/{id}", {"name": "x"}),
        ("DELETE", "/api/v1/segments/{id}", None),
    ],
)
def _segment(workspace):
    from comptoir.contacts.services import segment_create

    return segment_create(workspace=workspace, name="Regulars", actor=None)


# ---------------------------------------------------------------- commerce (issue 4)
# PUT of the same store id by another workspace is no 404: it creates that workspace's own
# object. tests/api/test_commerce_isolation.py checks that it never touches this one.


def _commerce_order(workspace, **overrides):
    from comptoir.commerce.services import order_upsert
    from tests.commerce.helpers import order_body

    return order_upsert(
        workspace=workspace, external_id="secret-order", data=order_body(**overrides)
    ).obj


@isolation_case(
    "order",
    [
        ("GET", "/api/v1/orders/{obj.external_id}", None),
        ("POST", "/api/v1/orders/{obj.external_id}/complete", None),
        ("GET", "/api/v1/contacts/{obj.contact_id}/orders", None),
        ("GET", "/api/v1/contacts/{obj.contact_id}/subscriptions", None),
        (
            "POST",
            "/api/v1/contacts/{obj.contact_id}/draft-orders",
            {"items": [{"name": "x", "quantity": 1, "price": "1.00"}]},
        ),
    ],
)
def _order(workspace):
    return _commerce_order(workspace)


@isolation_case(
    "draft order",
    [
        ("POST", "/api/v1/orders/{obj.external_id}/complete", None),
        ("GET", "/api/v1/orders/{obj.external_id}", None),
    ],
)
def _draft_order(workspace):
    from comptoir.commerce.services import draft_order_create
    from tests.contacts.helpers import make_contact

    contact = make_contact(workspace, "draft@example.com")
    items = [{"name": "Panier", "quantity": 1, "price": "10.00"}]
    return draft_order_create(contact=contact, items=items, actor=None)


@isolation_case("product", [("GET", "/api/v1/products/{obj.external_id}", None)])
def _product(workspace):
    from comptoir.commerce.services import product_upsert

    data = {"name": "Secret recipe", "price": "9.90"}
    return product_upsert(workspace=workspace, external_id="secret-sku", data=data).obj


@isolation_case("cart", [("GET", "/api/v1/carts/{obj.token}", None)])
def _cart(workspace):
    from comptoir.commerce.services import cart_upsert

    data = {
        "email": "cart@example.com",
        "items": [{"product_id": "sku", "quantity": 1, "price": "5.00"}],
        "recovery_url": "https://shop.example.com/r/1",
        "updated_at": "2026-03-01T10:00:00+00:00",
    }
    return cart_upsert(workspace=workspace, token="secret-cart", data=data).obj


@isolation_case(
    "subscription",
    [
        ("GET", "/api/v1/subscriptions/{obj.external_id}", None),
        ("GET", "/api/v1/contacts/{obj.contact_id}/subscriptions", None),
    ],
)
def _subscription(workspace):
    from comptoir.commerce.services import subscription_upsert

    data = {"email": "subscriber@example.com", "product_id": "box", "status": "active"}
    return subscription_upsert(workspace=workspace, external_id="secret-sub", data=data).obj


@isolation_case("store connection", [("DELETE", "/api/v1/store-connections/{id}", None)])
def _store_connection(workspace):
    from comptoir.commerce.services import store_connection_create

    return store_connection_create(
        workspace=workspace, platform="shopify", secret="their secret", actor=None
    )


# ------------------------------------------------------------------ imports (issue 6)


@isolation_case(
    "import",
    [
        ("GET", "/api/v1/imports/{id}", None),
        ("GET", "/api/v1/imports/{id}/errors.csv", None),
    ],
)
def _import(workspace):
    from comptoir.transfer.imports import import_create, stored_path
    from tests.transfer.helpers import upload

    job = import_create(
        workspace=workspace, upload=upload("Email\nsecret@example.com\n"), actor=None
    )
    stored_path(job).unlink()  # only the job's record is needed here
    return job
