"""The one contact filter (C9): search, each filter, sorting, tag counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from pydantic import ValidationError

from comptoir.contacts.selectors import (
    ContactFilter,
    contact_list_page,
    contacts_filter,
    segment_count,
    tag_counts,
)
from comptoir.core.services import workspace_update
from tests.contacts.helpers import make_contact, set_figures


def emails(workspace, **query) -> list[str]:
    found = contacts_filter(workspace=workspace, filter=ContactFilter(**query))
    return sorted(found.values_list("email", flat=True))


@pytest.fixture
def people(workspace):
    zoe = make_contact(
        workspace, "Zoe@example.com", first_name="Zoé", last_name="Dubois", phone="0612345678"
    )
    lea = make_contact(workspace, "lea@shop.fr", first_name="Léa", last_name="Martin")
    ugo = make_contact(workspace, "ugo@example.com", first_name="Ugo", last_name="Durand")
    return zoe, lea, ugo


@pytest.mark.parametrize(
    "q, expected",
    [
        ("Zoé", ["Zoe@example.com"]),
        ("zoe", ["Zoe@example.com"]),
        ("ZOE", ["Zoe@example.com"]),
        ("LEA martin", ["lea@shop.fr"]),
        ("martin léa", ["lea@shop.fr"]),
        ("du", ["Zoe@example.com", "ugo@example.com"]),
        ("zoe@EXA", ["Zoe@example.com"]),
        ("oe@example", ["Zoe@example.com"]),  # any part of an address
        ("example.com", ["Zoe@example.com", "ugo@example.com"]),  # its domain
        ("SHOP.fr", ["lea@shop.fr"]),
        ("lea@", ["lea@shop.fr"]),  # its local part
        ("zoe@example.com", ["Zoe@example.com"]),
        ("page.example", []),
        ("@example.com", ["Zoe@example.com", "ugo@example.com"]),
        ("06 12 34", ["Zoe@example.com"]),
        ("+33 6 12 34 56 78", ["Zoe@example.com"]),
        ("612345678", ["Zoe@example.com"]),
        ("nobody", []),
        ("100%", []),
    ],
)
def test_search_by_name_email_or_phone_ignores_case_and_accents(workspace, people, q, expected):
    assert emails(workspace, q=q) == expected


def test_tag_filter_needs_every_tag_and_does_not_multiply_rows(workspace):
    both = make_contact(workspace, "both@example.com", tags=["VIP", "Pro", "Fidèle"])
    make_contact(workspace, "vip@example.com", tags=["VIP"])
    make_contact(workspace, "none@example.com")
    assert emails(workspace, tag=["vip"]) == ["both@example.com", "vip@example.com"]
    assert emails(workspace, tag=["VIP", "pro"]) == ["both@example.com"]
    assert emails(workspace, tag=["VIP", "unknown"]) == []
    found = contacts_filter(workspace=workspace, filter=ContactFilter(tag=["VIP", "Pro", "Fidèle"]))
    assert list(found) == [both]  # once, not once per tag
    assert "JOIN" not in str(found.query).upper().split("WHERE")[0]


def test_figures_filters(workspace):
    set_figures(make_contact(workspace, "big@example.com"), orders=5, spent="1200.50", days_ago=3)
    set_figures(make_contact(workspace, "small@example.com"), orders=1, spent="12.50", days_ago=40)
    make_contact(workspace, "prospect@example.com")
    assert emails(workspace, type="customer") == ["big@example.com", "small@example.com"]
    assert emails(workspace, type="prospect") == ["prospect@example.com"]
    assert emails(workspace, min_total_spent=Decimal("12.50")) == [
        "big@example.com",
        "small@example.com",
    ]
    assert emails(workspace, min_total_spent="12.51") == ["big@example.com"]
    assert emails(workspace, max_total_spent="12.50") == [
        "prospect@example.com",
        "small@example.com",
    ]
    assert emails(workspace, min_orders=2) == ["big@example.com"]
    ten_days_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=10)
    assert emails(workspace, last_order_after=ten_days_ago) == ["big@example.com"]
    assert emails(workspace, last_order_before=ten_days_ago) == ["small@example.com"]


def test_the_last_order_filters_never_match_a_contact_who_never_ordered(workspace):
    # The filters read the coalesced sort values (no index of their own): a contact without
    # orders sorts as 1970 on one and 9999 on the other, and still matches neither bound.
    set_figures(make_contact(workspace, "old@example.com"), orders=1, spent="5", days_ago=400)
    make_contact(workspace, "prospect@example.com")
    set_figures(
        make_contact(workspace, "sixties@example.com"),
        order_count=1,
        type="customer",
        last_order_at=datetime.datetime(1960, 1, 1, tzinfo=datetime.UTC),
    )

    assert emails(workspace, last_order_after="1900-01-01") == [
        "old@example.com",
        "sixties@example.com",
    ]
    assert emails(workspace, last_order_after="1969-12-31") == ["old@example.com"]
    assert emails(workspace, last_order_before="9999-12-31T23:59:59") == [
        "old@example.com",
        "sixties@example.com",
    ]
    assert emails(workspace, last_order_before="1970-01-02") == ["sixties@example.com"]
    assert emails(workspace, last_order_after="1950-01-01", last_order_before="2000-01-01") == [
        "sixties@example.com"
    ]


def test_naive_dates_are_read_in_the_workspace_time_zone(workspace):
    workspace_update(workspace=workspace, time_zone="Pacific/Auckland")  # UTC+12/+13
    contact = make_contact(workspace, "nz@example.com")
    set_figures(
        contact,
        order_count=1,
        type="customer",
        last_order_at=datetime.datetime(2025, 1, 1, 12, 0, tzinfo=datetime.UTC),  # 2 Jan there
    )
    assert emails(workspace, last_order_after="2025-01-02") == ["nz@example.com"]
    assert emails(workspace, last_order_before="2025-01-02") == []


def test_consent_source_and_account_filters(workspace):
    set_figures(
        make_contact(workspace, "sub@example.com", source="signup_page"), consent="subscribed"
    )
    set_figures(
        make_contact(workspace, "unsub@example.com", has_account=True), consent="unsubscribed"
    )
    make_contact(workspace, "qr@example.com", source="qr_code")
    assert emails(workspace, consent="subscribed") == ["sub@example.com"]
    assert emails(workspace, consent="not_subscribed") == ["qr@example.com"]
    assert emails(workspace, source=["signup_page", "qr_code"]) == [
        "qr@example.com",
        "sub@example.com",
    ]
    assert emails(workspace, has_account=True) == ["unsub@example.com"]
    assert emails(workspace, has_account=False) == ["qr@example.com", "sub@example.com"]


def test_unknown_filter_keys_and_values_are_refused():
    with pytest.raises(ValidationError):
        ContactFilter(colour="blue")
    with pytest.raises(ValidationError):
        ContactFilter(sort="shoe_size")
    with pytest.raises(ValidationError):
        ContactFilter(min_total_spent="-1")


def test_a_segment_of_another_workspace_is_not_found(workspace, other_workspace):
    from comptoir.contacts.services import segment_create

    theirs = segment_create(workspace=other_workspace, name="Theirs", actor=None)
    with pytest.raises(Http404):
        contacts_filter(workspace=workspace, filter=ContactFilter(segment=str(theirs.pk)))
    with pytest.raises(Http404):
        contacts_filter(workspace=workspace, filter=ContactFilter(segment="no_such_builtin"))


def test_sort_by_name_ignores_accents_and_falls_back_to_the_address(workspace):
    for first, email in [
        ("Fanny", "f@example.com"),
        ("Émile", "e@example.com"),
        ("", "d@example.com"),
    ]:
        make_contact(workspace, email, first_name=first)
    page = contact_list_page(workspace=workspace, filter=ContactFilter(sort="name"))
    assert [c.display_name for c in page.items] == ["d@example.com", "Émile", "Fanny"]


def test_never_ordered_contacts_sort_last_both_ways(workspace):
    old = set_figures(make_contact(workspace), orders=1, spent="1", days_ago=20)
    recent = set_figures(make_contact(workspace), orders=1, spent="1", days_ago=2)
    never = make_contact(workspace)
    ascending = contact_list_page(workspace=workspace, filter=ContactFilter(sort="last_order_at"))
    descending = contact_list_page(workspace=workspace, filter=ContactFilter(sort="-last_order_at"))
    assert ascending.items == [old, recent, never]
    assert descending.items == [recent, old, never]


def test_list_page_loads_tags_in_one_query(workspace):
    for i in range(5):
        make_contact(workspace, tags=[f"t{i}", "all"])
    with CaptureQueriesContext(connection) as queries:
        page = contact_list_page(workspace=workspace, filter=ContactFilter(), limit=3)
        tags = [[t.name for t in c.tags.all()] for c in page.items]
    assert len(queries) == 2  # the page, then the tags of its contacts
    assert tags[0] == ["all", "t4"]
    assert page.next_cursor


def test_tag_counts(workspace, other_workspace):
    make_contact(workspace, tags=["VIP", "Pro"])
    make_contact(workspace, tags=["VIP"])
    make_contact(other_workspace, tags=["VIP"])
    assert [(t.name, t.count) for t in tag_counts(workspace=workspace)] == [("Pro", 1), ("VIP", 2)]


def test_segment_count_of_a_builtin(workspace):
    set_figures(make_contact(workspace), orders=2, spent="10")
    make_contact(workspace)
    assert segment_count(workspace=workspace, segment_id="repeat_customers") == 1
    assert segment_count(workspace=workspace, segment_id="prospects") == 1
