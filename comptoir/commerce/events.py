"""The timeline entries (ContactEvent kinds) that commerce writes (C4).

ContactEvent.kind has no choices on purpose; these labels are what the timeline shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommerceEvent(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    ORDER_UPDATED = "order_updated", _("Order updated")
    ORDER_CANCELED = "order_canceled", _("Order canceled")
    DRAFT_ORDER_CREATED = "draft_order_created", _("Draft order created")
    CART_CREATED = "cart_created", _("Cart started")
    SUBSCRIPTION_STARTED = "subscription_started", _("Subscription started")
    SUBSCRIPTION_CHANGED = "subscription_changed", _("Subscription changed")
    DETAILS_SYNCED = "details_synced", _("Details updated by the store")
