"""Who may do what on the directory pages (W3), every field labelled, both languages."""

import re

import pytest

from comptoir.contacts.models import Contact, ContactTag, Note, Segment, Tag
from comptoir.contacts.services import contact_update, note_create, segment_create
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from tests.conftest import login
from tests.contacts.helpers import make_contact, set_figures
from tests.html import unlabelled_fields
from tests.web.directory_helpers import ENGLISH, FRENCH, url


@pytest.fixture
def directory(workspace, staff):
    """A locked contact with tags and a note by its author, a saved segment and a group."""
    zoe = make_contact(
        workspace, "zoe@example.com", first_name="Zoé", last_name="Martin", tags=["vip", "bio"]
    )
    set_figures(zoe, orders=2, spent="80.00", consent="subscribed")
    contact_update(contact=zoe, actor=staff[Role.ADMIN], company="Thé & Co")
    note = note_create(contact=zoe, author=staff[Role.MARKETER], body="Likes green tea")
    segment = segment_create(workspace=workspace, name="Fans", filter={"tag": ["vip"]}, actor=None)
    group = segment_create(workspace=workspace, name="Salon", kind="static", actor=None)
    return {
        "zoe": zoe,
        "note": note,
        "tag": scoped(Tag, workspace).get(key="vip"),
        "segment": segment,
        "group": group,
    }


def pages(d) -> list[str]:
    zoe = d["zoe"].pk
    return [
        "",
        "?q=zoe&tag=vip&consent=subscribed&sort=-total_spent",
        "?min_total_spent=abc",
        f"{zoe}/",
        "tags/",
        "segments/",
    ]


def edit_pages(d) -> list[str]:
    zoe = d["zoe"].pk
    return [
        "new/",
        f"{zoe}/edit/",
        f"{zoe}/delete/",
        f"{zoe}/notes/{d['note'].pk}/edit/",
        f"tags/{d['tag'].pk}/delete/",
        f"segments/{d['segment'].pk}/delete/",
        "segments/new/?tag=vip",
    ]


def posts(d) -> list[tuple[str, dict]]:
    zoe, ids = d["zoe"].pk, [d["zoe"].pk]
    return [
        ("new/", {"email": "new@example.com"}),
        ("bulk/", {"action": "tag", "tag": "x", "ids": ids}),
        ("bulk/", {"action": "delete", "confirm": "on", "ids": ids}),
        ("bulk/", {"action": "group", "group": d["group"].pk, "ids": ids}),
        (f"{zoe}/edit/", {"email": "zoe@example.com", "first_name": "Hijacked"}),
        (f"{zoe}/delete/", {"confirm": "yes"}),
        (f"{zoe}/unlock/", {}),
        (f"{zoe}/tags/", {"tags": "x"}),
        (f"{zoe}/tags/remove/", {"name": "vip"}),
        (f"{zoe}/notes/", {"body": "x"}),
        (f"{zoe}/notes/{d['note'].pk}/edit/", {"body": "x"}),
        (f"{zoe}/notes/{d['note'].pk}/delete/", {}),
        (f"tags/{d['tag'].pk}/rename/", {"name": "x"}),
        (f"tags/{d['tag'].pk}/delete/", {"confirm": "yes"}),
        ("segments/", {"name": "x"}),
        ("segments/new/?tag=bio", {"name": "x"}),
        (f"segments/{d['segment'].pk}/delete/", {"confirm": "yes"}),
    ]


def snapshot(workspace) -> tuple:
    zoe = scoped(Contact, workspace).get()
    return (
        scoped(Contact, workspace).count(),
        (zoe.first_name, zoe.locked),
        ContactTag.objects.filter(contact=zoe).count(),
        scoped(Tag, workspace).count(),
        list(scoped(Note, workspace).values_list("body", flat=True)),
        scoped(Segment, workspace).count(),
        zoe.static_segments.count(),
    )


# Viewers read, never change


def test_a_viewer_gets_403_on_every_post_and_nothing_changes(directory, workspace, staff):
    viewer = login(staff[Role.VIEWER])
    before = snapshot(workspace)

    statuses = {
        path: viewer.post(url(workspace, path), data).status_code for path, data in posts(directory)
    }

    assert set(statuses.values()) == {403}, statuses
    assert snapshot(workspace) == before


def test_a_viewer_opens_the_directory_read_only(directory, workspace, staff):
    viewer = login(staff[Role.VIEWER])

    for path in pages(directory):
        response = viewer.get(url(workspace, path))
        page = response.content.decode()
        assert response.status_code == 200, path
        forms = re.findall(r'<form[^>]*method="post"[^>]*>', page)
        # Only the log-out and language forms post; no edit control is shown.
        assert len(forms) == 2, (path, forms)
        for control in (
            "New contact",
            'name="ids"',
            "Edit details",
            "Delete contact",
            "Release lock",
            "Add note",
            "Edit note",
            "Remove tag",
            "Rename",
            "Save these filters",
            "Create group",
        ):
            assert control not in page, (path, control)
    profile = viewer.get(url(workspace, f"{directory['zoe'].pk}/")).content.decode()
    assert "Details locked against sync" in profile  # the state is shown, not the button
    assert "Likes green tea" in profile


def test_a_viewer_cannot_open_the_forms_that_change_data(directory, workspace, staff):
    viewer = login(staff[Role.VIEWER])

    for path in edit_pages(directory):
        assert viewer.get(url(workspace, path)).status_code == 403, path


@pytest.mark.parametrize("role", [Role.MARKETER, Role.ADMIN, Role.OWNER])
def test_marketers_admins_and_owners_see_the_edit_controls(directory, workspace, staff, role):
    client = login(staff[role])

    listing = client.get(url(workspace)).content.decode()
    profile = client.get(url(workspace, f"{directory['zoe'].pk}/")).content.decode()

    assert "New contact" in listing and 'name="ids"' in listing
    assert "Edit details" in profile and "Release lock" in profile and "Add note" in profile
    # The marketer wrote the note: everyone here may change it (its author, admins, owners).
    assert "Edit note" in profile


def test_an_edit_page_is_a_404_in_another_workspace(directory, other_workspace, owner):
    theirs = make_contact(other_workspace)

    assert login(owner).get(url(other_workspace, f"{theirs.pk}/edit/")).status_code == 404


# Every field has a label


def test_every_field_of_the_directory_pages_has_a_label(directory, workspace, owner):
    client = login(owner)

    for path in pages(directory) + edit_pages(directory):
        page = client.get(url(workspace, path)).content.decode()
        assert "<input" in page or "<select" in page or "<textarea" in page, path
        assert unlabelled_fields(page) == [], path


def test_every_field_has_a_label_on_pages_showing_errors(directory, workspace, owner):
    client = login(owner)
    zoe, tag = directory["zoe"], directory["tag"]
    many = [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(248)]
    Tag.objects.bulk_create(many)  # 250 in all: the next new one is refused

    responses = [
        client.post(url(workspace, "new/"), {"email": "ZOE@example.com"}),
        client.post(url(workspace, "new/"), {"first_name": "x"}),
        client.post(url(workspace, f"{zoe.pk}/edit/"), {"email": "bad address"}),
        client.post(url(workspace, f"{zoe.pk}/tags/"), {"tags": "new one"}),
        client.post(url(workspace, f"{zoe.pk}/notes/"), {"body": ""}),
        client.post(url(workspace, f"tags/{tag.pk}/rename/"), {"name": ""}),
        client.post(url(workspace, "segments/"), {"name": "Fans"}),
        client.post(url(workspace, "segments/new/?tag=vip"), {"name": "Fans"}),
        client.post(url(workspace, "bulk/"), {"action": "delete", "ids": [zoe.pk]}),
        client.get(
            url(workspace) + "?min_orders=x", headers={"HX-Request": "true", "HX-Target": "results"}
        ),
    ]

    for response in responses:
        page = response.content.decode()
        assert response.status_code in (200, 422), page[:500]
        assert unlabelled_fields(page) == []


def test_every_field_of_the_list_has_a_label_for_every_role(directory, workspace, staff):
    for user in staff.values():
        page = login(user).get(url(workspace)).content.decode()
        assert unlabelled_fields(page) == []


# Both languages


FRENCH_WORDS = {
    "": "Nouveau contact",
    "tags/": "Renommer",
    "segments/": "Segments intégrés",
    "new/": "Créer le contact",
}


@pytest.mark.parametrize("path", ["", "?tag=vip", "tags/", "segments/", "new/", "PROFILE"])
@pytest.mark.parametrize("language, headers", [("fr", FRENCH), ("en", ENGLISH)])
def test_the_directory_pages_render_in_both_languages(
    directory, workspace, owner, path, language, headers
):
    if path == "PROFILE":
        path = f"{directory['zoe'].pk}/"
    response = login(owner).get(url(workspace, path), headers=headers)
    page = response.content.decode()

    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    if path in FRENCH_WORDS:
        assert (FRENCH_WORDS[path] in page) == (language == "fr")
    if language == "fr":
        for english in (
            "Filter contacts",
            "Details",
            "Activity",
            "Built-in segments",
            "of 250 tags",
        ):
            assert english not in page, english
