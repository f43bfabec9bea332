"""K1: a contact's stored state is always its ledger's latest entry — in `comptoir demo`
too — and `comptoir check --deploy` warns about any contact where it is not."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from comptoir.consent.checks import consent_ledger_check
from comptoir.consent.models import ConsentEvent
from comptoir.consent.selectors import consent_mismatches, marketing_recipients
from comptoir.consent.services import consent_subscribe, consent_withdraw
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.demo.fill import DEMO_SLUG
from tests.contacts.helpers import make_contact

Source = ConsentEvent.Source


@pytest.fixture
def demo(db) -> Workspace:
    call_command("demo", contacts=300, stdout=StringIO())
    return Workspace.objects.get(slug=DEMO_SLUG)


def latest_entries(workspace) -> dict[int, ConsentEvent]:
    """Each contact's newest ledger row, read in Python (not through the selector)."""
    latest = {}
    for event in scoped(ConsentEvent, workspace).order_by("id"):
        latest[event.contact_id] = event
    return latest


def test_every_demo_contact_has_the_state_of_its_ledger(demo):
    latest = latest_entries(demo)
    contacts = list(scoped(Contact, demo))
    assert len(contacts) == 300
    for contact in contacts:
        entry = latest.get(contact.pk)
        if contact.consent == Contact.Consent.NOT_SUBSCRIBED:
            assert entry is None, contact
        else:
            assert entry is not None, f"{contact} is {contact.consent} with an empty ledger"
            assert entry.status == contact.consent, contact
    states = Counter(contact.consent for contact in contacts)
    assert {"subscribed", "unsubscribed", "not_subscribed", "pending"} <= set(states)
    recipients = set(marketing_recipients(demo).values_list("pk", flat=True))
    assert recipients == {pk for pk, event in latest.items() if event.status == "subscribed"}
    assert not consent_mismatches(demo).exists()
    assert consent_ledger_check(None) == []


def test_demo_ledger_entries_say_how_consent_was_given(demo):
    entries = list(scoped(ConsentEvent, demo).select_related("contact"))
    sources = Counter(event.source for event in entries)
    assert {Source.POS, Source.SIGNUP_PAGE, Source.IMPORT, Source.STORE} <= set(sources)
    for event in entries:
        if event.source == Source.SIGNUP_PAGE and event.status != "unsubscribed":
            assert "me désinscrire" in event.wording and event.ip and event.user_agent
        if event.source in (Source.POS, Source.DASHBOARD) and event.status == "subscribed":
            assert event.actor is not None and event.wording
    unsubscribed = scoped(Contact, demo).filter(consent="unsubscribed").first()
    history = scoped(ConsentEvent, demo).filter(contact=unsubscribed).order_by("id")
    assert [event.status for event in history] == ["subscribed", "unsubscribed"]


def test_a_second_demo_run_writes_no_ledger_entry(demo):
    before = scoped(ConsentEvent, demo).count()
    call_command("demo", contacts=300, stdout=StringIO())
    assert scoped(ConsentEvent, demo).count() == before


def test_a_state_written_around_the_ledger_is_found_and_warned_about(workspace, settings):
    honest = make_contact(workspace, "honest@example.com")
    consent_subscribe(contact=honest, source=Source.DASHBOARD, explicit_consent_confirmed=True)
    left = make_contact(workspace, "left@example.com")
    consent_subscribe(contact=left, source=Source.DASHBOARD, explicit_consent_confirmed=True)
    consent_withdraw(contact=left, source=Source.UNSUBSCRIBE_LINK)
    assert not consent_mismatches(workspace).exists()

    bare = make_contact(workspace, "bare@example.com")
    scoped(Contact, workspace).filter(pk=bare.pk).update(consent="subscribed")  # no ledger
    scoped(Contact, workspace).filter(pk=left.pk).update(consent="subscribed")  # ledger: out

    assert set(consent_mismatches(workspace).values_list("pk", flat=True)) == {bare.pk, left.pk}
    [warning] = consent_ledger_check(None)
    assert warning.id == "comptoir.W002"
    assert "2 contact(s)" in warning.msg and f"contact {bare.pk} " in warning.msg
    settings.SILENCED_SYSTEM_CHECKS = []
    with pytest.raises(SystemCheckError, match="comptoir.W002"):
        call_command("check", "--deploy", "--fail-level", "WARNING", stdout=StringIO())
