"""C11: phones typed by staff are real numbers of the workspace's country, stored in E.164
and shown as the business writes them."""

import pytest
from django.db import transaction

from comptoir.commerce.services import store_contacts
from comptoir.contacts import phones, services
from comptoir.core.services import ServiceError, workspace_update


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6.12.34.56.78", "+33612345678"),
        ("01 42 00 00 00", "+33142000000"),
        ("+32 470 12 34 56", "+32470123456"),  # another country, with its code
    ],
)
def test_a_real_number_is_stored_in_e164(workspace, typed, stored):
    contact = services.contact_create(workspace=workspace, actor=None, phone=typed)
    assert contact.phone == stored


@pytest.mark.parametrize("typed", ["12", "0612", "06 12 34 56 78 90 12", "+1 555 0100"])
def test_a_number_that_is_not_one_is_refused_with_a_clear_reason(workspace, typed):
    with pytest.raises(ServiceError) as caught:
        services.contact_create(workspace=workspace, actor=None, phone=typed)
    assert caught.value.code == "invalid_phone"
    assert f"“{typed}” is not a valid phone number" in caught.value.message
    assert "06 12 34 56 78" in caught.value.message  # how to write one here


def test_an_edit_to_a_bad_number_is_refused_and_changes_nothing(workspace):
    contact = services.contact_create(workspace=workspace, actor=None, phone="0612345678")
    with pytest.raises(ServiceError):
        services.contact_update(contact=contact, actor=None, phone="12")
    contact.refresh_from_db()
    assert contact.phone == "+33612345678"


def test_the_region_is_the_workspace_countrys(workspace):
    assert phones.workspace_region(workspace) == "FR"  # Europe/Paris
    workspace_update(workspace=workspace, time_zone="Europe/Brussels")
    assert phones.workspace_region(workspace) == "BE"
    contact = services.contact_create(workspace=workspace, actor=None, phone="0470 12 34 56")
    assert contact.phone == "+32470123456"
    assert phones.phone_shown(contact.phone, region="BE") == "0470 12 34 56"
    with pytest.raises(ServiceError):  # a French national number is not Belgian
        services.contact_create(workspace=workspace, actor=None, phone="06 12 34 56 78")


def test_numbers_are_shown_nationally_at_home_and_internationally_otherwise():
    assert phones.phone_shown("+33612345678", region="FR") == "06 12 34 56 78"
    assert phones.phone_shown("+32470123456", region="FR") == "+32 470 12 34 56"
    assert phones.phone_shown("555 till", region="FR") == "555 till"  # kept from a store
    assert phones.phone_shown("", region="FR") == ""


def test_orders_keep_a_number_the_store_sent_even_when_it_is_odd(workspace):
    with transaction.atomic():
        contact, _created = store_contacts.contact_for_store(
            workspace=workspace, email="zoe@example.com", source="order", details={"phone": "12"}
        )
    assert contact.phone == "12"
