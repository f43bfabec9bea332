"""Several batches of one campaign sent at once by one worker (COMPTOIR_SEND_CONNECTIONS,
PostgreSQL): everybody once, and the workspace's rate still holds across the lanes."""

import threading
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from comptoir.campaigns.services import campaign_send
from comptoir.core.models import Workspace
from comptoir.mail import pipeline
from comptoir.mail.models import Delivery
from tests.campaigns.helpers import business, draft, group, subscriber, work
from tests.mailserver import Inbox, free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="SQLite takes one writer at a time: one lane"
    ),
]
PEOPLE = 4 * pipeline.BATCH_SIZE


class CountingInbox(Inbox):
    """Remembers how many SMTP sessions were open at the same time."""

    def __init__(self):
        super().__init__()
        self.open = 0
        self.most_open = 0
        self.lock = threading.Lock()

    async def handle_HELO(self, server, session, envelope, hostname):
        return await self.handle_EHLO(server, session, envelope, hostname, [])

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.open += 1
            self.most_open = max(self.most_open, self.open)
        session.host_name = hostname
        return responses or ["250 HELP"]

    async def handle_QUIT(self, server, session, envelope):
        with self.lock:
            self.open -= 1
        return "221 Bye"


@pytest.fixture
def relay(settings):
    inbox = CountingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "comptoir.mail.backends.SmtpBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.COMPTOIR_SEND_CONNECTIONS = 3
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def campaign(workspace, settings):
    settings.COMPTOIR_BASE_URL = "https://comptoir.example"
    shop = business(workspace)
    people = [subscriber(shop, f"p{n}@example.com") for n in range(PEOPLE)]
    return draft(shop, [group(shop, people)])


def test_lanes_send_everybody_once_over_connections_open_at_the_same_time(campaign, relay):
    campaign_send(campaign=campaign, actor=None)
    work()
    received = Counter(r for message in relay.received for r in message.recipients)
    assert len(received) == PEOPLE and set(received.values()) == {1}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert relay.most_open >= 2  # the lanes overlapped, they did not take turns


def test_the_rate_limit_holds_across_lanes(campaign, relay):
    Workspace.objects.filter(pk=campaign.workspace_id).update(send_rate_per_minute=70)
    campaign_send(campaign=campaign, actor=None)
    work()
    # Three lanes could each have claimed a batch of 50 at once: only 70 may go this minute.
    assert len(relay.received) == 70
    assert Delivery.objects.filter(status="sent").count() == 70
    assert Delivery.objects.filter(status="queued").count() == PEOPLE - 70
