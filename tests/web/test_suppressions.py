"""The suppression list page (K6): who is on it and why, and adding an address by hand."""

import pytest

from comptoir.consent.models import Suppression
from comptoir.consent.services import address_hash, consent_subscribe, suppression_add
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.privacy import contact_erase
from tests.conftest import login
from tests.contacts.helpers import make_contact
from tests.html import unlabelled_fields
from tests.web.directory_helpers import ENGLISH, FRENCH, text, url

PAGE = "suppressions/"


def rows(page: str) -> str:
    return text(page[page.index("<tbody>") : page.index("</tbody>")])


def test_the_list_shows_each_address_with_its_reason_date_and_detail(workspace, owner):
    suppression_add(
        workspace=workspace, email="gone@example.com", reason="bounce", detail="550 no such user"
    )
    erased = make_contact(workspace, "erased@example.com")
    contact_erase(contact=erased, actor=owner)

    page = login(owner).get(url(workspace, PAGE), headers=ENGLISH).content.decode()

    listed = rows(page)
    assert "gone@example.com Hard bounce" in listed
    assert "550 no such user" in listed
    assert "erased — hash only " + address_hash("erased@example.com")[:12] in listed
    assert "erased@example.com" not in page
    assert "Erased on request" in listed
    assert "2 addresses" in text(page)
    assert listed.index("erased — hash only") < listed.index("gone@example.com")  # newest first


def test_the_list_shows_only_this_workspaces_addresses(workspace, other_workspace, owner):
    suppression_add(workspace=other_workspace, email="theirs@example.com", reason="manual")

    page = login(owner).get(url(workspace, PAGE)).content.decode()

    assert "theirs@example.com" not in page
    assert "No address is suppressed." in text(page)


def test_a_marketer_adds_an_address_by_hand(workspace, staff):
    client = login(staff[Role.MARKETER])

    response = client.post(
        url(workspace, PAGE),
        {"email": " Paul@Example.com ", "detail": "Asked by phone"},
        follow=True,
    )

    page = text(response.content.decode())
    assert "paul@example.com is on the suppression list" in page.lower()
    entry = scoped(Suppression, workspace).get()
    assert (entry.email, entry.reason, entry.detail) == (
        "paul@example.com",
        Suppression.Reason.MANUAL,
        "Asked by phone",
    )
    assert "paul@example.com Added by staff" in rows(response.content.decode())


def test_adding_an_address_twice_keeps_one_entry(workspace, owner):
    client = login(owner)
    client.post(url(workspace, PAGE), {"email": "paul@example.com"})

    response = client.post(url(workspace, PAGE), {"email": "PAUL@example.com"})

    assert response.status_code == 302
    assert scoped(Suppression, workspace).count() == 1


def test_adding_a_subscribed_contacts_address_stops_marketing_to_it(workspace, owner):
    from comptoir.consent.selectors import marketing_allowed

    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)

    login(owner).post(url(workspace, PAGE), {"email": "zoe@example.com"})

    assert not marketing_allowed(contact)


def test_a_malformed_address_is_refused_in_place_and_nothing_is_added(workspace, owner):
    response = login(owner).post(url(workspace, PAGE), {"email": "not an address"})
    page = response.content.decode()

    assert response.status_code == 422
    assert "Enter a valid email address." in text(page)
    assert 'value="not an address"' in page
    assert not scoped(Suppression, workspace).exists()
    assert unlabelled_fields(page) == []


def test_a_viewer_sees_the_list_without_the_form_and_cannot_post(workspace, staff):
    suppression_add(workspace=workspace, email="gone@example.com", reason="complaint")
    client = login(staff[Role.VIEWER])

    page = client.get(url(workspace, PAGE)).content.decode()
    response = client.post(url(workspace, PAGE), {"email": "x@example.com"})

    assert "gone@example.com" in page
    assert 'name="email"' not in page
    assert response.status_code == 403
    assert scoped(Suppression, workspace).count() == 1


@pytest.mark.parametrize("headers", [ENGLISH, FRENCH], ids=["en", "fr"])
def test_every_field_has_a_label_in_both_languages(workspace, owner, headers):
    suppression_add(workspace=workspace, email="gone@example.com", reason="bounce")

    page = login(owner).get(url(workspace, PAGE), headers=headers).content.decode()

    assert unlabelled_fields(page) == []
    expected = "Liste d’exclusion" if headers is FRENCH else "Suppression list"
    assert expected in text(page)
    assert 'aria-current="page">' + expected in page  # the directory's subnavigation


def test_many_entries_are_paged(workspace, owner):
    for number in range(101):
        suppression_add(workspace=workspace, email=f"p{number}@example.com", reason="manual")
    client = login(owner)

    first = client.get(url(workspace, PAGE)).content.decode()
    second = client.get(url(workspace, PAGE) + "?page=2").content.decode()

    assert "Page 1 of 2" in text(first)
    assert rows(first).count("@example.com") == 100
    assert rows(second).count("@example.com") == 1
