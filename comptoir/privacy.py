"""GDPR (X5): everything held on one person, and erasing them (K6). A use case across the
apps (consent, contacts, commerce, mail), so it sits above them, beside the adapters that
call it.

Erasing keeps the business's accounts whole (orders stay, without the person) and leaves a
hashed suppression entry, so the same address arriving again through an import or an order
is recognised and never quietly subscribed.
"""

from enum import StrEnum

from django.db import transaction

from comptoir.commerce.privacy import contact_commerce_anonymise, contact_commerce_export
from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import suppression_add
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_lock
from comptoir.core.audit import audit_record
from comptoir.core.models import User
from comptoir.core.scoping import scoped
from comptoir.mail.models import Delivery, OutboxMessage


class Audit(StrEnum):
    """What an erasure records in the workspace's activity log (core.audit)."""

    CONTACT_ERASED = "contact_erased"


CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "language",
    "source",
    "type",
    "consent",
    "has_account",
    "order_count",
    "total_spent",
    "average_order_value",
    "last_order_at",
    "customer_since",
    "shipping_address",
    "billing_address",
    "created_at",
    "updated_at",
)


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return str(value)
    return value


def contact_export(*, contact: Contact) -> dict:
    """Everything held on the person, as JSON-ready data. Internal notes are left out
    (C8: staff notes are never shown to customers nor exported)."""
    workspace = contact.workspace
    data = {
        "business": {"name": workspace.name, "postal_address": workspace.postal_address},
        "contact": {field: _plain(getattr(contact, field)) for field in CONTACT_FIELDS},
        "tags": sorted(contact.tags.values_list("name", flat=True)),
        "consent_history": [
            {
                "status": event.status,
                "source": event.source,
                "wording": event.wording,
                "ip": event.ip,
                "user_agent": event.user_agent,
                "created_at": event.created_at.isoformat(),
            }
            for event in scoped(ConsentEvent, workspace).filter(contact=contact)
        ],
        "emails": [
            {
                "subject": delivery.subject,
                "kind": delivery.kind,
                "status": delivery.status,
                "sent_at": _plain(delivery.sent_at),
                "opened_at": _plain(delivery.opened_at),
                "clicked_at": _plain(delivery.clicked_at),
            }
            for delivery in scoped(Delivery, workspace).filter(contact=contact).order_by("id")
        ],
        "activity": [
            {"kind": event.kind, "created_at": event.created_at.isoformat()}
            for event in scoped(ContactEvent, workspace)
            .filter(contact=contact)
            .exclude(kind__startswith="note_")
            .order_by("created_at", "id")
        ],
    }
    data.update(contact_commerce_export(contact))
    return data


@transaction.atomic
def contact_erase(*, contact: Contact, actor: User | None) -> Suppression | None:
    """Remove the person: their contact, ledger, timeline, notes and e-mails go; their
    orders stay without personal data; a hashed suppression entry stays (K6)."""
    contact = contact_lock(contact)
    suppression = None
    if contact.email:
        suppression = suppression_add(
            workspace=contact.workspace,
            email=contact.email,
            reason=Suppression.Reason.ERASED,
            keep_address=False,
        )
        # An earlier bounce or complaint entry kept the address in clear: keep only the hash.
        scoped(Suppression, contact.workspace).filter(pk=suppression.pk).update(email="")
    # In outbox mode the messages themselves are stored: they go with the person.
    sent_ids = scoped(Delivery, contact.workspace).filter(contact=contact).exclude(message_id="")
    OutboxMessage.objects.filter(message_id__in=sent_ids.values("message_id")).delete()
    contact_commerce_anonymise(contact)
    # By id only, as every activity-log line about a contact: nothing of the person stays.
    audit_record(
        workspace=contact.workspace_id,
        actor=actor,
        action=Audit.CONTACT_ERASED,
        contact_id=contact.pk,
    )
    contact.delete()
    return suppression
