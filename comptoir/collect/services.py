"""Every write of the sign-up flow (S1–S5, K7): settings, sign-ups, confirmations and
contact-form messages. Each public submission is one transaction: nothing is half-saved."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tasks import task

from comptoir.automations.services import welcome_on_signup
from comptoir.collect.events import (
    Kind,
    contact_message_event,
    signed_up_event,
    signup_confirmed_event,
)
from comptoir.collect.models import Signup, SignupSettings, new_token
from comptoir.consent.models import CUSTOMER_LABEL, ConsentEvent
from comptoir.consent.services import consent_pending, consent_subscribe
from comptoir.contacts import normalize
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_create, contact_tags_add, contact_update
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from comptoir.core.tasks import enqueue_on_commit

SETTINGS_FIELDS = (
    "consent_wording",
    "double_opt_in",
    "loyalty_enabled",
    "loyalty_tag",
    "allowed_origins",
    "slogan",
    "discount_offer",
    "coupon_code",
    "poster_size",
)


@dataclass(frozen=True)
class Visitor:
    """Where a customer acted: the proof kept beside their consent (K1)."""

    ip: str | None
    user_agent: str
    language: str


def default_wording(workspace: Workspace) -> str:
    """What the box says unless the business wrote its own: what is sent, that opens and
    clicks are measured, and that leaving is always possible (the seeds' Square article)."""
    return _(
        "I agree to receive e-mails from %(business)s with news, offers and events. "
        "These e-mails record whether I open them and which links I click. "
        "I can unsubscribe at any time with the link at the bottom of every e-mail."
    ) % {"business": workspace.name}


def consent_wording(settings: SignupSettings) -> str:
    """The exact text shown beside the box, in the active language when it is the default."""
    return settings.consent_wording.strip() or default_wording(settings.workspace)


@transaction.atomic
def signup_settings_get(*, workspace: Workspace) -> SignupSettings:
    """The workspace's sign-up settings, created with a fresh URL on first use."""
    found, _created = SignupSettings.objects.get_or_create(workspace=workspace)
    found.workspace = workspace
    return found


@transaction.atomic
def signup_url_redraw(*, workspace: Workspace) -> SignupSettings:
    """A new secret URL: the old page, its QR code, poster and widget all stop working."""
    found = signup_settings_get(workspace=workspace)
    found.token = new_token()
    found.save(update_fields=["token", "updated_at"])
    return found


def _clean_origins(text: str) -> str:
    origins = []
    for line in text.split():
        origin = line.strip().rstrip("/")
        scheme, sep, host = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not host or "/" in host:
            raise ServiceError(
                _("“%(origin)s” is not an origin such as https://shop.example.") % {"origin": line},
                code="invalid_origin",
            )
        origins.append(origin.lower())
    return "\n".join(dict.fromkeys(origins))


@transaction.atomic
def signup_settings_update(*, workspace: Workspace, **changes) -> SignupSettings:
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not sign-up settings: {sorted(unknown)}")
    found = signup_settings_get(workspace=workspace)
    if "allowed_origins" in changes:
        changes["allowed_origins"] = _clean_origins(changes["allowed_origins"] or "")
    if "loyalty_tag" in changes:
        changes["loyalty_tag"] = normalize.clean_line(changes["loyalty_tag"]) or "loyalty"
    for field, value in changes.items():
        setattr(found, field, value)
    found.save()
    return found


def _contact_of(workspace: Workspace, *, email: str, source: str, details: dict) -> Contact:
    """The contact of `email` (C2), details it lacks filled in; created when new.

    A known contact's filled fields are never overwritten: anyone can type anyone's address
    into a public form, and must not be able to rename a customer by doing so."""
    key = normalize.email_key(email)
    contact = scoped(Contact, workspace).select_for_update().filter(email_key=key).first()
    if contact is None:
        try:
            with transaction.atomic():
                return contact_create(
                    workspace=workspace, actor=None, email=email, source=source, **details
                )
        except ServiceError as error:
            if error.code != "duplicate_email":
                raise
            # Another submission created it between our read and our insert.
            contact = scoped(Contact, workspace).select_for_update().get(email_key=key)
    missing = {
        field: value for field, value in details.items() if value and not getattr(contact, field)
    }
    if missing and not contact.locked:
        contact = contact_update(contact=contact, actor=None, lock=None, **missing)
    return contact


@transaction.atomic
def signup_submit(
    *,
    settings: SignupSettings,
    source: str,
    email: str,
    first_name: str = "",
    phone: str = "",
    consent: bool,
    loyalty: bool = False,
    visitor: Visitor,
) -> Signup:
    """One sign-up (S1): the contact created or completed, consent recorded with its proof,
    pending instead when the workspace asks for double opt-in (K7)."""
    if not consent:
        raise ServiceError(
            _("Tick the box to agree to receive our e-mails."), code="consent_required"
        )
    if source not in Signup.Source.values:
        raise ServiceError(_("Unknown source."), code="invalid_source")
    workspace = settings.workspace
    wording = consent_wording(settings)
    contact = _contact_of(
        workspace,
        email=email,
        source=source,
        details={"first_name": first_name, "phone": phone, "language": visitor.language},
    )
    loyalty = loyalty and settings.loyalty_enabled
    if loyalty:
        contact_tags_add(contact=contact, names=[settings.loyalty_tag], actor=None)
    proof = {
        "source": source,
        "wording": wording,
        "ip": visitor.ip,
        "user_agent": visitor.user_agent,
    }
    if contact.consent == ConsentEvent.Status.SUBSCRIBED:
        status = Signup.Status.ALREADY
    elif settings.double_opt_in:
        consent_pending(contact=contact, **proof)
        status = Signup.Status.PENDING
    else:
        consent_subscribe(
            contact=contact, explicit_consent_confirmed=True, actor_label=CUSTOMER_LABEL, **proof
        )
        status = Signup.Status.SUBSCRIBED
    signup = Signup.objects.create(
        workspace=workspace,
        contact=contact,
        source=source,
        status=status,
        loyalty=loyalty,
        coupon_code=settings.coupon_code if settings.discount_offer else "",
        confirmed_at=None if status == Signup.Status.PENDING else timezone.now(),
    )
    signed_up_event(contact=contact, signup_id=signup.pk, source=source)
    if status == Signup.Status.SUBSCRIBED:
        _welcome_after_commit(signup)
    if status == Signup.Status.PENDING:
        from comptoir.collect.confirmation import confirmation_send

        confirmation_send(signup=signup, language=visitor.language)
    return signup


@transaction.atomic
def signup_confirm(*, signup: Signup, visitor: Visitor) -> bool:
    """The link of the confirmation e-mail was used (K7). True the first time; a second
    click, or a link of an address confirmed another way, changes nothing."""
    signup = Signup.objects.select_for_update().select_related("contact").get(pk=signup.pk)
    if signup.confirmed_at is not None:
        return False
    contact = signup.contact
    pending = (
        scoped(ConsentEvent, contact.workspace)
        .filter(contact=contact, status=ConsentEvent.Status.PENDING)
        .last()
    )
    consent_subscribe(
        contact=contact,
        source=ConsentEvent.Source.DOUBLE_OPT_IN,
        explicit_consent_confirmed=True,
        actor_label=CUSTOMER_LABEL,
        wording=pending.wording if pending else "",
        ip=visitor.ip,
        user_agent=visitor.user_agent,
    )
    Signup.objects.filter(pk=signup.pk).update(
        status=Signup.Status.SUBSCRIBED, confirmed_at=timezone.now()
    )
    signup_confirmed_event(contact=contact, signup_id=signup.pk)
    _welcome_after_commit(signup)
    return True


def _welcome_after_commit(signup: Signup) -> None:
    """A6, S5: the welcome automation greets a new subscriber, with the poster's coupon if
    the sign-up came with one; a failure there never undoes the sign-up."""
    contact, code = signup.contact, signup.coupon_code
    transaction.on_commit(lambda: welcome_on_signup(contact=contact, coupon_code=code), robust=True)


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = normalize.clean_line(name).partition(" ")
    return first, last


@transaction.atomic
def contact_message_submit(
    *,
    settings: SignupSettings,
    name: str,
    email: str,
    phone: str = "",
    message: str,
    visitor: Visitor,
) -> Contact:
    """The contact form (S4): a prospect created or completed, the message on its timeline,
    the business told by e-mail after commit. Never subscribes anyone."""
    message = normalize.clean_text(message)
    if not message:
        raise ServiceError(_("Write a message."), code="message_required")
    first_name, last_name = _split_name(name)
    contact = _contact_of(
        settings.workspace,
        email=email,
        source=Contact.Source.CONTACT_FORM,
        details={
            "first_name": first_name,
            "last_name": last_name,
            "phone": phone,
            "language": visitor.language,
        },
    )
    event = contact_message_event(
        contact=contact, name=normalize.clean_line(name), phone=phone, message=message
    )
    enqueue_on_commit(contact_message_notify_task, event.pk)
    return contact


def visitor_language() -> str:
    return (get_language() or "en")[:2]


def staff_recipients(workspace: Workspace) -> list[str]:
    """Who hears of a contact-form message: the business's contact e-mail, else its owners."""
    if workspace.contact_email:
        return [workspace.contact_email]
    return list(
        User.objects.filter(memberships__workspace=workspace, memberships__role="owner")
        .order_by("pk")
        .values_list("email", flat=True)
    )


@task()
def contact_message_notify_task(event_id: int) -> int:
    """Tell the business about a contact-form message (S4), from the worker: no SMTP
    conversation ever holds a visitor's request."""
    event = (
        ContactEvent.objects.select_related("contact__workspace")
        .filter(pk=event_id, kind=Kind.CONTACT_MESSAGE)
        .first()
    )
    if event is None:
        return 0
    contact = event.contact
    workspace = contact.workspace
    recipients = staff_recipients(workspace)
    if not recipients:
        return 0
    link = settings.COMPTOIR_BASE_URL + f"/w/{workspace.slug}/contacts/{contact.pk}/"
    with translation.override(workspace.language):
        subject = _("New message from %(name)s") % {"name": event.data.get("name") or contact.email}
        body = _(
            "%(name)s <%(email)s> wrote through your contact form:\n\n%(message)s\n\n"
            "Phone: %(phone)s\nProfile: %(link)s\n"
        ) % {
            "name": event.data.get("name") or "",
            "email": contact.email,
            "message": event.data.get("message", ""),
            "phone": event.data.get("phone") or "-",
            "link": link,
        }
    return send_mail(subject, body, None, recipients, fail_silently=False)
