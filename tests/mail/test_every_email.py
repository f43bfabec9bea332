"""Every e-mail Comptoir sends has the same make-up (CONTRACT, E-mail): an HTML and a text
part, the business's footer and a Message-ID; staff e-mails included. Read back from a real
SMTP server, and from the outbox page with its headers decoded."""

import html as html_lib
import re

import pytest
from django.utils import translation

from comptoir.core.services import membership_invite, workspace_update
from comptoir.mail.models import OutboxMessage
from comptoir.mail.services import contact_email_send, delivery_send
from comptoir.mail.staff import password_link_send
from tests.conftest import login, make_user
from tests.contacts.helpers import make_contact
from tests.mail.dom import parse


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    return workspace_update(
        workspace=workspace,
        name="Fromagerie Zoé & Fils",
        postal_address="3 place du Marché\n39600 Arbois",
        contact_email="bonjour@fromagerie.example",
        brand_color="#7a1f3d",
        language="fr",
    )


def parts(message):
    plain = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    page = message.get_body(preferencelist=("html",)).get_content()
    return plain, page


def invite(shop, owner, capture, email="lea@example.com"):
    with capture(execute=True):
        membership_invite(workspace=shop, email=email, role="marketer", invited_by=owner)


def test_the_invitation_has_both_parts_names_the_shop_and_carries_its_footer(
    tasks_at_once, shop, owner, smtp_server, django_capture_on_commit_callbacks
):
    invite(shop, owner, django_capture_on_commit_callbacks)

    (received,) = smtp_server.received
    message = received.message
    assert received.recipients == ["lea@example.com"]
    # Folded after "Subject:" as it is long, hence the strip.
    assert message["Subject"].strip() == "Invitation à rejoindre Fromagerie Zoé & Fils sur Comptoir"
    assert re.fullmatch(r"<[^@>]+@[^>]+>", message["Message-ID"])
    assert message["Reply-To"] == "bonjour@fromagerie.example"
    assert message.get_content_type() == "multipart/alternative"
    plain, page = parts(message)

    assert "Fromagerie Zoé & Fils" in plain
    assert "3 place du Marché\n39600 Arbois" in plain
    link = re.search(r"Choisir mon mot de passe : (https://\S+)", plain).group(1)
    assert link.startswith("https://comptoir.example/accounts/reset/")
    assert "Votre identifiant est lea@example.com." in plain

    document = parse(page)
    content = document.find(class_="content")
    assert content.find("strong").text == "Fromagerie Zoé & Fils"  # the & is no Markdown
    button = content.find("table", class_="button").find("a")
    assert button.text == "Choisir mon mot de passe"
    assert button.attrs["href"] == link  # staff e-mails are never tracked
    assert document.find(class_="header").text.strip() == "Fromagerie Zoé & Fils"
    assert document.find(class_="header").style("background") == "#7a1f3d"
    assert "39600 Arbois" in document.find(class_="footer").text
    assert "désinscri" not in page.lower()


def test_a_password_reset_has_both_parts_and_the_footer_of_the_persons_shop(
    shop, owner, smtp_server
):
    with translation.override("en"):
        password_link_send(user=owner)

    (received,) = smtp_server.received
    message = received.message
    assert message["Subject"] == "Comptoir: choose a new password"
    assert message["Message-ID"]
    plain, page = parts(message)
    assert re.search(r"https://comptoir\.example/accounts/reset/\S+", plain)
    assert "3 place du Marché" in plain
    assert parse(page).find("table", class_="button")


def test_a_person_of_several_shops_gets_comptoirs_own_footer(shop, other_workspace, smtp_server):
    person = make_user("two@example.com")
    for workspace in (shop, other_workspace):
        membership_invite(workspace=workspace, email=person.email, role="viewer", invited_by=None)

    password_link_send(user=person)

    plain, page = parts(smtp_server.received[-1].message)
    assert "Arbois" not in plain and other_workspace.name not in plain
    assert parse(page).find(class_="footer").text.strip().startswith("Comptoir")


def test_a_one_off_email_keeps_its_single_line_breaks(shop, smtp_server):
    contact = make_contact(shop, "zoe@example.com", first_name="Zoé")
    delivery = contact_email_send(
        contact=contact,
        subject="Votre commande",
        body_markdown="Bonjour Zoé,\nvotre commande est prête.\nÀ bientôt",
        actor=None,
    )
    delivery_send(delivery_id=delivery.pk)

    plain, page = parts(smtp_server.received[0].message)
    paragraph = parse(page).find(class_="content").find("p")
    assert len(paragraph.find_all("br")) == 2
    assert "Bonjour Zoé,\nvotre commande est prête.\nÀ bientôt" in plain


# The outbox page


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "comptoir.mail.backends.OutboxBackend"


def test_the_outbox_shows_subjects_decoded_in_its_list_and_detail(
    tasks_at_once, shop, owner, outbox, django_capture_on_commit_callbacks
):
    invite(shop, owner, django_capture_on_commit_callbacks)
    (kept,) = OutboxMessage.objects.filter(recipients="lea@example.com")
    assert b"=?utf-8?" in bytes(kept.raw)  # the wire form is encoded, as it must be
    subject = "Invitation à rejoindre Fromagerie Zoé & Fils sur Comptoir"
    assert kept.subject == subject

    client = login(owner)
    listing = html_lib.unescape(client.get(f"/w/{shop.slug}/settings/outbox/").content.decode())
    detail = html_lib.unescape(
        client.get(f"/w/{shop.slug}/settings/outbox/{kept.pk}/").content.decode()
    )

    assert subject in listing and "=?utf-8?" not in listing
    assert f"<h1>{subject}</h1>" in detail
    assert "=?utf-8?" not in detail.split('class="mail-source"')[0]


def test_a_subject_kept_encoded_before_is_decoded_in_the_list(
    tasks_at_once, shop, owner, outbox, django_capture_on_commit_callbacks
):
    invite(shop, owner, django_capture_on_commit_callbacks)
    OutboxMessage.objects.update(subject="=?utf-8?q?Caf=C3=A9_cr=C3=A8me?=")

    listing = html_lib.unescape(
        login(owner).get(f"/w/{shop.slug}/settings/outbox/").content.decode()
    )

    assert "Café crème" in listing
