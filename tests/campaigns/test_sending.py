"""E2–E4, K4, K5: who receives a campaign, once, with what, read back from a real SMTP
server (aiosmtpd) on the engine of the test run."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.campaigns.models import Campaign
from comptoir.campaigns.selectors import campaign_stats
from comptoir.campaigns.services import (
    campaign_cancel,
    campaign_schedule,
    campaign_send,
    campaign_start,
    campaign_update,
)
from comptoir.consent.services import consent_withdraw, suppression_add
from comptoir.contacts.models import ContactEvent
from comptoir.core import clock, leases
from comptoir.core.services import ServiceError
from comptoir.mail import pipeline
from comptoir.mail.models import Delivery
from tests.campaigns.helpers import business, draft, group, subscriber, work
from tests.contacts.helpers import make_contact

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    return business(workspace)


def addresses(inbox) -> Counter:
    return Counter(r for received in inbox.received for r in received.recipients)


def test_only_subscribed_unsuppressed_members_receive_it_each_once_even_sent_twice(
    shop, smtp_server
):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    leo = subscriber(shop, "leo@example.com", first_name="Léo")
    bounced = subscriber(shop, "bounced@example.com")
    suppression_add(workspace=shop, email="bounced@example.com", reason="bounce")
    never = make_contact(shop, "never@example.com")
    left = subscriber(shop, "left@example.com")
    consent_withdraw(contact=left, source="dashboard")
    outsider = subscriber(shop, "outsider@example.com")
    # Léo is in both groups: the audience is a union, each contact once.
    first = group(shop, [zoe, leo, bounced, never, left], name="Habitués")
    second = group(shop, [leo], name="Amateurs de comté")
    campaign = draft(shop, [first, second])

    campaign_send(campaign=campaign, actor=None)
    campaign_send(campaign=campaign, actor=None)  # a retried request
    work()
    campaign_send(campaign=campaign, actor=None)  # and once more after it went
    work()

    assert addresses(smtp_server) == Counter({"zoe@example.com": 1, "leo@example.com": 1})
    assert outsider.email not in addresses(smtp_server)
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    stats = campaign_stats(campaign=campaign)
    assert (stats["recipients"], stats["sent"], stats["failed"]) == (2, 2, 0)


def test_every_message_has_both_parts_the_footer_and_a_working_one_click_unsubscribe(
    shop, smtp_server
):
    zoe = subscriber(shop, "zoe@example.com", first_name="Zoé")
    campaign = draft(shop, [group(shop, [zoe])], preheader="Tout frais")
    campaign_send(campaign=campaign, actor=None)
    work()
    campaign.refresh_from_db()

    (received,) = smtp_server.received
    message = received.message
    assert message["Subject"] == "Du nouveau, Zoé"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Bonjour Zoé" in plain and "Bonjour Zoé" in html
    for part in (plain, html):
        assert "12 rue des Martyrs" in part and "Chez Zoé" in part
    delivery = Delivery.objects.get(mailing=campaign.mailing_id)
    assert message["X-Comptoir-Delivery"] == str(delivery.pk)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(
        r"<(https://comptoir\.example/[^>]+)>", message["List-Unsubscribe"].strip()
    )[1]
    assert link in html  # the visible link is the same signed one

    response = Client().post(
        link.removeprefix("https://comptoir.example"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    zoe.refresh_from_db()
    assert zoe.consent == "unsubscribed"
    assert campaign_stats(campaign=Campaign.objects.get(pk=campaign.pk))["unsubscribed"] == 1


def test_a_contact_who_unsubscribes_after_scheduling_gets_nothing(shop, smtp_server):
    zoe = subscriber(shop, "zoe@example.com")
    leo = subscriber(shop, "leo@example.com")
    campaign = draft(shop, [group(shop, [zoe, leo])])
    send_at = timezone.now() + dt.timedelta(hours=2)
    campaign_schedule(campaign=campaign, send_at=send_at, actor=None)

    work()
    assert smtp_server.received == []  # not due yet
    consent_withdraw(contact=leo, source="unsubscribe_link")
    with clock.at(send_at + dt.timedelta(seconds=1)):
        work()

    assert addresses(smtp_server) == Counter({"zoe@example.com": 1})


def test_an_unsubscribe_between_two_batches_wins(shop, smtp_server, monkeypatch):
    people = [subscriber(shop, f"p{n}@example.com") for n in range(6)]
    campaign = draft(shop, [group(shop, people)])
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    send_batch = pipeline.send_batch
    batches = []

    def then_the_last_one_unsubscribes(batch, **kwargs):
        counts = send_batch(batch, **kwargs)
        batches.append(len(batch))
        if len(batches) == 1:
            consent_withdraw(contact=people[-1], source="one_click")
        return counts

    monkeypatch.setattr(pipeline, "send_batch", then_the_last_one_unsubscribes)
    campaign_send(campaign=campaign, actor=None)
    work()

    assert batches == [2, 2, 2]
    assert people[-1].email not in addresses(smtp_server)
    assert len(addresses(smtp_server)) == 5
    stats = campaign_stats(campaign=Campaign.objects.get(pk=campaign.pk))
    assert (stats["sent"], stats["skipped"]) == (5, 1)


def test_a_canceled_scheduled_campaign_sends_nothing(shop, smtp_server):
    zoe = subscriber(shop, "zoe@example.com")
    campaign = draft(shop, [group(shop, [zoe])])
    send_at = timezone.now() + dt.timedelta(minutes=30)
    campaign_schedule(campaign=campaign, send_at=send_at, actor=None)
    campaign_cancel(campaign=campaign, actor=None)
    with clock.at(send_at + dt.timedelta(hours=1)):
        work()
    assert smtp_server.received == []
    assert Campaign.objects.get(pk=campaign.pk).status == "canceled"
    with pytest.raises(ServiceError) as refused:
        campaign_send(campaign=campaign, actor=None)
    assert refused.value.code == "campaign_not_editable"


def test_canceling_during_the_send_stops_what_has_not_gone(shop, smtp_server, monkeypatch):
    people = [subscriber(shop, f"p{n}@example.com") for n in range(6)]
    campaign = draft(shop, [group(shop, people)])
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    send_batch = pipeline.send_batch

    def cancel_after_the_first_batch(batch, **kwargs):
        counts = send_batch(batch, **kwargs)
        campaign_cancel(campaign=Campaign.objects.get(pk=campaign.pk), actor=None)
        return counts

    monkeypatch.setattr(pipeline, "send_batch", cancel_after_the_first_batch)
    campaign_send(campaign=campaign, actor=None)
    work()

    assert len(smtp_server.received) == 2
    stats = campaign_stats(campaign=Campaign.objects.get(pk=campaign.pk))
    assert stats["sent"] == 2 and stats["recipients"] == 2  # the canceled are not recipients


def test_an_unknown_personalisation_tag_is_refused_when_saving(shop):
    zoe = subscriber(shop, "zoe@example.com")
    with pytest.raises(ServiceError) as refused:
        draft(shop, [group(shop, [zoe])], body_markdown="Bonjour {{ prenom }} !")
    assert refused.value.code == "invalid_template"
    assert "prenom" in refused.value.message
    campaign = draft(shop, [group(shop, [zoe], name="Autre")])
    with pytest.raises(ServiceError):
        campaign_update(campaign=campaign, subject="Salut {{ first_name")
    assert Campaign.objects.get(pk=campaign.pk).subject.startswith("Du nouveau")


def test_a_temporary_refusal_is_tried_again_later_and_a_permanent_one_fails(
    shop, smtp_server, monkeypatch
):
    later = subscriber(shop, "later@example.com")
    never = subscriber(shop, "never@example.com")
    refusals = {"later@example.com": ["451 4.7.1 Try again later"]}

    async def picky_rcpt(inbox, server, session, envelope, address, rcpt_options):
        if address == "never@example.com":
            return "550 5.1.1 No such user"
        if refusals.get(address):
            return refusals[address].pop()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(type(smtp_server), "handle_RCPT", picky_rcpt, raising=False)
    campaign = draft(shop, [group(shop, [later, never])])
    campaign_send(campaign=campaign, actor=None)
    work()

    assert smtp_server.received == []
    waiting = Delivery.objects.get(contact=later)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert Delivery.objects.get(contact=never).status == "failed"
    assert Campaign.objects.get(pk=campaign.pk).status == "sending"

    with clock.at(waiting.retry_at + dt.timedelta(seconds=1)):
        work()
    assert addresses(smtp_server) == Counter({"later@example.com": 1})
    campaign.refresh_from_db()
    assert campaign.status == "sent"
    stats = campaign_stats(campaign=campaign)
    assert (stats["sent"], stats["failed"]) == (1, 1)


def test_the_rate_limit_holds_back_what_exceeds_a_minute(shop, smtp_server):
    shop.send_rate_per_minute = 3
    shop.save(update_fields=["send_rate_per_minute"])
    people = [subscriber(shop, f"p{n}@example.com") for n in range(5)]
    campaign = draft(shop, [group(shop, people)])
    campaign_send(campaign=campaign, actor=None)
    work()
    assert len(smtp_server.received) == 3
    assert Campaign.objects.get(pk=campaign.pk).status == "sending"
    Delivery.objects.filter(status="sent").update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    work()
    assert len(addresses(smtp_server)) == 5


def test_a_lost_batch_is_sealed_sent_before_the_wire_unknown_on_it_queued_after(shop):
    people = [subscriber(shop, f"p{n}@example.com") for n in range(3)]
    campaign = draft(shop, [group(shop, people)])
    campaign_send(campaign=campaign, actor=None)
    campaign = campaign_start(campaign=campaign)
    accepted, on_the_wire, untouched = Delivery.objects.filter(
        mailing=campaign.mailing_id
    ).order_by("pk")
    dead = leases.holder(pid=2**22 + 1)  # no such process on this machine
    Delivery.objects.filter(pk__in=[accepted.pk, on_the_wire.pk]).update(
        status="sending", claim="lost", claimed_by=dead, claimed_at=timezone.now()
    )
    Delivery.objects.filter(pk=untouched.pk).update(
        status="claimed", claim="lost", claimed_by=dead, claimed_at=timezone.now()
    )

    assert pipeline.recover_lost() == 3

    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {accepted.pk: "sent", on_the_wire.pk: "unknown", untouched.pk: "queued"}
    assert ContactEvent.objects.filter(kind="email_sent", contact=accepted.contact).exists()
    assert not ContactEvent.objects.filter(kind="email_sent", contact=on_the_wire.contact).exists()
