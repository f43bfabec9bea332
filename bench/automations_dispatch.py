"""Abandoned-cart reminders against the campaign pipeline (issue 12), on PostgreSQL.

In one process, on a fresh database of its own:

1. CARTS subscribers, each with a cart sent through `commerce.services.cart_upsert` while
   the reminder is active (the scheduling hook runs after each commit): the cost of a new
   cart, then of UPDATES later changes of the same carts (each moves its reminder);
2. a campaign to all of them, sent by the worker (`run_once`) into a local aiosmtpd sink:
   messages per second of the campaign pipeline;
3. the CARTS reminders, all due at one instant, sent by `comptoir worker --once --at T`
   (`clock.at(T)` + `run_once`) into the same sink: messages per second.

Target: reminders at ≥ 50 % of the campaign rate of the same run.

    .venv/bin/python bench/automations_dispatch.py [--carts 10000] [--updates 5000]
        [--database-url postgres://…/comptoir_bench_automations] [--label NAME]
"""

import argparse
import datetime as dt
import random
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402 - beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_automations"


def fresh_database(url: str) -> None:
    import psycopg

    common.check_not_protected(url)
    name = common.database_name(url)
    if name == "comptoir_bench" or not name:
        sys.exit(f"refusing to use the database {name!r}: give the benchmark one of its own")
    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Sink:
    """An SMTP server that only counts what it accepts."""

    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += len(envelope.rcpt_tos)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--carts", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=5_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--label")
    args = parser.parse_args()

    fresh_database(args.database_url)
    common.migrate(args.database_url)
    common.setup_django(args.database_url)

    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.utils import timezone

    from comptoir.automations.models import ScheduledSend
    from comptoir.automations.services import abandoned_cart_configure
    from comptoir.campaigns.services import campaign_create, campaign_send
    from comptoir.commerce import services as commerce
    from comptoir.contacts import normalize
    from comptoir.contacts.models import Contact
    from comptoir.core import clock
    from comptoir.core.models import User, Workspace
    from comptoir.core.services import workspace_create
    from comptoir.core.worker import run_once

    owner = User.objects.create_user(common.BENCH_OWNER, "bench-password")
    workspace = workspace_create(name="Bench", owner=owner)
    Workspace.objects.filter(pk=workspace.pk).update(
        send_rate_per_minute=1_000_000, sender_email="news@bench.example"
    )
    workspace.refresh_from_db()
    # Subscribers straight into the table: the ledger's cost is not what is measured here.
    emails = [f"customer{n}@bench.example" for n in range(args.carts)]
    Contact.objects.bulk_create(
        [
            Contact(
                workspace=workspace,
                email=e,
                email_key=normalize.email_key(e),
                consent=Contact.Consent.SUBSCRIBED,
            )
            for e in emails
        ],
        batch_size=2000,
    )
    commerce.product_upsert(
        workspace=workspace,
        external_id="p-1",
        data={"name": "Comté 24 mois", "price": "20.00", "image_url": "https://shop.example/c.jpg"},
    )
    abandoned_cart_configure(
        workspace=workspace,
        actor=None,
        enabled=True,
        delay_minutes=60,
        reminder_enabled=False,
        reminder_after_minutes=1440,
    )
    changed = timezone.now() + dt.timedelta(minutes=1)

    def put(n: int, quantity: int, at: dt.datetime) -> None:
        commerce.cart_upsert(
            workspace=workspace,
            token=f"cart-{n}",
            data={
                "email": emails[n],
                "items": [{"product_id": "p-1", "quantity": quantity, "price": "20.00"}],
                "recovery_url": f"https://shop.example/cart/{n}",
                "updated_at": at.isoformat(),
            },
        )

    started = time.perf_counter()
    for n in range(args.carts):
        put(n, 1, changed)
    created_s = time.perf_counter() - started
    rng = random.Random(12)
    later = changed + dt.timedelta(minutes=5)
    started = time.perf_counter()
    for _ in range(args.updates):
        put(rng.randrange(args.carts), rng.randint(2, 5), later)
        later += dt.timedelta(milliseconds=1)
    updated_s = time.perf_counter() - started
    waiting = ScheduledSend.objects.filter(status="waiting").count()
    assert waiting == args.carts, waiting

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "comptoir.mail.backends.SmtpBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    try:
        campaign = campaign_create(
            workspace=workspace,
            actor=None,
            name="Bench",
            subject="Du nouveau",
            body_markdown="Bonjour {{ first_name|à vous }}, [la boutique](https://shop.example/)",
            segment_ids=["subscribers"],
        )
        campaign_send(campaign=campaign, actor=None)
        started = time.perf_counter()
        while sink.count < args.carts:
            run_once()
        campaign_s = time.perf_counter() - started

        due = later + dt.timedelta(minutes=61)
        before = sink.count
        started = time.perf_counter()
        with clock.at(due):
            while sink.count - before < args.carts:
                run_once()
        reminders_s = time.perf_counter() - started
        reminders = sink.count - before
    finally:
        controller.stop()

    campaign_rate = args.carts / campaign_s
    reminder_rate = reminders / reminders_s
    data = {
        "revision": common.git_revision(),
        "machine": common.machine(),
        "carts": args.carts,
        "updates": args.updates,
        "cart_create_ms_each": round(1000 * created_s / args.carts, 3),
        "cart_update_ms_each": round(1000 * updated_s / max(1, args.updates), 3),
        "campaign_messages_per_s": round(campaign_rate, 1),
        "reminder_messages_per_s": round(reminder_rate, 1),
        "ratio": round(reminder_rate / campaign_rate, 3),
        "target_ratio": 0.5,
    }
    update_ms = data["cart_update_ms_each"]
    per_hour = 3_600_000 / update_ms
    markdown = f"""# Abandoned-cart reminders vs. campaign pipeline ({args.carts:,} carts)

revision {data["revision"]}, {data["machine"]["cpus"]} CPUs, PostgreSQL, aiosmtpd sink in-process

| measure | value |
| --- | --- |
| new cart (upsert + scheduling hook) | {data["cart_create_ms_each"]} ms each |
| cart update (upsert + reminder moved) | {update_ms} ms each → {per_hour:,.0f}/hour, 1 process |
| campaign to {args.carts:,} subscribers | {data["campaign_messages_per_s"]} messages/s |
| {args.carts:,} reminders due at one instant | {data["reminder_messages_per_s"]} messages/s |
| ratio (target ≥ 0.5) | {data["ratio"]} |
"""
    path = common.write_results("automations_dispatch", data, markdown, args.label)
    print(markdown)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
