"""The commerce side of GDPR (X5): what a person bought, and keeping the books whole when
they are erased (orders stay, without anything that identifies the person)."""

from comptoir.commerce.models import Cart, Order, Subscription
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped


def _money(value) -> str:
    return str(value)


def contact_commerce_export(contact: Contact) -> dict:
    workspace = contact.workspace
    orders = scoped(Order, workspace).filter(contact=contact).prefetch_related("items")
    return {
        "orders": [
            {
                "number": order.number or order.external_id,
                "status": order.status,
                "placed_at": order.placed_at.isoformat(),
                "currency": order.currency,
                "total": _money(order.total),
                "refunded": _money(order.refunded),
                "coupon_code": order.coupon_code,
                "channel": order.channel,
                "shipping_address": order.shipping_address,
                "billing_address": order.billing_address,
                "items": [
                    {"name": item.name, "quantity": item.quantity, "price": _money(item.price)}
                    for item in order.items.all()
                ],
            }
            for order in orders
        ],
        "carts": [
            {"updated_at": cart.updated_at_store.isoformat(), "recovery_url": cart.recovery_url}
            for cart in scoped(Cart, workspace).filter(contact=contact)
        ],
        "subscriptions": [
            {"product": sub.product_external_id, "status": sub.status}
            for sub in scoped(Subscription, workspace).filter(contact=contact)
        ],
    }


def contact_commerce_anonymise(contact: Contact) -> None:
    """Orders stay for the accounts and coupon figures, detached from the person and
    stripped of name, address, phone, e-mail and staff's note; carts are only personal, so
    they go."""
    workspace = contact.workspace
    scoped(Order, workspace).filter(contact=contact).update(
        contact=None,
        email="",
        first_name="",
        last_name="",
        phone="",
        shipping_address={},
        billing_address={},
        note="",
    )
    scoped(Cart, workspace).filter(contact=contact).delete()
