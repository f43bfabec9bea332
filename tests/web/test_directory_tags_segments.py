"""The tag manager (C7) and the segments page (C10) of the dashboard."""

import pytest

from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Segment, Tag
from comptoir.contacts.services import segment_contacts_add, segment_create
from comptoir.core.scoping import scoped
from tests.conftest import login
from tests.contacts.helpers import events_of, make_contact, set_figures
from tests.web.directory_helpers import listed, text, url


@pytest.fixture
def tagged(workspace):
    zoe = make_contact(workspace, "zoe@example.com", first_name="Zoé", tags=["vip", "fidèle"])
    paul = make_contact(workspace, "paul@example.com", first_name="Paul", tags=["VIP client"])
    lea = make_contact(workspace, "lea@example.com", first_name="Léa", tags=["fidèle"])
    return {"zoe": zoe, "paul": paul, "lea": lea}


def tag(workspace, name: str) -> Tag:
    return scoped(Tag, workspace).get(key=name.lower())


# Tag manager


def test_the_tag_manager_lists_tags_with_counts_and_the_limit(tagged, workspace, owner):
    page = text(login(owner).get(url(workspace, "tags/")).content.decode())

    assert "3 of 250 tags" in page
    assert "fidèle 2" in page
    assert "vip 1" in page
    assert "merges the two" in page


def test_renaming_a_tag(tagged, workspace, owner):
    client = login(owner)

    response = client.post(
        url(workspace, f"tags/{tag(workspace, 'vip').pk}/rename/"), {"name": "Gold"}
    )

    assert response.status_code == 302
    assert list(tagged["zoe"].tags.order_by("key").values_list("name", flat=True)) == [
        "fidèle",
        "Gold",
    ]
    assert "“vip” renamed to “Gold”." in client.get(url(workspace, "tags/")).content.decode()


def test_renaming_onto_an_existing_tag_merges_them(tagged, workspace, owner):
    client = login(owner)
    old = tag(workspace, "VIP client")

    client.post(url(workspace, f"tags/{old.pk}/rename/"), {"name": "VIP"})

    assert not scoped(Tag, workspace).filter(pk=old.pk).exists()
    assert sorted(tag(workspace, "vip").contacts.values_list("first_name", flat=True)) == [
        "Paul",
        "Zoé",
    ]
    page = client.get(url(workspace, "tags/")).content.decode()
    assert "“VIP client” merged into “vip”." in page
    assert [e.data["merged"] for e in events_of(tagged["paul"], ContactKind.TAG_RENAMED)] == [True]


def test_an_empty_new_name_is_refused_in_the_row_and_nothing_changes(tagged, workspace, owner):
    vip = tag(workspace, "vip")

    response = login(owner).post(url(workspace, f"tags/{vip.pk}/rename/"), {"name": "   "})
    page = response.content.decode()

    assert response.status_code == 422
    assert "“vip” was not renamed: This field is required." in text(page)
    assert f'id="rename-{vip.pk}" type="text" name="name"' in page
    assert tag(workspace, "vip").name == "vip"


def test_deleting_a_tag_asks_for_confirmation_first(tagged, workspace, owner):
    client = login(owner)
    fidele = tag(workspace, "fidèle")

    asked = client.get(url(workspace, f"tags/{fidele.pk}/delete/"))
    unconfirmed = client.post(url(workspace, f"tags/{fidele.pk}/delete/"))

    assert "It will be removed from 2 contacts." in asked.content.decode()
    assert unconfirmed.status_code == 200
    assert scoped(Tag, workspace).filter(pk=fidele.pk).exists()


def test_deleting_a_tag_names_the_segments_that_filter_on_it(tagged, workspace, owner):
    segment_create(workspace=workspace, name="Fidèles", actor=owner, filter={"tag": ["Fidèle"]})
    segment_create(workspace=workspace, name="VIP", actor=owner, filter={"tag": ["vip"]})

    response = login(owner).get(url(workspace, f"tags/{tag(workspace, 'fidèle').pk}/delete/"))
    page = text(response.content.decode())

    assert "This segment filters on this tag and will then match no contact: Fidèles" in page
    assert "VIP" not in page.split("Fidèles", 1)[1].split("Confirm", 1)[0]


def test_renaming_a_tag_in_the_dashboard_keeps_its_segments(tagged, workspace, owner):
    segment = segment_create(workspace=workspace, name="VIP", actor=owner, filter={"tag": ["vip"]})

    login(owner).post(url(workspace, f"tags/{tag(workspace, 'vip').pk}/rename/"), {"name": "Or"})

    segment.refresh_from_db()
    assert segment.filter == {"tag": ["Or"]}


def test_confirming_deletes_the_tag_from_every_contact(tagged, workspace, owner):
    fidele = tag(workspace, "fidèle")

    response = login(owner).post(url(workspace, f"tags/{fidele.pk}/delete/"), {"confirm": "yes"})

    assert response.status_code == 302
    assert not scoped(Tag, workspace).filter(pk=fidele.pk).exists()
    assert list(tagged["zoe"].tags.values_list("name", flat=True)) == ["vip"]


def test_a_tag_of_another_workspace_is_a_404(workspace, other_workspace, owner):
    make_contact(other_workspace, tags=["theirs"])
    theirs = tag(other_workspace, "theirs")

    client = login(owner)
    assert (
        client.post(url(workspace, f"tags/{theirs.pk}/rename/"), {"name": "x"}).status_code == 404
    )
    assert client.get(url(workspace, f"tags/{theirs.pk}/delete/")).status_code == 404


# Segments


def test_the_segments_page_shows_built_in_and_saved_segments_with_live_counts(
    tagged, workspace, owner
):
    set_figures(tagged["zoe"], orders=3, spent="90", consent="subscribed")
    segment_create(workspace=workspace, name="Loyal", filter={"tag": ["fidèle"]}, actor=owner)
    group = segment_create(workspace=workspace, name="Salon", kind="static", actor=owner)
    segment_contacts_add(segment=group, ids=[tagged["lea"].pk], actor=owner)

    page = text(login(owner).get(url(workspace, "segments/")).content.decode())

    assert "All customers 1" in page
    assert "Prospects 2" in page
    assert "Repeat customers (2+ orders) 1" in page
    assert "E-mail subscribers 1" in page
    assert "Loyal Smart group 2" in page
    assert "Salon Static group 1" in page


def test_saving_the_lists_filters_as_a_segment(tagged, workspace, owner):
    client = login(owner)
    list_page = client.get(url(workspace) + "?tag=fidèle&sort=name").content.decode()
    save_url = url(workspace, "segments/new/") + "?tag=fid%C3%A8le&sort=name"

    form = client.get(save_url)
    response = client.post(save_url, {"name": "Loyal customers"})

    assert 'href="' + save_url.replace("&", "&amp;") + '"' in list_page
    assert "Tags (all must match) fidèle" in text(form.content.decode())
    assert "Total spent, at least" not in text(form.content.decode())
    assert "2 contacts match today." in text(form.content.decode())
    assert response.status_code == 302
    segment = scoped(Segment, workspace).get()
    assert (segment.kind, segment.filter) == ("smart", {"tag": ["fidèle"], "sort": "name"})
    opened = client.get(url(workspace) + f"?segment={segment.pk}").content.decode()
    assert listed(opened) == ["Léa", "Zoé"]


def test_a_segment_name_already_used_is_refused_in_place(tagged, workspace, owner):
    segment_create(workspace=workspace, name="Loyal", filter={}, actor=owner)

    response = login(owner).post(url(workspace, "segments/new/") + "?tag=vip", {"name": "LOYAL"})

    assert response.status_code == 422
    assert "A segment named “LOYAL” already exists." in response.content.decode()
    assert scoped(Segment, workspace).count() == 1


def test_invalid_filters_cannot_be_saved(tagged, workspace, owner):
    response = login(owner).post(
        url(workspace, "segments/new/") + "?min_orders=lots", {"name": "Broken"}
    )

    assert response.status_code == 422
    assert "Some filters are not valid" in response.content.decode()
    assert not scoped(Segment, workspace).exists()


def test_a_static_group_is_created_filled_from_the_list_and_emptied(tagged, workspace, owner):
    client = login(owner)

    client.post(url(workspace, "segments/"), {"name": "Salon 2025"})
    group = scoped(Segment, workspace).get()
    client.post(
        url(workspace, "bulk/"),
        {"action": "group", "group": group.pk, "ids": [tagged["zoe"].pk, tagged["paul"].pk]},
    )
    counted = text(client.get(url(workspace, "segments/")).content.decode())
    client.post(
        url(workspace, "bulk/"),
        {"action": "ungroup", "group": group.pk, "ids": [tagged["zoe"].pk]},
    )

    assert group.kind == Segment.Kind.STATIC
    assert "Salon 2025 Static group 2" in counted
    assert list(group.contacts.values_list("first_name", flat=True)) == ["Paul"]


def test_deleting_a_segment_asks_for_confirmation_then_deletes(tagged, workspace, owner):
    segment = segment_create(workspace=workspace, name="Loyal", filter={}, actor=owner)
    client = login(owner)
    delete_url = url(workspace, f"segments/{segment.pk}/delete/")

    asked = client.get(delete_url)
    unconfirmed = client.post(delete_url)
    confirmed = client.post(delete_url, {"confirm": "yes"})

    assert "Delete the segment “Loyal”?" in asked.content.decode()
    assert unconfirmed.status_code == 200
    assert confirmed.status_code == 302
    assert not scoped(Segment, workspace).exists()


def test_a_segment_in_use_is_not_deleted_and_the_page_says_why(tagged, workspace, owner):
    base = segment_create(workspace=workspace, name="Loyal", filter={}, actor=owner)
    segment_create(
        workspace=workspace, name="Loyal VIPs", filter={"segment": str(base.pk)}, actor=owner
    )

    response = login(owner).post(url(workspace, f"segments/{base.pk}/delete/"), {"confirm": "yes"})

    assert response.status_code == 409
    assert "Other segments use this one: Loyal VIPs" in response.content.decode()
    assert scoped(Segment, workspace).filter(pk=base.pk).exists()


def test_the_filters_to_save_read_in_the_workspace_currency(tagged, workspace, owner):
    page = login(owner).get(url(workspace, "segments/new/") + "?min_total_spent=50&type=customer")

    summary = text(page.content.decode())
    assert "Total spent, at least €50.00" in summary
    assert "Type Customer" in summary
