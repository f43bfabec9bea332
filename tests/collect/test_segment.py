"""S5/C10: every sign-up lands in the built-in segment "collected e-mail addresses"."""

import pytest

from comptoir.contacts.selectors import ContactFilter, contacts_filter, segment_count
from tests.collect.helpers import page_path, submit
from tests.contacts.helpers import make_contact

pytestmark = pytest.mark.django_db


def test_sign_ups_from_every_source_are_collected_addresses(workspace):
    path = page_path(workspace, allowed_origins="https://shop.example")
    make_contact(workspace, "staff-added@example.com")
    known = make_contact(workspace, "known@example.com")  # added by hand, then signed up
    submit(path, {"email": "page@example.com"}, ip="192.0.2.1")
    submit(path + "?via=qr", {"email": "qr@example.com"}, ip="192.0.2.2")
    submit(path + "widget/", {"email": "widget@example.com"}, ip="192.0.2.3")
    submit(path, {"email": known.email}, ip="192.0.2.4")

    found = contacts_filter(workspace=workspace, filter=ContactFilter(segment="signups"))

    assert sorted(found.values_list("email", flat=True)) == [
        "known@example.com",
        "page@example.com",
        "qr@example.com",
        "widget@example.com",
    ]
    assert segment_count(workspace=workspace, segment_id="signups") == 4


def test_a_contact_form_message_is_not_a_sign_up(workspace):
    from django.test import Client

    Client().post(
        page_path(workspace) + "contact/",
        {"name": "Zoé", "email": "zoe@example.com", "message": "Bonjour"},
    )

    assert segment_count(workspace=workspace, segment_id="signups") == 0
