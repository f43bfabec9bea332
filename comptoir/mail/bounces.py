"""Bounces and complaints reported by an e-mail service (K6), normalised by django-anymail.

anymail announces tracking events only through its `tracking` signal; this receiver is the
thin adapter from that signal to our services (no domain logic lives here). The endpoints
in front of it are guarded by comptoir/mail/webhooks.py.
"""

import logging

from anymail.signals import EventType
from django.core import signing

from comptoir.consent.models import Suppression
from comptoir.consent.services import suppression_add
from comptoir.contacts.normalize import normalize_email
from comptoir.mail.models import Delivery

logger = logging.getLogger("comptoir.mail")

SUPPRESSING_EVENTS = {
    EventType.BOUNCED: Suppression.Reason.BOUNCE,
    EventType.COMPLAINED: Suppression.Reason.COMPLAINT,
}
# Sent with every message through an e-mail service, and echoed back in its events.
METADATA_KEY = "comptoir_delivery"
_REFERENCE_SALT = "comptoir.mail.esp-reference"


def esp_reference(delivery_id: int) -> str:
    """The delivery reference an e-mail service echoes back: signed, so that nobody can
    name another delivery by counting (ids are sequential)."""
    return signing.Signer(salt=_REFERENCE_SALT).sign(str(delivery_id))


def read_esp_reference(value) -> int | None:
    try:
        delivery_id = signing.Signer(salt=_REFERENCE_SALT).unsign(str(value or ""))
    except signing.BadSignature:
        return None
    return int(delivery_id) if delivery_id.isdigit() else None


def esp_event_received(sender, event, esp_name, **kwargs) -> None:
    reason = SUPPRESSING_EVENTS.get(event.event_type)
    if reason is None or not event.recipient:
        return
    delivery_id = read_esp_reference((event.metadata or {}).get(METADATA_KEY))
    delivery = (
        Delivery.objects.select_related("workspace", "contact").filter(pk=delivery_id).first()
        if delivery_id is not None
        else None
    )
    if delivery is None:
        # Without our signed reference the workspace is unknown; guessing could suppress
        # the address in a business that never mailed it.
        logger.warning("%s %s event without a valid Comptoir delivery reference", esp_name, reason)
        return
    if normalize_email(event.recipient) != normalize_email(delivery.contact.email):
        logger.warning(
            "%s %s event for another address than delivery %s's", esp_name, reason, delivery.pk
        )
        return
    suppression_add(
        workspace=delivery.workspace,
        email=event.recipient,
        reason=reason,
        detail=f"{esp_name}: {event.description or event.mta_response or ''}".strip(),
    )
