"""The contacts list of the dashboard (C9): filters through the GET form, htmx partials,
sorting, keyset pages, and the bulk actions on ticked rows."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest

from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Contact, ContactTag, Segment
from comptoir.contacts.services import segment_create
from comptoir.core.scoping import scoped
from tests.conftest import login
from tests.contacts.helpers import events_of, make_contact, set_figures
from tests.web.directory_helpers import FRENCH, HTMX_RESULTS, link, listed, text, url


@pytest.fixture
def shop(workspace):
    """Four contacts that differ on every filter."""
    zoe = make_contact(
        workspace,
        "zoe@example.com",
        first_name="Zoé",
        last_name="Martin",
        phone="06 12 34 56 78",
        tags=["vip", "bio"],
        has_account=True,
    )
    set_figures(zoe, orders=5, spent="420.00", days_ago=3, consent="subscribed")
    paul = make_contact(
        workspace, "paul@example.com", first_name="Paul", last_name="Durand", tags=["vip"]
    )
    set_figures(paul, orders=1, spent="35.50", days_ago=200, consent="unsubscribed")
    lea = make_contact(
        workspace, "lea@example.com", first_name="Léa", last_name="Roux", source="qr_code"
    )
    set_figures(lea, consent="pending")
    bob = make_contact(workspace, "bob@example.com", first_name="Bob", last_name="Petit")
    return {"zoe": zoe, "paul": paul, "lea": lea, "bob": bob}


def names(workspace, user, query: str = "", headers=None) -> list[str]:
    response = login(user).get(url(workspace) + query, headers=headers or {})
    assert response.status_code == 200
    return sorted(listed(response.content.decode()))


# Filters, each through the GET form's keys


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?q=zoe", ["Zoé Martin"]),
        ("?q=ZOÉ+martin", ["Zoé Martin"]),
        ("?q=0612", ["Zoé Martin"]),
        ("?q=paul%40ex", ["Paul Durand"]),
        ("?type=customer", ["Paul Durand", "Zoé Martin"]),
        ("?type=prospect", ["Bob Petit", "Léa Roux"]),
        ("?consent=subscribed", ["Zoé Martin"]),
        ("?consent=pending", ["Léa Roux"]),
        ("?tag=vip", ["Paul Durand", "Zoé Martin"]),
        ("?tag=vip&tag=bio", ["Zoé Martin"]),
        ("?tag=VIP", ["Paul Durand", "Zoé Martin"]),
        ("?min_total_spent=100", ["Zoé Martin"]),
        ("?max_total_spent=35.50&min_orders=1", ["Paul Durand"]),
        ("?min_orders=2", ["Zoé Martin"]),
        ("?min_orders=0&max_total_spent=0", ["Bob Petit", "Léa Roux"]),
        ("?source=qr_code", ["Léa Roux"]),
        ("?source=qr_code&source=manual", ["Bob Petit", "Léa Roux", "Paul Durand", "Zoé Martin"]),
        ("?has_account=true", ["Zoé Martin"]),
        ("?has_account=false&type=customer", ["Paul Durand"]),
        ("?segment=repeat_customers", ["Zoé Martin"]),
        ("?segment=unsubscribed", ["Paul Durand"]),
        ("?segment=all_customers&tag=vip&consent=subscribed", ["Zoé Martin"]),
    ],
)
def test_each_filter_of_the_form_narrows_the_list(shop, workspace, owner, query, expected):
    assert names(workspace, owner, query) == expected


def test_last_order_date_range_is_read_in_days_of_the_workspace(shop, workspace, owner):
    today = datetime.date.today()
    recent = (today - datetime.timedelta(days=10)).isoformat()
    old = (today - datetime.timedelta(days=365)).isoformat()

    assert names(workspace, owner, f"?last_order_after={recent}") == ["Zoé Martin"]
    assert names(workspace, owner, f"?last_order_after={old}&last_order_before={recent}") == [
        "Paul Durand"
    ]


def test_a_saved_segment_opens_the_list_filtered_by_it(shop, workspace, owner):
    segment = segment_create(workspace=workspace, name="Fans", filter={"tag": ["bio"]}, actor=None)

    assert names(workspace, owner, f"?segment={segment.pk}") == ["Zoé Martin"]


def test_the_count_of_matching_contacts_is_shown(shop, workspace, owner):
    page = text(login(owner).get(url(workspace) + "?tag=vip").content.decode())
    single = text(login(owner).get(url(workspace) + "?q=zoe").content.decode())

    assert "2 contacts" in page
    assert "1 contact " in single


def test_the_count_groups_thousands_in_the_page_language(workspace, owner):
    Contact.objects.bulk_create(
        [Contact(workspace=workspace, email=f"p{i}@example.com") for i in range(1234)]
    )
    english = login(owner).get(url(workspace)).content.decode()
    french = login(owner).get(url(workspace), headers=FRENCH).content.decode()

    assert "1,234 contacts" in english
    assert "1\xa0234 contacts" in html_lib.unescape(french)


def test_french_counts_nobody_in_the_singular_as_french_does(workspace, owner):
    english = text(login(owner).get(url(workspace) + "?q=nobody").content.decode())
    french = text(login(owner).get(url(workspace) + "?q=nobody", headers=FRENCH).content.decode())

    assert "0 contacts" in english
    assert "0 contact " in french and "0 contacts" not in french


def test_the_form_shows_the_filters_of_the_url(shop, workspace, owner):
    page = login(owner).get(url(workspace) + "?q=zoe&tag=vip&consent=subscribed").content.decode()

    assert 'name="q" value="zoe"' in page
    assert 'value="vip"' in page and "checked" in page
    assert '<option value="subscribed" selected>' in page


def test_a_bookmarked_tag_that_no_longer_exists_matches_nobody_without_an_error(
    shop, workspace, owner
):
    response = login(owner).get(url(workspace) + "?tag=gone")

    assert response.status_code == 200
    assert listed(response.content.decode()) == []
    assert "No contact matches these filters." in response.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("?min_total_spent=abc", "Enter a number."),
        ("?min_orders=-1", "Ensure this value is greater than or equal to 0."),
        ("?last_order_after=31/31/2024", "Enter a valid date."),
        ("?segment=999999", "Select a valid choice."),
        ("?type=vip", "Select a valid choice."),
        ("?q=" + "z" * 201, "Ensure this value has at most 200 characters"),
    ],
)
def test_invalid_filter_input_shows_a_message_in_place_not_a_500(
    shop, workspace, owner, query, message
):
    response = login(owner).get(url(workspace) + query)
    page = response.content.decode()

    assert response.status_code == 200
    assert "Some filters are not valid" in page
    assert message in html_lib.unescape(page)
    assert listed(page) == []


def test_an_htmx_request_of_the_filters_returns_only_the_results(shop, workspace, owner):
    response = login(owner).get(url(workspace) + "?tag=vip", headers=HTMX_RESULTS)
    page = response.content.decode()

    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page and 'id="contact-filters"' not in page
    assert sorted(listed(page)) == ["Paul Durand", "Zoé Martin"]
    assert "HX-Request" in response["Vary"]


def test_an_htmx_partial_updates_the_filter_errors_out_of_band(shop, workspace, owner):
    page = login(owner).get(url(workspace) + "?min_orders=x", headers=HTMX_RESULTS).content
    page = page.decode()

    assert 'id="filter-errors-min_orders" class="field-errors" hx-swap-oob="true"' in page
    assert "Enter a whole number." in page


def test_a_plain_request_returns_the_whole_page_with_the_filter_form(shop, workspace, owner):
    page = login(owner).get(url(workspace) + "?tag=vip").content.decode()

    assert page.lstrip().startswith("<!doctype html>")
    assert 'id="contact-filters"' in page and 'id="results"' in page
    # The form works with and without htmx: a GET to the list, results swapped in place.
    assert 'method="get"' in page and 'hx-get="/w/' in page and 'hx-push-url="true"' in page


# Sorting


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("name", ["Bob Petit", "Léa Roux", "Paul Durand", "Zoé Martin"]),
        ("-name", ["Zoé Martin", "Paul Durand", "Léa Roux", "Bob Petit"]),
        ("email", ["Bob Petit", "Léa Roux", "Paul Durand", "Zoé Martin"]),
        ("-total_spent", ["Zoé Martin", "Paul Durand", "Bob Petit", "Léa Roux"]),
        ("-order_count", ["Zoé Martin", "Paul Durand", "Bob Petit", "Léa Roux"]),
        ("-last_order_at", ["Zoé Martin", "Paul Durand", "Bob Petit", "Léa Roux"]),
        ("last_order_at", ["Paul Durand", "Zoé Martin", "Léa Roux", "Bob Petit"]),
        ("created_at", ["Zoé Martin", "Paul Durand", "Léa Roux", "Bob Petit"]),
    ],
)
def test_the_list_sorts_by_the_column_asked(shop, workspace, owner, sort, expected):
    # Ties (Léa and Bob never ordered) are broken by id in the direction of the sort, and
    # contacts without an order come last on "last order" either way.
    page = login(owner).get(url(workspace) + f"?sort={sort}").content.decode()

    assert listed(page) == expected


def test_column_headers_link_to_their_sort_and_mark_the_current_one(shop, workspace, owner):
    page = login(owner).get(url(workspace) + "?tag=vip&sort=name").content.decode()

    assert '<th scope="col" aria-sort="ascending"><a id="sort-name"' in page
    assert link(page, "sort-name").endswith("?tag=vip&sort=-name")
    # Figures start with the largest; other columns are not marked.
    assert link(page, "sort-total_spent").endswith("?tag=vip&sort=-total_spent")
    assert page.count("aria-sort=") == 1
    # The filter form keeps the sort when a filter changes.
    assert '<input type="hidden" name="sort" value="name" form="contact-filters">' in page


def test_the_default_sort_is_newest_first(shop, workspace, owner):
    page = login(owner).get(url(workspace)).content.decode()

    assert listed(page) == ["Bob Petit", "Léa Roux", "Paul Durand", "Zoé Martin"]
    assert 'aria-sort="descending"><a id="sort-created_at"' in page


# Keyset pages


@pytest.fixture
def crowd(workspace):
    """55 contacts named Person 01 … Person 55."""
    return [
        make_contact(workspace, f"p{i:02}@example.com", first_name="Person", last_name=f"{i:02}")
        for i in range(1, 56)
    ]


def test_next_follows_the_cursor_and_previous_walks_back(crowd, workspace, owner):
    client = login(owner)
    first = client.get(url(workspace) + "?sort=name").content.decode()
    next_url = link(first, "page-next")

    second = client.get(next_url).content.decode()
    back = client.get(link(second, "page-previous")).content.decode()

    assert listed(first) == [f"Person {i:02}" for i in range(1, 51)]
    assert "cursor=" in next_url and "sort=name" in next_url
    assert link(first, "page-previous") is None
    assert listed(second) == [f"Person {i:02}" for i in range(51, 56)]
    assert link(second, "page-next") is None
    assert listed(back) == listed(first)
    assert "55 contacts" in text(second)


def test_previous_goes_back_one_page_at_a_time(workspace, owner):
    for i in range(1, 121):
        make_contact(workspace, f"q{i:03}@example.com", first_name="Q", last_name=f"{i:03}")
    client = login(owner)
    first = client.get(url(workspace) + "?sort=name").content.decode()
    second = client.get(link(first, "page-next")).content.decode()
    third = client.get(link(second, "page-next")).content.decode()

    back = client.get(link(third, "page-previous")).content.decode()

    assert listed(third)[0] == "Q 101"
    assert listed(back) == listed(second)
    assert listed(client.get(link(third, "page-first")).content.decode()) == listed(first)


def test_a_cursor_the_list_did_not_issue_shows_the_first_page(crowd, workspace, owner):
    response = login(owner).get(url(workspace) + "?sort=name&cursor=garbage")

    assert response.status_code == 200
    assert listed(response.content.decode())[0] == "Person 01"
    assert "That page link no longer works" in response.content.decode()


# Figures in the workspace's currency and time zone


def test_money_is_in_the_workspace_currency_and_dates_in_its_time_zone(workspace, owner):
    contact = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    # 23:30 UTC on 31 December is already 1 January in Paris.
    late = datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC)
    set_figures(contact, order_count=3, total_spent=Decimal("1234.50"), last_order_at=late)

    english = login(owner).get(url(workspace)).content.decode()
    french = html_lib.unescape(login(owner).get(url(workspace), headers=FRENCH).content.decode())

    assert "€1,234.50" in english
    assert "1 Jan 2025" in english
    assert "1\xa0234,50\xa0€" in french
    assert "01/01/2025" in french


def test_another_currency_shows_its_own_symbol(workspace, owner):
    workspace.currency = "GBP"
    workspace.save()
    contact = make_contact(workspace)
    set_figures(contact, orders=1, spent="12.00")

    assert "£12.00" in login(owner).get(url(workspace)).content.decode()


# Bulk actions


def post_bulk(client, workspace, action: str, contacts, **fields):
    data = {"action": action, "ids": [c.pk for c in contacts], "next": url(workspace), **fields}
    return client.post(url(workspace, "bulk/"), data)


def test_bulk_tag_adds_a_tag_to_the_ticked_contacts(shop, workspace, owner):
    client = login(owner)

    response = post_bulk(client, workspace, "tag", [shop["lea"], shop["bob"]], tag="Salon")

    assert response.status_code == 302
    assert response.url == url(workspace)
    assert names(workspace, owner, "?tag=salon") == ["Bob Petit", "Léa Roux"]
    assert len(events_of(shop["bob"], ContactKind.TAG_ADDED)) == 1
    assert "Tag “Salon” added to 2 contacts." in client.get(url(workspace)).content.decode()


def test_bulk_untag_removes_the_tag(shop, workspace, owner):
    response = post_bulk(login(owner), workspace, "untag", [shop["zoe"], shop["bob"]], tag="vip")

    assert response.status_code == 302
    assert names(workspace, owner, "?tag=vip") == ["Paul Durand"]


def test_bulk_tag_without_a_tag_or_without_a_selection_changes_nothing(shop, workspace, owner):
    client = login(owner)
    before = ContactTag.objects.count()

    post_bulk(client, workspace, "tag", [shop["bob"]], tag="  ")
    post_bulk(client, workspace, "tag", [], tag="x")

    assert ContactTag.objects.count() == before
    page = client.get(url(workspace)).content.decode()
    assert "Type the tag to add or remove." in page
    assert "Tick at least one contact first." in page


def test_bulk_delete_asks_for_confirmation_first(shop, workspace, owner):
    client = login(owner)

    response = post_bulk(client, workspace, "delete", [shop["lea"], shop["bob"]])
    page = response.content.decode()

    assert response.status_code == 200
    assert "Delete 2 contacts?" in page
    assert "Léa Roux" in page and "Bob Petit" in page
    assert scoped(Contact, workspace).count() == 4


def test_bulk_delete_with_confirmation_deletes_only_the_ticked_contacts(shop, workspace, owner):
    response = post_bulk(
        login(owner), workspace, "delete", [shop["lea"], shop["bob"]], confirm="on"
    )

    assert response.status_code == 302
    assert names(workspace, owner) == ["Paul Durand", "Zoé Martin"]


def test_bulk_actions_ignore_contacts_of_another_workspace(shop, workspace, other_workspace, owner):
    theirs = make_contact(other_workspace, "theirs@example.com")

    post_bulk(login(owner), workspace, "delete", [theirs, shop["bob"]], confirm="on")

    assert scoped(Contact, other_workspace).filter(pk=theirs.pk).exists()
    assert not scoped(Contact, workspace).filter(pk=shop["bob"].pk).exists()


def test_a_get_of_the_bulk_url_changes_nothing(shop, workspace, owner):
    response = login(owner).get(url(workspace, "bulk/") + f"?action=delete&ids={shop['bob'].pk}")

    assert response.status_code == 405
    assert scoped(Contact, workspace).count() == 4


def test_bulk_returns_to_the_list_it_came_from_but_never_to_another_site(shop, workspace, owner):
    client = login(owner)
    back = url(workspace) + "?tag=vip&sort=name"

    kept = post_bulk(client, workspace, "tag", [shop["bob"]], tag="x", next=back)
    refused = post_bulk(client, workspace, "tag", [shop["bob"]], tag="y", next="https://evil.test/")

    assert kept.url == back
    assert refused.url == url(workspace)


def test_bulk_add_to_a_static_group_and_remove_from_it(shop, workspace, owner):
    group = segment_create(workspace=workspace, name="Salon", kind="static", actor=owner)
    client = login(owner)

    post_bulk(client, workspace, "group", [shop["zoe"], shop["lea"]], group=group.pk)
    in_group = names(workspace, owner, f"?segment={group.pk}")
    post_bulk(client, workspace, "ungroup", [shop["zoe"]], group=group.pk)

    assert in_group == ["Léa Roux", "Zoé Martin"]
    assert names(workspace, owner, f"?segment={group.pk}") == ["Léa Roux"]
    assert (
        "1 contact removed from the group “Salon”." in client.get(url(workspace)).content.decode()
    )


def test_the_bulk_bar_preselects_the_static_group_being_viewed(shop, workspace, owner):
    segment_create(workspace=workspace, name="Another", kind="static", actor=owner)
    group = segment_create(workspace=workspace, name="Salon", kind="static", actor=owner)

    page = login(owner).get(url(workspace) + f"?segment={group.pk}").content.decode()

    assert f'<option value="{group.pk}" selected>Salon</option>' in page


def test_adding_to_a_smart_segment_is_refused_with_a_message(shop, workspace, owner):
    smart = segment_create(workspace=workspace, name="Smart", filter={"tag": ["vip"]}, actor=owner)
    client = login(owner)

    post_bulk(client, workspace, "group", [shop["bob"]], group=smart.pk)

    assert not scoped(Segment, workspace).get(pk=smart.pk).contacts.exists()
    assert "Choose a static group." in client.get(url(workspace)).content.decode()


def test_every_row_has_a_labelled_checkbox_and_the_page_one_to_tick_them_all(
    shop, workspace, owner
):
    page = login(owner).get(url(workspace)).content.decode()

    zoe = shop["zoe"].pk
    assert f'value="{zoe}" id="select-{zoe}" aria-label="Select Zoé Martin"' in page
    assert 'aria-label="Select every contact on this page"' in page


# The filters in use, above the list, each with a link that drops it (no JavaScript needed)


def filter_chips(page: str) -> list[tuple[str, str]]:
    chips = re.findall(r'<a class="filter-chip" href="([^"]*)"[^>]*><span>([^<]*)</span>', page)
    return [(html_lib.unescape(label), html_lib.unescape(href)) for href, label in chips]


def test_each_filter_in_use_is_listed_with_a_link_to_the_list_without_it(shop, workspace, owner):
    base = url(workspace)
    page = login(owner).get(base + "?q=zo&tag=vip&tag=bio&consent=subscribed&sort=name")

    assert filter_chips(page.content.decode()) == [
        ("Search: zo", f"{base}?tag=vip&tag=bio&consent=subscribed&sort=name"),
        ("Consent: Subscribed", f"{base}?q=zo&tag=vip&tag=bio&sort=name"),
        ("Tags (all must match): vip", f"{base}?q=zo&tag=bio&consent=subscribed&sort=name"),
        ("Tags (all must match): bio", f"{base}?q=zo&tag=vip&consent=subscribed&sort=name"),
    ]
    assert f'<a class="remove-all" href="{base}">' in page.content.decode()


def test_the_links_that_drop_a_filter_leave_the_page_cursor_behind(shop, workspace, owner):
    base = url(workspace)
    page = login(owner).get(base + "?tag=vip&cursor=abc&prev=").content.decode()

    assert filter_chips(page) == [("Tags (all must match): vip", base)]
    assert 'class="remove-all"' not in page  # one filter: its own link is enough


def test_no_filter_in_use_shows_no_summary_and_french_reads_french(shop, workspace, owner):
    assert 'class="active-filters"' not in login(owner).get(url(workspace)).content.decode()

    french = login(owner, language="fr").get(url(workspace) + "?consent=unsubscribed")

    assert filter_chips(french.content.decode()) == [("Consentement : Désabonné", url(workspace))]
    assert "Filtres actifs" in french.content.decode()
