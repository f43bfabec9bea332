"""K1–K3, K6: consent is a ledger; the latest explicit choice wins; unsubscribing is free."""

import pytest

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.selectors import marketing_allowed, marketing_recipients
from comptoir.consent.services import (
    consent_subscribe,
    consent_withdraw,
    contacts_unsubscribe,
    is_suppressed,
    suppression_add,
)
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.services import ServiceError
from tests.contacts.helpers import make_contact

WORDING = "Je souhaite recevoir les offres de l'Épicerie par e-mail."


def ledger(contact):
    return list(ConsentEvent.objects.filter(contact=contact).values_list("status", "source"))


def test_a_new_contact_is_not_subscribed_and_may_not_be_mailed(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    assert contact.consent == "not_subscribed"
    assert ledger(contact) == []
    assert not marketing_allowed(contact)


def test_subscribing_needs_the_explicit_confirmation_and_changes_nothing_without(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    with pytest.raises(ServiceError) as refused:
        consent_subscribe(contact=contact, source="dashboard", explicit_consent_confirmed=False)
    assert refused.value.code == "consent_not_confirmed"
    contact.refresh_from_db()
    assert contact.consent == "not_subscribed"
    assert ledger(contact) == []


def test_subscribing_records_who_how_and_the_wording(workspace, owner):
    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(
        contact=contact,
        source="dashboard",
        explicit_consent_confirmed=True,
        actor=owner,
        wording=WORDING,
    )
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.status, event.source, event.actor, event.wording) == (
        "subscribed",
        "dashboard",
        owner,
        WORDING,
    )
    timeline = ContactEvent.objects.filter(contact=contact, kind="consent_changed").get()
    assert timeline.data == {"status": "subscribed", "source": "dashboard"}
    assert marketing_allowed(contact)


def test_unsubscribe_then_explicit_subscribe_again_is_subscribed(workspace, owner):
    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    consent_withdraw(contact=contact, source="unsubscribe_link", ip="203.0.113.9")
    contact.refresh_from_db()
    assert contact.consent == "unsubscribed"
    assert not marketing_allowed(contact)
    consent_subscribe(
        contact=contact, source="dashboard", explicit_consent_confirmed=True, actor=owner
    )
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
    assert ledger(contact) == [
        ("subscribed", "signup_page"),
        ("unsubscribed", "unsubscribe_link"),
        ("subscribed", "dashboard"),
    ]


def test_repeating_the_current_state_writes_no_ledger_row(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    assert consent_withdraw(contact=contact, source="dashboard") is not None
    assert consent_withdraw(contact=contact, source="one_click") is None
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    assert consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True) is None
    assert len(ledger(contact)) == 2


def test_a_phone_only_contact_cannot_subscribe_to_email(workspace):
    contact = make_contact(workspace, None, phone="+33612345678")
    with pytest.raises(ServiceError) as refused:
        consent_subscribe(contact=contact, source="dashboard", explicit_consent_confirmed=True)
    assert refused.value.code == "email_required"


def test_bulk_unsubscribe_changes_only_this_workspace_and_only_those_subscribed(
    workspace, other_workspace, owner
):
    ours = [make_contact(workspace, f"c{i}@example.com") for i in range(3)]
    for contact in ours[:2]:
        consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    theirs = make_contact(other_workspace, "c0@example.com")
    consent_subscribe(contact=theirs, source="api", explicit_consent_confirmed=True)

    changed = contacts_unsubscribe(
        workspace=workspace, ids=[c.pk for c in ours] + [theirs.pk], actor=owner
    )
    assert changed == 3  # two subscribed, one never asked: all three now unsubscribed
    assert set(
        Contact.objects.filter(pk__in=[c.pk for c in ours]).values_list("consent", flat=True)
    ) == {"unsubscribed"}
    theirs.refresh_from_db()
    assert theirs.consent == "subscribed"


def test_a_hard_bounce_suppresses_the_address_and_unsubscribes(workspace):
    contact = make_contact(workspace, "Zoe@Example.com")
    consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    suppression_add(workspace=workspace, email="ZOE@example.com", reason="bounce", detail="550")
    contact.refresh_from_db()
    assert contact.consent == "unsubscribed"
    assert ledger(contact)[-1] == ("unsubscribed", "bounce")
    assert is_suppressed(workspace=workspace, email="zoe@example.com")


def test_a_suppressed_address_is_never_a_recipient_even_if_subscribed_again(workspace):
    contact = make_contact(workspace, "zoe@example.com")
    suppression_add(workspace=workspace, email="zoe@example.com", reason="complaint")
    suppression_add(workspace=workspace, email="zoe@example.com", reason="complaint")
    assert Suppression.objects.filter(workspace=workspace).count() == 1
    consent_subscribe(contact=contact, source="dashboard", explicit_consent_confirmed=True)
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
    assert not marketing_allowed(contact)


def test_marketing_recipients_checks_consent_suppression_and_workspace(workspace, other_workspace):
    yes = make_contact(workspace, "yes@example.com")
    no = make_contact(workspace, "no@example.com")
    gone = make_contact(workspace, "gone@example.com")
    elsewhere = make_contact(other_workspace, "yes@example.com")
    for contact in (yes, gone, elsewhere):
        consent_subscribe(contact=contact, source="api", explicit_consent_confirmed=True)
    suppression_add(workspace=workspace, email="gone@example.com", reason="manual")
    ids = [yes.pk, no.pk, gone.pk, elsewhere.pk]
    assert list(marketing_recipients(workspace, ids).values_list("pk", flat=True)) == [yes.pk]


def test_an_import_never_resubscribes_a_contact_who_unsubscribed_here(workspace, owner):
    contact = make_contact(workspace, "zoe@example.com")
    consent_subscribe(contact=contact, source="dashboard", explicit_consent_confirmed=True)
    consent_withdraw(contact=contact, source="unsubscribe_link")

    imported = consent_subscribe(
        contact=contact, source="import", explicit_consent_confirmed=True, actor=owner
    )

    assert imported is None
    contact.refresh_from_db()
    assert contact.consent == "unsubscribed"
    assert ledger(contact) == [("subscribed", "dashboard"), ("unsubscribed", "unsubscribe_link")]
    # The person asking again in person still can.
    consent_subscribe(contact=contact, source="signup_page", explicit_consent_confirmed=True)
    contact.refresh_from_db()
    assert contact.consent == "subscribed"
