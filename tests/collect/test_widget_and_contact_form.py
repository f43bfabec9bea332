"""S3 (the widget) and S4 (the contact form): the same flow, from the merchant's own site."""

import json

import pytest
from django.test import Client

from comptoir.collect.services import contact_message_notify_task
from comptoir.consent.models import ConsentEvent
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.core.scoping import scoped
from comptoir.core.services import workspace_update
from tests.collect.helpers import page_path, submit
from tests.contacts.helpers import make_contact
from tests.html import unlabelled_fields

pytestmark = pytest.mark.django_db
SHOP = "https://shop.example"


@pytest.fixture
def widget(workspace):
    return page_path(workspace, allowed_origins=SHOP) + "widget/"


def test_the_plain_fallback_form_signs_up_from_an_allowed_site(workspace, widget):
    response = submit(widget, {}, HTTP_ORIGIN=SHOP)

    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert response["Access-Control-Allow-Origin"] == SHOP
    contact = scoped(Contact, workspace).get()
    assert (contact.source, contact.consent) == ("widget", "subscribed")
    assert ConsentEvent.objects.get().source == "widget"


def test_the_script_gets_json_and_cors_for_an_allowed_site(workspace, widget):
    response = submit(widget, {}, HTTP_ORIGIN=SHOP, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["code"] == "ok"
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in response["Vary"]


def test_field_errors_come_back_as_json(widget):
    response = submit(widget, {"consent": None}, HTTP_ORIGIN=SHOP, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert "consent" in response.json()["errors"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://shop.example.evil"])
def test_a_site_that_is_not_allowed_is_refused(workspace, widget, origin):
    response = submit(widget, {}, HTTP_ORIGIN=origin, HTTP_ACCEPT="application/json")

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert not Contact.objects.exists()


def test_a_referer_from_another_site_is_refused_too(widget):
    response = submit(widget, {}, HTTP_REFERER="https://evil.example/page")

    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_the_preflight_answers_only_allowed_sites(widget):
    allowed = Client().options(widget, HTTP_ORIGIN=SHOP)
    other = Client().options(widget, HTTP_ORIGIN="https://evil.example")

    assert allowed.status_code == 204 and allowed["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Origin" not in other


def test_the_script_writes_a_labelled_form_that_posts_to_the_widget(workspace, widget):
    script = Client().get(widget.removesuffix("widget/") + "widget.js", HTTP_ACCEPT_LANGUAGE="fr")

    assert script["Content-Type"].startswith("text/javascript")
    body = script.content.decode()
    start = body.index("holder.innerHTML = ") + len("holder.innerHTML = ")
    form_html = json.loads(body[start : body.index(";\n", start)])
    assert 'action="http://' in form_html and widget in form_html
    assert "Adresse e-mail" in form_html
    assert unlabelled_fields(form_html) == []
    assert "<" not in body[start : body.index(";\n", start)]  # no markup in the script text


CONTACT = {
    "name": "Zoé Martin",
    "email": "zoe@example.com",
    "phone": "06 12 34 56 78",
    "message": "Avez-vous du comté 36 mois ?\nMerci",
}


def contact_post(path, data, **headers):
    return Client().post(
        path, data, REMOTE_ADDR="203.0.113.5", HTTP_ACCEPT_LANGUAGE="en", **headers
    )


def test_the_contact_form_creates_a_prospect_with_the_message_and_never_subscribes(
    workspace, django_capture_on_commit_callbacks, mailoutbox
):
    workspace_update(workspace=workspace, contact_email="bonjour@chez-zoe.example")
    path = page_path(workspace) + "contact/"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = contact_post(path, CONTACT)

    assert response.status_code == 200
    contact = scoped(Contact, workspace).get()
    assert (contact.first_name, contact.last_name, contact.phone) == (
        "Zoé",
        "Martin",
        "+33612345678",
    )
    assert (contact.source, contact.type, contact.consent) == (
        "contact_form",
        "prospect",
        "not_subscribed",
    )
    assert not ConsentEvent.objects.exists()
    event = ContactEvent.objects.get(contact=contact, kind="contact_message")
    assert event.data["message"] == CONTACT["message"]
    # The business hears of it from the worker, not during the visitor's request.
    assert mailoutbox == [] and len(callbacks) == 1
    contact_message_notify_task.call(event.pk)
    (notice,) = mailoutbox
    assert notice.to == ["bonjour@chez-zoe.example"]
    assert "comté 36 mois" in notice.body and "Zoé Martin" in notice.subject


def test_the_contact_form_adds_to_a_known_contact(workspace):
    known = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    contact_post(page_path(workspace) + "contact/", CONTACT)

    assert scoped(Contact, workspace).count() == 1
    assert ContactEvent.objects.filter(contact=known, kind="contact_message").exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"message": ""},
        {"message": "x" * 2001},
        {"message": "<a href='http://spam.example'>cheap</a>"},
        {"name": "<script>x</script>"},
        {"email": "nope"},
        {"website": "http://bot.example"},
    ],
)
def test_the_contact_form_refuses_hostile_input_and_stores_nothing(workspace, fields):
    response = contact_post(page_path(workspace) + "contact/", {**CONTACT, **fields})

    assert 400 <= response.status_code < 500
    assert not Contact.objects.exists() and not ContactEvent.objects.exists()


def test_the_contact_form_from_another_site_is_refused(workspace):
    path = page_path(workspace, allowed_origins=SHOP) + "contact/"

    assert contact_post(path, CONTACT, HTTP_ORIGIN=SHOP).status_code == 200
    assert contact_post(path, CONTACT, HTTP_ORIGIN="https://evil.example").status_code == 403


def test_the_contact_page_has_labelled_fields(workspace):
    html = Client().get(page_path(workspace) + "contact/").content.decode()

    assert unlabelled_fields(html) == []
    assert 'name="message"' in html


def test_the_message_and_the_sign_up_read_as_sentences_on_the_profile(workspace, owner):
    from tests.conftest import login

    contact_post(page_path(workspace) + "contact/", CONTACT)
    submit(page_path(workspace) + "?via=qr", {"email": CONTACT["email"]})
    contact = scoped(Contact, workspace).get()

    html = login(owner).get(
        f"/w/{workspace.slug}/contacts/{contact.pk}/", headers={"Accept-Language": "en"}
    )

    text = " ".join(html.content.decode().split())
    assert "Message through the contact form: “Avez-vous du comté 36 mois ? Merci”" in text
    assert "Signed up (source: QR code)" in text
