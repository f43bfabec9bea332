"""Segments (C10): saved filters evaluated live, the built-ins, static groups."""

import pytest

from comptoir.contacts import selectors, services
from comptoir.contacts.events import Kind
from comptoir.contacts.models import Segment
from comptoir.contacts.selectors import BUILTIN_SEGMENTS, ContactFilter, contacts_filter
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from tests.contacts.helpers import events_of, make_contact, set_figures


def members(workspace, segment_id) -> set[int]:
    found = contacts_filter(workspace=workspace, filter=ContactFilter(segment=str(segment_id)))
    return set(found.values_list("pk", flat=True))


def test_a_smart_segment_is_evaluated_live(workspace, owner):
    segment = services.segment_create(
        workspace=workspace, name="Big VIPs", actor=owner, filter={"tag": ["VIP"], "min_orders": 2}
    )
    assert segment.filter == {"tag": ["VIP"], "min_orders": 2}
    assert members(workspace, segment.pk) == set()
    later = set_figures(make_contact(workspace, tags=["vip"]), orders=3, spent="30")
    make_contact(workspace, tags=["vip"])  # no orders: not in it
    assert members(workspace, segment.pk) == {later.pk}


def test_segments_combine_with_other_filters_and_other_segments(workspace):
    vip = services.segment_create(
        workspace=workspace, name="VIP", actor=None, filter={"tag": ["VIP"]}
    )
    nested = services.segment_create(
        workspace=workspace,
        name="VIP customers",
        actor=None,
        filter={"segment": str(vip.pk), "type": "customer"},
    )
    customer = set_figures(make_contact(workspace, tags=["VIP"]), orders=1, spent="5")
    make_contact(workspace, tags=["VIP"])
    assert members(workspace, nested.pk) == {customer.pk}


def test_a_segment_cannot_name_itself_through_others(workspace):
    first = services.segment_create(workspace=workspace, name="A", actor=None, filter={})
    second = services.segment_create(
        workspace=workspace, name="B", actor=None, filter={"segment": str(first.pk)}
    )
    with pytest.raises(ServiceError) as caught:
        services.segment_update(segment=first, actor=None, filter={"segment": str(second.pk)})
    assert caught.value.code == "segment_cycle"
    first.refresh_from_db()
    assert first.filter == {}


def test_a_filter_naming_an_unknown_segment_is_refused(workspace, other_workspace):
    theirs = services.segment_create(workspace=other_workspace, name="X", actor=None)
    for ref in ("999999", str(theirs.pk), "nope"):
        with pytest.raises(ServiceError) as caught:
            services.segment_create(
                workspace=workspace, name=f"bad {ref}", actor=None, filter={"segment": ref}
            )
        assert caught.value.code == "unknown_segment"


def test_a_bad_filter_is_refused(workspace):
    with pytest.raises(ServiceError) as caught:
        services.segment_create(workspace=workspace, name="bad", actor=None, filter={"x": 1})
    assert caught.value.code == "invalid_filter"
    assert not scoped(Segment, workspace).exists()


def test_segment_names_are_unique_ignoring_case(workspace):
    services.segment_create(workspace=workspace, name="Fidèles", actor=None)
    with pytest.raises(ServiceError) as caught:
        services.segment_create(workspace=workspace, name="FIDÈLES", actor=None)
    assert (caught.value.code, caught.value.status) == ("duplicate_segment", 409)


def test_a_segment_used_by_another_cannot_be_deleted(workspace):
    base = services.segment_create(workspace=workspace, name="Base", actor=None)
    user = services.segment_create(
        workspace=workspace, name="User", actor=None, filter={"segment": str(base.pk)}
    )
    with pytest.raises(ServiceError) as caught:
        services.segment_delete(segment=base, actor=None)
    assert caught.value.code == "segment_in_use"
    services.segment_delete(segment=user, actor=None)
    services.segment_delete(segment=base, actor=None)
    assert not scoped(Segment, workspace).exists()


def test_static_group_members_are_hand_picked_with_events(workspace, other_workspace, owner):
    picked = make_contact(workspace)
    other = make_contact(workspace)
    foreign = make_contact(other_workspace)
    group = services.segment_create(
        workspace=workspace,
        name="Salon 2025",
        kind="static",
        actor=owner,
        contact_ids=[picked.pk, foreign.pk],
    )
    assert members(workspace, group.pk) == {picked.pk}
    [added] = events_of(picked, Kind.GROUP_ADDED)
    assert (added.data, added.actor) == ({"segment_id": group.pk, "segment": "Salon 2025"}, owner)
    assert services.segment_contacts_add(segment=group, ids=[picked.pk, other.pk], actor=owner) == 1
    assert members(workspace, group.pk) == {picked.pk, other.pk}
    assert services.segment_contacts_remove(segment=group, ids=[picked.pk], actor=owner) == 1
    assert members(workspace, group.pk) == {other.pk}
    [removed] = events_of(picked, Kind.GROUP_REMOVED)
    assert removed.data == {"segment_id": group.pk, "segment": "Salon 2025"}


def test_smart_segments_take_no_hand_picked_members(workspace):
    smart = services.segment_create(workspace=workspace, name="Smart", actor=None)
    with pytest.raises(ServiceError) as caught:
        services.segment_contacts_add(segment=smart, ids=[make_contact(workspace).pk], actor=None)
    assert caught.value.code == "not_static"
    with pytest.raises(ServiceError):
        services.segment_create(
            workspace=workspace, name="S", kind="static", actor=None, filter={"type": "customer"}
        )


@pytest.mark.parametrize(
    "segment_id, expected",
    [
        ("all_customers", {"new", "repeat", "old"}),
        ("prospects", {"signup", "unsub", "sub"}),
        ("new_customers", {"new"}),
        ("repeat_customers", {"repeat"}),
        ("subscribers", {"sub"}),
        ("signups", {"signup"}),
        ("unsubscribed", {"unsub"}),
    ],
)
def test_builtin_segments(workspace, segment_id, expected):
    people = {
        "new": set_figures(make_contact(workspace), orders=1, spent="10", days_ago=5),
        "repeat": set_figures(
            make_contact(workspace), orders=2, spent="10", days_ago=5, first_days_ago=90
        ),
        "old": set_figures(make_contact(workspace), orders=1, spent="10", days_ago=31),
        "signup": make_contact(workspace, source="widget"),
        "unsub": set_figures(make_contact(workspace), consent="unsubscribed"),
        "sub": set_figures(make_contact(workspace), consent="subscribed"),
    }
    assert segment_id in BUILTIN_SEGMENTS
    found = members(workspace, segment_id)
    assert {name for name, contact in people.items() if contact.pk in found} == expected


# ------------------------------------------------------- segments follow their tags (C7)


def test_renaming_a_tag_keeps_the_segments_that_filter_on_it(workspace, other_workspace):
    tagged = [make_contact(workspace, tags=["vip"]) for _ in range(3)]
    segment = services.segment_create(
        workspace=workspace, name="VIP", actor=None, filter={"tag": ["vip"], "type": "prospect"}
    )
    theirs = services.segment_create(
        workspace=other_workspace, name="VIP", actor=None, filter={"tag": ["vip"]}
    )
    services.tag_rename(workspace=workspace, old="vip", new="VIP clients")
    segment.refresh_from_db()
    assert segment.filter == {"tag": ["VIP clients"], "type": "prospect"}
    assert members(workspace, segment.pk) == {contact.pk for contact in tagged}
    theirs.refresh_from_db()
    assert theirs.filter == {"tag": ["vip"]}  # another workspace's tag of the same name


def test_merging_a_tag_keeps_the_segments_and_names_the_kept_tag_once(workspace):
    both = make_contact(workspace, tags=["Loyal", "Fidèle"])
    only_old = make_contact(workspace, tags=["Loyal"])
    make_contact(workspace, tags=["Fidèle"])
    old_only = services.segment_create(
        workspace=workspace, name="Loyal", actor=None, filter={"tag": ["loyal"]}
    )
    with_both = services.segment_create(
        workspace=workspace, name="Both", actor=None, filter={"tag": ["Loyal", "fidèle"]}
    )
    services.tag_rename(workspace=workspace, old="Loyal", new="fidèle")
    old_only.refresh_from_db()
    with_both.refresh_from_db()
    assert old_only.filter == {"tag": ["Fidèle"]}
    assert with_both.filter == {"tag": ["Fidèle"]}
    assert {both.pk, only_old.pk} <= members(workspace, old_only.pk)
    assert len(members(workspace, with_both.pk)) == 3


def test_deleting_a_tag_leaves_its_segments_matching_nobody(workspace):
    make_contact(workspace, tags=["vip"])
    make_contact(workspace)
    segment = services.segment_create(
        workspace=workspace, name="VIP", actor=None, filter={"tag": ["VIP"]}
    )
    services.segment_create(workspace=workspace, name="All", actor=None, filter={})
    assert [s.name for s in selectors.segments_using_tag(workspace=workspace, name="vip")] == [
        "VIP"
    ]
    services.tag_delete(workspace=workspace, name="vip")
    assert members(workspace, segment.pk) == set()  # never widened to every contact
