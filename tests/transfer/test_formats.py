"""Files shaped like the real exports of Square, Shopify, Squarespace and Mailchimp, a French
Excel file, and our own export import with the right details and consent (X1, X2)."""

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from tests.transfer.helpers import contact, fixture, run_import, tag_names, upload

Consent = Contact.Consent


def test_a_square_export_imports_names_phones_addresses_and_its_subscription_status(
    workspace, owner
):
    job = run_import(
        workspace, fixture("square_customers.csv"), actor=owner, consent_confirmed=True
    )

    assert (job.status, job.preset, job.encoding) == ("completed", "square", "utf-8-sig")
    assert (job.total, job.created, job.errors_total) == (3, 3, 0)
    zoe = contact(workspace, "zoe.lefevre@example.com")
    assert zoe.email == "Zoe.Lefevre@example.com"  # local part as typed, domain lower-cased
    assert (zoe.first_name, zoe.last_name, zoe.company) == ("Zoé", "Lefèvre", "Atelier Lumière")
    assert zoe.phone == "+33612345678"
    assert zoe.billing_address == {
        "line1": "12 rue des Lilas",
        "city": "Lyon",
        "postal_code": "69003",
    }
    assert zoe.consent == Consent.SUBSCRIBED
    assert zoe.source == Contact.Source.IMPORT
    assert contact(workspace, "karim@example.fr").consent == Consent.UNSUBSCRIBED
    assert contact(workspace, "karim@example.fr").phone == "+33798765432"
    assert contact(workspace, "anna.rossi@example.it").consent == Consent.NOT_SUBSCRIBED


def test_a_shopify_customer_template_imports_tags_phones_and_accepts_marketing(workspace, owner):
    job = run_import(
        workspace, fixture("shopify_customer_template.csv"), actor=owner, consent_confirmed=True
    )

    assert (job.preset, job.created) == ("shopify", 3)
    camille = contact(workspace, "camille.martin@example.com")
    assert (camille.first_name, camille.last_name) == ("Camille", "Martin")
    assert camille.phone == "+33612345678"  # Shopify's leading apostrophe is not part of it
    assert camille.company == "Boulangerie du Coin"
    assert tag_names(camille) == ["Newsletter", "VIP"]
    assert camille.shipping_address["city"] == "Paris"
    assert camille.consent == Consent.SUBSCRIBED
    hugo = contact(workspace, "hugo.bernard@example.com")
    assert tag_names(hugo) == ["Wholesale"]
    assert hugo.consent == Consent.NOT_SUBSCRIBED  # "no" is not an unsubscription
    assert contact(workspace, "jade.petit@example.com").consent == Consent.SUBSCRIBED


def test_a_squarespace_export_takes_the_phone_from_the_billing_details(workspace, owner):
    job = run_import(workspace, fixture("squarespace_customers.csv"), actor=owner)

    assert (job.preset, job.created) == ("squarespace", 2)
    louise = contact(workspace, "louise.dubois@example.com")
    assert louise.phone == "+33611223344"
    assert tag_names(louise) == ["Gift cards", "Regular"]
    assert louise.shipping_address["line1"] == "8 avenue Foch"
    assert louise.billing_address["name"] == "Louise Dubois"
    paul = contact(workspace, "paul.girard@example.com")
    assert (paul.first_name, paul.phone, paul.billing_address["city"]) == ("Paul", "", "Lille")
    assert paul.consent == Consent.NOT_SUBSCRIBED  # no consent column: nobody subscribed


def test_mailchimps_subscribed_file_subscribes_its_members_with_an_import_ledger_row(
    workspace, owner
):
    job = run_import(
        workspace, fixture("mailchimp_subscribed.csv"), actor=owner, consent_confirmed=True
    )

    assert (job.preset, job.file_consent, job.created) == ("mailchimp", "subscribed", 2)
    lea = contact(workspace, "lea.moreau@example.com")
    assert (lea.first_name, lea.phone) == ("Léa", "+33601020304")
    assert tag_names(lea) == ["Salon 2025", "VIP"]
    assert lea.consent == Consent.SUBSCRIBED
    ledger = scoped(ConsentEvent, workspace).get(contact=lea)
    assert (ledger.status, ledger.source, ledger.actor) == ("subscribed", "import", owner)


def test_mailchimps_unsubscribed_file_makes_unsubscribed_contacts(workspace, owner):
    job = run_import(
        workspace, fixture("mailchimp_unsubscribed.csv"), actor=owner, consent_confirmed=True
    )

    assert job.file_consent == "unsubscribed"
    ines = contact(workspace, "ines.roux@example.com")
    assert (ines.first_name, ines.consent) == ("Inès", Consent.UNSUBSCRIBED)
    assert tag_names(ines) == ["Newsletter"]
    ledger = scoped(ConsentEvent, workspace).get(contact=ines)
    assert (ledger.status, ledger.source) == ("unsubscribed", "import")


def test_mailchimps_cleaned_file_suppresses_its_addresses_as_bounces(workspace, owner):
    job = run_import(
        workspace, fixture("mailchimp_cleaned.csv"), actor=owner, consent_confirmed=True
    )

    assert job.file_consent == "cleaned"
    gone = contact(workspace, "gone@example.org")
    assert gone.consent == Consent.UNSUBSCRIBED
    suppression = scoped(Suppression, workspace).get()
    assert (suppression.email, suppression.reason) == ("gone@example.org", "bounce")
    assert scoped(ConsentEvent, workspace).get(contact=gone).source == "bounce"


def test_a_semicolon_separated_windows_1252_file_imports_accented_names(workspace, owner):
    job = run_import(workspace, fixture("french_excel_cp1252.csv"), actor=owner)

    assert (job.encoding, job.delimiter, job.created, job.errors_total) == ("cp1252", ";", 3, 0)
    helene = contact(workspace, "helene.lefevre@example.fr")
    assert (helene.first_name, helene.last_name) == ("Hélène", "Lefèvre")
    assert helene.company == "Café des Arts"
    assert helene.phone == "+33142000000"
    assert tag_names(helene) == ["Fidèle", "Été 2026"]
    maelle = contact(workspace, "maelle@example.fr")
    assert (maelle.first_name, maelle.last_name) == ("Maëlle", "Œuvre-Noël")
    # The folded search columns are those of a contact typed by hand.
    assert "oeuvre-noel" in maelle.search_text


def test_a_utf8_file_without_byte_order_mark_and_tab_separated_imports(workspace):
    text = "Email\tFirst name\tLast name\nchloe@example.com\tChloé\tNguyễn\n"
    job = run_import(workspace, text)

    assert (job.encoding, job.delimiter, job.created) == ("utf-8", "\t", 1)
    assert contact(workspace, "chloe@example.com").last_name == "Nguyễn"


EXPORT_HEADER = (
    "Email,First name,Last name,Phone,Company,Language,Type,Email subscription status,Tags,"
    "Has account,Total orders,Total spent,Average order value,Last order date,Customer since,"
    "Created at,Shipping name,Shipping address 1,Shipping address 2,Shipping city,"
    "Shipping postal code,Shipping region,Shipping country,Shipping phone,Billing name,"
    "Billing address 1,Billing address 2,Billing city,Billing postal code,Billing region,"
    "Billing country,Billing phone"
)


def test_our_own_export_reads_back_with_formula_neutralisation_reversed(workspace, owner):
    row = (
        "zoe@example.com,'=Zoé,'-Lefèvre,'+33612345678,'@Atelier,fr,customer,subscribed,"
        '"Fidèle, VIP",yes,3,120.00,40.00,2026-10-01T10:00:00+02:00,2025-01-01T09:00:00+01:00,'
        "2024-12-24T18:30:00+01:00,Zoé L,1 rue Haute,,Lyon,69001,,FR,,,,,,,,,\n"
        "unsub@example.com,Ann,,,,,prospect,unsubscribed,,no,0,0.00,0.00,,,,,,,,,,,,,,,,,,,\n"
        "plain@example.com,Bob,,,,,prospect,not subscribed,,no,0,0.00,0.00,,,,,,,,,,,,,,,,,,,\n"
    )
    content = "\ufeff" + EXPORT_HEADER + "\r\n" + row.replace("\n", "\r\n")
    job = run_import(workspace, content, actor=owner, consent_confirmed=True)

    assert (job.preset, job.created, job.errors_total) == ("generic", 3, 0)
    zoe = contact(workspace, "zoe@example.com")
    assert (zoe.first_name, zoe.last_name, zoe.company) == ("=Zoé", "-Lefèvre", "@Atelier")
    assert (zoe.phone, zoe.language, zoe.has_account) == ("+33612345678", "fr", True)
    assert tag_names(zoe) == ["Fidèle", "VIP"]
    assert zoe.consent == Consent.SUBSCRIBED
    assert zoe.created_at.isoformat() == "2024-12-24T17:30:00+00:00"
    assert zoe.shipping_address == {
        "name": "Zoé L",
        "line1": "1 rue Haute",
        "city": "Lyon",
        "postal_code": "69001",
        "country": "FR",
    }
    assert contact(workspace, "unsub@example.com").consent == Consent.UNSUBSCRIBED
    assert contact(workspace, "plain@example.com").consent == Consent.NOT_SUBSCRIBED
    # Order figures belong to commerce: an import never invents orders.
    assert (zoe.order_count, zoe.type) == (0, Contact.Type.PROSPECT)


def test_a_file_with_a_byte_order_mark_and_crlf_is_detected(workspace):
    job = run_import(workspace, upload("\ufeffEmail;Prénom\r\na@example.com;Zoé\r\n".encode()))
    assert (job.encoding, job.delimiter) == ("utf-8-sig", ";")
    assert contact(workspace, "a@example.com").first_name == "Zoé"
