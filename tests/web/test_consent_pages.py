"""The profile's consent card (K1–K3), bulk unsubscribe, the one-off e-mail (C12), the
timeline's e-mail, consent and order sentences, and GDPR export and erasure (X5)."""

import datetime
import json
import re

import pytest
from django.utils import formats, timezone

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import (
    address_hash,
    consent_subscribe,
    consent_withdraw,
    suppression_add,
)
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.mail.models import Delivery
from comptoir.mail.services import delivery_send
from tests.conftest import login
from tests.contacts.helpers import events_of, make_contact
from tests.html import unlabelled_fields
from tests.web.directory_helpers import ENGLISH, FRENCH, text, url

CONFIRMED = "The customer explicitly agreed to receive marketing e-mails"


@pytest.fixture
def zoe(workspace, owner):
    return make_contact(
        workspace, "zoe@example.com", first_name="Zoé", last_name="Martin", actor=owner
    )


def profile_of(client, contact, headers=ENGLISH) -> str:
    response = client.get(url(contact.workspace, f"{contact.pk}/"), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def card(page: str, title_id: str) -> str:
    """The <section> of the profile whose heading has the id `title_id`."""
    found = re.search(rf'<section[^>]*aria-labelledby="{title_id}">.*?</section>', page, re.DOTALL)
    assert found, f"no card {title_id}"
    return found.group(0)


def ledger(contact) -> list[ConsentEvent]:
    return list(scoped(ConsentEvent, contact.workspace).filter(contact=contact))


def subscribe(client, contact, **data):
    return client.post(url(contact.workspace, f"{contact.pk}/consent/subscribe/"), data)


# Subscribing from the dashboard (K3)


def test_subscribing_without_ticking_the_box_is_refused_in_place_and_writes_nothing(
    zoe, workspace, owner
):
    response = subscribe(login(owner), zoe, **{"consent-wording": "Oui, par e-mail"})
    page = response.content.decode()

    assert response.status_code == 422
    consent = card(page, "consent-title")
    assert "Confirm that the customer explicitly agreed to receive marketing e-mails." in text(
        consent
    )
    assert 'aria-invalid="true"' in consent
    assert "Oui, par e-mail" in consent  # what was typed is kept
    assert ledger(zoe) == []
    assert events_of(zoe, "consent_changed") == []
    zoe.refresh_from_db()
    assert zoe.consent == Contact.Consent.NOT_SUBSCRIBED
    assert unlabelled_fields(page) == []


def test_subscribing_with_the_box_ticked_records_source_actor_and_wording(zoe, workspace, owner):
    response = subscribe(
        login(owner),
        zoe,
        **{"consent-confirmed": "on", "consent-wording": "Zoé agreed at the till."},
    )

    assert response.status_code == 302
    assert response.url == url(workspace, f"{zoe.pk}/")
    (event,) = ledger(zoe)
    assert event.status == ConsentEvent.Status.SUBSCRIBED
    assert event.source == ConsentEvent.Source.DASHBOARD
    assert event.actor == owner
    assert event.wording == "Zoé agreed at the till."
    zoe.refresh_from_db()
    assert zoe.consent == Contact.Consent.SUBSCRIBED


def test_after_subscribing_the_profile_says_subscribed_and_shows_the_history(zoe, workspace, owner):
    client = login(owner)
    subscribe(client, zoe, **{"consent-confirmed": "on", "consent-wording": "Newsletter, yes."})

    page = client.get(url(workspace, f"{zoe.pk}/"), headers=ENGLISH).content.decode()

    consent = text(card(page, "consent-title"))
    assert "Subscribed to marketing e-mails." in text(page)  # the message
    assert consent.startswith("Marketing consent Subscribed")
    assert "Consent history" in consent
    assert "Source Dashboard By owner Wording Newsletter, yes." in consent
    assert 'name="consent-confirmed"' not in page  # already subscribed: no subscribe form
    assert ">Unsubscribe</button>" in page


def test_the_wording_is_prefilled_in_the_workspace_language(zoe, workspace, owner):
    assert workspace.language == "fr"

    page = text(profile_of(login(owner), zoe, headers=ENGLISH))

    assert (
        "J’accepte de recevoir par e-mail les actualités et les offres de Chez Zoé. "
        "Je peux me désinscrire à tout moment."
    ) in page


def test_subscribing_twice_changes_nothing_the_second_time(zoe, workspace, owner):
    client = login(owner)
    subscribe(client, zoe, **{"consent-confirmed": "on"})

    response = subscribe(client, zoe, **{"consent-confirmed": "on"})

    assert response.status_code == 302
    assert len(ledger(zoe)) == 1


def test_a_contact_without_an_address_cannot_be_subscribed_and_is_told_why(workspace, owner):
    phone_only = make_contact(workspace, phone="06 12 34 56 78")
    client = login(owner)

    assert 'name="consent-confirmed"' not in profile_of(client, phone_only)
    response = subscribe(client, phone_only, **{"consent-confirmed": "on"})

    assert response.status_code == 422
    assert "A contact without an e-mail address cannot subscribe to e-mails." in text(
        card(response.content.decode(), "consent-title")
    )
    assert ledger(phone_only) == []


# Unsubscribing (K3)


def test_the_unsubscribe_button_withdraws_consent_without_confirmation(zoe, workspace, staff):
    consent_subscribe(contact=zoe, source="signup_page", explicit_consent_confirmed=True)
    marketer = staff[Role.MARKETER]

    client = login(marketer)

    response = client.post(url(workspace, f"{zoe.pk}/consent/unsubscribe/"))

    assert response.status_code == 302
    latest = ledger(zoe)[-1]
    assert (latest.status, latest.source, latest.actor) == ("unsubscribed", "dashboard", marketer)
    zoe.refresh_from_db()
    assert zoe.consent == Contact.Consent.UNSUBSCRIBED
    page = text(profile_of(client, zoe))
    assert "Unsubscribed from marketing e-mails." in page  # the message


def test_a_subscription_after_an_unsubscribe_wins_when_confirmed(zoe, workspace, owner):
    consent_withdraw(contact=zoe, source="one_click")
    client = login(owner)

    assert 'name="consent-confirmed"' in profile_of(client, zoe)
    subscribe(client, zoe, **{"consent-confirmed": "on"})

    zoe.refresh_from_db()
    assert zoe.consent == Contact.Consent.SUBSCRIBED
    assert [e.status for e in ledger(zoe)] == ["unsubscribed", "subscribed"]


# The consent history (K1)


def test_the_history_shows_newest_first_with_time_source_who_ip_browser_and_wording(
    zoe, workspace, owner
):
    consent_subscribe(
        contact=zoe,
        source="signup_page",
        explicit_consent_confirmed=True,
        actor_label="customer",
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (Test)",
        wording="Je veux recevoir la newsletter.",
    )
    consent_withdraw(contact=zoe, source="dashboard", actor=owner)
    first, second = ledger(zoe)
    at = datetime.datetime(2026, 1, 5, 23, 30, tzinfo=datetime.UTC)
    scoped(ConsentEvent, workspace).filter(pk=first.pk).update(created_at=at)

    consent = text(card(profile_of(login(owner), zoe), "consent-title"))

    history = consent[consent.index("Consent history") :]
    assert history.index("Unsubscribed") < history.index("Subscribed")
    assert "Source Dashboard By owner" in history
    assert (
        "Source Sign-up page By The customer IP address 203.0.113.7 "
        "Browser Mozilla/5.0 (Test) Wording Je veux recevoir la newsletter."
    ) in history
    with timezone.override("Europe/Paris"):  # the workspace's time zone: already Jan. 6
        shown = formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")
    assert "6 Jan 2026" in shown
    assert shown in history
    assert "Newest first; times in Europe/Paris." in history


def test_a_contact_never_asked_shows_an_empty_history(zoe, workspace, owner):
    consent = text(card(profile_of(login(owner), zoe), "consent-title"))

    assert "Marketing consent Not subscribed" in consent
    assert "No consent recorded yet: this person receives no marketing e-mail." in consent


def test_a_suppressed_address_is_flagged_on_the_profile(zoe, workspace, owner):
    consent_subscribe(contact=zoe, source="signup_page", explicit_consent_confirmed=True)
    suppression_add(workspace=workspace, email="zoe@example.com", reason="manual")

    consent = text(card(profile_of(login(owner), zoe), "consent-title"))

    assert "This address is on the suppression list" in consent


def test_the_consent_card_reads_in_french(zoe, workspace, owner):
    consent_subscribe(contact=zoe, source="dashboard", explicit_consent_confirmed=True, actor=owner)

    consent = text(card(profile_of(login(owner), zoe, headers=FRENCH), "consent-title"))

    assert consent.startswith("Consentement marketing Abonné")
    assert "Historique du consentement" in consent
    assert "Origine Tableau de bord Par owner" in consent
    assert "Désinscrire" in consent


# Who may change consent


def test_a_viewer_sees_the_state_and_history_but_no_control(zoe, workspace, staff):
    consent_subscribe(
        contact=zoe, source="dashboard", explicit_consent_confirmed=True, wording="Oui"
    )

    page = profile_of(login(staff[Role.VIEWER]), zoe)

    consent = card(page, "consent-title")
    assert "Consent history" in consent and "Oui" in consent
    assert "<form" not in consent
    assert 'id="email-title"' not in page  # no e-mail form either
    assert "contact_data_export" not in page and "/export/" not in page
    assert "/erase/" not in page


@pytest.mark.parametrize("path", ["consent/subscribe/", "consent/unsubscribe/", "email/", "erase/"])
def test_a_viewer_cannot_post_any_consent_email_or_erase_action(zoe, workspace, staff, path):
    data = {"consent-confirmed": "on", "email-subject": "Hi", "email-body": "Hi", "confirm": "yes"}

    response = login(staff[Role.VIEWER]).post(url(workspace, f"{zoe.pk}/{path}"), data)

    assert response.status_code == 403
    assert ledger(zoe) == []
    assert not scoped(Delivery, workspace).exists()
    assert scoped(Contact, workspace).filter(pk=zoe.pk).exists()


# Bulk unsubscribe (K3)


def test_bulk_unsubscribe_unsubscribes_the_ticked_contacts_and_says_how_many(workspace, staff, zoe):
    others = [make_contact(workspace) for _ in range(2)]
    for contact in (zoe, *others):
        consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    consent_withdraw(contact=others[1], source="one_click")  # already out: not counted
    untouched = make_contact(workspace)
    client = login(staff[Role.MARKETER])

    response = client.post(
        url(workspace, "bulk/"),
        {"action": "unsubscribe", "ids": [zoe.pk, others[0].pk, others[1].pk]},
        follow=True,
    )

    assert "2 contacts unsubscribed." in text(response.content.decode())
    for contact in (zoe, others[0]):
        contact.refresh_from_db()
        assert contact.consent == Contact.Consent.UNSUBSCRIBED
        assert (ledger(contact)[-1].source, ledger(contact)[-1].actor) == (
            "dashboard",
            staff[Role.MARKETER],
        )
    assert len(ledger(others[1])) == 2  # no new row
    untouched.refresh_from_db()
    assert untouched.consent == Contact.Consent.NOT_SUBSCRIBED


def test_bulk_unsubscribe_of_one_contact_says_so_in_french(workspace, owner, zoe):
    consent_subscribe(contact=zoe, source="signup_page", explicit_consent_confirmed=True)

    response = login(owner).post(
        url(workspace, "bulk/"),
        {"action": "unsubscribe", "ids": [zoe.pk]},
        follow=True,
        headers=FRENCH,
    )

    assert "1 contact désinscrit." in text(response.content.decode())


def test_the_list_offers_the_unsubscribe_action_to_editors_only(workspace, staff, zoe):
    button = 'name="action" value="unsubscribe"'

    assert button in login(staff[Role.MARKETER]).get(url(workspace)).content.decode()
    assert button not in login(staff[Role.VIEWER]).get(url(workspace)).content.decode()
    response = login(staff[Role.VIEWER]).post(
        url(workspace, "bulk/"), {"action": "unsubscribe", "ids": [zoe.pk]}
    )
    assert response.status_code == 403


# One-off e-mail (C12)


def send_email(client, contact, subject="Votre commande", body="Bonjour {{ first_name | toi }} !"):
    return client.post(
        url(contact.workspace, f"{contact.pk}/email/"),
        {"email-subject": subject, "email-body": body},
        follow=True,
    )


def test_a_one_off_email_is_queued_logged_and_arrives(
    zoe,
    workspace,
    staff,
    smtp_server,  # noqa: F811 - the fixture imported above
):
    marketer = staff[Role.MARKETER]
    client = login(marketer)

    page = text(send_email(client, zoe).content.decode())

    assert "E-mail queued." in page
    (delivery,) = scoped(Delivery, workspace)
    assert (delivery.kind, delivery.status, delivery.subject) == (
        "transactional",
        "queued",
        "Votre commande",
    )
    activity = page[page.index("Activity") :]
    assert "E-mail “Votre commande” queued by marketer" in activity

    delivery_send(delivery_id=delivery.pk)

    (received,) = smtp_server.received
    assert received.recipients == ["zoe@example.com"]
    message = received.message
    assert message["Subject"] == "Votre commande"
    assert "Bonjour Zoé !" in message.get_body(preferencelist=("plain",)).get_content()
    assert "List-Unsubscribe" not in message  # transactional: no marketing headers
    page = text(profile_of(client, zoe))
    assert "E-mail “Votre commande” sent" in page[page.index("Activity") :]


def test_a_one_off_email_needs_no_marketing_consent(zoe, workspace, owner):
    consent_withdraw(contact=zoe, source="one_click")

    send_email(login(owner), zoe)

    assert scoped(Delivery, workspace).get().kind == Delivery.Kind.TRANSACTIONAL


def test_an_email_without_subject_or_body_is_refused_in_place(zoe, workspace, owner):
    response = login(owner).post(
        url(workspace, f"{zoe.pk}/email/"), {"email-subject": "  ", "email-body": "Hello"}
    )
    page = response.content.decode()

    assert response.status_code == 422
    assert "error" in card(page, "email-title")
    assert 'value="  "' in page or 'name="email-subject"' in page
    assert "Hello</textarea>" in page
    assert not scoped(Delivery, workspace).exists()
    assert unlabelled_fields(page) == []


def test_an_email_to_a_contact_without_an_address_is_not_offered(workspace, owner):
    phone_only = make_contact(workspace, phone="06 12 34 56 78")

    page = profile_of(login(owner), phone_only)

    assert "This contact has no e-mail address." in text(card(page, "email-title"))
    assert 'name="email-subject"' not in page


def test_the_email_form_explains_personalisation(zoe, workspace, owner):
    email_card = text(card(profile_of(login(owner), zoe), "email-title"))

    assert '{{ first_name|default:"there" }}' in email_card
    assert "Markdown" in email_card


# Timeline sentences


def event(contact, kind, **data):
    return ContactEvent.objects.create(
        workspace=contact.workspace, contact=contact, kind=kind, data=data
    )


def test_the_timeline_tells_emails_consent_and_orders_in_words(zoe, workspace, owner):
    event(zoe, "email_opened", subject="Soldes")
    event(zoe, "email_clicked", subject="Soldes", url="https://shop.example/soldes")
    event(zoe, "consent_changed", status="subscribed", source="signup_page")
    event(zoe, "consent_changed", status="pending", source="widget")
    event(zoe, "order_placed", number="#1042", total="45.50", currency="EUR", status="paid")
    event(zoe, "order_updated", number="#1042", changes=["status"])
    event(zoe, "order_canceled", number="", external_id="ext-9")
    event(zoe, "subscription_started", product="Coffee box")

    page = text(profile_of(login(owner), zoe))
    activity = page[page.index("Activity") :]

    for sentence in (
        "E-mail “Soldes” opened",
        "Link https://shop.example/soldes clicked in the e-mail “Soldes”",
        "Subscribed to marketing e-mails (source: Sign-up page)",
        "Signed up for marketing e-mails, awaiting confirmation (source: Sign-up widget)",
        "Order #1042 placed: €45.50",
        "Order #1042 updated",
        "Order ext-9 canceled",
        "Subscription started",
    ):
        assert sentence in activity


def test_the_timeline_tells_orders_and_consent_in_french(zoe, workspace, owner):
    event(zoe, "order_placed", number="#7", total="1234.5", currency="EUR")
    consent_withdraw(contact=zoe, source="one_click")

    page = text(profile_of(login(owner), zoe, headers=FRENCH))

    assert "Commande #7 passée : 1 234,50 €" in page  # text() turns no-break spaces into spaces
    assert "Désinscrit des e-mails marketing (origine : Désinscription en un clic)" in page


# GDPR: export (X5)


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MARKETER])
def test_staff_who_may_export_download_the_persons_data_as_json(zoe, workspace, staff, role):
    consent_subscribe(
        contact=zoe, source="signup_page", explicit_consent_confirmed=True, wording="Oui"
    )

    response = login(staff[role]).get(url(workspace, f"{zoe.pk}/export/"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="contact-{zoe.pk}.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["contact"]["email"] == "zoe@example.com"
    assert data["contact"]["first_name"] == "Zoé"
    assert [e["wording"] for e in data["consent_history"]] == ["Oui"]


def test_a_viewer_may_not_export(zoe, workspace, staff):
    assert login(staff[Role.VIEWER]).get(url(workspace, f"{zoe.pk}/export/")).status_code == 403


def test_export_of_another_workspaces_contact_is_a_404(workspace, other_workspace, owner):
    theirs = make_contact(other_workspace)

    assert login(owner).get(url(workspace, f"{theirs.pk}/export/")).status_code == 404


# GDPR: erase (X5)


def test_the_erase_page_explains_what_happens(zoe, workspace, owner):
    response = login(owner).get(url(workspace, f"{zoe.pk}/erase/"))
    page = text(response.content.decode())

    assert response.status_code == 200
    assert "Erase Zoé Martin?" in page
    assert "cannot be undone" in page
    assert "orders are kept" in page
    assert "hash" in page
    assert unlabelled_fields(response.content.decode()) == []
    assert scoped(Contact, workspace).filter(pk=zoe.pk).exists()


def test_erasing_removes_the_person_and_keeps_only_a_hash(zoe, workspace, staff):
    consent_subscribe(contact=zoe, source="signup_page", explicit_consent_confirmed=True)

    response = login(staff[Role.ADMIN]).post(
        url(workspace, f"{zoe.pk}/erase/"), {"confirm": "yes"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url(workspace)
    assert "Zoé Martin was erased." in text(response.content.decode())
    assert not scoped(Contact, workspace).exists()
    assert not scoped(ConsentEvent, workspace).exists()
    (entry,) = scoped(Suppression, workspace)
    assert (entry.email, entry.reason) == ("", Suppression.Reason.ERASED)
    assert entry.email_hash == address_hash("zoe@example.com")


def test_a_post_without_confirm_erases_nothing(zoe, workspace, owner):
    response = login(owner).post(url(workspace, f"{zoe.pk}/erase/"))

    assert response.status_code == 200
    assert scoped(Contact, workspace).filter(pk=zoe.pk).exists()


@pytest.mark.parametrize("role", [Role.MARKETER, Role.VIEWER])
def test_only_owners_and_admins_may_erase(zoe, workspace, staff, role):
    client = login(staff[role])

    assert client.get(url(workspace, f"{zoe.pk}/erase/")).status_code == 403
    assert client.post(url(workspace, f"{zoe.pk}/erase/"), {"confirm": "yes"}).status_code == 403
    assert scoped(Contact, workspace).filter(pk=zoe.pk).exists()
    assert "/erase/" not in profile_of(client, zoe)


def test_the_gdpr_card_shows_what_the_role_allows(zoe, workspace, staff):
    admin_card = text(card(profile_of(login(staff[Role.ADMIN]), zoe), "gdpr-title"))
    marketer_card = text(card(profile_of(login(staff[Role.MARKETER]), zoe), "gdpr-title"))

    assert "Download personal data (JSON)" in admin_card and "Erase this person" in admin_card
    assert "Download personal data (JSON)" in marketer_card
    assert "Erase this person" not in marketer_card


# Accessibility and language of the new parts of the profile


@pytest.mark.parametrize("headers", [ENGLISH, FRENCH], ids=["en", "fr"])
@pytest.mark.parametrize("role", [Role.OWNER, Role.MARKETER, Role.VIEWER])
def test_every_field_of_the_profile_has_a_label(zoe, workspace, staff, role, headers):
    assert unlabelled_fields(profile_of(login(staff[role]), zoe, headers=headers)) == []


def test_the_checkbox_is_required_unticked_and_tied_to_its_label(zoe, workspace, owner):
    page = profile_of(login(owner), zoe)

    checkbox = re.search(r'<input type="checkbox" name="consent-confirmed"[^>]*>', page).group(0)
    assert "required" in checkbox and "checked" not in checkbox
    assert f'<label for="id_consent-confirmed">{CONFIRMED}' in page
