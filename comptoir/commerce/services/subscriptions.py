"""Subscriptions: the upsert keyed by the store's id."""

from collections.abc import Mapping

from django.db import transaction

from comptoir.commerce import events, inputs
from comptoir.commerce.models import (
    Product,
    Source,
    Subscription,
)
from comptoir.commerce.services.base import Upserted, _retrying
from comptoir.commerce.services.store_contacts import (
    contact_for_store,
)
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

# --------------------------------------------------------------------- subscriptions


def subscription_upsert(
    *, workspace: Workspace, external_id: str, data: Mapping, source: str = Source.API
) -> Upserted[Subscription]:
    """Create or update the store's recurring subscription `external_id` (O3)."""
    external_id = inputs.external_id(external_id, what="subscription id")
    clean = inputs.subscription(data, workspace=workspace)

    def write():
        with transaction.atomic():
            contact, _created = contact_for_store(
                workspace=workspace, email=clean.email, source=Contact.Source.API
            )
            subscription = scoped(Subscription, workspace).select_for_update()
            subscription = subscription.filter(external_id=external_id).first()
            product = None
            if clean.product_id:
                product = scoped(Product, workspace).filter(external_id=clean.product_id).first()
            values = {
                "contact_id": contact.pk,
                "product_external_id": clean.product_id,
                "product_id": getattr(product, "pk", None),
                "status": clean.status,
                "next_billing_at": clean.next_billing_at,
            }
            product_name = getattr(product, "name", clean.product_id)
            if subscription is None:
                subscription = Subscription.objects.create(
                    workspace=workspace, external_id=external_id, source=source, **values
                )
                events.subscription_event(
                    contact=contact, subscription=subscription, product=product_name
                )
                return Upserted(subscription, created=True, changed=True)
            changed = [f for f, v in values.items() if getattr(subscription, f) != v]
            if not changed:
                return Upserted(subscription, created=False, changed=False)
            previous_status = subscription.status
            for field in changed:
                setattr(subscription, field, values[field])
            subscription.source = source
            subscription.save()
            if previous_status != clean.status or "contact_id" in changed:
                events.subscription_event(
                    contact=contact,
                    subscription=subscription,
                    product=product_name,
                    previous_status=previous_status,
                )
            return Upserted(subscription, created=False, changed=True)

    return _retrying(write)
