"""X1 + X3: a merchant who exports their contacts and imports the file into another
workspace finds the same people, tags and consent states — an unsubscribed person stays
unsubscribed, and a neutralised formula comes back as the text it was."""

import pytest

from comptoir.consent.services import consent_pending, consent_subscribe, consent_withdraw
from comptoir.contacts.models import Contact
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from tests.conftest import api_client_for, make_workspace
from tests.contacts.helpers import make_contact
from tests.transfer.helpers import run_import, tag_names, upload

PARIS = {
    "name": "Zoé Lefèvre",
    "line1": "12 rue des Lilas",
    "line2": "Bâtiment B",
    "city": "Paris",
    "postal_code": "75011",
    "region": "Île-de-France",
    "country": "FR",
    "phone": "+33 6 12 34 56 78",
}

COMPARED = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "language",
    "has_account",
    "shipping_address",
    "billing_address",
    "consent",
)


def people(workspace) -> dict[str, dict]:
    contacts = scoped(Contact, workspace).prefetch_related("tags")
    return {
        contact.email_key: {
            **{field: getattr(contact, field) for field in COMPARED},
            "tags": tag_names(contact),
        }
        for contact in contacts
    }


def a_shop_with_every_kind_of_contact(workspace):
    zoe = make_contact(
        workspace,
        "zoe@example.com",
        first_name="Zoé",
        last_name="Lefèvre",
        phone="+33 6 12 34 56 78",
        company="Les Lilas",
        language="fr",
        has_account=True,
        shipping_address=PARIS,
        tags=["VIP", "Marché de Noël"],
    )
    consent_subscribe(contact=zoe, source="signup_page", explicit_consent_confirmed=True)
    gone = make_contact(workspace, "gone@example.com", first_name="Hugo", tags=["VIP"])
    consent_subscribe(contact=gone, source="signup_page", explicit_consent_confirmed=True)
    consent_withdraw(contact=gone, source="unsubscribe_link")
    make_contact(
        workspace,
        "formula@example.com",
        first_name='=HYPERLINK("http://evil.example","click")',
        last_name="-2+3",
    )
    waiting = make_contact(workspace, "waiting@example.com", first_name="Inès")
    consent_pending(contact=waiting, source="signup_page")


@pytest.mark.django_db
def test_an_exported_file_imports_into_an_empty_workspace_as_the_same_contacts(workspace, owner):
    a_shop_with_every_kind_of_contact(workspace)
    exported = api_client_for(workspace, Role.ADMIN).get("/api/v1/contacts/export.csv")
    assert exported.status_code == 200
    empty = make_workspace("Second shop", owner)

    job = run_import(
        empty,
        upload(b"".join(exported.streaming_content)),
        preset="generic",
        consent_confirmed=True,
    )

    assert (job.status, job.created, job.errors_total) == ("completed", 4, 0)
    expected = people(workspace)
    # Pending (double opt-in not confirmed) is exported as "not subscribed": the new
    # workspace holds no confirmation either.
    expected["waiting@example.com"]["consent"] = Contact.Consent.NOT_SUBSCRIBED
    assert people(empty) == expected
    assert people(empty)["gone@example.com"]["consent"] == Contact.Consent.UNSUBSCRIBED
    assert people(empty)["formula@example.com"]["first_name"].startswith("=HYPERLINK(")


@pytest.mark.django_db
def test_a_semicolon_export_for_french_excel_round_trips_too(workspace, owner):
    a_shop_with_every_kind_of_contact(workspace)
    exported = api_client_for(workspace, Role.ADMIN).get(
        "/api/v1/contacts/export.csv?delimiter=semicolon"
    )
    empty = make_workspace("Third shop", owner)

    job = run_import(empty, upload(b"".join(exported.streaming_content)), consent_confirmed=True)

    assert (job.status, job.created, job.errors_total) == ("completed", 4, 0)
    assert {email: person["tags"] for email, person in people(empty).items()} == {
        email: person["tags"] for email, person in people(workspace).items()
    }
