"""The e-mails of the sign-up flow leave from the worker, over real SMTP, never during the
visitor's request: the double opt-in link, and the business's contact-form notice."""

import re

import pytest
from django.test import Client

from comptoir.contacts.models import Contact
from comptoir.core.services import workspace_update
from comptoir.core.worker import run_once
from tests.collect.helpers import page_path, submit

pytestmark = pytest.mark.django_db(transaction=True)
BASE = "https://comptoir.example"


def test_the_confirmation_email_arrives_and_its_link_confirms(
    workspace,
    smtp_server,  # noqa: F811
    settings,
):
    settings.COMPTOIR_BASE_URL = BASE
    path = page_path(workspace, double_opt_in=True)
    submit(path, {})
    assert smtp_server.received == []  # nothing sent while the visitor waited

    run_once()

    (received,) = smtp_server.received
    assert received.recipients == ["zoe@example.com"]
    body = received.message.get_body(preferencelist=("plain",)).get_content()
    confirm = re.search(re.escape(BASE) + r"(/c/[^)\s]+/)", body).group(1)
    assert Client().post(confirm).status_code == 200
    assert Contact.objects.get().consent == "subscribed"


def test_the_business_hears_of_a_contact_form_message(workspace, smtp_server):  # noqa: F811
    workspace_update(workspace=workspace, contact_email="bonjour@chez-zoe.example")
    Client().post(
        page_path(workspace) + "contact/",
        {"name": "Zoé", "email": "zoe@example.com", "message": "Le comté est-il arrivé ?"},
    )
    assert smtp_server.received == []

    run_once()

    (received,) = smtp_server.received
    assert received.recipients == ["bonjour@chez-zoe.example"]
    assert "Le comté est-il arrivé ?" in received.message.get_content()
