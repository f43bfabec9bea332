"""What a customer import keeps of the file beyond names and addresses (X1, issue 15 point
4): Square's Groups as tags, Square's Memo and Shopify's Note as internal notes marked
imported, and country codes shown as country names."""

from django.utils import translation

from comptoir.contacts.models import Contact, ContactEvent, Note
from comptoir.core.scoping import scoped
from comptoir.transfer.models import StoreCustomerRef
from comptoir.web.countries import country_name
from tests.conftest import login
from tests.transfer.helpers import contact, fixture, run_import, tag_names


def test_square_groups_become_tags_and_the_memo_an_imported_note(workspace, owner):
    job = run_import(workspace, fixture("square_customers_groups.csv"), actor=owner)

    assert (job.preset, job.created, job.errors_total) == ("square", 2, 0)
    zoe = contact(workspace, "zoe.lefevre@example.com")
    assert tag_names(zoe) == ["Habitués", "VIP"]
    assert tag_names(contact(workspace, "karim@example.fr")) == ["Habitués"]
    [note] = scoped(Note, workspace).filter(contact=zoe)
    assert note.body == "Allergique à la lavande.\nPréfère être appelée le matin."
    assert (note.imported, note.author) == (True, owner)
    assert ContactEvent.objects.filter(contact=zoe, kind="note_added", data__note_id=note.pk)
    # Karim's memo was empty: no note.
    assert not scoped(Note, workspace).exclude(contact=zoe).exists()
    # Square's customer ids are kept for its sales exports.
    refs = dict(scoped(StoreCustomerRef, workspace).values_list("customer_id", "contact__email"))
    assert refs == {"CUST-1": "zoe.lefevre@example.com", "CUST-2": "karim@example.fr"}


def test_importing_the_same_notes_again_adds_no_second_note(workspace, owner):
    run_import(workspace, fixture("square_customers_groups.csv"), actor=owner)
    run_import(workspace, fixture("square_customers_groups.csv"), actor=owner)

    assert scoped(Note, workspace).count() == 1
    assert ContactEvent.objects.filter(kind="note_added").count() == 1


def test_a_dry_run_adds_no_note(workspace, owner):
    run_import(workspace, fixture("square_customers_groups.csv"), actor=owner, dry_run=True)

    assert not Note.objects.exists()
    assert not StoreCustomerRef.objects.exists()


def test_shopifys_note_becomes_an_imported_note_shown_as_such_on_the_contact_page(workspace, owner):
    run_import(workspace, fixture("shopify_customer_template.csv"), actor=owner)

    camille = contact(workspace, "camille.martin@example.com")
    [note] = scoped(Note, workspace)
    assert (note.contact, note.body, note.imported) == (camille, "Likes rye", True)
    page = login(owner).get(f"/w/{workspace.slug}/contacts/{camille.pk}/").content.decode()
    assert "Likes rye" in page
    assert '<span class="badge">Imported</span> from a file imported by' in page


def test_a_country_code_is_shown_as_the_countrys_name_in_french_and_english(workspace, owner):
    run_import(workspace, fixture("shopify_customer_template.csv"), actor=owner)
    camille = contact(workspace, "camille.martin@example.com")
    assert camille.shipping_address["country"] == "FR"  # stored as the file gives it
    page = f"/w/{workspace.slug}/contacts/{camille.pk}/"

    english = login(owner).get(page).content.decode()
    assert "France<br>" in english
    assert "FR<br>" not in english
    Contact.objects.filter(pk=camille.pk).update(
        billing_address={"city": "Berlin", "country": "DE"}
    )
    assert "Germany<br>" in login(owner).get(page).content.decode()
    assert "Allemagne<br>" in login(owner, language="fr").get(page).content.decode()
    with translation.override("fr"):
        assert country_name("DE", translation.get_language()) == "Allemagne"
    assert country_name("DE", "en") == "Germany"
    assert country_name("gb", "fr") == "Royaume-Uni"
    assert country_name("Belgique", "fr") == "Belgique"  # a name written out stays
    assert country_name("ZZ", "en") == "ZZ"
