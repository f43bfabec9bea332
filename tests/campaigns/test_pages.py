"""The campaign pages of the dashboard (E1–E5): list, composer, preview, audience, actions,
results, and who may do what."""

import datetime as dt
import html as html_lib
import re
import zoneinfo
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.campaigns.services import campaign_schedule, campaign_send
from comptoir.commerce.services import order_upsert, product_upsert
from comptoir.consent.services import consent_withdraw, suppression_add
from comptoir.core import csp
from comptoir.core.roles import Role
from comptoir.mail.models import Delivery, OutboxMessage
from comptoir.mail.services import delivery_clicked
from tests.campaigns.helpers import business, draft, group, subscriber, work
from tests.conftest import login
from tests.contacts.helpers import make_contact
from tests.html import unlabelled_fields
from tests.mailserver import BROWSER
from tests.web.directory_helpers import ENGLISH, FRENCH, text

OUTBOX = "comptoir.mail.backends.OutboxBackend"


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    settings.EMAIL_BACKEND = OUTBOX
    return business(workspace)


@pytest.fixture
def owner_client(owner):
    return login(owner)


def url(workspace, path: str = "") -> str:
    return f"/w/{workspace.slug}/campaigns/{path}"


def composer_data(segments=(), **fields) -> dict:
    data = {
        "name": "Arrivage de printemps",
        "subject": "Du nouveau, {{ first_name }}",
        "preheader": "Tout frais",
        "sender_name": "",
        "body_markdown": "Bonjour {{ first_name | ami }},\n\nLe comté est arrivé.",
        "coupon_code": "",
        "segment_ids": [str(s.pk) if hasattr(s, "pk") else s for s in segments],
    }
    data.update(fields)
    return data


def field_block(page: str, name: str) -> str:
    """The <div class="field"> that holds the input or textarea `name`."""
    start = page.index(f'name="{name}"')
    return page[page.rindex('<div class="field', 0, start) : page.index("</div>", start)]


def srcdoc(page: str) -> str:
    return html_lib.unescape(re.search(r'srcdoc="([^"]*)"', page)[1])


# The composer


def test_the_composer_labels_every_field_lists_segments_products_and_the_syntax(shop, owner_client):
    product_upsert(
        workspace=shop, external_id="comte-24", data={"name": "Comté 24 mois", "price": "12.40"}
    )
    habitues = group(shop, [subscriber(shop, "zoe@example.com")])

    page = owner_client.get(url(shop, "new/"), headers=FRENCH).content.decode()

    assert unlabelled_fields(page) == []
    assert 'type="checkbox" name="segment_ids" value="subscribers"' in page
    assert f'name="segment_ids" value="{habitues.pk}"' in page
    assert "Habitués (1)" in page
    assert "[[product comte-24]]" in page and "Comté 24 mois" in page
    assert 'data-insert="[[product comte-24]]"' in page
    assert "{{ first_name|default:&quot;ami&quot; }}" in page
    assert "[[button" in page
    assert "Insérer un produit" in text(page)


def test_saving_a_new_campaign_stores_a_draft_and_opens_it(shop, owner, owner_client):
    habitues = group(shop, [subscriber(shop, "zoe@example.com")])

    response = owner_client.post(
        url(shop, "new/"), composer_data([habitues, "subscribers"], coupon_code="PRINTEMPS")
    )

    campaign = Campaign.objects.get(workspace=shop)
    assert response.status_code == 302
    assert response["Location"] == url(shop, f"{campaign.pk}/")
    assert (campaign.status, campaign.subject, campaign.coupon_code) == (
        "draft",
        "Du nouveau, {{ first_name }}",
        "PRINTEMPS",
    )
    assert campaign.segment_ids == [str(habitues.pk), "subscribers"]
    assert campaign.created_by == owner


def test_an_unknown_tag_is_refused_next_to_the_message_with_what_was_typed(shop, owner_client):
    body = "Bonjour {{ prenom }},\n\nÀ bientôt"

    response = owner_client.post(
        url(shop, "new/"), composer_data(body_markdown=body), headers=FRENCH
    )

    assert response.status_code == 422
    page = response.content.decode()
    block = field_block(page, "body_markdown")
    assert 'class="error"' in block and "{{ prenom }}" in html_lib.unescape(block)
    assert "Bonjour {{ prenom }}" in html_lib.unescape(page)
    assert not Campaign.objects.filter(workspace=shop).exists()


def test_an_empty_subject_is_refused_on_its_field(shop, owner_client):
    response = owner_client.post(url(shop, "new/"), composer_data(subject=""))
    assert response.status_code == 422
    assert 'class="error"' in field_block(response.content.decode(), "subject")
    assert not Campaign.objects.exists()


def test_editing_a_draft_saves_it_and_a_sent_campaign_cannot_be_edited(shop, owner_client):
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com")])])
    response = owner_client.post(
        url(shop, f"{campaign.pk}/"),
        composer_data(campaign.segment_ids, subject="Le comté est là"),
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.subject == "Le comté est là"

    Campaign.objects.filter(pk=campaign.pk).update(status="sent")
    response = owner_client.post(url(shop, f"{campaign.pk}/"), composer_data(subject="Autre"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.subject == "Le comté est là"


# The preview


def test_the_preview_shows_the_message_for_a_real_person_of_the_audience(shop, owner_client):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    campaign = draft(shop, [group(shop, [zoe])])

    response = owner_client.get(url(shop, f"{campaign.pk}/"), headers=FRENCH)

    page = response.content.decode()
    assert "zoe@example.com" in text(page)
    message = srcdoc(page)
    assert "Bonjour Zoé," in message and "12 rue des Martyrs" in message
    assert '<a href="#"' in message  # the unsubscribe link of a preview leads nowhere
    assert re.search(r"<iframe[^>]*\bsandbox\b[^=]", page)
    # The e-mail's styles are inline: this page, and its srcdoc frame, allow them; never scripts.
    assert response[csp.HEADER] == csp.policy(inline_styles=True)
    assert 'id="preview-desktop"' in page and 'id="preview-mobile"' in page


def test_the_preview_button_shows_what_was_typed_without_saving(shop, owner_client):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    campaign = draft(shop, [group(shop, [zoe])])

    response = owner_client.post(
        url(shop, f"{campaign.pk}/"),
        composer_data(campaign.segment_ids, body_markdown="Salut {{ first_name }} !", preview="1"),
    )

    assert response.status_code == 200
    assert "Salut Zoé !" in srcdoc(response.content.decode())
    campaign.refresh_from_db()
    assert "Salut" not in campaign.body_markdown


def test_htmx_refreshes_the_preview_and_the_audience_as_one_types(shop, owner_client):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    habitues = group(shop, [zoe, make_contact(shop, "never@example.com")])

    response = owner_client.post(
        url(shop, "preview/"),
        composer_data([habitues], body_markdown="Coucou {{ first_name }}"),
        headers={"HX-Request": "true", **ENGLISH},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page.split("srcdoc")[0]  # a fragment, not a page
    assert "Coucou Zoé" in srcdoc(page)
    assert 'id="audience"' in page and 'hx-swap-oob="true"' in page
    assert "1 person will receive it now." in text(page)
    assert "Never subscribed 1" in text(page)


# The audience box


def test_the_audience_box_says_who_receives_it_now_and_who_is_left_out_why(shop, owner_client):
    people = [subscriber(shop, f"s{n}@example.com") for n in range(3)]
    left = subscriber(shop, "left@example.com")
    consent_withdraw(contact=left, source="dashboard")
    bounced = subscriber(shop, "bounced@example.com")
    suppression_add(workspace=shop, email="bounced@example.com", reason="bounce")
    never = make_contact(shop, "never@example.com")
    campaign = draft(shop, [group(shop, [*people, left, bounced, never])])

    french = text(owner_client.get(url(shop, f"{campaign.pk}/"), headers=FRENCH).content.decode())
    english = text(owner_client.get(url(shop, f"{campaign.pk}/"), headers=ENGLISH).content.decode())

    assert "3 personnes la recevront maintenant." in french
    assert "Sur 6 contacts des segments choisis, laissés de côté :" in french
    # A hard bounce unsubscribes as well as suppresses: it counts with the unsubscribed.
    assert "Désabonnés 2" in french and "Jamais abonnés 1" in french
    assert "3 people will receive it now." in english
    assert "Unsubscribed 2" in english and "Never subscribed 1" in english


# Test, send, schedule, cancel, duplicate


@pytest.mark.django_db(transaction=True)
def test_a_test_send_goes_to_the_staff_address_given(shop, owner, owner_client):
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com", first_name="Zoé")])])
    page = owner_client.get(url(shop, f"{campaign.pk}/")).content.decode()
    assert f'value="{owner.email}"' in field_block(page, "emails")

    response = owner_client.post(
        url(shop, f"{campaign.pk}/test/"), {"emails": "chef@epicerie.example, moi@epicerie.example"}
    )
    assert response.status_code == 302
    work()

    kept = OutboxMessage.objects.all()
    assert sorted(m.recipients for m in kept) == ["chef@epicerie.example", "moi@epicerie.example"]
    subjects = {str(make_header(decode_header(m.subject))) for m in kept}
    assert subjects == {"[Test] Du nouveau, Zoé"}
    assert not Delivery.objects.filter(kind=Delivery.Kind.MARKETING).exists()


def test_a_bad_test_address_is_refused_in_place(shop, owner_client):
    campaign = draft(shop, [])
    response = owner_client.post(url(shop, f"{campaign.pk}/test/"), {"emails": "pas-une-adresse"})
    assert response.status_code == 422
    block = field_block(response.content.decode(), "emails")
    assert 'class="error"' in block and "pas-une-adresse" in block


def test_send_now_asks_for_confirmation_with_the_number_of_recipients(shop, owner_client):
    people = [subscriber(shop, f"s{n}@example.com") for n in range(2)]
    campaign = draft(shop, [group(shop, people)])

    page = owner_client.get(url(shop, f"{campaign.pk}/send/"), headers=ENGLISH).content.decode()
    assert "It goes to 2 people now." in text(page)
    assert "Send to 2 people" in page
    campaign.refresh_from_db()
    assert campaign.status == "draft"

    response = owner_client.post(url(shop, f"{campaign.pk}/send/"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "scheduled" and campaign.send_at <= timezone.now()
    # Due now: the page shows it starting, not the composer.
    page = owner_client.get(url(shop, f"{campaign.pk}/"), headers=ENGLISH).content.decode()
    assert "Progress" in page and 'hx-trigger="every 3s"' in page
    assert f'href="{url(shop, f"{campaign.pk}/")}">Refresh</a>' in page  # without JavaScript
    assert 'name="body_markdown"' not in page
    assert url(shop, f"{campaign.pk}/cancel/") in page  # it can still be stopped


def test_send_now_without_a_segment_says_so_and_sends_nothing(shop, owner_client):
    campaign = draft(shop, [])
    page = owner_client.get(url(shop, f"{campaign.pk}/send/"), headers=ENGLISH).content.decode()
    assert "Choose at least one segment" in page
    response = owner_client.post(url(shop, f"{campaign.pk}/send/"), headers=ENGLISH)
    assert response.status_code == 422
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_schedule_reads_the_time_in_the_workspace_zone_and_shows_it_back(shop, owner_client):
    shop.time_zone = "America/New_York"
    shop.save()
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com")])])
    local = (timezone.now() + dt.timedelta(days=3)).astimezone(
        zoneinfo.ZoneInfo("America/New_York")
    )
    typed = local.strftime("%Y-%m-%dT%H:%M")

    response = owner_client.post(url(shop, f"{campaign.pk}/schedule/"), {"send_at": typed})

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert campaign.send_at == local.replace(second=0, microsecond=0)
    page = owner_client.get(url(shop, f"{campaign.pk}/"), headers=ENGLISH).content.decode()
    assert f'value="{typed}"' in field_block(page, "send_at")
    assert "America/New_York" in text(page)
    listed = owner_client.get(url(shop), headers=ENGLISH).content.decode()
    assert "Scheduled" in listed and local.strftime("%H:%M") in listed


def test_a_time_in_the_past_is_refused_on_the_field(shop, owner_client):
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com")])])
    response = owner_client.post(
        url(shop, f"{campaign.pk}/schedule/"), {"send_at": "2020-01-01T10:00"}, headers=ENGLISH
    )
    assert response.status_code == 422
    assert "in the past" in field_block(response.content.decode(), "send_at")
    campaign.refresh_from_db()
    assert campaign.status == "draft"


def test_cancel_a_scheduled_campaign_and_duplicate_it(shop, owner_client):
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com")])])
    campaign_schedule(campaign=campaign, send_at=timezone.now() + dt.timedelta(days=1), actor=None)

    assert owner_client.post(url(shop, f"{campaign.pk}/cancel/")).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "canceled"
    page = owner_client.get(url(shop, f"{campaign.pk}/"), headers=ENGLISH).content.decode()
    assert "Canceled before it was sent" in page

    response = owner_client.post(url(shop, f"{campaign.pk}/duplicate/"))
    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert response["Location"] == url(shop, f"{copy.pk}/")
    assert (copy.status, copy.body_markdown) == ("draft", campaign.body_markdown)


# The list and the results


@pytest.mark.django_db(transaction=True)
def test_a_sent_campaign_shows_its_figures_links_and_chart_and_the_list_its_headlines(
    shop, owner_client
):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    leo = subscriber(shop, "leo@example.com")
    campaign = draft(shop, [group(shop, [zoe, leo])], coupon_code="PRINTEMPS")
    campaign_send(campaign=campaign, actor=None)
    work()
    delivery = Delivery.objects.get(contact=zoe)
    delivery_clicked(delivery=delivery, url="https://shop.example/comte", user_agent=BROWSER)
    order_upsert(
        workspace=shop,
        external_id="A-1",
        data={
            "email": "zoe@example.com",
            "status": "completed",
            "placed_at": (timezone.now() + dt.timedelta(hours=1)).isoformat(),
            "currency": "EUR",
            "subtotal": "1234.50",
            "shipping": "0.00",
            "tax": "0.00",
            "discount": "0.00",
            "total": "1234.50",
            "coupon_code": "printemps",
            "items": [{"name": "Comté", "quantity": 1, "price": "1234.50"}],
        },
    )

    page = owner_client.get(url(shop, f"{campaign.pk}/"), headers=FRENCH).content.decode()
    shown = text(page)
    assert "Envoyé" in shown
    assert "Destinataires 2" in shown and "Ouvertures uniques 1" in shown
    assert "Clics uniques 1" in shown
    assert "1\u00a0234,50\u00a0€" in page
    assert "https://shop.example/comte 1 1" in shown
    assert "<svg" in page and "<title" in page and "<desc" in page
    assert 'class="hours"' in page  # the table beside the chart
    assert 'hx-trigger="every 3s"' not in page  # sent: no more polling
    assert "Bonjour Zoé" in srcdoc(page)  # the message, as sent

    listed = text(owner_client.get(url(shop), headers=ENGLISH).content.decode())
    assert "Arrivage de printemps" in listed and "Sent" in listed
    assert "2 2 50.0% 50.0%" in listed and "€1,234.50" in listed


def test_the_progress_fragment_polls_while_sending_and_reloads_the_page_when_done(
    shop, owner_client
):
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com")])])
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    htmx = {"HX-Request": "true"}
    response = owner_client.get(url(shop, f"{campaign.pk}/progress/"), headers=htmx)
    assert 'hx-trigger="every 3s"' in response.content.decode()
    assert "HX-Refresh" not in response

    Campaign.objects.filter(pk=campaign.pk).update(status="sent")
    response = owner_client.get(url(shop, f"{campaign.pk}/progress/"), headers=htmx)
    assert "every 3s" not in response.content.decode()
    assert response["HX-Refresh"] == "true"


def test_the_list_is_empty_at_first_and_offers_a_new_campaign(shop, owner_client):
    page = text(owner_client.get(url(shop), headers=FRENCH).content.decode())
    assert "Aucune campagne pour l’instant." in page
    assert "Nouvelle campagne" in page


# Who may do what


def test_a_viewer_reads_campaigns_but_changes_and_sends_nothing(shop, staff):
    campaign = draft(shop, [group(shop, [subscriber(shop, "zoe@example.com")])])
    viewer = login(staff[Role.VIEWER])

    listed = viewer.get(url(shop)).content.decode()
    assert url(shop, "new/") not in listed
    page = viewer.get(url(shop, f"{campaign.pk}/"))
    assert page.status_code == 200
    assert "disabled" in field_block(page.content.decode(), "subject")
    assert url(shop, f"{campaign.pk}/send/") not in page.content.decode()
    assert viewer.get(url(shop, "new/")).status_code == 403
    assert viewer.post(url(shop, "new/"), composer_data()).status_code == 403
    for action in ("test/", "send/", "schedule/", "cancel/", "duplicate/", ""):
        assert viewer.post(url(shop, f"{campaign.pk}/{action}"), {}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "draft" and Campaign.objects.count() == 1
    Campaign.objects.filter(pk=campaign.pk).update(status="sent")
    report = viewer.get(url(shop, f"{campaign.pk}/")).content.decode()
    assert "Figures" in report and url(shop, f"{campaign.pk}/duplicate/") not in report


def test_a_marketer_may_compose_and_send(shop, staff):
    marketer = login(staff[Role.MARKETER])
    assert marketer.get(url(shop, "new/")).status_code == 200


def test_another_workspaces_campaign_is_not_found(shop, other_workspace, owner_client):
    theirs = draft(other_workspace, [])
    assert owner_client.get(url(shop, f"{theirs.pk}/")).status_code == 404
    assert owner_client.post(url(shop, f"{theirs.pk}/cancel/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "draft"
