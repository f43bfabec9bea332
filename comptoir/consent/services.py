"""Every change of marketing consent and suppression (K1–K3, K6). Each writes its ledger row
and the contact's timeline entry in the same transaction as the state it changes."""

import hashlib
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.consent.events import consent_changed_event
from comptoir.consent.models import CUSTOMER_LABEL, ConsentEvent, Suppression
from comptoir.contacts.models import Contact
from comptoir.contacts.normalize import email_key
from comptoir.contacts.services import contact_lock
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

Status = ConsentEvent.Status
Source = ConsentEvent.Source

# Sources where the customer acted in person: their IP and user agent are proof of consent.
CUSTOMER_SOURCES = {
    Source.SIGNUP_PAGE,
    Source.QR_CODE,
    Source.WIDGET,
    Source.UNSUBSCRIBE_LINK,
    Source.ONE_CLICK,
    Source.DOUBLE_OPT_IN,
}


# A file from elsewhere is older news than a choice made here (X2): it never re-subscribes a
# contact whose consent is one of these. The one definition: `import_may_subscribe` for the
# services, `import_may_subscribe_sql` for the set-based import (transfer.import_merge).
IMPORT_NEVER_RESUBSCRIBES = (Status.UNSUBSCRIBED,)


def import_may_subscribe(consent: str) -> bool:
    """Whether an import may subscribe a contact whose consent is `consent`."""
    return consent not in IMPORT_NEVER_RESUBSCRIBES


def import_may_subscribe_sql(column: str) -> str:
    """`import_may_subscribe` as an SQL condition on `column`. Only our own status constants
    are written in, never a value from a file."""
    statuses = ", ".join(f"'{status}'" for status in IMPORT_NEVER_RESUBSCRIBES)
    return f"{column} NOT IN ({statuses})"


def address_hash(email: str) -> str:
    return hashlib.sha256(email_key(email).encode()).hexdigest()


def _locked_state(contact: Contact) -> str:
    """The contact's consent, its row locked until commit: two changes at once cannot both
    decide from the same state and write two ledger rows, and a change racing the person's
    erasure finds them gone (404) instead of writing a ledger row for a deleted contact."""
    return contact_lock(contact).consent


def _record(
    *,
    contact: Contact,
    status: str,
    source: str,
    actor: User | None,
    actor_label: str = "",
    ip: str | None = None,
    user_agent: str = "",
    wording: str = "",
) -> ConsentEvent:
    event = ConsentEvent.objects.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        status=status,
        source=source,
        actor=actor,
        actor_label=(actor_label or (str(actor) if actor else ""))[:200],
        ip=ip or None,
        user_agent=(user_agent or "")[:500],
        wording=wording or "",
    )
    Contact.objects.filter(pk=contact.pk).update(consent=status)
    contact.consent = status
    consent_changed_event(contact=contact, actor=actor, status=status, source=source)
    return event


@transaction.atomic
def consent_subscribe(
    *,
    contact: Contact,
    source: str,
    explicit_consent_confirmed: bool,
    actor: User | None = None,
    actor_label: str = "",
    wording: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> ConsentEvent | None:
    """Record that the customer agreed to marketing e-mail (K3: never without saying so).

    Returns None when the contact was already subscribed: nothing new to prove; and when
    a file (`source=import`) would re-subscribe a contact who unsubscribed here.
    """
    if not explicit_consent_confirmed:
        raise ServiceError(
            _("Confirm that the customer explicitly agreed to receive marketing e-mails."),
            code="consent_not_confirmed",
        )
    if source not in Source.values:
        raise ServiceError(_("Unknown consent source."), code="invalid_source")
    if not contact.email:
        raise ServiceError(
            _("A contact without an e-mail address cannot subscribe to e-mails."),
            code="email_required",
        )
    state = _locked_state(contact)
    if state == Status.SUBSCRIBED:
        return None
    if source == Source.IMPORT and not import_may_subscribe(state):
        return None
    suppressed = scoped(Suppression, contact.workspace).filter(
        email_hash=address_hash(contact.email)
    )
    if source == Source.IMPORT and suppressed.exists():
        # K6: a file from elsewhere cannot bring back an address that bounced, complained
        # or was erased; only the person themselves can.
        return None
    if source in CUSTOMER_SOURCES:
        # The person came back and asked in person: their erasure no longer stands in the
        # way. Bounces and complaints still do, until staff lift them.
        suppressed.filter(reason=Suppression.Reason.ERASED).delete()
    return _record(
        contact=contact,
        status=Status.SUBSCRIBED,
        source=source,
        actor=actor,
        actor_label=actor_label,
        wording=wording,
        ip=ip,
        user_agent=user_agent,
    )


@transaction.atomic
def consent_pending(
    *, contact: Contact, source: str, wording: str = "", ip=None, user_agent: str = ""
) -> ConsentEvent | None:
    """A sign-up waiting for its confirmation e-mail to be clicked (K7, double opt-in)."""
    if _locked_state(contact) in (Status.SUBSCRIBED, Status.PENDING):
        return None
    return _record(
        contact=contact,
        status=Status.PENDING,
        source=source,
        actor=None,
        actor_label=CUSTOMER_LABEL,
        wording=wording,
        ip=ip,
        user_agent=user_agent,
    )


@transaction.atomic
def consent_withdraw(
    *,
    contact: Contact,
    source: str,
    actor: User | None = None,
    actor_label: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> ConsentEvent | None:
    """Unsubscribe (K3, K4): always allowed, takes effect at once; None if already out."""
    if source not in Source.values:
        raise ServiceError(_("Unknown consent source."), code="invalid_source")
    if _locked_state(contact) == Status.UNSUBSCRIBED:
        return None
    return _record(
        contact=contact,
        status=Status.UNSUBSCRIBED,
        source=source,
        actor=actor,
        actor_label=actor_label,
        ip=ip,
        user_agent=user_agent,
    )


@transaction.atomic
def contacts_unsubscribe(
    *, workspace: Workspace, ids: Iterable[int], actor: User | None, source: str = Source.DASHBOARD
) -> int:
    """Unsubscribe many contacts at once (K3); returns how many changed."""
    changed = 0
    targets = (
        scoped(Contact, workspace).filter(pk__in=list(ids)).exclude(consent=Status.UNSUBSCRIBED)
    )
    for contact in targets.iterator():
        try:
            if consent_withdraw(contact=contact, source=source, actor=actor):
                changed += 1
        except ServiceError as error:
            if error.code != "not_found":
                raise
            # Erased meanwhile: nobody left to unsubscribe.
    return changed


@transaction.atomic
def suppression_add(
    *, workspace: Workspace, email: str, reason: str, detail: str = "", keep_address: bool = True
) -> Suppression:
    """Stop all marketing to an address (K6); a bounce or complaint also unsubscribes it."""
    if reason not in Suppression.Reason.values:
        raise ServiceError(_("Unknown suppression reason."), code="invalid_reason")
    digest = address_hash(email)
    try:
        with transaction.atomic():
            suppression = Suppression.objects.create(
                workspace=workspace,
                email_hash=digest,
                email=email_key(email) if keep_address else "",
                reason=reason,
                detail=detail[:500],
            )
    except IntegrityError:
        suppression = scoped(Suppression, workspace).get(email_hash=digest)
    source = {"bounce": Source.BOUNCE, "complaint": Source.COMPLAINT}.get(reason)
    if source:
        contact = scoped(Contact, workspace).filter(email_key=email_key(email)).first()
        if contact is not None:
            consent_withdraw(contact=contact, source=source, actor_label=detail[:200])
    return suppression


def is_suppressed(*, workspace: Workspace, email: str) -> bool:
    return scoped(Suppression, workspace).filter(email_hash=address_hash(email)).exists()
