"""Every write to the directory (house rule 1): keyword-only, typed, atomic.

Each action that concerns a contact writes its `ContactEvent` in the same transaction.
Validation happens before the first write, so a refused action changes nothing (rule 10).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticValidationError

from comptoir.contacts import normalize, phones
from comptoir.contacts.models import (
    ADDRESS_KEYS,
    Contact,
    ContactEvent,
    ContactTag,
    Note,
    Segment,
    SegmentContact,
    Tag,
)
from comptoir.contacts.selectors import ContactFilter, contacts_filter, segments_using_tag
from comptoir.core.models import Membership, User, Workspace
from comptoir.core.roles import Action, Role, role_can
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError, validation_message

Kind = ContactEvent.Kind
BATCH = 1000
CENT = Decimal("0.01")
NOTE_MAX_LENGTH = 10_000

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


@dataclass(frozen=True)
class BulkResult:
    matched: int  # contacts selected (of this workspace)
    changed: int  # contacts the action changed


def contact_event_add(
    contact: Contact, kind: str, actor: User | None = None, **data
) -> ContactEvent:
    """Append one entry to the contact's timeline (C4); every app writes its events here."""
    return ContactEvent.objects.create(
        workspace_id=contact.workspace_id, contact=contact, kind=kind, actor=actor, data=data
    )


def contact_events_add(
    entries: Iterable[tuple[Contact, str, dict]],
    *,
    insert: Callable[[list], object] = ContactEvent.objects.bulk_create,
) -> None:
    """`contact_event_add` for many entries in one insert: (contact, kind, data) each, by no
    actor (the store's writes). `insert` writes the list of new rows (commerce passes its
    PostgreSQL one-statement insert)."""
    insert(
        [
            ContactEvent(workspace_id=contact.workspace_id, contact=contact, kind=kind, data=data)
            for contact, kind, data in entries
        ]
    )


def _events(
    workspace: Workspace, contact_ids: Iterable[int], kind: str, actor: User | None, **data
) -> None:
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(workspace=workspace, contact_id=pk, kind=kind, actor=actor, data=data)
            for pk in contact_ids
        ],
        batch_size=BATCH,
    )


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


def _clean_details(changes: dict, staff_in: Workspace | None = None) -> dict:
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


def _contact_new(workspace: Workspace, source: str, *, by_staff: bool, **details) -> Contact:
    """An unsaved contact from cleaned and validated `details`; ServiceError otherwise."""
    details = _clean_details(
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
    contact = _contact_new(
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
    # One entry for the creation and the tags it came with (the shape an import writes for
    # each new contact, import_merge), rather than one more entry per tag.
    created = {"source": source}
    if tag_objects:
        created["tags"] = [tag.name for tag in tag_objects]
    contact_event_add(contact, Kind.CREATED, actor, **created)
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
    cleaned = _clean_details(changes, contact.workspace)
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
        data = {"changes": diff}
        if current.locked and not was_locked:
            data["locked"] = True
        contact_event_add(current, Kind.EDITED, actor, **data)
    elif current.locked:
        contact_event_add(current, Kind.LOCKED, actor)
    if was_locked and not current.locked:
        contact_event_add(current, Kind.UNLOCKED, actor)
    return current


def contact_unlock(*, contact: Contact, actor: User | None) -> Contact:
    """Release the sync lock (C6): orders update the details again."""
    return contact_update(contact=contact, actor=actor, lock=False)


@transaction.atomic
def contact_delete(*, contact: Contact, actor: User | None) -> None:
    """Delete a contact with its notes, tags and timeline. (GDPR erasure, which also
    leaves a suppression entry, is `consent` territory.)"""
    contact_lock(contact).delete()


@transaction.atomic
def contacts_delete(
    *, workspace: Workspace, ids: Iterable[int] | QuerySet, actor: User | None
) -> BulkResult:
    """Delete the contacts of `workspace` among `ids` (a list, or a values_list queryset
    from `contacts_filter`); ids of other workspaces are ignored."""
    targets = scoped(Contact, workspace).filter(pk__in=ids)
    deleted = 0
    while batch := list(targets.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        scoped(Contact, workspace).filter(pk__in=batch).delete()
        deleted += len(batch)
    return BulkResult(matched=deleted, changed=deleted)


# -------------------------------------------------------------------------------- tags


def _tag_names(names: Iterable[str]) -> list[str]:
    """Valid, distinct (by key) tag names, in the order given."""
    if isinstance(names, str):
        names = [names]
    seen: dict[str, str] = {}
    for raw in names:
        name = normalize.tag_name(raw)
        if not name:
            raise ServiceError(_("A tag cannot be empty."), code="invalid_tag")
        # Forms, store payloads and import files all write lists of tags separated by commas.
        if "," in name:
            raise ServiceError(_("A tag cannot contain a comma."), code="invalid_tag")
        if len(name) > Tag._meta.get_field("name").max_length:
            raise ServiceError(
                _("A tag has at most %(n)d characters.") % {"n": 64}, code="invalid_tag"
            )
        seen.setdefault(normalize.tag_key(name), name)
    return list(seen.values())


def _tags_ensure(workspace: Workspace, names: Iterable[str]) -> list[Tag]:
    """The tags named, created where missing — or ServiceError `tag_limit` before any write
    if the workspace would hold more than 250 distinct tags (C7)."""
    names = _tag_names(names)
    if not names:
        return []
    keys = {normalize.tag_key(name): name for name in names}
    existing = {tag.key: tag for tag in scoped(Tag, workspace).filter(key__in=keys)}
    missing = [key for key in keys if key not in existing]
    if missing:
        # Two requests adding new tags at once must not both pass the check: the workspace
        # row is their lock (SQLite's IMMEDIATE transactions serialise writers anyway).
        list(scoped(Workspace, workspace).select_for_update().values_list("pk", flat=True))
        existing = {tag.key: tag for tag in scoped(Tag, workspace).filter(key__in=keys)}
        missing = [key for key in keys if key not in existing]
        total = scoped(Tag, workspace).count() + len(missing)
        if total > Tag.MAX_PER_WORKSPACE:
            raise ServiceError(
                _(
                    "A workspace has at most %(max)d tags; this would make %(total)d. "
                    "Reuse, merge or delete tags first."
                )
                % {"max": Tag.MAX_PER_WORKSPACE, "total": total},
                code="tag_limit",
            )
        for key in missing:
            existing[key] = Tag.objects.create(workspace=workspace, name=keys[key], key=key)
    return [existing[key] for key in keys]


def _link_tags(contact: Contact, tags: list[Tag], actor: User | None) -> list[Tag]:
    present = set(
        ContactTag.objects.filter(contact=contact, tag__in=tags).values_list("tag_id", flat=True)
    )
    added = [tag for tag in tags if tag.pk not in present]
    ContactTag.objects.bulk_create([ContactTag(contact=contact, tag=tag) for tag in added])
    for tag in added:
        contact_event_add(contact, Kind.TAG_ADDED, actor, tag=tag.name)
    return added


@transaction.atomic
def contact_tags_add(*, contact: Contact, names: Iterable[str], actor: User | None) -> list[Tag]:
    """Tag a contact; returns the tags it did not have yet."""
    contact_lock(contact)
    return _link_tags(contact, _tags_ensure(contact.workspace, names), actor)


@transaction.atomic
def contact_tag_remove(*, contact: Contact, name: str, actor: User | None) -> bool:
    """Untag a contact; False when it did not carry that tag."""
    contact_lock(contact)
    link = (
        ContactTag.objects.filter(contact=contact, tag__key=normalize.tag_key(name))
        .select_related("tag")
        .first()
    )
    if link is None:
        return False
    link.delete()
    contact_event_add(contact, Kind.TAG_REMOVED, actor, tag=link.tag.name)
    return True


def _has_tag(tag: Tag) -> Exists:
    return Exists(ContactTag.objects.filter(contact=OuterRef("pk"), tag=tag))


@transaction.atomic
def contacts_tag_bulk(
    *,
    workspace: Workspace,
    ids: Iterable[int] | QuerySet,
    names: Iterable[str],
    actor: User | None,
) -> BulkResult:
    """Add tags to many contacts (C7), in batches, each new link on the timeline."""
    tags = _tags_ensure(workspace, names)
    targets = scoped(Contact, workspace).filter(pk__in=ids)
    matched = targets.count()
    missing_any = Q()
    for tag in tags:
        missing_any |= ~Q(_has_tag(tag))
    changed = targets.filter(missing_any).count() if tags else 0
    for tag in tags:
        untagged = targets.exclude(_has_tag(tag)).order_by("pk").values_list("pk", flat=True)
        while batch := list(untagged[:BATCH]):
            batch = _lock_contacts(workspace, batch)
            ContactTag.objects.bulk_create([ContactTag(contact_id=pk, tag=tag) for pk in batch])
            _events(workspace, batch, Kind.TAG_ADDED, actor, tag=tag.name)
    return BulkResult(matched=matched, changed=changed)


@transaction.atomic
def contacts_untag_bulk(
    *,
    workspace: Workspace,
    ids: Iterable[int] | QuerySet,
    names: Iterable[str],
    actor: User | None,
) -> BulkResult:
    targets = scoped(Contact, workspace).filter(pk__in=ids)
    matched = targets.count()
    keys = [normalize.tag_key(name) for name in _tag_names(names)]
    tags = list(scoped(Tag, workspace).filter(key__in=keys))
    links = ContactTag.objects.filter(tag__in=tags, contact__in=targets)
    changed = links.values("contact_id").distinct().count()
    for tag in tags:
        tagged = links.filter(tag=tag).order_by("pk").values_list("pk", "contact_id")
        while batch := list(tagged[:BATCH]):
            contact_ids = _lock_contacts(workspace, [contact for _pk, contact in batch])
            _events(workspace, contact_ids, Kind.TAG_REMOVED, actor, tag=tag.name)
            ContactTag.objects.filter(pk__in=[pk for pk, _contact in batch]).delete()
    return BulkResult(matched=matched, changed=changed)


def _tag_by_name(workspace: Workspace, name: str) -> Tag:
    tag = scoped(Tag, workspace).filter(key=normalize.tag_key(name)).first()
    if tag is None:
        raise ServiceError(_("No such tag."), code="not_found", status=404)
    return tag


def _tagged_contact_ids(tag: Tag) -> QuerySet:
    return (
        ContactTag.objects.filter(tag=tag)
        .order_by("contact_id")
        .values_list("contact_id", flat=True)
    )


def _segments_follow_tag(workspace: Workspace, old_name: str, new_name: str) -> None:
    """Saved filters name tags: rewrite those naming the old tag in the same transaction,
    so that a rename or a merge never empties a segment (C7, C10)."""
    old_key = normalize.tag_key(old_name)
    pks = [segment.pk for segment in segments_using_tag(workspace=workspace, name=old_name)]
    # Locked so that a segment edited meanwhile is rewritten from its latest filter.
    for segment in scoped(Segment, workspace).filter(pk__in=pks).select_for_update():
        names, keys = [], set()
        for name in segment.filter.get("tag") or ():
            if normalize.tag_key(name) == old_key:
                name = new_name
            if normalize.tag_key(name) not in keys:  # a merge leaves the tag once
                keys.add(normalize.tag_key(name))
                names.append(name)
        segment.filter = {**segment.filter, "tag": names}
        segment.save(update_fields=["filter", "updated_at"])


@transaction.atomic
def tag_rename(*, workspace: Workspace, old: str, new: str, actor: User | None = None) -> Tag:
    """Rename a tag; renaming onto another existing tag MERGES them (C7): its contacts get
    the other tag once, and the old tag disappears."""
    tag = _tag_by_name(workspace, old)
    new_name = _tag_names([new])[0]
    new_key = normalize.tag_key(new_name)
    target = scoped(Tag, workspace).filter(key=new_key).exclude(pk=tag.pk).first()
    old_name = tag.name
    if target is None:
        if new_name == old_name:
            return tag
        tag.name, tag.key = new_name, new_key
        tag.save(update_fields=["name", "key"])
        _segments_follow_tag(workspace, old_name, new_name)
        last = 0
        while batch := list(_tagged_contact_ids(tag).filter(contact_id__gt=last)[:BATCH]):
            last = batch[-1]
            batch = _lock_contacts(workspace, batch)
            _events(workspace, batch, Kind.TAG_RENAMED, actor, old=old_name, new=new_name)
        return tag
    last = 0
    while batch := list(_tagged_contact_ids(tag).filter(contact_id__gt=last)[:BATCH]):
        last = batch[-1]
        batch = _lock_contacts(workspace, batch)
        already = set(
            ContactTag.objects.filter(tag=target, contact_id__in=batch).values_list(
                "contact_id", flat=True
            )
        )
        ContactTag.objects.bulk_create(
            [ContactTag(contact_id=pk, tag=target) for pk in batch if pk not in already]
        )
        _events(
            workspace, batch, Kind.TAG_RENAMED, actor, old=old_name, new=target.name, merged=True
        )
    _segments_follow_tag(workspace, old_name, target.name)
    tag.delete()
    return target


@transaction.atomic
def tag_delete(*, workspace: Workspace, name: str, actor: User | None = None) -> None:
    """Remove a tag from every contact and from the workspace.

    Smart segments that filter on it keep their filter, so they match no contact (the
    safe side: a campaign to such a segment reaches nobody rather than everybody); the
    dashboard names them before confirming (`segments_using_tag`)."""
    tag = _tag_by_name(workspace, name)
    last = 0
    while batch := list(_tagged_contact_ids(tag).filter(contact_id__gt=last)[:BATCH]):
        last = batch[-1]
        _events(workspace, _lock_contacts(workspace, batch), Kind.TAG_REMOVED, actor, tag=tag.name)
    tag.delete()


# ------------------------------------------------------------------------------- notes


def _clean_note(body: str | None) -> str:
    body = normalize.clean_text(body)
    if not body:
        raise ServiceError(_("A note cannot be empty."), code="invalid_note")
    if len(body) > NOTE_MAX_LENGTH:
        raise ServiceError(
            _("A note has at most %(n)d characters.") % {"n": NOTE_MAX_LENGTH},
            code="invalid_note",
        )
    return body


def _note_write(*, contact: Contact, author: User | None, body: str) -> Note:
    note = Note.objects.create(
        workspace_id=contact.workspace_id, contact=contact, author=author, body=body
    )
    # The timeline says a note was written, not what it says: notes are never exported.
    contact_event_add(contact, Kind.NOTE_ADDED, author, note_id=note.pk)
    return note


def contact_lock(contact: Contact) -> Contact:
    """Lock the contact's row for this transaction, or say it is gone.

    A write about a contact and its erasure (X5) take this lock first, so they queue: a note
    added while the person is being erased finds them gone (404), never a foreign-key error
    that would also stop the erasure."""
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
    if locked is None:
        raise ServiceError(_("This contact no longer exists."), code="not_found", status=404)
    return locked


def _lock_contacts(workspace: Workspace, ids: list[int]) -> list[int]:
    """`contact_lock` for a batch: the ids among `ids` whose contacts still exist, their rows
    locked (in id order, as every batch takes them) until the end of the transaction."""
    locked = scoped(Contact, workspace).select_for_update().filter(pk__in=ids).order_by("pk")
    return list(locked.values_list("pk", flat=True))


def _note_lock(note: Note) -> Note:
    """The note, re-read after its contact's lock: an erasure may have taken both away (and
    saving a note that is gone would write it again)."""
    contact = contact_lock(note.contact)
    current = Note.objects.filter(pk=note.pk, contact=contact).first()
    if current is None:
        raise ServiceError(_("This note no longer exists."), code="not_found", status=404)
    current.contact = contact
    return current


@transaction.atomic
def note_create(*, contact: Contact, author: User | None, body: str) -> Note:
    body = _clean_note(body)
    contact_lock(contact)
    return _note_write(contact=contact, author=author, body=body)


def note_may_change(*, note: Note, actor: User | None, role: str | None = None) -> bool:
    """Only the note's author or an owner/admin may change it (C8). `role` is the actor's
    role in the note's workspace, looked up when not given."""
    if role is None and actor is not None:
        role = (
            Membership.objects.filter(workspace_id=note.workspace_id, user=actor)
            .values_list("role", flat=True)
            .first()
        )
    is_author = actor is not None and note.author_id == actor.pk
    return role_can(role, Action.EDIT) and (is_author or role in (Role.OWNER, Role.ADMIN))


def _ensure_may_change(note: Note, actor: User | None, role: str | None) -> None:
    if not note_may_change(note=note, actor=actor, role=role):
        raise ServiceError(
            _("Only the note's author or an admin may change it."), code="forbidden", status=403
        )


@transaction.atomic
def note_update(*, note: Note, actor: User | None, body: str, role: str | None = None) -> Note:
    """`role` is the actor's role (an API token's own); looked up from the membership
    when not given."""
    body = _clean_note(body)
    _ensure_may_change(note, actor, role)
    note = _note_lock(note)
    if body != note.body:
        note.body = body
        note.save(update_fields=["body", "updated_at"])
        contact_event_add(note.contact, Kind.NOTE_EDITED, actor, note_id=note.pk)
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: User | None, role: str | None = None) -> None:
    _ensure_may_change(note, actor, role)
    note = _note_lock(note)
    contact, note_id = note.contact, note.pk
    note.delete()
    contact_event_add(contact, Kind.NOTE_DELETED, actor, note_id=note_id)


# ---------------------------------------------------------------------------- segments


def _segment_name(workspace: Workspace, name: str, exclude_pk: int | None = None) -> str:
    name = normalize.clean_line(name)
    if not name or len(name) > Segment._meta.get_field("name").max_length:
        raise ServiceError(
            _("A segment needs a name of at most 120 characters."), code="invalid_name"
        )
    others = scoped(Segment, workspace).exclude(pk=exclude_pk).values_list("name", flat=True)
    # Compared here, not with iexact: SQLite folds the case of ASCII letters only.
    if any(other.lower() == name.lower() for other in others):
        raise ServiceError(
            _("A segment named “%(name)s” already exists.") % {"name": name},
            code="duplicate_segment",
            status=409,
        )
    return name


def _segment_filter(workspace: Workspace, value: ContactFilter | dict | None) -> ContactFilter:
    try:
        if not isinstance(value, ContactFilter):
            value = ContactFilter.model_validate(value or {})
    except PydanticValidationError as error:
        raise ServiceError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()),
            code="invalid_filter",
        ) from None
    _check_segment_reference(workspace, value)
    return value


def _check_segment_reference(workspace: Workspace, flt: ContactFilter) -> None:
    try:
        contacts_filter(workspace=workspace, filter=flt)  # resolves every segment it names
    except Http404:
        raise ServiceError(
            _("The filter names a segment that does not exist."), code="unknown_segment"
        ) from None


def _static_members_add(segment: Segment, ids, actor: User | None) -> int:
    targets = scoped(Contact, segment.workspace).filter(pk__in=ids)
    fresh = targets.exclude(
        Exists(SegmentContact.objects.filter(segment=segment, contact=OuterRef("pk")))
    )
    added = 0
    while batch := list(fresh.order_by("pk").values_list("pk", flat=True)[:BATCH]):
        SegmentContact.objects.bulk_create(
            [SegmentContact(segment=segment, contact_id=pk) for pk in batch]
        )
        _events(
            segment.workspace,
            batch,
            Kind.GROUP_ADDED,
            actor,
            segment_id=segment.pk,
            segment=segment.name,
        )
        added += len(batch)
    return added


def _require_static(segment: Segment) -> None:
    if segment.kind != Segment.Kind.STATIC:
        raise ServiceError(
            _("Contacts are added by hand only to static groups."), code="not_static"
        )


@transaction.atomic
def segment_create(
    *,
    workspace: Workspace,
    name: str,
    actor: User | None,
    kind: str = Segment.Kind.SMART,
    filter: ContactFilter | dict | None = None,
    contact_ids: Iterable[int] = (),
) -> Segment:
    """A smart segment (a saved filter, evaluated live) or a static group (C10)."""
    if kind not in Segment.Kind.values:
        raise ServiceError(_("A segment is smart or static."), code="invalid_kind")
    name = _segment_name(workspace, name)
    stored = {}
    if kind == Segment.Kind.SMART:
        stored = _segment_filter(workspace, filter).stored()
    elif filter:
        raise ServiceError(_("A static group has no filter."), code="invalid_filter")
    segment = Segment.objects.create(
        workspace=workspace, name=name, kind=kind, filter=stored, created_by=actor
    )
    if kind == Segment.Kind.STATIC and contact_ids:
        _static_members_add(segment, contact_ids, actor)
    return segment


@transaction.atomic
def segment_update(
    *,
    segment: Segment,
    actor: User | None,
    name: str | None = None,
    filter: ContactFilter | dict | None = None,
) -> Segment:
    workspace = segment.workspace
    if name is not None:
        segment.name = _segment_name(workspace, name, exclude_pk=segment.pk)
    if filter is not None:
        if segment.kind != Segment.Kind.SMART:
            raise ServiceError(_("A static group has no filter."), code="invalid_filter")
        segment.filter = _segment_filter(workspace, filter).stored()
    segment.save()
    # A filter that names a segment which names this one back would never finish.
    contacts_filter(workspace=workspace, filter=ContactFilter(segment=str(segment.pk)))
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, actor: User | None) -> None:
    users = scoped(Segment, segment.workspace).filter(filter__segment=str(segment.pk))
    if users.exists():
        raise ServiceError(
            _("Other segments use this one: %(names)s")
            % {"names": ", ".join(users.values_list("name", flat=True))},
            code="segment_in_use",
            status=409,
        )
    segment.delete()


@transaction.atomic
def segment_contacts_add(*, segment: Segment, ids: Iterable[int], actor: User | None) -> int:
    """Hand-pick contacts into a static group; returns how many were not in it yet."""
    _require_static(segment)
    return _static_members_add(segment, ids, actor)


@transaction.atomic
def segment_contacts_remove(*, segment: Segment, ids: Iterable[int], actor: User | None) -> int:
    _require_static(segment)
    members = SegmentContact.objects.filter(
        segment=segment, contact__in=scoped(Contact, segment.workspace).filter(pk__in=ids)
    )
    contact_ids = list(members.values_list("contact_id", flat=True))
    members.delete()
    _events(
        segment.workspace,
        contact_ids,
        Kind.GROUP_REMOVED,
        actor,
        segment_id=segment.pk,
        segment=segment.name,
    )
    return len(contact_ids)


# ------------------------------------------------------- what the store says (C2, C3, C5, C6)

# The details an order or a store's customer record may update (C6). Company, language and
# the e-mail address itself stay staff's.
STORE_DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "shipping_address",
    "billing_address",
    "has_account",
)


def contact_for_store(
    *,
    workspace: Workspace,
    email: str,
    source: str,
    details: dict | None = None,
    actor: User | None = None,
) -> tuple[Contact, bool]:
    """The contact of `email` (C2: the address in any case is one contact), row-locked until
    the end of the caller's transaction so that concurrent orders for one person queue up;
    created with `details` and `source` when the address is new. Returns (contact, created).

    Call inside `transaction.atomic()`, retried as a whole on IntegrityError (commerce's
    writes are): when another request inserts the same address between our read and our
    insert, the unique key refuses ours, and the next attempt's read finds theirs.
    """
    key = normalize.email_key(email)
    found = scoped(Contact, workspace).select_for_update().filter(email_key=key)[:1]
    if found:
        contact = found[0]
        contact.workspace = workspace  # known already: spare a query for it later
        return contact, False
    details = {
        field: value for field, value in (details or {}).items() if field in STORE_DETAIL_FIELDS
    }
    # contact_create's rules without its guards against that race (a second read and two
    # savepoints: a third of the round trips of a new customer's first order), since the
    # caller's retry covers it.
    contact = _contact_new(workspace, source, by_staff=False, email=email, **details)
    contact.save()
    contact_event_add(contact, Kind.CREATED, actor, source=source)
    return contact, True


def contacts_for_store(
    *, workspace: Workspace, wanted: dict[str, tuple[str, str, dict]]
) -> tuple[dict[str, Contact], set[str], dict[str, ServiceError]]:
    """`contact_for_store` for many addresses at once (the order backfill): `wanted` maps
    an address's key (`normalize.email_key`) to (email, source, details) for the contact to
    create when the address is new. One locking read, one insert of the new contacts and
    one of their "created" entries, whatever their number.

    Returns the contacts by key, the keys created now, and the refusals by key (a new
    contact `_contact_new` refuses: only the orders of that address fail). Same rules and
    same caller duty as `contact_for_store` (inside a transaction retried on IntegrityError).
    """
    # Locked in id order, as every writer that locks several contacts does.
    found = scoped(Contact, workspace).select_for_update().filter(email_key__in=list(wanted))
    contacts = {contact.email_key: contact for contact in found.order_by("pk")}
    new, refused = [], {}
    for key, (email, source, details) in wanted.items():
        if key in contacts:
            continue
        details = {field: value for field, value in details.items() if field in STORE_DETAIL_FIELDS}
        try:
            contact = _contact_new(workspace, source, by_staff=False, email=email, **details)
        except ServiceError as error:
            refused[key] = error
            continue
        contact.refresh_derived_fields()  # what save() does, which bulk_create skips
        new.append(contact)
    Contact.objects.bulk_create(new)
    contact_events_add((contact, Kind.CREATED, {"source": contact.source}) for contact in new)
    for contact in [*contacts.values(), *new]:
        contact.workspace = workspace
    created = {contact.email_key for contact in new}
    contacts.update({contact.email_key: contact for contact in new})
    return contacts, created, refused


def contact_details_sync(
    *, contact: Contact, details: dict, origin: dict, actor: User | None = None
) -> dict:
    """Details the store knows (an order's name, phone and addresses; a customer record)
    update an unlocked contact; a locked one keeps what staff wrote (C6). Only details the
    store actually gives are applied. Returns the changes, logged on the timeline with
    `origin` (e.g. `{"order": "#1001"}`).

    `contact` must be the row locked by `contact_for_store`.
    """
    if contact.locked:
        return {}
    given = {
        field: value
        for field, value in details.items()
        if field in STORE_DETAIL_FIELDS and value not in (None, "", {})
    }
    cleaned = _clean_details(given)
    diff = {
        field: [getattr(contact, field), value]
        for field, value in cleaned.items()
        if getattr(contact, field) != value
    }
    if not diff:
        return {}
    for field, (_old, new) in diff.items():
        setattr(contact, field, new)
    contact.save(update_fields=list(diff))
    contact_event_add(contact, "details_synced", actor, changes=diff, **origin)
    return diff


TOTAL_SPENT_MAX = Decimal("9999999999.99")  # Contact.total_spent: 12 digits, 2 decimals


def contact_figures_values(*, order_count: int, total_spent, last_order_at, customer_since) -> dict:
    """The contact columns the order figures (C5) set: with the average and the type they
    imply (C3: a customer has at least one order that counts). commerce.postgres stores
    the same values in SQL."""
    total_spent = Decimal(total_spent or 0).quantize(CENT)
    average = (
        (total_spent / order_count).quantize(CENT, rounding=ROUND_HALF_UP)
        if order_count
        else Decimal("0.00")
    )
    return {
        "order_count": order_count,
        # Held at what the column stores: a few orders at the largest amount would add up
        # to more, and SQLite would keep a value no read could convert back.
        "total_spent": min(total_spent, TOTAL_SPENT_MAX),
        "average_order_value": average,
        "last_order_at": last_order_at,
        "customer_since": customer_since,
        "type": Contact.Type.CUSTOMER if order_count else Contact.Type.PROSPECT,
    }


def contact_figures_set(
    *,
    contact: Contact,
    order_count: int,
    total_spent,
    last_order_at,
    customer_since,
) -> bool:
    """Store the order figures commerce computed from the contact's orders (C5) and the type
    they imply (C3). Returns whether anything changed. The figures are facts about orders:
    no timeline entry of their own."""
    values = contact_figures_values(
        order_count=order_count,
        total_spent=total_spent,
        last_order_at=last_order_at,
        customer_since=customer_since,
    )
    if all(getattr(contact, field) == value for field, value in values.items()):
        return False
    # A plain UPDATE: the derived search columns do not depend on the figures.
    values["updated_at"] = timezone.now()
    scoped(Contact, contact.workspace).filter(pk=contact.pk).update(**values)
    for field, value in values.items():
        setattr(contact, field, value)
    return True
