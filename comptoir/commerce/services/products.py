"""Products: the upsert keyed by the store's id."""

from collections.abc import Mapping
from dataclasses import asdict

from django.db import transaction

from comptoir.commerce import inputs
from comptoir.commerce.models import (
    Product,
    Subscription,
)
from comptoir.commerce.services.base import Upserted, _retrying
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

# -------------------------------------------------------------------------- products


def _link_subscriptions(workspace: Workspace, product: Product) -> None:
    """Subscriptions that named this product before it was known now point at it."""
    key = {"product__isnull": True, "product_external_id": product.external_id}
    scoped(Subscription, workspace).filter(**key).update(product=product)


def product_upsert(*, workspace: Workspace, external_id: str, data: Mapping) -> Upserted[Product]:
    """Create or update the store's product `external_id` (O2). Products concern no
    contact: nothing goes on a timeline."""
    external_id = inputs.external_id(external_id, what="product id")
    clean = asdict(inputs.product(data))

    def write():
        with transaction.atomic():
            product = scoped(Product, workspace).select_for_update()
            product = product.filter(external_id=external_id).first()
            if product is None:
                product = Product.objects.create(
                    workspace=workspace, external_id=external_id, **clean
                )
                _link_subscriptions(workspace, product)
                return Upserted(product, created=True, changed=True)
            changed = [field for field, value in clean.items() if getattr(product, field) != value]
            if not changed:
                return Upserted(product, created=False, changed=False)
            for field in changed:
                setattr(product, field, clean[field])
            product.save(update_fields=[*changed, "updated_at"])
            return Upserted(product, created=False, changed=True)

    return _retrying(write)
