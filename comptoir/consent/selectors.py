"""The one answer to "may this contact receive marketing now?" (K5, K6).

Every sender (campaigns, automations, welcome e-mails) calls it at send time, right before
each message or batch, never earlier: a customer who unsubscribed a second ago is not mailed.
"""

from collections.abc import Iterable

from django.db.models import Exists, F, Func, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import SHA256, Coalesce

from comptoir.consent.models import ConsentEvent, Suppression
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
