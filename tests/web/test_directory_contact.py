"""One contact in the dashboard: create (C11), profile (C4), edit and the sync lock (C6),
delete with confirmation, tags (C7) and notes (C8)."""

import re

import pytest

from comptoir.contacts.events import Kind
from comptoir.contacts.models import Contact, Note, Tag
from comptoir.contacts.services import contact_update, note_create
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from tests.conftest import login
from tests.contacts.helpers import events_of, make_contact, set_figures
from tests.transfer.helpers import run_import
from tests.web.directory_helpers import FRENCH, text, url


def field_block(page: str, name: str) -> str:
    """The `.field` element of the form field `name`: its label, input, help and errors."""
    found = re.search(
        rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}"'
        r'.*?(?=<div class="field|</form>|<fieldset)',
        page,
        re.DOTALL,
    )
    assert found, f"no field {name}"
    return found.group(0)


@pytest.fixture
def zoe(workspace, owner):
    return make_contact(
        workspace, "zoe@example.com", first_name="Zoé", last_name="Martin", actor=owner
    )


# Create


def test_a_contact_needs_only_an_email_address(workspace, owner):
    response = login(owner).post(url(workspace, "new/"), {"email": " Zoe@Example.COM "})

    contact = scoped(Contact, workspace).get()
    assert response.status_code == 302
    assert response.url == url(workspace, f"{contact.pk}/")
    assert contact.email == "Zoe@example.com"
    assert contact.source == Contact.Source.MANUAL
    assert [e.kind for e in events_of(contact)] == [Kind.CREATED]
    assert not contact.locked


def test_a_phone_only_contact_is_created_with_its_tags_and_note(workspace, owner):
    response = login(owner).post(
        url(workspace, "new/"),
        {
            "phone": "06 12 34 56 78",
            "first_name": "Léa",
            "tags": "vip, salon",
            "note": "Aime le bio",
        },
    )

    contact = scoped(Contact, workspace).get()
    assert response.status_code == 302
    assert contact.phone == "+33612345678"
    assert sorted(contact.tags.values_list("name", flat=True)) == ["salon", "vip"]
    assert contact.notes.get().body == "Aime le bio"


def test_a_duplicate_address_is_refused_on_the_email_field_and_nothing_is_saved(
    zoe, workspace, owner
):
    response = login(owner).post(
        url(workspace, "new/"), {"email": "  ZOE@example.com ", "first_name": "Other", "tags": "x"}
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "A contact with the address ZOE@example.com already exists." in field_block(
        page, "email"
    )
    assert scoped(Contact, workspace).count() == 1
    assert not scoped(Tag, workspace).filter(name="x").exists()
    assert 'value="Other"' in page  # what was typed is kept


def test_neither_email_nor_phone_is_refused_above_the_form(workspace, owner):
    response = login(owner).post(url(workspace, "new/"), {"first_name": "Nobody"})
    page = response.content.decode()

    assert (
        '<div class="errors" role="alert"><p>A contact needs an e-mail address or a phone number.'
        in page
    )
    assert not scoped(Contact, workspace).exists()


def test_an_invalid_address_is_refused_on_the_email_field(workspace, owner):
    page = login(owner).post(url(workspace, "new/"), {"email": "not an address"}).content.decode()

    assert "is not a valid e-mail address" in text(field_block(page, "email"))
    assert not scoped(Contact, workspace).exists()


def test_the_251st_tag_is_refused_on_the_tags_field_and_nothing_is_saved(workspace, owner):
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(Tag.MAX_PER_WORKSPACE)]
    )

    page = (
        login(owner)
        .post(url(workspace, "new/"), {"email": "new@example.com", "tags": "brand new"})
        .content.decode()
    )

    assert "A workspace has at most 250 tags" in field_block(page, "tags")
    assert not scoped(Contact, workspace).exists()


# Profile


def test_the_profile_shows_details_figures_consent_tags_notes_and_timeline(zoe, workspace, owner):
    set_figures(zoe, orders=4, spent="200.00", consent="subscribed")
    client = login(owner)
    client.post(url(workspace, f"{zoe.pk}/tags/"), {"tags": "vip"})
    client.post(url(workspace, f"{zoe.pk}/notes/"), {"body": "Prefers green tea"})

    page = text(client.get(url(workspace, f"{zoe.pk}/")).content.decode())

    assert "Zoé Martin" in page and "zoe@example.com" in page
    assert "Orders 4" in page
    assert "Total spent €200.00" in page
    assert "Average order value €50.00" in page
    assert "Marketing consent Subscribed" in page
    assert "vip" in page
    assert "Prefers green tea" in page
    timeline = page[page.index("Activity") :]
    assert timeline.index("Note added by owner") < timeline.index("Tag “vip” added by owner")
    assert timeline.index("Tag “vip” added by owner") < timeline.index(
        "Created by owner (source: Added by hand)"
    )


def test_the_profile_of_a_new_contact_shows_zeros_until_orders_come(zoe, workspace, owner):
    page = text(login(owner).get(url(workspace, f"{zoe.pk}/")).content.decode())

    assert "Orders 0" in page
    assert "Total spent €0.00" in page
    assert "Last order —" in page
    assert "Customer since —" in page


def test_the_timeline_reads_in_french(zoe, workspace, owner):
    client = login(owner)
    client.post(url(workspace, f"{zoe.pk}/tags/"), {"tags": "vip"})

    page = text(client.get(url(workspace, f"{zoe.pk}/"), headers=FRENCH).content.decode())

    assert "Étiquette « vip » ajoutée par owner" in page
    assert "Créé par owner (origine : Ajouté à la main)" in page


def test_an_imported_contact_reads_with_its_tags_and_consent_in_one_entry(workspace, owner):
    file = 'Email,Tags,Email subscription status\nnew@example.com,"VIP, Fidèle",subscribed\n'
    run_import(workspace, file, actor=owner, consent_confirmed=True)
    new = scoped(Contact, workspace).get(email_key="new@example.com")
    client = login(owner)

    english = text(client.get(url(workspace, f"{new.pk}/")).content.decode())
    french = text(client.get(url(workspace, f"{new.pk}/"), headers=FRENCH).content.decode())

    activity = english[english.index("Activity") :]
    assert (
        "Created by owner (source: Import) Tags: VIP, Fidèle "
        "Subscribed to marketing e-mails (source: Import)"
    ) in activity
    assert (
        "Créé par owner (origine : Import) Étiquettes : VIP, Fidèle "
        "Abonné aux e-mails marketing (origine : Import)"
    ) in french


def test_a_contact_created_with_tags_shows_them_on_its_created_entry(workspace, owner):
    login(owner).post(url(workspace, "new/"), {"email": "lea@example.com", "tags": "vip, salon"})
    lea = scoped(Contact, workspace).get()

    page = text(login(owner).get(url(workspace, f"{lea.pk}/")).content.decode())

    assert "Created by owner (source: Added by hand) Tags: vip, salon" in page


def test_a_contact_of_another_workspace_is_a_404(workspace, other_workspace, owner):
    theirs = make_contact(other_workspace)

    assert login(owner).get(url(workspace, f"{theirs.pk}/")).status_code == 404


# Edit and the sync lock


def edit_data(contact: Contact, **changes) -> dict:
    data = {
        key: getattr(contact, key)
        for key in ("email", "phone", "first_name", "last_name", "company", "language")
    }
    if contact.has_account:
        data["has_account"] = "on"
    data.update(changes)
    return data


def test_editing_details_locks_them_against_sync(zoe, workspace, owner):
    response = login(owner).post(
        url(workspace, f"{zoe.pk}/edit/"), edit_data(zoe, first_name="Zoë", company="Thé & Co")
    )

    zoe.refresh_from_db()
    assert response.status_code == 302
    assert (zoe.first_name, zoe.company, zoe.locked) == ("Zoë", "Thé & Co", True)
    [edited] = events_of(zoe, Kind.EDITED)
    assert set(edited.data["changes"]) == {"first_name", "company"}  # PATCH: only what changed


def test_the_profile_of_a_locked_contact_shows_the_badge_and_releases_the_lock(
    zoe, workspace, owner
):
    client = login(owner)
    client.post(url(workspace, f"{zoe.pk}/edit/"), edit_data(zoe, last_name="Dupont"))

    page = client.get(url(workspace, f"{zoe.pk}/")).content.decode()
    response = client.post(url(workspace, f"{zoe.pk}/unlock/"))

    assert "Details locked against sync" in page
    assert "Release lock" in page
    assert response.status_code == 302
    zoe.refresh_from_db()
    assert not zoe.locked
    assert events_of(zoe, Kind.UNLOCKED)
    assert (
        "Details locked against sync"
        not in client.get(url(workspace, f"{zoe.pk}/")).content.decode()
    )


def test_saving_the_form_unchanged_neither_edits_nor_locks(zoe, workspace, owner):
    response = login(owner).post(url(workspace, f"{zoe.pk}/edit/"), edit_data(zoe))

    zoe.refresh_from_db()
    assert response.status_code == 302
    assert not zoe.locked
    assert not events_of(zoe, Kind.EDITED)


def test_editing_the_shipping_address(zoe, workspace, owner):
    data = edit_data(zoe, **{"shipping-line1": "3 place du Marché", "shipping-city": "Lyon"})

    login(owner).post(url(workspace, f"{zoe.pk}/edit/"), data)

    zoe.refresh_from_db()
    assert zoe.shipping_address == {"line1": "3 place du Marché", "city": "Lyon"}
    assert zoe.billing_address == {}
    assert zoe.locked


def test_editing_onto_another_contacts_address_is_refused_in_place(zoe, workspace, owner):
    make_contact(workspace, "paul@example.com")

    response = login(owner).post(
        url(workspace, f"{zoe.pk}/edit/"), edit_data(zoe, email="PAUL@example.com")
    )

    assert response.status_code == 200
    assert "already exists" in field_block(response.content.decode(), "email")
    zoe.refresh_from_db()
    assert zoe.email == "zoe@example.com" and not zoe.locked


# Delete


def test_a_get_of_the_delete_url_only_asks_for_confirmation(zoe, workspace, owner):
    response = login(owner).get(url(workspace, f"{zoe.pk}/delete/"))

    assert response.status_code == 200
    assert "Delete Zoé Martin?" in response.content.decode()
    assert scoped(Contact, workspace).filter(pk=zoe.pk).exists()


def test_a_post_without_the_confirmation_deletes_nothing(zoe, workspace, owner):
    response = login(owner).post(url(workspace, f"{zoe.pk}/delete/"))

    assert response.status_code == 200
    assert scoped(Contact, workspace).filter(pk=zoe.pk).exists()


def test_confirming_deletes_the_contact(zoe, workspace, owner):
    client = login(owner)
    response = client.post(url(workspace, f"{zoe.pk}/delete/"), {"confirm": "yes"})

    assert response.status_code == 302
    assert response.url == url(workspace)
    assert not scoped(Contact, workspace).filter(pk=zoe.pk).exists()
    assert "Zoé Martin was deleted." in client.get(url(workspace)).content.decode()


# Tags on the profile


def test_tags_are_added_and_removed_from_the_profile(zoe, workspace, owner):
    client = login(owner)

    client.post(url(workspace, f"{zoe.pk}/tags/"), {"tags": "vip, Salon 2025"})
    client.post(url(workspace, f"{zoe.pk}/tags/remove/"), {"name": "vip"})

    assert list(zoe.tags.values_list("name", flat=True)) == ["Salon 2025"]
    assert [e.data["tag"] for e in events_of(zoe, Kind.TAG_REMOVED)] == ["vip"]
    page = client.get(url(workspace, f"{zoe.pk}/")).content.decode()
    assert 'aria-label="Remove tag Salon 2025"' in page


def test_a_tag_over_the_limit_is_refused_on_the_profile_form(zoe, workspace, owner):
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(Tag.MAX_PER_WORKSPACE)]
    )

    response = login(owner).post(url(workspace, f"{zoe.pk}/tags/"), {"tags": "one too many"})

    assert response.status_code == 422
    assert "A workspace has at most 250 tags" in field_block(response.content.decode(), "tags")
    assert not zoe.tags.exists()


# Notes


@pytest.fixture
def admin_note(zoe, staff):
    return note_create(contact=zoe, author=staff[Role.ADMIN], body="Admin wrote this")


def test_a_note_is_added_and_an_empty_one_refused_in_place(zoe, workspace, owner):
    client = login(owner)

    client.post(url(workspace, f"{zoe.pk}/notes/"), {"body": "Called back"})
    refused = client.post(url(workspace, f"{zoe.pk}/notes/"), {"body": "   "})

    assert list(zoe.notes.values_list("body", flat=True)) == ["Called back"]
    assert refused.status_code == 422
    assert "This field is required." in field_block(refused.content.decode(), "body")


def test_a_marketer_cannot_edit_or_delete_an_admins_note(zoe, workspace, staff, admin_note):
    marketer = login(staff[Role.MARKETER])
    note_url = url(workspace, f"{zoe.pk}/notes/{admin_note.pk}/")

    page = marketer.get(url(workspace, f"{zoe.pk}/")).content.decode()
    form = marketer.get(note_url + "edit/")
    edited = marketer.post(note_url + "edit/", {"body": "Hijacked"})
    deleted = marketer.post(note_url + "delete/")

    assert "Admin wrote this" in page
    assert "Edit note" not in page and "Delete note" not in page
    assert (form.status_code, edited.status_code, deleted.status_code) == (403, 403, 403)
    admin_note.refresh_from_db()
    assert admin_note.body == "Admin wrote this"


def test_a_marketer_edits_and_deletes_their_own_note(zoe, workspace, staff):
    marketer = login(staff[Role.MARKETER])
    marketer.post(url(workspace, f"{zoe.pk}/notes/"), {"body": "Mine"})
    note = zoe.notes.get()

    page = marketer.get(url(workspace, f"{zoe.pk}/")).content.decode()
    marketer.post(url(workspace, f"{zoe.pk}/notes/{note.pk}/edit/"), {"body": "Mine, edited"})
    note.refresh_from_db()
    marketer.post(url(workspace, f"{zoe.pk}/notes/{note.pk}/delete/"))

    assert "Edit note" in page and "Delete note" in page
    assert note.body == "Mine, edited"
    assert not zoe.notes.exists()
    assert [e.kind for e in events_of(zoe)][-2:] == [Kind.NOTE_EDITED, Kind.NOTE_DELETED]


def test_an_owner_edits_anyones_note(zoe, workspace, owner, admin_note):
    response = login(owner).post(
        url(workspace, f"{zoe.pk}/notes/{admin_note.pk}/edit/"), {"body": "Corrected"}
    )

    admin_note.refresh_from_db()
    assert response.status_code == 302
    assert admin_note.body == "Corrected"


def test_a_note_is_reached_only_through_its_own_contact(zoe, workspace, owner, admin_note):
    other = make_contact(workspace)

    response = login(owner).get(url(workspace, f"{other.pk}/notes/{admin_note.pk}/edit/"))

    assert response.status_code == 404
    assert scoped(Note, workspace).count() == 1


def test_details_edited_through_the_service_read_well_on_the_timeline(zoe, workspace, owner):
    contact_update(contact=zoe, actor=owner, phone="0612345678", company="Thé & Co")

    page = text(login(owner).get(url(workspace, f"{zoe.pk}/")).content.decode())

    assert "Details edited by owner: phone, company" in page


def test_a_phone_that_is_not_a_number_is_refused_on_the_phone_field(workspace, owner):
    page = login(owner).post(url(workspace, "new/"), {"phone": "12"}).content.decode()

    assert "“12” is not a valid phone number" in text(field_block(page, "phone"))
    assert not scoped(Contact, workspace).exists()


def test_a_phone_only_contact_reads_in_the_national_format(workspace, owner):
    client = login(owner)
    client.post(url(workspace, "new/"), {"phone": "+33612345678"})
    contact = scoped(Contact, workspace).get()

    profile = text(client.get(url(workspace, f"{contact.pk}/")).content.decode())
    listing = text(client.get(url(workspace)).content.decode())
    form = client.get(url(workspace, f"{contact.pk}/edit/")).content.decode()

    assert "<title>06 12 34 56 78" in client.get(url(workspace, f"{contact.pk}/")).content.decode()
    assert "Phone 06 12 34 56 78" in profile
    assert "+33612345678" not in profile
    assert "06 12 34 56 78" in listing and "+33612345678" not in listing
    assert 'value="06 12 34 56 78"' in field_block(form, "phone")
