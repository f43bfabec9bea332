"""A store's customer record: the contact of its address and the details it brings."""

from django.db import transaction

from comptoir.commerce import inputs
from comptoir.commerce.services.base import Upserted, _retrying
from comptoir.commerce.services.store_contacts import (
    contact_details_sync,
    contact_for_store,
)
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace

# ------------------------------------------------------------------------- customers


def customer_upsert(
    *, workspace: Workspace, email: str, details: dict, origin: dict
) -> Upserted[Contact] | None:
    """A store's customer record (Shopify `customers/*`): creates the contact, or updates
    the details of an unlocked one (C6). None when the record has no address."""
    address = inputs.email(email, required=False)
    if not address:
        return None
    details = {
        "first_name": inputs.text(details.get("first_name"), 150),
        "last_name": inputs.text(details.get("last_name"), 150),
        "phone": inputs.phone(details.get("phone")),
        "shipping_address": inputs.address(details.get("shipping_address")),
        "has_account": details.get("has_account"),
    }

    def write():
        with transaction.atomic():
            contact, created = contact_for_store(
                workspace=workspace,
                email=address,
                source=Contact.Source.API,
                details={k: v for k, v in details.items() if v not in (None, "", {})},
            )
            if created:
                return Upserted(contact, created=True, changed=True)
            changes = contact_details_sync(contact=contact, details=details, origin=origin)
            return Upserted(contact, created=False, changed=bool(changes))

    return _retrying(write)
