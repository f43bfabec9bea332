"""Settings → Outbox (P2): the e-mails the outbox backend kept, each workspace seeing its own."""

import email
import email.policy
import html as html_lib
import re

import pytest
from django.core import mail
from django.utils import timezone

from comptoir.core.models import User
from comptoir.core.roles import Role
from comptoir.core.services import membership_invite, password_link_send, workspace_update
from comptoir.mail.models import Delivery, OutboxMessage
from comptoir.mail.services import delivery_create, delivery_send
from comptoir.mail.tracking import open_pixel_url
from tests.conftest import login
from tests.contacts.helpers import make_contact
from tests.html import unlabelled_fields
from tests.web.directory_helpers import ENGLISH, FRENCH, text

OUTBOX = "comptoir.mail.backends.OutboxBackend"
BODY = "Bonjour {{ first_name | toi }},\n\n**Nouveautés** : [la boutique](https://shop.example/)\n\n<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def outbox_backend(settings):
    settings.EMAIL_BACKEND = OUTBOX
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"


def outbox_url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/settings/outbox/{path}"


def sent_to(workspace, email: str, subject: str = "Du nouveau") -> Delivery:
    contact = make_contact(workspace, email, first_name="Zoé")
    delivery = delivery_create(
        contact=contact, kind="transactional", subject=subject, body_markdown=BODY
    )
    return delivery_send(delivery_id=delivery.pk)


def kept(delivery: Delivery) -> OutboxMessage:
    return OutboxMessage.objects.get(message_id=delivery.message_id)


def listed_subjects(page: str) -> list[str]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [
        html_lib.unescape(s)
        for s in re.findall(r"<a href=\"[^\"]*/outbox/\d+/\">([^<]*)</a>", body)
    ]


# The list


def test_the_list_shows_this_workspaces_emails_with_date_recipient_and_subject(
    workspace, other_workspace, owner
):
    ours = sent_to(workspace, "zoe@example.com", "Votre commande")
    sent_to(other_workspace, "paul@example.com", "Leur secret")

    response = login(owner).get(outbox_url(workspace), headers=ENGLISH)
    page = response.content.decode()

    assert response.status_code == 200
    assert listed_subjects(page) == ["Votre commande"]
    assert "zoe@example.com" in page
    assert "paul@example.com" not in page and "Leur secret" not in page
    stored = timezone.localtime(kept(ours).created_at, timezone=workspace_tz(workspace))
    assert f"{stored.day} {stored:%b %Y, %H:%M}" in page


def workspace_tz(workspace):
    import zoneinfo

    return zoneinfo.ZoneInfo(workspace.time_zone)


def test_another_workspaces_message_is_a_404(workspace, other_workspace, owner):
    theirs = kept(sent_to(other_workspace, "paul@example.com"))

    assert login(owner).get(outbox_url(workspace, f"{theirs.pk}/")).status_code == 404


def test_an_invitation_to_a_new_member_is_shown_to_the_inviting_workspace_only(
    workspace, other_workspace, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership_invite(
            workspace=workspace, email="new@example.com", role="marketer", invited_by=owner
        )
    (invitation,) = OutboxMessage.objects.filter(recipients="new@example.com")

    ours = login(owner).get(outbox_url(workspace)).content.decode()
    other_owner = other_workspace.memberships.get().user
    theirs = login(other_owner).get(outbox_url(other_workspace)).content.decode()

    assert invitation.subject in listed_subjects(ours)
    assert "new@example.com" not in theirs


def test_a_colleagues_password_link_is_never_shown(workspace, staff):
    marketer = staff[Role.MARKETER]
    login(marketer)  # has logged in: the invitation is accepted
    password_link_send(user=marketer)
    password_link_send(user=staff[Role.ADMIN])

    admin_page = login(staff[Role.ADMIN]).get(outbox_url(workspace)).content.decode()

    assert "marketer@example.com" not in admin_page
    assert "admin@example.com" in admin_page  # their own link, in outbox mode their only way


def test_a_member_of_two_workspaces_is_not_shown_to_the_other_ones_admins(
    workspace, other_workspace, owner
):
    shared = User.objects.create_user("shared@example.com", "x")
    membership_invite(
        workspace=workspace, email="shared@example.com", role="viewer", invited_by=None
    )
    membership_invite(
        workspace=other_workspace, email="shared@example.com", role="admin", invited_by=None
    )
    password_link_send(user=shared)

    assert "shared@example.com" not in login(owner).get(outbox_url(workspace)).content.decode()


# One message


def test_a_message_shows_its_html_sandboxed_its_text_and_its_source(workspace, owner):
    delivery = sent_to(workspace, "zoe@example.com")
    message = kept(delivery)

    response = login(owner).get(outbox_url(workspace, f"{message.pk}/"), headers=ENGLISH)
    page = response.content.decode()

    assert response.status_code == 200
    iframe = re.search(r"<iframe[^>]*>", page).group(0)
    assert re.search(r"\ssandbox(\s|>)", iframe)  # no allow-scripts, no allow-same-origin
    assert "allow-" not in iframe
    assert 'title="HTML part of the message"' in iframe
    srcdoc = html_lib.unescape(re.search(r'srcdoc="([^"]*)"', iframe).group(1))
    assert "<strong>Nouveautés</strong>" in srcdoc
    assert "<script" not in srcdoc  # Markdown's raw HTML became text
    assert "<" not in re.search(r'srcdoc="([^"]*)"', iframe).group(1)  # escaped in the attribute
    plain = re.search(r'<pre class="mail-text">(.*?)</pre>', page, re.DOTALL).group(1)
    assert "Bonjour Zoé" in html_lib.unescape(plain)
    source = html_lib.unescape(
        re.search(r'<pre class="mail-source">(.*?)</pre>', page, re.DOTALL).group(1)
    )
    assert f"Message-ID: {delivery.message_id}" in source
    assert "Content-Type: multipart/alternative" in source
    assert "Subject Du nouveau" in text(page)


def test_showing_a_message_does_not_count_as_opening_or_clicking_it(workspace, owner):
    delivery = sent_to(workspace, "zoe@example.com")
    message = kept(delivery)
    pixel_path = open_pixel_url(delivery.pk).removeprefix("https://comptoir.example")
    sent_html = email.message_from_bytes(bytes(message.raw), policy=email.policy.default)
    html_part = sent_html.get_body(preferencelist=("html",)).get_content()
    assert pixel_path in html_part  # the e-mail itself has the pixel

    page = login(owner).get(outbox_url(workspace, f"{message.pk}/")).content.decode()

    srcdoc = html_lib.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert pixel_path not in srcdoc
    assert "Nouveautés" in srcdoc  # the rest of the message is all there
    # Links open no window from the sandbox, so a look is never counted as a click.
    assert re.search(r'<head[^>]*><base target="_blank">', srcdoc)


# Who may see it


@pytest.mark.parametrize("role", [Role.MARKETER, Role.VIEWER])
def test_only_admins_and_owners_open_the_outbox(workspace, staff, role):
    message = kept(sent_to(workspace, "zoe@example.com"))
    client = login(staff[role])

    assert client.get(outbox_url(workspace)).status_code == 403
    assert client.get(outbox_url(workspace, f"{message.pk}/")).status_code == 403
    assert "/settings/outbox/" not in client.get(f"/w/{workspace.slug}/settings/").content.decode()


def test_the_settings_navigation_links_the_outbox_for_admins(workspace, staff):
    page = login(staff[Role.ADMIN]).get(f"/w/{workspace.slug}/settings/").content.decode()

    assert f'href="{outbox_url(workspace)}"' in page


# Another backend


def test_with_smtp_the_page_says_which_server_mail_goes_through(
    workspace,
    owner,
    smtp_server,  # noqa: F811 - the fixture imported above
    settings,
):
    page = text(login(owner).get(outbox_url(workspace)).content.decode())

    assert "E-mail is really sent, so there is no outbox to show." in page
    assert f"the SMTP server 127.0.0.1:{settings.EMAIL_PORT}" in page


def test_with_the_console_backend_the_page_says_so(workspace, owner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    page = text(login(owner).get(outbox_url(workspace)).content.decode())

    assert "the server's console output" in page


def test_with_an_email_service_the_page_names_it(workspace, owner, settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"

    page = text(login(owner).get(outbox_url(workspace), headers=FRENCH).content.decode())

    assert "Ils passent par le service d’e-mail Mailgun." in page


# Accessibility and languages


@pytest.mark.parametrize("headers", [ENGLISH, FRENCH], ids=["en", "fr"])
def test_the_outbox_pages_have_labels_and_read_in_both_languages(workspace, owner, headers):
    workspace_update(workspace=workspace, sender_email="news@chez-zoe.example")
    message = kept(sent_to(workspace, "zoe@example.com"))
    client = login(owner)

    listing = client.get(outbox_url(workspace), headers=headers).content.decode()
    detail = client.get(outbox_url(workspace, f"{message.pk}/"), headers=headers).content.decode()

    assert unlabelled_fields(listing) == [] and unlabelled_fields(detail) == []
    if headers is FRENCH:
        assert "Boîte d’envoi" in listing and "Source brute" in detail
    else:
        assert "Outbox" in listing and "Raw source" in detail


def test_mail_sent_by_django_elsewhere_is_kept_and_listed_only_when_addressed_to_a_member(
    workspace, owner
):
    mail.send_mail("System notice", "Hello", None, ["stranger@example.com"])

    page = login(owner).get(outbox_url(workspace)).content.decode()

    assert OutboxMessage.objects.filter(subject="System notice").exists()
    assert "System notice" not in page
