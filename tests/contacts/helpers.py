"""Builders for directory tests: contacts with order figures that commerce will maintain."""

import datetime
from decimal import Decimal

from django.utils import timezone

from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_create
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped


def make_contact(workspace: Workspace, email: str | None = None, *, actor=None, **details):
    """A contact through the service, as staff would create it."""
    if email is None and not details.get("phone"):
        email = f"c{scoped(Contact, workspace).count() + 1}-{workspace.pk}@example.com"
    return contact_create(workspace=workspace, actor=actor, email=email, **details)


def set_figures(contact: Contact, **figures) -> Contact:
    """Give a contact what commerce and the consent ledger maintain (orders, consent).

    `orders=n` with `spent` makes it a customer whose last order is `days_ago` days old.
    """
    orders = figures.pop("orders", None)
    if orders is not None:
        spent = Decimal(str(figures.pop("spent", "0")))
        days_ago = figures.pop("days_ago", 1)
        first_days_ago = figures.pop("first_days_ago", days_ago)
        now = timezone.now()
        figures.update(
            order_count=orders,
            total_spent=spent,
            average_order_value=(spent / orders).quantize(Decimal("0.01")) if orders else 0,
            type=Contact.Type.CUSTOMER if orders else Contact.Type.PROSPECT,
            last_order_at=now - datetime.timedelta(days=days_ago) if orders else None,
            customer_since=now - datetime.timedelta(days=first_days_ago) if orders else None,
        )
    scoped(Contact, contact.workspace).filter(pk=contact.pk).update(**figures)
    contact.refresh_from_db()
    return contact


def events_of(contact: Contact, kind: str | None = None) -> list[ContactEvent]:
    events = scoped(ContactEvent, contact.workspace).filter(contact_id=contact.pk)
    if kind is not None:
        events = events.filter(kind=kind)
    return list(events.order_by("id"))
