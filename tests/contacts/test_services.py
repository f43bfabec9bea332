"""Writes to contacts, tags and notes: each checks the timeline event it must leave."""

import pytest

from comptoir.contacts import services
from comptoir.contacts.events import Kind
from comptoir.contacts.models import Contact, ContactEvent, ContactTag, Note, Tag
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from tests.contacts.helpers import events_of, make_contact

# ----------------------------------------------------------------------------- create


def test_create_normalises_details_and_writes_created_event(workspace, owner):
    contact = services.contact_create(
        workspace=workspace,
        actor=owner,
        email="  Zoe@Example.COM ",
        phone="06 12 34 56 78",
        first_name=" Zoé ",
        last_name="Dubois",
    )
    assert (contact.email, contact.email_key) == ("Zoe@example.com", "zoe@example.com")
    assert contact.phone == "+33612345678"
    assert contact.first_name == "Zoé"
    assert (contact.type, contact.consent, contact.source) == (
        "prospect",
        "not_subscribed",
        "manual",
    )
    assert contact.search_text == "zoe dubois zoe@example.com 33612345678 0612345678"
    [event] = events_of(contact)
    assert (event.kind, event.actor, event.data) == (Kind.CREATED, owner, {"source": "manual"})


def test_create_with_tags_and_note_writes_their_events(workspace, owner):
    contact = make_contact(
        workspace, actor=owner, tags=["VIP", "vip ", "Fidèle"], note=" Aime le thé "
    )
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Fidèle", "VIP"]
    [note] = contact.notes.all()
    assert (note.body, note.author) == ("Aime le thé", owner)
    kinds = [(e.kind, e.data) for e in events_of(contact)]
    # The tags a contact is created with are told by its "created" entry, in the order given
    # (an import writes the same entry for each new contact).
    assert kinds == [
        (Kind.CREATED, {"source": "manual", "tags": ["VIP", "Fidèle"]}),
        (Kind.NOTE_ADDED, {"note_id": note.pk}),
    ]


@pytest.mark.parametrize("variant", ["zoe@example.com", "  ZOE@EXAMPLE.COM", "Zoe@example.com "])
def test_an_address_in_any_case_is_one_contact(workspace, variant):
    make_contact(workspace, "Zoe@Example.com")
    with pytest.raises(ServiceError) as caught:
        make_contact(workspace, variant)
    assert (caught.value.code, caught.value.status) == ("duplicate_email", 409)
    assert scoped(Contact, workspace).count() == 1
    assert ContactEvent.objects.count() == 1


def test_same_address_in_another_workspace_is_another_contact(workspace, other_workspace):
    make_contact(workspace, "zoe@example.com")
    make_contact(other_workspace, "zoe@example.com")
    assert Contact.objects.filter(email_key="zoe@example.com").count() == 2


def test_email_or_phone_is_required(workspace):
    with pytest.raises(ServiceError) as caught:
        services.contact_create(workspace=workspace, actor=None, first_name="Zoé")
    assert (caught.value.code, caught.value.status) == ("email_or_phone_required", 422)
    assert not scoped(Contact, workspace).exists()


def test_phone_only_contacts_need_no_address(workspace):
    first = services.contact_create(workspace=workspace, actor=None, phone="0612345678")
    second = services.contact_create(workspace=workspace, actor=None, phone="0698765432")
    assert (first.email_key, second.email_key) == ("", "")


@pytest.mark.parametrize(
    "details, code",
    [
        ({"email": "not an address"}, "invalid_email"),
        ({"email": "a@example.com", "phone": "none"}, "invalid_phone"),
        ({"email": "a@example.com", "first_name": "x" * 151}, "invalid"),
        ({"email": "a@example.com", "source": "carrier_pigeon"}, "invalid_source"),
        ({"email": "a@example.com", "shipping_address": {"planet": "Mars"}}, "invalid_address"),
        ({"email": "a@example.com", "tags": ["  "]}, "invalid_tag"),
        ({"email": "a@example.com", "tags": ["red, white"]}, "invalid_tag"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_written(workspace, details, code):
    with pytest.raises(ServiceError) as caught:
        services.contact_create(workspace=workspace, actor=None, **details)
    assert caught.value.code == code
    assert not scoped(Contact, workspace).exists()
    assert not scoped(Tag, workspace).exists()


# ----------------------------------------------------------------------------- update


def test_manual_edit_sets_the_lock_and_records_the_changes(workspace, owner):
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoe")
    updated = services.contact_update(
        contact=contact, actor=owner, first_name="Zoé", phone="+33 6 12 34 56 78"
    )
    assert updated.locked is True
    assert (updated.first_name, updated.phone) == ("Zoé", "+33612345678")
    assert updated.search_text.startswith("zoe ")
    [event] = events_of(contact, Kind.EDITED)
    assert event.actor == owner
    assert event.data == {
        "changes": {"first_name": ["Zoe", "Zoé"], "phone": ["", "+33612345678"]},
        "locked": True,
    }


def test_automatic_update_leaves_the_lock_alone(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    updated = services.contact_update(contact=contact, actor=None, lock=None, company="Thé & Co")
    assert (updated.company, updated.locked) == ("Thé & Co", False)
    [event] = events_of(contact, Kind.EDITED)
    assert event.data == {"changes": {"company": ["", "Thé & Co"]}}


def test_locking_without_changes_writes_a_locked_event(workspace, owner):
    contact = make_contact(workspace)
    locked = services.contact_update(contact=contact, actor=owner)
    assert locked.locked is True
    [event] = events_of(contact, Kind.LOCKED)
    assert event.actor == owner
    assert events_of(contact, Kind.EDITED) == []


def test_unlock_releases_the_lock_with_an_event(workspace, owner):
    contact = services.contact_update(
        contact=make_contact(workspace), actor=owner, last_name="Dubois"
    )
    unlocked = services.contact_unlock(contact=contact, actor=owner)
    assert unlocked.locked is False
    [event] = events_of(contact, Kind.UNLOCKED)
    assert event.actor == owner


def test_changing_to_an_address_of_another_contact_is_refused(workspace):
    make_contact(workspace, "zoe@example.com")
    other = make_contact(workspace, "lea@example.com")
    with pytest.raises(ServiceError) as caught:
        services.contact_update(contact=other, actor=None, email=" ZOE@example.com")
    assert caught.value.code == "duplicate_email"
    other.refresh_from_db()
    assert (other.email, other.locked) == ("lea@example.com", False)
    assert events_of(other, Kind.EDITED) == []


def test_changing_the_case_of_ones_own_address_is_allowed(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    updated = services.contact_update(contact=contact, actor=None, email="Zoe@example.com")
    assert updated.email == "Zoe@example.com"


def test_removing_the_only_way_to_reach_a_contact_is_refused(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    with pytest.raises(ServiceError) as caught:
        services.contact_update(contact=contact, actor=None, email="")
    assert caught.value.code == "email_or_phone_required"


def test_an_edit_that_changes_nothing_writes_nothing(workspace):
    contact = services.contact_update(
        contact=make_contact(workspace, "zoe@example.com"), actor=None, first_name="Zoé"
    )
    before = len(events_of(contact))
    services.contact_update(contact=contact, actor=None, first_name="Zoé")
    assert len(events_of(contact)) == before


# ----------------------------------------------------------------------------- delete


def test_delete_removes_the_contact_with_its_notes_tags_and_timeline(workspace):
    contact = make_contact(workspace, tags=["VIP"], note="hello")
    services.contact_delete(contact=contact, actor=None)
    assert not scoped(Contact, workspace).exists()
    assert not ContactEvent.objects.exists()
    assert not Note.objects.exists()
    assert not ContactTag.objects.exists()
    assert scoped(Tag, workspace).count() == 1  # the tag stays in the tag manager


def test_bulk_delete_ignores_contacts_of_other_workspaces(workspace, other_workspace):
    mine = [make_contact(workspace) for _ in range(3)]
    theirs = make_contact(other_workspace)
    result = services.contacts_delete(
        workspace=workspace, ids=[mine[0].pk, mine[1].pk, theirs.pk], actor=None
    )
    assert (result.matched, result.changed) == (2, 2)
    assert list(scoped(Contact, workspace)) == [mine[2]]
    assert scoped(Contact, other_workspace).get() == theirs


# ------------------------------------------------------------------------------- tags


def test_tags_are_case_insensitive_and_added_once(workspace, owner):
    contact = make_contact(workspace)
    added = services.contact_tags_add(contact=contact, names=["VIP"], actor=owner)
    again = services.contact_tags_add(contact=contact, names=["vip", " VIP "], actor=owner)
    assert [tag.name for tag in added] == ["VIP"]
    assert again == []
    assert scoped(Tag, workspace).count() == 1
    [event] = events_of(contact, Kind.TAG_ADDED)
    assert (event.data, event.actor) == ({"tag": "VIP"}, owner)


def test_tag_remove_writes_an_event(workspace, owner):
    contact = make_contact(workspace, tags=["VIP"])
    assert services.contact_tag_remove(contact=contact, name="vip", actor=owner) is True
    assert services.contact_tag_remove(contact=contact, name="vip", actor=owner) is False
    assert not contact.tags.exists()
    [event] = events_of(contact, Kind.TAG_REMOVED)
    assert (event.data, event.actor) == ({"tag": "VIP"}, owner)


def _fill_tags(workspace, count):
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(count)]
    )


def test_the_251st_distinct_tag_is_refused(workspace):
    _fill_tags(workspace, 250)
    contact = make_contact(workspace)
    with pytest.raises(ServiceError) as caught:
        services.contact_tags_add(contact=contact, names=["one too many"], actor=None)
    assert (caught.value.code, caught.value.status) == ("tag_limit", 422)
    assert scoped(Tag, workspace).count() == 250
    # Existing tags are still usable at the limit.
    services.contact_tags_add(contact=contact, names=["T7"], actor=None)
    assert list(contact.tags.values_list("name", flat=True)) == ["t7"]


def test_a_request_that_would_cross_the_limit_changes_nothing_at_all(workspace):
    _fill_tags(workspace, 248)
    contact = make_contact(workspace)
    events_before = len(events_of(contact))
    with pytest.raises(ServiceError) as caught:
        services.contact_tags_add(
            contact=contact, names=["t1", "new a", "new b", "new c"], actor=None
        )
    assert caught.value.code == "tag_limit"
    assert scoped(Tag, workspace).count() == 248
    assert not contact.tags.exists()  # not even the existing "t1"
    assert len(events_of(contact)) == events_before


def test_creating_a_contact_with_too_many_new_tags_creates_nothing(workspace):
    _fill_tags(workspace, 250)
    with pytest.raises(ServiceError):
        make_contact(workspace, "zoe@example.com", tags=["brand new"])
    assert not scoped(Contact, workspace).exists()


def test_the_limit_is_per_workspace(workspace, other_workspace):
    # Given another workspace at the limit of 250 tags,
    _fill_tags(other_workspace, 250)
    contact = make_contact(workspace)

    # when this workspace adds a tag, it is accepted: the other's tags do not count here.
    services.contact_tags_add(contact=contact, names=["VIP"], actor=None)

    assert [tag.name for tag in contact.tags.all()] == ["VIP"]
    assert scoped(Tag, workspace).count() == 1
    assert scoped(Tag, other_workspace).count() == 250


def test_bulk_tag_links_each_contact_once_with_events(workspace, owner):
    contacts = [make_contact(workspace) for _ in range(3)]
    services.contact_tags_add(contact=contacts[0], names=["VIP"], actor=None)
    result = services.contacts_tag_bulk(
        workspace=workspace, ids=[c.pk for c in contacts], names=["VIP", "Pro"], actor=owner
    )
    assert (result.matched, result.changed) == (3, 3)
    assert ContactTag.objects.filter(tag__key="vip").count() == 3
    assert ContactTag.objects.filter(tag__key="pro").count() == 3
    assert [e.data for e in events_of(contacts[0], Kind.TAG_ADDED)] == [
        {"tag": "VIP"},
        {"tag": "Pro"},
    ]
    assert [e.data["tag"] for e in events_of(contacts[1], Kind.TAG_ADDED)] == ["VIP", "Pro"]
    again = services.contacts_tag_bulk(
        workspace=workspace, ids=[c.pk for c in contacts], names=["vip"], actor=owner
    )
    assert (again.matched, again.changed) == (3, 0)


def test_bulk_tag_over_the_limit_changes_nothing(workspace):
    _fill_tags(workspace, 250)
    contacts = [make_contact(workspace) for _ in range(2)]
    with pytest.raises(ServiceError):
        services.contacts_tag_bulk(
            workspace=workspace, ids=[c.pk for c in contacts], names=["t0", "new"], actor=None
        )
    assert not ContactTag.objects.exists()


def test_bulk_untag_writes_an_event_per_removed_link(workspace, owner):
    tagged = [make_contact(workspace, tags=["VIP", "Pro"]) for _ in range(2)]
    bare = make_contact(workspace)
    result = services.contacts_untag_bulk(
        workspace=workspace, ids=[c.pk for c in [*tagged, bare]], names=["vip"], actor=owner
    )
    assert (result.matched, result.changed) == (3, 2)
    assert ContactTag.objects.filter(tag__key="vip").count() == 0
    assert ContactTag.objects.filter(tag__key="pro").count() == 2
    [event] = events_of(tagged[1], Kind.TAG_REMOVED)
    assert (event.data, event.actor) == ({"tag": "VIP"}, owner)


def test_tag_rename_keeps_links_and_writes_events(workspace, owner):
    contact = make_contact(workspace, tags=["vip"])
    tag = services.tag_rename(workspace=workspace, old="VIP", new="Très VIP", actor=owner)
    assert (tag.name, tag.key) == ("Très VIP", "très vip")
    assert list(contact.tags.values_list("name", flat=True)) == ["Très VIP"]
    [event] = events_of(contact, Kind.TAG_RENAMED)
    assert event.data == {"old": "vip", "new": "Très VIP"}


def test_tag_rename_can_change_only_the_case(workspace):
    make_contact(workspace, tags=["vip"])
    tag = services.tag_rename(workspace=workspace, old="vip", new="VIP")
    assert tag.name == "VIP"
    assert scoped(Tag, workspace).count() == 1


def test_tag_rename_onto_an_existing_tag_merges_them(workspace, owner):
    both = make_contact(workspace, tags=["Fidèle", "Loyal"])
    only_old = make_contact(workspace, tags=["Loyal"])
    only_new = make_contact(workspace, tags=["fidèle"])
    merged = services.tag_rename(workspace=workspace, old="loyal", new="FIDÈLE", actor=owner)
    assert merged.name == "Fidèle"
    assert list(scoped(Tag, workspace).values_list("name", flat=True)) == ["Fidèle"]
    assert ContactTag.objects.filter(tag=merged).count() == 3  # 2 + 2 minus the overlap
    for contact in (both, only_old, only_new):
        assert list(contact.tags.values_list("name", flat=True)) == ["Fidèle"]
    [event] = events_of(only_old, Kind.TAG_RENAMED)
    assert event.data == {"old": "Loyal", "new": "Fidèle", "merged": True}
    assert events_of(only_new, Kind.TAG_RENAMED) == []


def test_tag_rename_of_an_unknown_tag_is_not_found(workspace):
    with pytest.raises(ServiceError) as caught:
        services.tag_rename(workspace=workspace, old="nope", new="x")
    assert caught.value.status == 404


def test_tag_delete_removes_it_everywhere_with_events(workspace, owner):
    contact = make_contact(workspace, tags=["VIP", "Pro"])
    services.tag_delete(workspace=workspace, name="vip", actor=owner)
    assert list(scoped(Tag, workspace).values_list("name", flat=True)) == ["Pro"]
    assert list(contact.tags.values_list("name", flat=True)) == ["Pro"]
    [event] = events_of(contact, Kind.TAG_REMOVED)
    assert (event.data, event.actor) == ({"tag": "VIP"}, owner)


# ------------------------------------------------------------------------------ notes


def test_note_create_writes_an_event_without_the_text(workspace, staff):
    contact = make_contact(workspace)
    note = services.note_create(contact=contact, author=staff[Role.MARKETER], body=" Allergique ")
    assert note.body == "Allergique"
    [event] = events_of(contact, Kind.NOTE_ADDED)
    assert (event.data, event.actor) == ({"note_id": note.pk}, staff[Role.MARKETER])


def test_an_empty_note_is_refused(workspace):
    with pytest.raises(ServiceError) as caught:
        services.note_create(contact=make_contact(workspace), author=None, body="  ")
    assert caught.value.code == "invalid_note"


@pytest.mark.parametrize(
    "editor, allowed",
    [
        ("author", True),
        (Role.ADMIN, True),
        (Role.OWNER, True),
        ("other marketer", False),
        (Role.VIEWER, False),
    ],
)
def test_only_the_author_or_an_admin_may_edit_or_delete_a_note(workspace, staff, editor, allowed):
    from comptoir.core.services import membership_invite

    author = staff[Role.MARKETER]
    if editor == "author":
        actor = author
    elif editor == "other marketer":
        actor = membership_invite(
            workspace=workspace, email="m2@example.com", role=Role.MARKETER, invited_by=None
        ).user
    else:
        actor = staff[editor]
    contact = make_contact(workspace)
    note = services.note_create(contact=contact, author=author, body="v1")
    if allowed:
        services.note_update(note=note, actor=actor, body="v2")
        note.refresh_from_db()
        assert note.body == "v2"
        [edited] = events_of(contact, Kind.NOTE_EDITED)
        assert (edited.data, edited.actor) == ({"note_id": note.pk}, actor)
        note_id = note.pk
        services.note_delete(note=note, actor=actor)
        assert not Note.objects.filter(pk=note_id).exists()
        [deleted] = events_of(contact, Kind.NOTE_DELETED)
        assert (deleted.data, deleted.actor) == ({"note_id": note_id}, actor)
    else:
        for action in (
            lambda: services.note_update(note=note, actor=actor, body="v2"),
            lambda: services.note_delete(note=note, actor=actor),
        ):
            with pytest.raises(ServiceError) as caught:
                action()
            assert (caught.value.code, caught.value.status) == ("forbidden", 403)
        note.refresh_from_db()
        assert note.body == "v1"
        assert events_of(contact, Kind.NOTE_EDITED) == []


def test_a_token_role_decides_for_a_note_without_a_known_author(workspace):
    note = services.note_create(contact=make_contact(workspace), author=None, body="v1")
    with pytest.raises(ServiceError):
        services.note_update(note=note, actor=None, role=Role.MARKETER, body="v2")
    services.note_update(note=note, actor=None, role=Role.ADMIN, body="v2")


def test_contact_events_are_append_only(workspace):
    [event] = events_of(make_contact(workspace))
    event.data = {"forged": True}
    with pytest.raises(ValueError, match="append-only"):
        event.save()
