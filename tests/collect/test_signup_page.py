"""S1: the public sign-up page, its consent proof, and C2 (one contact per address)."""

import re

import pytest
from django.test import Client

from comptoir.collect.models import Signup
from comptoir.collect.services import signup_url_redraw
from comptoir.consent.models import ConsentEvent
from comptoir.contacts.models import Contact
from comptoir.core.scoping import scoped
from tests.collect.helpers import UA, page_path, submit
from tests.contacts.helpers import make_contact
from tests.html import unlabelled_fields

pytestmark = pytest.mark.django_db


def test_the_page_has_labelled_fields_and_an_unticked_consent_box(workspace):
    html = Client().get(page_path(workspace), headers={"Accept-Language": "en"}).content.decode()

    assert unlabelled_fields(html) == []
    for label in ("E-mail address", "First name", "Phone"):
        assert f">{label}" in html
    box = re.search(r'<input type="checkbox" name="consent"[^>]*>', html).group(0)
    assert "checked" not in box
    assert "which links I click" in html and "unsubscribe at any time" in html


def test_the_page_speaks_the_visitors_language_and_switches(workspace):
    path = page_path(workspace)
    french = Client().get(path, headers={"Accept-Language": "fr-FR,fr"}).content.decode()
    switched = Client().get(path + "?lang=en", headers={"Accept-Language": "fr"}).content.decode()

    assert '<html lang="fr">' in french and "Adresse e-mail" in french
    assert '<html lang="en">' in switched and "E-mail address" in switched


def test_a_ticked_box_subscribes_with_source_ip_user_agent_and_wording(workspace):
    response = submit(page_path(workspace), {})

    assert response.status_code == 200
    contact = scoped(Contact, workspace).get(email_key="zoe@example.com")
    assert (contact.first_name, contact.consent, contact.source) == (
        "Zoé",
        "subscribed",
        "signup_page",
    )
    event = ConsentEvent.objects.get(contact=contact)
    assert (event.source, event.ip, event.user_agent) == ("signup_page", "203.0.113.7", UA)
    assert "Chez Zoé" in event.wording and "unsubscribe" in event.wording
    assert scoped(Signup, workspace).get().status == "subscribed"


def test_the_workspaces_own_wording_is_recorded_word_for_word(workspace):
    wording = "Oui, envoyez-moi la lettre du fromager (ouvertures et clics mesurés)."
    path = page_path(workspace, consent_wording=wording)
    assert wording in Client().get(path, headers={"Accept-Language": "en"}).content.decode()

    response = submit(path, {})

    assert response.status_code == 200
    assert ConsentEvent.objects.get().wording == wording


def test_an_unticked_box_is_refused_and_stores_nothing(workspace):
    response = submit(page_path(workspace), {"consent": None}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    assert not scoped(Contact, workspace).exists()
    assert not ConsentEvent.objects.exists()


def test_the_qr_code_link_records_the_qr_code_source(workspace):
    submit(page_path(workspace) + "?via=qr", {})

    assert ConsentEvent.objects.get().source == "qr_code"
    assert scoped(Contact, workspace).get().source == "qr_code"


def test_a_known_address_updates_the_contact_and_the_answer_is_the_same(workspace):
    known = make_contact(workspace, "Zoe@Example.com", last_name="Martin")
    path = page_path(workspace)

    for_known = submit(path, {"email": "zoe@EXAMPLE.com", "phone": "06 12 34 56 78"})
    for_new = submit(path, {"email": "new@example.com", "first_name": "Zoé"})

    assert scoped(Contact, workspace).count() == 2
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.phone, known.consent) == (
        "Zoé",
        "Martin",
        "+33612345678",
        "subscribed",
    )
    assert known.source == "manual"  # where the contact came from first stays
    assert for_known.status_code == for_new.status_code == 200

    def text(response):
        html = re.sub(r'nonce="[^"]+"', "", response.content.decode())
        return re.sub(r"\s+", " ", html)

    assert text(for_known) == text(for_new)


def test_a_known_contacts_details_are_not_overwritten_by_a_stranger(workspace):
    known = make_contact(workspace, "zoe@example.com", first_name="Zoé")
    submit(page_path(workspace), {"first_name": "Mallory"})

    known.refresh_from_db()
    assert known.first_name == "Zoé"


def test_loyalty_enrolment_tags_the_contact(workspace):
    path = page_path(workspace, loyalty_enabled=True, loyalty_tag="fidélité")
    html = Client().get(path, headers={"Accept-Language": "en"}).content.decode()
    assert "I join the loyalty programme" in html

    submit(path, {"loyalty": "on"})

    contact = scoped(Contact, workspace).get()
    assert [tag.name for tag in contact.tags.all()] == ["fidélité"]
    assert scoped(Signup, workspace).get().loyalty is True


def test_drawing_a_new_url_makes_the_old_one_404(workspace):
    old = page_path(workspace)
    signup_url_redraw(workspace=workspace)
    new = page_path(workspace)

    assert new != old
    for suffix in ("", "qr.svg", "qr.png", "widget.js"):
        assert Client().get(old + suffix).status_code == 404
    assert Client().get(new).status_code == 200
    assert submit(old, {}).status_code == 404
    assert not scoped(Contact, workspace).exists()


def test_the_token_is_long_and_random(workspace, other_workspace):
    first, second = page_path(workspace), page_path(other_workspace)

    assert first != second
    assert len(first.strip("/").split("/")[-1]) >= 32


def test_the_api_returns_the_contract_urls(api, workspace):
    body = api.get("/api/v1/signup-page").json()

    assert set(body) == {"url", "qr_svg_url", "qr_png_url", "poster_pdf_url"}
    assert body["url"].endswith(page_path(workspace))
    assert body["qr_svg_url"] == body["url"] + "qr.svg"
    assert body["qr_png_url"] == body["url"] + "qr.png"
    assert body["poster_pdf_url"] == body["url"] + "poster.pdf"


def test_a_poster_discount_gives_each_sign_up_the_coupon_code(workspace):
    path = page_path(
        workspace, discount_offer="−10 % sur votre prochaine visite", coupon_code="ZOE10"
    )

    response = submit(path, {})

    assert "ZOE10" in response.content.decode()
    assert scoped(Signup, workspace).get().coupon_code == "ZOE10"


def test_without_a_discount_offer_no_coupon_is_owed(workspace):
    submit(page_path(workspace, coupon_code="ZOE10"), {})

    assert scoped(Signup, workspace).get().coupon_code == ""
