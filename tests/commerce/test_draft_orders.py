"""C13: staff write a draft order for a contact; completing it turns a prospect into a
customer (C3)."""

from decimal import Decimal

import pytest

from comptoir.commerce import services
from comptoir.commerce.models import Order
from comptoir.core.services import ServiceError
from tests.contacts.helpers import events_of, make_contact


@pytest.fixture
def prospect(workspace):
    return make_contact(workspace, "lea@example.com", first_name="Léa")


def test_a_prospect_with_a_completed_draft_order_becomes_a_customer(prospect, owner):
    draft = services.draft_order_create(
        contact=prospect,
        actor=owner,
        items=[
            {"name": "Panier garni", "quantity": 2, "price": "35.00"},
            {"name": "Carte cadeau", "quantity": 1, "price": "20.00"},
        ],
        shipping="6.50",
        tax="0",
        discount="10.00",
    )

    assert (draft.is_draft, draft.status, draft.total) == (True, "open", Decimal("86.50"))
    assert draft.subtotal == Decimal("90.00")
    assert draft.number == "#D1"
    prospect.refresh_from_db()
    assert (prospect.type, prospect.order_count) == ("prospect", 0)
    created = events_of(prospect, "draft_order_created")
    assert [(e.actor, e.data["total"]) for e in created] == [(owner, "86.50")]

    order = services.draft_order_complete(order=draft, actor=owner)

    assert (order.is_draft, order.status) == (False, "completed")
    prospect.refresh_from_db()
    assert (prospect.type, prospect.order_count, prospect.total_spent) == (
        "customer",
        1,
        Decimal("86.50"),
    )
    assert prospect.customer_since == order.placed_at
    placed = events_of(prospect, "order_placed")
    assert [(e.actor, e.data["draft"]) for e in placed] == [(owner, True)]


def test_completing_an_order_that_is_not_a_draft_is_refused(prospect, owner):
    draft = services.draft_order_create(
        contact=prospect, actor=owner, items=[{"name": "x", "quantity": 1, "price": "1"}]
    )
    services.draft_order_complete(order=draft, actor=owner)

    with pytest.raises(ServiceError) as refused:
        services.draft_order_complete(order=draft, actor=owner)
    assert (refused.value.code, refused.value.status) == ("not_draft", 409)
    assert len(events_of(prospect, "order_placed")) == 1


@pytest.mark.parametrize(
    "items, extra, code",
    [
        ([], {}, "invalid_item"),
        ([{"name": "x", "quantity": 0, "price": "1"}], {}, "invalid_quantity"),
        ([{"name": "x", "quantity": 1, "price": "5"}], {"discount": "6"}, "invalid_money"),
        ([{"name": "x", "quantity": 1, "price": "5"}], {"currency": "ABC"}, "invalid_currency"),
    ],
)
def test_invalid_drafts_are_refused(prospect, owner, items, extra, code):
    with pytest.raises(ServiceError) as refused:
        services.draft_order_create(contact=prospect, actor=owner, items=items, **extra)
    assert refused.value.code == code
    assert not Order.objects.exists()
    assert events_of(prospect, "draft_order_created") == []


def test_a_draft_line_may_name_a_known_product_only(workspace, prospect, owner):
    services.product_upsert(
        workspace=workspace, external_id="sku-9", data={"name": "Miel de lavande", "price": "9"}
    )
    draft = services.draft_order_create(
        contact=prospect, actor=owner, items=[{"product_id": "sku-9", "quantity": 3, "price": "9"}]
    )
    line = draft.items.get()
    assert (line.name, line.product_external_id, draft.total) == (
        "Miel de lavande",
        "sku-9",
        Decimal("27.00"),
    )
    assert draft.currency == "EUR"


def test_a_draft_keeps_the_note_staff_wrote_and_refuses_one_too_long(prospect, owner):
    line = [{"name": "Panier", "quantity": 1, "price": "20"}]
    draft = services.draft_order_create(
        contact=prospect, actor=owner, items=line, note="  À retirer samedi  "
    )
    assert draft.note == "À retirer samedi"

    with pytest.raises(ServiceError) as refused:
        services.draft_order_create(contact=prospect, actor=owner, items=line, note="x" * 2001)
    assert refused.value.code == "invalid_note"
    assert Order.objects.count() == 1
