"""The activity timeline of a profile (C4) as sentences a merchant reads, in French or English.

Events store facts (`kind`, `data`, `actor`); the words are chosen here, at display time, so
that the same history reads in the language of whoever opens the profile.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from comptoir.collect.events import Kind as CollectEvent
from comptoir.commerce.events import CommerceEvent
from comptoir.consent.events import Kind as ConsentKind
from comptoir.consent.models import ConsentEvent
from comptoir.contacts.events import Kind
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.mail.events import MailEvent
from comptoir.web.templatetags.comptoir_format import money


@dataclass(frozen=True)
class TimelineEntry:
    sentence: str
    at: datetime
    kind: str
    # Further facts of the same action, one short sentence each (a new contact's tags and
    # the consent it came with).
    details: tuple[str, ...] = ()


def choice_label(choices, value: str) -> str:
    """The label of `value` among `choices`, or the value itself when a later version
    removed it (history keeps what was true then)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _field_labels(changes: dict) -> str:
    fields = Contact._meta
    labels = []
    for name in changes:
        try:
            labels.append(str(fields.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001 - a field a later version removed: show its name
            labels.append(name)
    return ", ".join(labels)


def _sentence(event: ContactEvent, actor: str | None) -> str:
    """One sentence per kind, with and without the staff member who did it.

    Whole sentences rather than "… by X" glued on: French word order differs.
    """
    data = event.data or {}
    kind = event.kind
    if kind == Kind.CREATED:
        source = choice_label(Contact.Source, data.get("source", Contact.Source.MANUAL))
        if actor:
            return _("Created by %(actor)s (source: %(source)s)") % {
                "actor": actor,
                "source": source,
            }
        return _("Created (source: %(source)s)") % {"source": source}
    if kind == Kind.EDITED:
        fields = _field_labels(data.get("changes", {}))
        if actor:
            return _("Details edited by %(actor)s: %(fields)s") % {"actor": actor, "fields": fields}
        return _("Details edited: %(fields)s") % {"fields": fields}
    if kind == Kind.LOCKED:
        if actor:
            return _("Details locked against sync by %(actor)s") % {"actor": actor}
        return _("Details locked against sync")
    if kind == Kind.UNLOCKED:
        if actor:
            return _("Sync lock released by %(actor)s") % {"actor": actor}
        return _("Sync lock released")
    if kind == Kind.TAG_ADDED:
        if actor:
            return _("Tag “%(tag)s” added by %(actor)s") % {"tag": data.get("tag"), "actor": actor}
        return _("Tag “%(tag)s” added") % {"tag": data.get("tag")}
    if kind == Kind.TAG_REMOVED:
        if actor:
            return _("Tag “%(tag)s” removed by %(actor)s") % {
                "tag": data.get("tag"),
                "actor": actor,
            }
        return _("Tag “%(tag)s” removed") % {"tag": data.get("tag")}
    if kind == Kind.TAG_RENAMED:
        names = {"old": data.get("old"), "new": data.get("new")}
        if data.get("merged"):
            return _("Tag “%(old)s” merged into “%(new)s”") % names
        return _("Tag “%(old)s” renamed to “%(new)s”") % names
    if kind == Kind.NOTE_ADDED:
        if actor:
            return _("Note added by %(actor)s") % {"actor": actor}
        return _("Note added")
    if kind == Kind.NOTE_EDITED:
        if actor:
            return _("Note edited by %(actor)s") % {"actor": actor}
        return _("Note edited")
    if kind == Kind.NOTE_DELETED:
        if actor:
            return _("Note deleted by %(actor)s") % {"actor": actor}
        return _("Note deleted")
    if kind == Kind.GROUP_ADDED:
        return _("Added to the group “%(group)s”") % {"group": data.get("segment")}
    if kind == Kind.GROUP_REMOVED:
        return _("Removed from the group “%(group)s”") % {"group": data.get("segment")}
    return (
        _mail_sentence(kind, data, actor)
        or _commerce_sentence(kind, data)
        or _collect_sentence(kind, data)
        or _other(kind)
    )


def _mail_sentence(kind: str, data: dict, actor: str | None) -> str | None:
    """E-mails (C12, T1) and marketing consent (K1)."""
    subject = data.get("subject", "")
    if kind == MailEvent.QUEUED:
        if actor:
            return _("E-mail “%(subject)s” queued by %(actor)s") % {
                "subject": subject,
                "actor": actor,
            }
        return _("E-mail “%(subject)s” queued") % {"subject": subject}
    if kind == MailEvent.SENT:
        return _("E-mail “%(subject)s” sent") % {"subject": subject}
    if kind == MailEvent.OPENED:
        return _("E-mail “%(subject)s” opened") % {"subject": subject}
    if kind == MailEvent.CLICKED:
        return _("Link %(url)s clicked in the e-mail “%(subject)s”") % {
            "url": data.get("url", ""),
            "subject": subject,
        }
    if kind != ConsentKind.CONSENT_CHANGED:
        return None
    return _consent_sentence(data, actor)


def _consent_sentence(data: dict, actor: str | None) -> str:
    names = {"source": choice_label(ConsentEvent.Source, data.get("source", "")), "actor": actor}
    status = data.get("status")
    if status == ConsentEvent.Status.SUBSCRIBED:
        if actor:
            return _("Subscribed to marketing e-mails by %(actor)s (source: %(source)s)") % names
        return _("Subscribed to marketing e-mails (source: %(source)s)") % names
    if status == ConsentEvent.Status.UNSUBSCRIBED:
        if actor:
            return (
                _("Unsubscribed from marketing e-mails by %(actor)s (source: %(source)s)") % names
            )
        return _("Unsubscribed from marketing e-mails (source: %(source)s)") % names
    return _("Signed up for marketing e-mails, awaiting confirmation (source: %(source)s)") % names


def _commerce_sentence(kind: str, data: dict) -> str | None:
    """Orders (O1) read with their number and total; other store events with their label."""
    order = data.get("number") or data.get("external_id") or ""
    if kind == CommerceEvent.ORDER_PLACED:
        total = money(data.get("total"), data.get("currency") or "EUR")
        return _("Order %(order)s placed: %(total)s") % {"order": order, "total": total}
    if kind == CommerceEvent.DRAFT_ORDER_CREATED:
        total = money(data.get("total"), data.get("currency") or "EUR")
        return _("Draft order %(order)s created: %(total)s") % {"order": order, "total": total}
    if kind == CommerceEvent.ORDER_UPDATED:
        return _("Order %(order)s updated") % {"order": order}
    if kind == CommerceEvent.ORDER_CANCELED:
        return _("Order %(order)s canceled") % {"order": order}
    if kind in CommerceEvent.values:
        return str(CommerceEvent(kind).label)
    return None


def _collect_sentence(kind: str, data: dict) -> str | None:
    """Sign-ups (S1–S3, K7) and contact-form messages (S4), the message word for word."""
    if kind == CollectEvent.SIGNED_UP:
        source = choice_label(Contact.Source, data.get("source"))
        return _("Signed up (source: %(source)s)") % {"source": source}
    if kind == CollectEvent.SIGNUP_CONFIRMED:
        return _("Confirmed the sign-up from the confirmation e-mail")
    if kind == CollectEvent.CONTACT_MESSAGE:
        return _("Message through the contact form: “%(message)s”") % {
            "message": data.get("message", "")
        }
    return None


def _other(kind: str) -> str:
    # Kinds that later features add, until they bring their words.
    return kind.replace("_", " ").capitalize()


def _details(event: ContactEvent) -> tuple[str, ...]:
    """A "created" entry holds the tags the contact came with and, from an import, the
    consent the file gave it (one entry instead of one per fact)."""
    data = event.data or {}
    if event.kind != Kind.CREATED:
        return ()
    details = []
    if data.get("tags"):
        details.append(_("Tags: %(tags)s") % {"tags": ", ".join(map(str, data["tags"]))})
    if isinstance(data.get("consent"), dict):
        details.append(_consent_sentence(data["consent"], None))
    return tuple(details)


def timeline(events) -> list[TimelineEntry]:
    """`events` newest first, as they come from `contact_events`; actors select-related."""
    return [
        TimelineEntry(
            sentence=_sentence(event, str(event.actor) if event.actor else None),
            at=event.created_at,
            kind=event.kind,
            details=_details(event),
        )
        for event in events
    ]
