"""Builders for commerce tests: order, cart and product bodies shaped as CONTRACT.md says."""

import copy
import datetime as dt
from decimal import Decimal

from comptoir.commerce import services
from comptoir.commerce.models import Order
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

BASE_ORDER = {
    "email": "zoe@example.com",
    "first_name": "Zoé",
    "last_name": "Martin",
    "phone": "06 12 34 56 78",
    "number": "#1001",
    "status": "completed",
    "placed_at": "2026-03-02T11:00:00+01:00",
    "currency": "EUR",
    "subtotal": "40.00",
    "shipping": "5.90",
    "tax": "8.00",
    "discount": "4.00",
    "total": "49.90",
    "items": [{"product_id": "p-1", "name": "Comté 24 mois", "quantity": 2, "price": "20.00"}],
    "shipping_address": {
        "name": "Zoé Martin",
        "line1": "12 rue des Martyrs",
        "city": "Paris",
        "postal_code": "75009",
        "country": "FR",
    },
}


def order_body(**overrides) -> dict:
    body = copy.deepcopy(BASE_ORDER)
    body.update(overrides)
    return body


def put_order(workspace, external_id: str = "1001", **overrides):
    return services.order_upsert(
        workspace=workspace, external_id=external_id, data=order_body(**overrides)
    )


def at(days: int = 0, hours: int = 0) -> str:
    return (T0 + dt.timedelta(days=days, hours=hours)).isoformat()


def contact_of(workspace, email: str = "zoe@example.com") -> Contact:
    return scoped(Contact, workspace).get(email_key=email.lower())


def figures(contact: Contact) -> tuple:
    contact.refresh_from_db()
    return (
        contact.order_count,
        contact.total_spent,
        contact.average_order_value,
        contact.last_order_at,
        contact.customer_since,
        contact.type,
    )


def money(value: str) -> Decimal:
    return Decimal(value)


def orders_of(workspace) -> list[Order]:
    return list(scoped(Order, workspace).order_by("external_id"))
