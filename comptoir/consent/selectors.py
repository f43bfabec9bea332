"""The one answer to "may this contact receive marketing now?" (K5, K6).

Every sender (campaigns, automations, welcome e-mails) calls it at send time, right before
each message or batch, never earlier: a customer who unsubscribed a second ago is not mailed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import SHA256, Coalesce
from django.utils.translation import gettext as _

from comptoir.consent.models import CUSTOMER_LABEL, ConsentEvent, Suppression
from comptoir.consent.services import is_suppressed
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped


class Sha256Hex(SHA256):
    """SHA-256 in hex, as consent.services.address_hash computes it in Python.

    Django's SHA256 needs the pgcrypto extension on PostgreSQL; sha256() is built in
    since PostgreSQL 11, so no extension has to be installed.
    """

    def as_postgresql(self, compiler, connection, **extra):
        template = "ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')"
        return Func.as_sql(self, compiler, connection, template=template, **extra)


def _not_suppressed(workspace: Workspace):
    hashed = Sha256Hex(OuterRef("email_key"))
    return ~Exists(scoped(Suppression, workspace).filter(email_hash=hashed))


def marketing_recipients(workspace: Workspace, ids: Iterable[int] | None = None):
    """The contacts of `workspace` (among `ids`) that may receive marketing e-mail now."""
    contacts = scoped(Contact, workspace).filter(consent=ConsentEvent.Status.SUBSCRIBED)
    contacts = contacts.exclude(email_key="")
    if ids is not None:
        contacts = contacts.filter(pk__in=list(ids))
    return contacts.filter(_not_suppressed(workspace))


def marketing_allowed(contact: Contact) -> bool:
    return marketing_recipients(contact.workspace, [contact.pk]).exists()


def consent_history(contact: Contact):
    """The ledger of one contact, oldest first (CONTRACT `consent-history`)."""
    return scoped(ConsentEvent, contact.workspace).filter(contact=contact).select_related("actor")


def consent_mismatches(workspace: Workspace | None = None) -> QuerySet[Contact]:
    """Contacts whose stored state is not their ledger's latest entry (K1) — "not
    subscribed" when the ledger is empty. Empty when every write went through the consent
    services; every workspace's contacts when `workspace` is None (the system check)."""
    latest = ConsentEvent.objects.filter(contact=OuterRef("pk")).order_by("-id").values("status")
    contacts = Contact.objects.all() if workspace is None else scoped(Contact, workspace)
    return contacts.annotate(
        ledger_state=Coalesce(Subquery(latest[:1]), Value(Contact.Consent.NOT_SUBSCRIBED))
    ).exclude(consent=F("ledger_state"))


# ---------------------------------------------------------------------------
# The consent pages' reads: a profile's consent card and the suppression list.


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
