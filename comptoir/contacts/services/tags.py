"""Tags: adding, removing, renaming and deleting them, one contact or many at once."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.contacts import events, normalize
from comptoir.contacts.models import (
    Contact,
    ContactTag,
    Segment,
    Tag,
)
from comptoir.contacts.selectors import segments_using_tag
from comptoir.contacts.services.bulk import BATCH, BulkResult
from comptoir.contacts.services.locks import _lock_contacts, contact_lock
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

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
        events.tag_added_event(contact=contact, actor=actor, tag=tag.name)
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
    events.tag_removed_event(contact=contact, actor=actor, tag=link.tag.name)
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
            events.tags_added_events(
                workspace=workspace, contact_ids=batch, actor=actor, tag=tag.name
            )
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
            events.tags_removed_events(
                workspace=workspace, contact_ids=contact_ids, actor=actor, tag=tag.name
            )
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
            events.tags_renamed_events(
                workspace=workspace, contact_ids=batch, actor=actor, old=old_name, new=new_name
            )
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
        events.tags_renamed_events(
            workspace=workspace,
            contact_ids=batch,
            actor=actor,
            old=old_name,
            new=target.name,
            merged=True,
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
        events.tags_removed_events(
            workspace=workspace,
            contact_ids=_lock_contacts(workspace, batch),
            actor=actor,
            tag=tag.name,
        )
    tag.delete()
