"""Reads of the consent pages: a profile's consent card and the suppression list.

Each only combines `comptoir.consent` selectors and `scoped()` reads, as `directory_reads`
does for the directory.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.selectors import consent_history
from comptoir.consent.services import is_suppressed
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped

# What `consent_pending` and the public pages record as the actor: the person themselves.
CUSTOMER_LABEL = "customer"


@dataclass(frozen=True)
class LedgerRow:
    at: datetime
    status: str
    status_label: str
    source_label: str
    who: str
    ip: str | None
    user_agent: str
    wording: str


@dataclass(frozen=True)
class ConsentCard:
    history: list[LedgerRow]  # newest first, like the activity timeline beside it
    suppressed: bool


def _who(event: ConsentEvent) -> str:
    label = event.actor_label or (str(event.actor) if event.actor else "")
    if label == CUSTOMER_LABEL or (not label and event.ip):
        return _("The customer")
    return label


def consent_card(*, contact: Contact) -> ConsentCard:
    rows = [
        LedgerRow(
            at=event.created_at,
            status=event.status,
            status_label=event.get_status_display(),
            source_label=event.get_source_display(),
            who=_who(event),
            ip=event.ip,
            user_agent=event.user_agent,
            wording=event.wording,
        )
        for event in consent_history(contact)
    ]
    rows.reverse()
    suppressed = bool(contact.email) and is_suppressed(
        workspace=contact.workspace, email=contact.email
    )
    return ConsentCard(history=rows, suppressed=suppressed)


def suppressions(*, workspace: Workspace) -> QuerySet[Suppression]:
    """Newest first (the model's order)."""
    return scoped(Suppression, workspace)
