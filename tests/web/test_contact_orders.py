"""A contact's commerce in the dashboard: orders on the profile (C4, C5), subscriptions (O3),
open carts, the paged order list, and draft orders staff write and complete (C13)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.commerce import services
from comptoir.commerce.models import Order
from comptoir.contacts.models import Contact
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from tests.commerce.helpers import contact_of, figures, put_order
from tests.conftest import login
from tests.contacts.helpers import events_of, make_contact
from tests.html import unlabelled_fields
from tests.web.directory_helpers import FRENCH, text, url


def orders_shown(page: str) -> list[str]:
    """The order numbers listed on a page, top to bottom."""
    return re.findall(r'<span class="order-number">Order ([^<]*)</span>', page)


def order_item(page: str, number: str) -> str:
    """The text of the list item of order `number`."""
    found = re.search(
        rf'<li class="order[^"]*">(?:(?!<li class="order).)*?'
        rf'<span class="order-number">[^<]*{re.escape(number)}</span>.*?</li>',
        page,
        re.DOTALL,
    )
    assert found, f"no order {number}"
    return text(found.group(0))


def figure(page: str, label: str) -> str:
    found = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", page, re.DOTALL)
    assert found, f"no figure {label}"
    return text(found.group(1))


def profile(client, contact, **headers) -> str:
    response = client.get(url(contact.workspace, f"{contact.pk}/"), headers=headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def catalogue(workspace):
    for external_id, name, price in [
        ("p-1", "Comté AOP 24 mois", "21.00"),
        ("p-2", "Miel de lavande", "9.50"),
    ]:
        services.product_upsert(
            workspace=workspace, external_id=external_id, data={"name": name, "price": price}
        )


@pytest.fixture
def prospect(workspace):
    return make_contact(workspace, "lea@example.com", first_name="Léa", last_name="Roux")


# The profile's orders


def test_the_profile_shows_an_orders_items_totals_and_status_in_the_workspace_time_zone(
    workspace, owner, catalogue
):
    put_order(
        workspace,
        placed_at="2026-03-02T23:30:00+00:00",  # already 3 March in Paris
        refunded="10.00",
        items=[
            {"product_id": "p-1", "quantity": 2, "price": "20.00"},
            {"product_id": "p-2", "name": "Miel de lavande 1 kg", "quantity": 1, "price": "0"},
            {"name": "Sac en toile", "quantity": 1, "price": "0.00"},
        ],
    )

    shown = order_item(profile(login(owner), contact_of(workspace)), "#1001")

    assert "3 March 2026" in shown
    assert "Completed" in shown and "Partially refunded" in shown
    # A line reads as the store titled it; one the store sent without a title, as the
    # catalogue names its product.
    assert "Comté AOP 24 mois 2 €20.00 €40.00" in shown
    assert "Miel de lavande 1 kg 1 €0.00 €0.00" in shown
    assert "Sac en toile 1 €0.00 €0.00" in shown
    for total in [
        "Subtotal €40.00",
        "Discount −€4.00",
        "Shipping €5.90",
        "Tax €8.00",
        "Total €49.90",
        "Refunded €10.00",
    ]:
        assert total in shown


def test_money_and_dates_on_the_profile_read_as_in_french(workspace, owner):
    put_order(workspace, placed_at="2026-03-02T23:30:00+00:00", total="1249.90")

    shown = order_item(profile(login(owner), contact_of(workspace), **FRENCH), "#1001")

    assert "3 mars 2026" in shown
    assert "Total 1 249,90 €" in shown  # white space collapsed: the spaces do not break
    assert "Commande #1001" in shown and "Terminée" in shown


def test_a_canceled_order_is_marked_and_left_out_of_the_summary(workspace, owner):
    put_order(workspace, "1", number="#1", total="30.00", placed_at="2026-03-01T10:00:00Z")
    put_order(
        workspace,
        "2",
        number="#2",
        total="500.00",
        status="canceled",
        placed_at="2026-03-05T10:00:00Z",
    )

    page = profile(login(owner), contact_of(workspace))

    assert orders_shown(page) == ["#2", "#1"]
    assert "Canceled" in order_item(page, "#2")
    assert "not counted in the figures" in order_item(page, "#2")
    assert "not counted" not in order_item(page, "#1")
    assert figure(page, "Orders") == "1"
    assert figure(page, "Total spent") == "€30.00"
    assert figure(page, "Average order value") == "€30.00"
    assert figure(page, "Last order") == "1 March 2026"
    assert figure(page, "Last order value") == "€30.00"
    assert figure(page, "Customer since") == "1 March 2026"


def test_the_last_shipping_and_billing_name_address_and_phone_are_shown(workspace, owner):
    put_order(
        workspace,
        billing_address={
            "name": "Atelier Martin",
            "line1": "3 place du Marché",
            "postal_code": "69003",
            "city": "Lyon",
            "phone": "04 72 00 00 00",
        },
    )

    page = text(profile(login(owner), contact_of(workspace)))

    assert (
        "Last shipping address Zoé Martin 12 rue des Martyrs 75009 Paris France" in page
    )  # the code FR is shown by name (X1)
    assert "Last billing address Atelier Martin 3 place du Marché 69003 Lyon 04 72 00 00 00" in page


def test_subscriptions_and_open_carts_are_shown(workspace, owner, catalogue):
    put_order(workspace)
    services.subscription_upsert(
        workspace=workspace,
        external_id="sub-1",
        data={
            "email": "zoe@example.com",
            "product_id": "p-2",
            "status": "active",
            "next_billing_at": "2026-04-01T08:00:00+02:00",
        },
    )
    services.cart_upsert(
        workspace=workspace,
        token="cart-1",
        data={
            "email": "zoe@example.com",
            "updated_at": "2026-03-10T10:00:00Z",
            "recovery_url": "https://shop.example/cart/1",
            "items": [{"product_id": "p-2", "quantity": 3, "price": "9.50"}],
        },
    )

    page = text(profile(login(owner), contact_of(workspace)))

    assert "Recurring subscriptions" in page
    assert "Miel de lavande Active 1 April 2026 €9.50" in page
    assert "Open carts" in page
    assert "3 × Miel de lavande — €9.50" in page


def test_the_profile_shows_the_latest_orders_and_links_to_the_paged_list(workspace, owner):
    def add_orders(first: int, last: int) -> None:
        start = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
        for n in range(first, last + 1):
            placed = (start + dt.timedelta(days=n)).isoformat()
            put_order(workspace, str(n), number=f"#{n}", placed_at=placed)

    add_orders(1, 12)
    client = login(owner)
    zoe = contact_of(workspace)
    profile(client, zoe)  # the first visit also saves the session
    with CaptureQueriesContext(connection) as few:
        page = profile(client, zoe)
    add_orders(13, 30)
    with CaptureQueriesContext(connection) as many:
        page = profile(client, zoe)

    assert orders_shown(page) == [f"#{n}" for n in range(30, 20, -1)]
    assert len(many) == len(few)  # the profile reads as much for 30 orders as for 12
    assert "See all 30 orders" in page
    list_url = url(workspace, f"{zoe.pk}/orders/")
    assert f'href="{list_url}"' in page

    first = client.get(list_url).content.decode()
    second = client.get(list_url, {"page": 2}).content.decode()
    assert orders_shown(first) == [f"#{n}" for n in range(30, 5, -1)]
    assert orders_shown(second) == [f"#{n}" for n in range(5, 0, -1)]
    assert "Page 2 of 2" in second
    assert unlabelled_fields(first) == []


# Draft orders (C13)


def draft_post(**overrides) -> dict:
    data = {
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-product": "p-2",
        "lines-0-title": "",
        "lines-0-price": "",
        "lines-0-quantity": "2",
        "lines-1-product": "",
        "lines-1-title": "Panier garni",
        "lines-1-price": "35.00",
        "lines-1-quantity": "1",
        "lines-2-product": "",
        "lines-2-title": "",
        "lines-2-price": "",
        "lines-2-quantity": "1",
        "shipping": "6.50",
        "discount": "5",
        "note": "À retirer samedi",
    }
    data.update(overrides)
    return data


def test_staff_create_a_draft_order_from_the_profile(workspace, owner, catalogue, prospect):
    client = login(owner)
    page = profile(client, prospect)
    new_url = url(workspace, f"{prospect.pk}/orders/new/")
    assert f'href="{new_url}"' in page
    form = client.get(new_url).content.decode()
    assert "Miel de lavande (€9.50)" in form
    assert unlabelled_fields(form) == []

    response = client.post(new_url, draft_post())

    assert response.status_code == 302
    assert response.url == url(workspace, f"{prospect.pk}/")
    draft = scoped(Order, workspace).get()
    assert (draft.is_draft, draft.contact, draft.note) == (True, prospect, "À retirer samedi")
    lines = list(draft.items.values_list("product_external_id", "name", "quantity", "price"))
    assert lines == [
        ("p-2", "Miel de lavande", 2, Decimal("9.50")),  # the catalogue price, left empty
        ("", "Panier garni", 1, Decimal("35.00")),
    ]
    assert (draft.subtotal, draft.shipping, draft.discount, draft.total) == (
        Decimal("54.00"),
        Decimal("6.50"),
        Decimal("5.00"),
        Decimal("55.50"),
    )
    assert [e.actor for e in events_of(prospect, "draft_order_created")] == [owner]
    page = client.get(response.url).content.decode()
    assert "Draft order #D1 created." in page
    shown = order_item(page, "#D1")
    assert "Draft" in shown and "not counted in the figures" in shown
    assert "Note: À retirer samedi" in shown
    assert "Draft order #D1 created: €55.50" in text(page)  # on the timeline
    assert "Mark as completed" in shown
    prospect.refresh_from_db()
    assert (prospect.type, prospect.order_count) == ("prospect", 0)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"lines-1-price": ""},
            "lines-1-price",
            "Give the price of an item outside the catalogue.",
        ),
        (
            {"lines-1-title": "", "lines-1-price": "3"},
            "lines-1-title",
            "Choose a product or type a title.",
        ),
        ({"lines-0-quantity": "0"}, "lines-0-quantity", "greater than or equal to 1"),
        ({"shipping": "-1"}, "shipping", "greater than or equal to 0"),
        ({"discount": "100"}, "discount", "The discount cannot exceed the order's amount."),
        ({"lines-0-product": "no-such-product"}, "lines-0-product", "Select a valid choice"),
    ],
)
def test_an_invalid_draft_is_refused_in_place_with_what_was_typed(
    workspace, owner, catalogue, prospect, overrides, field, message
):
    response = login(owner).post(
        url(workspace, f"{prospect.pk}/orders/new/"), draft_post(**overrides)
    )

    page = response.content.decode()
    assert response.status_code == 422
    block = re.search(
        rf'<div class="field invalid">\s*<label for="id_{field}".*?</div>', page, re.DOTALL
    )
    assert block, f"no error on {field}"
    assert message in text(block.group(0))
    assert 'value="Panier garni"' in page or overrides.get("lines-1-title") == ""
    assert "À retirer samedi</textarea>" in page
    assert not scoped(Order, workspace).exists()
    assert events_of(prospect, "draft_order_created") == []


def test_a_draft_without_any_line_is_refused(workspace, owner, prospect):
    data = draft_post(
        **{"lines-0-product": "", "lines-0-quantity": "1", "lines-1-title": "", "lines-1-price": ""}
    )
    response = login(owner).post(url(workspace, f"{prospect.pk}/orders/new/"), data)

    assert response.status_code == 422
    assert "Add at least one line." in text(response.content.decode())
    assert not scoped(Order, workspace).exists()


def test_add_a_line_shows_one_more_row_without_errors_or_writes(
    workspace, owner, catalogue, prospect
):
    response = login(owner).post(
        url(workspace, f"{prospect.pk}/orders/new/"),
        draft_post(**{"lines-1-price": "", "add_line": "1"}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<fieldset class="draft-line">') == 4
    assert 'value="Panier garni"' in page
    assert 'role="alert"' not in page
    assert not scoped(Order, workspace).exists()


def test_completing_a_draft_from_the_profile_makes_the_prospect_a_customer(
    workspace, owner, prospect
):
    draft = services.draft_order_create(
        contact=prospect, actor=owner, items=[{"name": "Panier", "quantity": 2, "price": "20"}]
    )
    client = login(owner)

    response = client.post(url(workspace, f"{prospect.pk}/orders/{draft.pk}/complete/"))

    assert response.status_code == 302
    order = scoped(Order, workspace).get()
    assert (order.is_draft, order.status) == (False, "completed")
    assert figures(prospect) == (
        1,
        Decimal("40.00"),
        Decimal("40.00"),
        order.placed_at,
        order.placed_at,
        Contact.Type.CUSTOMER,
    )
    page = client.get(response.url).content.decode()
    assert "Order #D1 completed: it counts in the figures now." in page
    assert figure(page, "Total spent") == "€40.00"
    assert "Mark as completed" not in page
    assert '<span class="badge type-customer">' in page

    again = client.post(url(workspace, f"{prospect.pk}/orders/{draft.pk}/complete/"), follow=True)
    assert "This order is not a draft." in again.content.decode()
    assert len(events_of(prospect, "order_placed")) == 1


def test_a_viewer_sees_no_draft_form_and_may_not_post_one(workspace, staff, prospect):
    draft = services.draft_order_create(
        contact=prospect, actor=None, items=[{"name": "Panier", "quantity": 1, "price": "20"}]
    )
    viewer = login(staff[Role.VIEWER])
    page = profile(viewer, prospect)

    assert "New draft order" not in page and "Mark as completed" not in page
    assert "#D1" in page
    new_url = url(workspace, f"{prospect.pk}/orders/new/")
    assert viewer.get(new_url).status_code == 403
    assert viewer.post(new_url, draft_post(**{"lines-0-product": ""})).status_code == 403
    complete = url(workspace, f"{prospect.pk}/orders/{draft.pk}/complete/")
    assert viewer.post(complete).status_code == 403
    assert scoped(Order, workspace).get().is_draft
    assert scoped(Order, workspace).count() == 1

    marketer = login(staff[Role.MARKETER])
    assert "New draft order" in profile(marketer, prospect)
    assert marketer.get(new_url).status_code == 200


def test_the_order_pages_of_another_workspace_are_404(workspace, other_workspace, owner):
    theirs = make_contact(other_workspace, "theirs@example.com")
    their_draft = services.draft_order_create(
        contact=theirs, actor=None, items=[{"name": "Panier", "quantity": 1, "price": "20"}]
    )
    mine = make_contact(workspace, "mine@example.com")
    client = login(owner)

    for path in [f"{theirs.pk}/orders/", f"{theirs.pk}/orders/new/"]:
        assert client.get(url(workspace, path)).status_code == 404
    assert client.post(url(workspace, f"{theirs.pk}/orders/new/"), draft_post()).status_code == 404
    # Their order through one of my contacts, or through theirs: both unknown here.
    for contact_id in (mine.pk, theirs.pk):
        path = url(workspace, f"{contact_id}/orders/{their_draft.pk}/complete/")
        assert client.post(path).status_code == 404
    their_draft.refresh_from_db()
    assert their_draft.is_draft


def test_an_order_of_another_contact_cannot_be_completed_through_this_one(
    workspace, owner, prospect
):
    other = make_contact(workspace, "other@example.com")
    draft = services.draft_order_create(
        contact=other, actor=None, items=[{"name": "Panier", "quantity": 1, "price": "20"}]
    )

    response = login(owner).post(url(workspace, f"{prospect.pk}/orders/{draft.pk}/complete/"))

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_order_pages_are_labelled_in_both_languages(workspace, owner, catalogue, prospect):
    put_order(workspace)
    client = login(owner)
    zoe = contact_of(workspace)
    for headers in ({}, FRENCH):
        for path in [f"{zoe.pk}/", f"{zoe.pk}/orders/", f"{zoe.pk}/orders/new/"]:
            page = client.get(url(workspace, path), headers=headers).content.decode()
            assert unlabelled_fields(page) == [], path
    french = client.get(url(workspace, f"{zoe.pk}/orders/new/"), headers=FRENCH)
    assert "Nouvelle commande brouillon" in french.content.decode()


def test_a_hand_edited_contact_keeps_its_details_when_an_order_comes_until_released(
    workspace, owner
):
    put_order(workspace, "1", number="#1")
    zoe = contact_of(workspace)
    client = login(owner)
    client.post(
        url(workspace, f"{zoe.pk}/edit/"),
        {"email": zoe.email, "phone": zoe.phone, "first_name": "Zoé", "last_name": "Dupont"},
    )

    put_order(workspace, "2", number="#2", last_name="Martin-Roux", placed_at="2026-03-09T10:00Z")
    page = profile(client, zoe)

    assert orders_shown(page) == ["#2", "#1"]  # the order attached to the contact
    assert "<h1>Zoé Dupont</h1>" in page and "Details locked against sync" in page

    client.post(url(workspace, f"{zoe.pk}/unlock/"))
    put_order(workspace, "3", number="#3", last_name="Martin-Roux", placed_at="2026-03-10T10:00Z")
    page = profile(client, zoe)
    assert "<h1>Zoé Martin-Roux</h1>" in page and "Details locked against sync" not in page
