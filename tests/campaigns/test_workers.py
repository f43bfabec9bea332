"""E4 with real processes: a worker killed (SIGKILL) mid-send, and two workers running the
same campaign at once. Nobody gets it twice; everybody else gets it once. Real `comptoir
worker` processes, a real SMTP server (aiosmtpd), on the engine of the test run."""

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from aiosmtpd.controller import Controller

from tests.core.test_worker_redis import redis_answers
from tests.mailserver import Inbox, free_port
from tests.processes import ChildDatabase, comptoir_env, python_in_comptoir, run_comptoir, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PEOPLE = 300
CAMPAIGN_REDIS_URL = "redis://127.0.0.1:6379/13"
# Batches a worker sends at once on PostgreSQL (SQLite sends one at a time).
LANES = 3


class SlowInbox(Inbox):
    """A relay that takes a few milliseconds a message, so that a kill lands mid-send."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def relay():
    inbox = SlowInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def prepare(tmp_path, database, port, **extra) -> tuple:
    var = tmp_path / "var"
    env = {
        **extra,
        "COMPTOIR_DATABASE_URL": database.url,
        "COMPTOIR_EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "COMPTOIR_TASK_LEASE_SECONDS": "3",
        "COMPTOIR_SEND_CONNECTIONS": str(LANES),
    }
    assert run_comptoir(var, "migrate", "-v0", **env).returncode == 0
    created = run_comptoir(
        var, "workspace", "create", "--name", "Chez Zoé", "--owner-email",
        "zoe@example.com", "--password", "a long enough password", **env,
    )  # fmt: skip
    slug = created.stdout.strip().splitlines()[-1]
    campaign_id = python_in_comptoir(
        var,
        "from comptoir.campaigns.services import campaign_create, campaign_send\n"
        "from comptoir.consent.services import consent_subscribe\n"
        "from comptoir.contacts.services import contact_create, segment_create\n"
        "from comptoir.core.models import Workspace\n"
        f"workspace = Workspace.objects.get(slug={slug!r})\n"
        "ids = []\n"
        f"for n in range({PEOPLE}):\n"
        "    contact = contact_create(workspace=workspace, actor=None,"
        " email=f'p{n}@example.com')\n"
        "    consent_subscribe(contact=contact, source='pos', explicit_consent_confirmed=True)\n"
        "    ids.append(contact.pk)\n"
        "group = segment_create(workspace=workspace, name='Tous', actor=None, kind='static',"
        " contact_ids=ids)\n"
        "campaign = campaign_create(workspace=workspace, actor=None, name='Soldes',"
        " subject='Soldes', body_markdown='Bonjour {{ first_name|default:\"ami\" }}',"
        " segment_ids=[str(group.pk)])\n"
        "campaign_send(campaign=campaign, actor=None)\n"
        "print(campaign.pk)",
        **env,
    )
    return var, env, int(campaign_id)


def start_worker(var, env, log_path):
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "comptoir", "worker", "--interval", "0.2"],
            env=comptoir_env(var, **env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop(worker) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def delivery_counts(database, campaign_id) -> dict[str, int]:
    rows = database.rows(
        "SELECT d.status, COUNT(*) FROM mail_delivery d "
        "JOIN campaigns_campaign c ON c.mailing_id = d.mailing_id WHERE c.id = %s "
        "GROUP BY d.status",
        campaign_id,
    )
    return dict(rows)


def test_a_worker_killed_mid_send_sends_nobody_twice_and_the_next_one_finishes(tmp_path, relay):
    inbox, port = relay
    with ChildDatabase(tmp_path) as database:
        var, env, campaign_id = prepare(tmp_path, database, port)
        logs = tmp_path / "worker.log"
        worker = start_worker(var, env, logs)
        try:
            wait_for(
                lambda: len(inbox.received) >= 60,
                what="the send under way",
                process=worker,
                logs=logs,
            )
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            stop(worker)
        got_before = len(inbox.received)
        if got_before >= PEOPLE:
            pytest.fail("the campaign ended before the kill: make the relay slower")

        finished = run_comptoir(var, "worker", "--once", **env)
        assert finished.returncode == 0, finished.stderr

        received = Counter(r for message in inbox.received for r in message.recipients)
        assert max(received.values()) == 1, "somebody got the campaign twice"
        counts = delivery_counts(database, campaign_id)
        # The message on the wire of each connection at the kill is of unknown fate,
        # never sent again.
        lanes = 1 if database.url.startswith("sqlite") else LANES
        assert counts.get("unknown", 0) <= lanes
        assert counts["sent"] + counts.get("unknown", 0) == PEOPLE
        assert counts["sent"] <= len(received) <= counts["sent"] + counts.get("unknown", 0)
        assert database.one("SELECT status FROM campaigns_campaign WHERE id = %s", campaign_id) == (
            "sent",
        )
        assert "lost mid-batch" in finished.stderr


@pytest.mark.parametrize("jobs", ["database", "redis"])
def test_two_workers_on_one_campaign_send_each_message_once(tmp_path, relay, jobs):
    inbox, port = relay
    extra = {}
    if jobs == "redis":
        if not redis_answers():
            if os.environ.get("CI") == "true":
                pytest.fail("Redis at 127.0.0.1:6379 is unreachable")
            pytest.skip("Redis at 127.0.0.1:6379 is unreachable")
        import redis

        # Database 13 belongs to this test: start from an empty queue.
        redis.Redis.from_url(CAMPAIGN_REDIS_URL).flushdb()
        extra = {"COMPTOIR_REDIS_URL": CAMPAIGN_REDIS_URL}
    with ChildDatabase(tmp_path) as database:
        var, env, campaign_id = prepare(tmp_path, database, port, **extra)
        logs = tmp_path / "workers.log"
        workers = [start_worker(var, env, logs) for _ in range(2)]
        try:
            wait_for(
                lambda: (
                    database.one(
                        "SELECT status FROM campaigns_campaign WHERE id = %s", campaign_id
                    )[0]
                    == "sent"
                ),
                what="the campaign sent",
                logs=logs,
            )
        finally:
            for worker in workers:
                stop(worker)
        received = Counter(r for message in inbox.received for r in message.recipients)
        assert len(received) == PEOPLE and set(received.values()) == {1}
        assert delivery_counts(database, campaign_id) == {"sent": PEOPLE}
        # Both took part: the claims are shared, not serialised behind one worker.
        holders = database.rows(
            "SELECT COUNT(DISTINCT claimed_by) FROM mail_delivery WHERE status = 'sent'"
        )
        assert holders[0][0] == 2
