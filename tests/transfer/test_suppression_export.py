"""The suppression file (X4): every address no marketing may reach, in a shape Mailchimp's
unsubscribe import reads, and nothing of the erased."""

import datetime

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import consent_subscribe, consent_withdraw, suppression_add
from comptoir.transfer.exports import suppressions_csv
from tests.contacts.helpers import make_contact
from tests.transfer.export_helpers import BOM, read_csv

UTC = datetime.UTC


def export(workspace, delimiter=",") -> bytes:
    return b"".join(suppressions_csv(workspace=workspace, delimiter=delimiter))


def _dated(queryset, moment):
    queryset.update(created_at=moment)


def test_bounces_complaints_manual_entries_and_unsubscribes_are_listed_once(
    workspace, other_workspace
):
    # Given a bounce (whose contact it also unsubscribed), a complaint, an address staff
    # added, a customer who unsubscribed, one who did not, and an erased person
    bounced = make_contact(workspace, "bounced@example.com")
    suppression_add(workspace=workspace, email="bounced@example.com", reason="bounce")
    suppression_add(workspace=workspace, email="Angry@Example.com", reason="complaint")
    suppression_add(workspace=workspace, email="manual@example.com", reason="manual")
    left = make_contact(workspace, "left@example.com")
    consent_withdraw(contact=left, source=ConsentEvent.Source.UNSUBSCRIBE_LINK)
    happy = make_contact(workspace, "happy@example.com")
    consent_subscribe(contact=happy, source="dashboard", explicit_consent_confirmed=True)
    suppression_add(
        workspace=workspace, email="erased@example.com", reason="erased", keep_address=False
    )
    suppression_add(workspace=other_workspace, email="theirs@example.com", reason="bounce")
    _dated(Suppression.objects.all(), datetime.datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    unsubscribed_at = datetime.datetime(2026, 8, 2, 22, 0, tzinfo=UTC)
    _dated(ConsentEvent.objects.filter(contact=left), unsubscribed_at)

    # When the list is exported
    data = export(workspace)

    # Then each address appears once, with its reason and date (Paris time)
    assert data.startswith(BOM + b"Email Address,Reason,Date\r\n")
    assert [tuple(row.values()) for row in read_csv(data)] == [
        ("bounced@example.com", "bounce", "2026-03-01T10:30:00+01:00"),
        ("angry@example.com", "complaint", "2026-03-01T10:30:00+01:00"),
        ("manual@example.com", "manual", "2026-03-01T10:30:00+01:00"),
        ("left@example.com", "unsubscribed", "2026-08-03T00:00:00+02:00"),
    ]
    assert bounced.email.encode() in data
    assert b"erased" not in data and b"theirs" not in data and b"happy" not in data


def test_the_latest_unsubscribe_dates_a_contact(workspace):
    contact = make_contact(workspace, "back-and-forth@example.com")
    consent_withdraw(contact=contact, source="dashboard")
    consent_subscribe(contact=contact, source="dashboard", explicit_consent_confirmed=True)
    consent_withdraw(contact=contact, source="one_click")
    first, _again, last = ConsentEvent.objects.filter(contact=contact).order_by("pk")
    _dated(ConsentEvent.objects.filter(pk=first.pk), datetime.datetime(2026, 1, 1, tzinfo=UTC))
    _dated(ConsentEvent.objects.filter(pk=last.pk), datetime.datetime(2026, 2, 1, tzinfo=UTC))

    (row,) = read_csv(export(workspace))

    assert row["Date"] == "2026-02-01T01:00:00+01:00"


def test_an_address_that_starts_like_a_formula_is_neutralised(workspace):
    suppression_add(workspace=workspace, email="=cmd@example.com", reason="manual")

    (row,) = read_csv(export(workspace, delimiter=";"), delimiter=";")

    assert row["Email Address"] == "'=cmd@example.com"


def test_an_empty_list_is_a_header_only(workspace):
    assert export(workspace) == BOM + b"Email Address,Reason,Date\r\n"
