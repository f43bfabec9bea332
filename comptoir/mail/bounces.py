"""Bounces and complaints reported by an e-mail service (K6), normalised by django-anymail.

anymail announces tracking events only through its `tracking` signal; this receiver is the
thin adapter from that signal to our services (no domain logic lives here).
"""

import logging

from anymail.signals import EventType

from comptoir.consent.models import Suppression
from comptoir.consent.services import suppression_add
from comptoir.mail.models import Delivery

logger = logging.getLogger("comptoir.mail")

SUPPRESSING_EVENTS = {
    EventType.BOUNCED: Suppression.Reason.BOUNCE,
    EventType.COMPLAINED: Suppression.Reason.COMPLAINT,
}
# Sent with every message through an e-mail service, and echoed back in its events.
METADATA_KEY = "comptoir_delivery"


def esp_event_received(sender, event, esp_name, **kwargs) -> None:
    reason = SUPPRESSING_EVENTS.get(event.event_type)
    if reason is None or not event.recipient:
        return
    delivery_id = str((event.metadata or {}).get(METADATA_KEY, ""))
    delivery = (
        Delivery.objects.select_related("workspace").filter(pk=delivery_id).first()
        if delivery_id.isdigit()
        else None
    )
    if delivery is None:
        # Without our delivery id the workspace is unknown; guessing could suppress the
        # address in a business that never mailed it.
        logger.warning("%s %s event without a Comptoir delivery id", esp_name, reason)
        return
    suppression_add(
        workspace=delivery.workspace,
        email=event.recipient,
        reason=reason,
        detail=f"{esp_name}: {event.description or event.mta_response or ''}".strip(),
    )
