"""X5 / K6: a person's data on request, and their erasure that a later import respects."""

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.selectors import marketing_allowed
from comptoir.consent.services import consent_subscribe, is_suppressed
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import note_create
from comptoir.core.roles import Role
from comptoir.mail.models import Delivery, OutboxMessage
from comptoir.mail.services import contact_email_send, delivery_send
from tests.conftest import api_client_for
from tests.contacts.helpers import make_contact


def customer(workspace):
    contact = make_contact(
        workspace, "zoe.martin@example.com", first_name="Zoé", last_name="Martin", tags=["vip"]
    )
    consent_subscribe(
        contact=contact, source="signup_page", explicit_consent_confirmed=True, wording="Oui !"
    )
    note_create(contact=contact, author=None, body="Internal: difficult customer")
    return contact


def test_the_export_holds_the_person_consent_and_activity_but_no_internal_note(workspace, api):
    contact = customer(workspace)
    response = api.get(f"/api/v1/contacts/{contact.pk}/export")
    assert response.status_code == 200
    data = response.json()
    assert data["contact"]["email"] == "zoe.martin@example.com"
    assert data["contact"]["first_name"] == "Zoé"
    assert data["tags"] == ["vip"]
    assert [(e["status"], e["wording"]) for e in data["consent_history"]] == [
        ("subscribed", "Oui !")
    ]
    assert "difficult customer" not in response.content.decode()
    assert {"created", "consent_changed"} <= {e["kind"] for e in data["activity"]}


def test_erasing_removes_everything_personal_and_keeps_only_a_hash(workspace, api, settings):
    settings.EMAIL_BACKEND = "comptoir.mail.backends.OutboxBackend"
    contact = customer(workspace)
    delivery = contact_email_send(
        contact=contact, subject="Votre commande", body_markdown="Prête", actor=None
    )
    delivery_send(delivery_id=delivery.pk)
    assert OutboxMessage.objects.filter(recipients="zoe.martin@example.com").exists()
    response = api.post(f"/api/v1/contacts/{contact.pk}/erase")
    assert response.status_code == 204
    assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 404
    assert api.get(f"/api/v1/contacts/{contact.pk}/export").status_code == 404
    for model in (Contact, ConsentEvent, ContactEvent, Delivery):
        assert not model.objects.filter(workspace=workspace).exists(), model
    assert not OutboxMessage.objects.exists()
    (entry,) = Suppression.objects.filter(workspace=workspace)
    assert entry.email == "" and entry.reason == "erased"
    assert "zoe" not in str(Suppression.objects.values().get()).lower()


def test_the_address_coming_back_is_recognised_and_not_mailed(workspace, api):
    contact = customer(workspace)
    api.post(f"/api/v1/contacts/{contact.pk}/erase")
    assert is_suppressed(workspace=workspace, email="Zoe.Martin@Example.com")
    again = make_contact(workspace, "ZOE.MARTIN@example.com")
    consent_subscribe(contact=again, source="import", explicit_consent_confirmed=True)
    assert not marketing_allowed(again)


def test_only_admins_erase_and_viewers_do_not_export(workspace):
    contact = customer(workspace)
    viewer = api_client_for(workspace, Role.VIEWER)
    marketer = api_client_for(workspace, Role.MARKETER)
    assert viewer.get(f"/api/v1/contacts/{contact.pk}/export").status_code == 403
    assert marketer.post(f"/api/v1/contacts/{contact.pk}/erase").status_code == 403
    assert marketer.get(f"/api/v1/contacts/{contact.pk}/export").status_code == 200
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_erasing_a_customer_keeps_their_orders_without_anything_personal(workspace, api):
    from comptoir.commerce.models import Order
    from tests.commerce.helpers import put_order

    put_order(workspace, "1001")
    contact = Contact.objects.get(workspace=workspace, email_key="zoe@example.com")
    exported = api.get(f"/api/v1/contacts/{contact.pk}/export").json()
    assert [o["total"] for o in exported["orders"]] == ["49.90"]
    assert exported["orders"][0]["items"][0]["name"] == "Comté 24 mois"

    assert api.post(f"/api/v1/contacts/{contact.pk}/erase").status_code == 204
    order = Order.objects.get(workspace=workspace, external_id="1001")
    assert str(order.total) == "49.90"  # the books stay whole
    assert order.contact is None
    kept = f"{order.email}{order.first_name}{order.last_name}{order.phone}"
    assert kept == "" and order.shipping_address == {} and order.billing_address == {}


def test_a_reimport_never_subscribes_an_erased_address_but_the_person_can(workspace, api):
    contact = customer(workspace)
    api.post(f"/api/v1/contacts/{contact.pk}/erase")

    again = make_contact(workspace, "zoe.martin@example.com")
    imported = consent_subscribe(contact=again, source="import", explicit_consent_confirmed=True)
    assert imported is None
    again.refresh_from_db()
    assert again.consent == "not_subscribed"
    assert not ConsentEvent.objects.filter(contact=again).exists()

    consent_subscribe(contact=again, source="signup_page", explicit_consent_confirmed=True)
    again.refresh_from_db()
    assert again.consent == "subscribed"
    assert marketing_allowed(again)
    assert not Suppression.objects.filter(workspace=workspace).exists()


def test_a_bounced_address_stays_suppressed_even_after_a_new_signup(workspace):
    from comptoir.consent.services import suppression_add

    contact = make_contact(workspace, "gone@example.com")
    suppression_add(workspace=workspace, email="gone@example.com", reason="bounce")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    assert not marketing_allowed(contact)


def test_erasing_a_person_blanks_the_note_staff_wrote_on_their_draft_order(workspace, api):
    from comptoir.commerce.models import Order
    from comptoir.commerce.services import draft_order_create

    contact = customer(workspace)
    draft_order_create(
        contact=contact,
        actor=None,
        items=[{"name": "Panier", "quantity": 1, "price": "20"}],
        note="Pour l'anniversaire de sa fille Lou",
    )

    assert api.post(f"/api/v1/contacts/{contact.pk}/erase").status_code == 204
    assert Order.objects.get(workspace=workspace, is_draft=True).note == ""


def test_a_note_for_an_erased_contact_is_a_404(workspace):
    from comptoir.privacy import contact_erase
    from tests.conftest import api_client_for

    contact = make_contact(workspace, "gone@example.com")
    api = api_client_for(workspace)
    contact_erase(contact=contact, actor=None)
    response = api.post(f"/api/v1/contacts/{contact.pk}/notes", {"body": "hello"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_gdpr_export_writes_names_as_people_write_them(workspace):
    from tests.conftest import api_client_for

    contact = make_contact(workspace, "gaelle@example.com", first_name="Gaëlle")
    response = api_client_for(workspace).get(f"/api/v1/contacts/{contact.pk}/export")
    assert "Gaëlle".encode() in response.content
    assert b"\\u00eb" not in response.content
