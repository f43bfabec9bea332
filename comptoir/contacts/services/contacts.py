"""Writes to the contacts themselves (house rule 1): keyword-only, typed, atomic.

Each action that concerns a contact writes its `ContactEvent` in the same transaction.
Validation happens before the first write, so a refused action changes nothing (rule 10).
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from comptoir.contacts import events, normalize, phones
from comptoir.contacts.models import (
    ADDRESS_KEYS,
    Contact,
    ContactTag,
)
from comptoir.contacts.services.bulk import BATCH, BulkResult
from comptoir.contacts.services.locks import contact_lock
from comptoir.contacts.services.notes import _clean_note, _note_write
from comptoir.contacts.services.tags import _tags_ensure
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError, validation_message

# What staff may edit on a contact (C11); the order figures, type and consent are
# maintained by commerce and the consent ledger.
DETAIL_FIELDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "company",
    "language",
    "has_account",
    "shipping_address",
    "billing_address",
)
_TEXT_FIELDS = ("first_name", "last_name", "company", "language")

# ---------------------------------------------------------------------------- contacts


def _clean_address(value: dict | None) -> dict:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ServiceError(_("An address is an object."), code="invalid_address")
    unknown = set(value) - set(ADDRESS_KEYS)
    if unknown:
        raise ServiceError(
            _("Unknown address fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            code="invalid_address",
        )
    cleaned = {key: normalize.clean_line(str(value.get(key) or "")) for key in ADDRESS_KEYS}
    return {key: text for key, text in cleaned.items() if text}


def contact_details_clean(changes: dict, staff_in: Workspace | None = None) -> dict:
    """Normalised values of the detail fields in `changes`; ServiceError for bad input.

    Typed by staff of `staff_in`, a phone must be a real number, read in the workspace's
    country (C11); from a store it is kept as well as it can be read."""
    cleaned = {}
    for field, value in changes.items():
        if field == "email":
            try:
                cleaned[field] = normalize.normalize_email(value)
            except normalize.InvalidEmail:
                raise ServiceError(
                    _("“%(email)s” is not a valid e-mail address.") % {"email": value},
                    code="invalid_email",
                ) from None
        elif field == "phone" and staff_in is None:
            try:
                cleaned[field] = normalize.normalize_phone(value)
            except normalize.InvalidPhone:
                raise ServiceError(
                    _("“%(phone)s” is not a phone number.") % {"phone": value},
                    code="invalid_phone",
                ) from None
        elif field == "phone":
            region = phones.workspace_region(staff_in)
            try:
                cleaned[field] = phones.phone_validate(value, region=region)
            except normalize.InvalidPhone:
                raise ServiceError(
                    _(
                        "“%(phone)s” is not a valid phone number. Write it as you would dial "
                        "it (for example %(example)s), or with its country code."
                    )
                    % {
                        "phone": normalize.clean_line(value),
                        "example": phones.phone_example(region),
                    },
                    code="invalid_phone",
                ) from None
        elif field in ("shipping_address", "billing_address"):
            cleaned[field] = _clean_address(value)
        elif field == "has_account":
            cleaned[field] = bool(value)
        else:
            cleaned[field] = normalize.clean_line(value)
    return cleaned


def _ensure_email_free(workspace: Workspace, email: str, exclude_pk: int | None = None) -> None:
    if not email:
        return
    others = scoped(Contact, workspace).filter(email_key=normalize.email_key(email))
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise _duplicate_email(email)


def _duplicate_email(email: str) -> ServiceError:
    return ServiceError(
        _("A contact with the address %(email)s already exists.") % {"email": email},
        code="duplicate_email",
        status=409,
    )


def _validate(contact: Contact) -> None:
    try:
        contact.full_clean(exclude=["workspace"], validate_constraints=False)
    except ValidationError as error:
        raise ServiceError(validation_message(error), code="invalid") from None


def _save_guarding_email(contact: Contact, **kwargs) -> None:
    """Save; a concurrent request that took the address first makes this a duplicate."""
    try:
        with transaction.atomic():
            contact.save(**kwargs)
    except IntegrityError:
        raise _duplicate_email(contact.email) from None


def contact_new(workspace: Workspace, source: str, *, by_staff: bool, **details) -> Contact:
    """An unsaved contact from cleaned and validated `details`; ServiceError otherwise."""
    details = contact_details_clean(
        {field: details.get(field) for field in DETAIL_FIELDS}, workspace if by_staff else None
    )
    if not details["email"] and not details["phone"]:
        raise ServiceError(
            _("A contact needs an e-mail address or a phone number."),
            code="email_or_phone_required",
        )
    if source not in Contact.Source.values:
        raise ServiceError(_("Unknown source."), code="invalid_source")
    contact = Contact(workspace=workspace, source=source, **details)
    _validate(contact)
    return contact


@transaction.atomic
def contact_create(
    *,
    workspace: Workspace,
    actor: User | None,
    email: str | None = None,
    phone: str | None = None,
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    language: str = "",
    has_account: bool = False,
    shipping_address: dict | None = None,
    billing_address: dict | None = None,
    tags: Iterable[str] = (),
    note: str | None = None,
    source: str = Contact.Source.MANUAL,
) -> Contact:
    """A new contact (C11): an e-mail address is enough, or a phone for a phone-only one."""
    note = _clean_note(note) if normalize.clean_text(note) else None
    contact = contact_new(
        workspace,
        source,
        by_staff=True,
        email=email,
        phone=phone,
        first_name=first_name,
        last_name=last_name,
        company=company,
        language=language,
        has_account=has_account,
        shipping_address=shipping_address,
        billing_address=billing_address,
    )
    _ensure_email_free(workspace, contact.email)
    tag_objects = _tags_ensure(workspace, tags)

    _save_guarding_email(contact)
    ContactTag.objects.bulk_create([ContactTag(contact=contact, tag=tag) for tag in tag_objects])
    events.contact_created_event(
        contact=contact, actor=actor, source=source, tags=[tag.name for tag in tag_objects]
    )
    if note:
        _note_write(contact=contact, author=actor, body=note)
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, actor: User | None, lock: bool | None = True, **changes
) -> Contact:
    """Edit details. `lock=True` (a manual edit, C6) sets the sync lock, `lock=False`
    releases it, `lock=None` leaves it as it is (automatic updates of unlocked contacts)."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"not editable contact fields: {sorted(unknown)}")
    cleaned = contact_details_clean(changes, contact.workspace)
    current = contact_lock(contact)
    current.workspace = contact.workspace
    diff = {
        field: [getattr(current, field), value]
        for field, value in cleaned.items()
        if getattr(current, field) != value
    }
    for field, (_old, new) in diff.items():
        setattr(current, field, new)
    if not current.email and not current.phone:
        raise ServiceError(
            _("A contact needs an e-mail address or a phone number."),
            code="email_or_phone_required",
        )
    _validate(current)
    if "email" in diff:
        _ensure_email_free(current.workspace, current.email, exclude_pk=current.pk)
    was_locked = current.locked
    if lock is not None:
        current.locked = lock
    if not diff and current.locked == was_locked:
        return current
    _save_guarding_email(current, update_fields=[*diff, "locked"])
    if diff:
        events.contact_edited_event(
            contact=current, actor=actor, changes=diff, locked=current.locked and not was_locked
        )
    elif current.locked:
        events.sync_lock_event(contact=current, actor=actor, locked=True)
    if was_locked and not current.locked:
        events.sync_lock_event(contact=current, actor=actor, locked=False)
    return current


def contact_unlock(*, contact: Contact, actor: User | None) -> Contact:
    """Release the sync lock (C6): orders update the details again."""
    return contact_update(contact=contact, actor=actor, lock=False)


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User | None) -> None:
    """Delete a contact with its notes, tags and timeline. (GDPR erasure, which also
    leaves a suppression entry, is `consent` territory.) Recorded in the activity log."""
    locked = contact_lock(contact)
    events.contact_deleted_audit(contact=locked, actor=actor)
    locked.delete()


@transaction.atomic
def contacts_delete(
    *, workspace: Workspace, ids: Iterable[int] | QuerySet, actor: User | None
) -> BulkResult:
    """Delete the contacts of `workspace` among `ids` (a list, or a values_list queryset
    from `contacts_filter`); ids of other workspaces are ignored. Recorded in the activity
    log as one line with the count."""
    targets = scoped(Contact, workspace).filter(pk__in=ids)
    deleted = 0
    while batch := list(targets.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        scoped(Contact, workspace).filter(pk__in=batch).delete()
        deleted += len(batch)
    if deleted:
        events.contacts_deleted_audit(workspace=workspace, actor=actor, count=deleted)
    return BulkResult(matched=deleted, changed=deleted)
