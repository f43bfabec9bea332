"""Several workers at once on PostgreSQL: each reminder is claimed by one and sent once."""

import datetime as dt
from collections import Counter

import pytest
from django.db import connection

from comptoir.automations.models import ScheduledSend
from tests.automations.helpers import cart, product, reminders_on, soon, work_at
from tests.campaigns.helpers import business, subscriber
from tests.commerce.test_concurrency import run_together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers itself; SKIP LOCKED claims only race on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_three_workers_at_once_send_each_reminder_once(workspace, smtp_server):
    shop = business(workspace)
    product(shop)
    reminders_on(shop, delay_minutes=30)
    updated = soon()
    people = [subscriber(shop, f"p{n}@example.com").email for n in range(40)]
    for n, email in enumerate(people):
        cart(shop, f"c-{n}", updated_at=updated, email=email)
    due = updated + dt.timedelta(minutes=30)

    run_together([lambda: work_at(due) for _ in range(3)])

    sent = Counter(r for received in smtp_server.received for r in received.recipients)
    assert sent == Counter({email: 1 for email in people})
    assert set(ScheduledSend.objects.values_list("status", flat=True)) == {"sent"}
