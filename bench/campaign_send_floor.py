"""What each part of sending a campaign costs on this machine (issue 11's floor).

`campaign_send.py` compares the worker with a raw `smtplib` blast of one ready message. This
script measures, in one run and over the same number of connections (threads of one
process, as the worker's send lanes are), how far each part the promise needs brings the
blast down:

1. **blast**: the ready message, `smtplib` only (the network and the sink alone);
2. **+ mark**: before each message, the at-most-once record the pipeline writes — one
   UPDATE of its `mail_delivery` row, committed — on a database connection per lane;
3. **+ render**: each message rendered for its contact and turned into MIME (signed, with
   `--dkim`) as the pipeline does, then marked and sent;
4. **worker**: `comptoir worker --once` sending the same audience, claims, consent check
   and seals included.

    .venv/bin/python bench/campaign_send_floor.py [--contacts 20000] [--dkim] [--label NAME]

Writes bench/results/campaign_send_floor[-label]-<date>.json and .md.
"""

import argparse
import json
import os
import smtplib
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import campaign_send  # noqa: E402 - beside this script
import common  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_floor"


def lanes(work, items: list, connections: int, per_connection: int) -> float:
    """`work(chunk)` for chunks of `per_connection` items, `connections` chunks at once."""
    chunks = [items[i : i + per_connection] for i in range(0, len(items), per_connection)]
    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(work, chunks))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--dkim", action="store_true", help="sign every message (2048-bit RSA)")
    parser.add_argument("--label")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    port = campaign_send.free_port()
    env = {
        "COMPTOIR_DATABASE_URL": args.database_url,
        "COMPTOIR_EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "COMPTOIR_BASE_URL": "https://comptoir.example",
        "COMPTOIR_SEND_CONNECTIONS": str(args.connections),
    }
    if args.dkim:
        key = campaign_send.dkim_key(Path(tmp.name))
        env.update(COMPTOIR_DKIM_DOMAIN="epicerie.example", COMPTOIR_DKIM_KEY_FILE=str(key))
    os.environ.update(env)
    campaign_send.fresh_database(args.database_url)
    common.migrate(args.database_url)
    common.setup_django(args.database_url)

    from django.db import connection as db
    from django.utils import timezone

    from comptoir.mail import pipeline
    from comptoir.mail.backends import wire_bytes
    from comptoir.mail.models import Delivery

    print(f"filling {args.contacts:,} subscribed contacts …", flush=True)
    workspace = campaign_send.fill(args.contacts)
    sink = campaign_send.start_sink(port)
    # Signed when DKIM is on: wire_bytes signs as the SMTP backend does.
    sender, raw = campaign_send.sample_message(workspace)
    campaign_id, _freeze_s, frozen = campaign_send.freeze(workspace)
    deliveries = list(
        Delivery.objects.filter(mailing__isnull=False).select_related("contact").order_by("pk")
    )
    pipeline._share_parents(deliveries)
    content = pipeline.content_of(deliveries[0])
    table = Delivery._meta.db_table
    per_connection = pipeline.BATCH_SIZE

    def blast(chunk):
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for delivery in chunk:
                smtp.sendmail(sender, [delivery.contact.email], raw)

    def mark(delivery_id: int, message_id: str, links: list) -> None:
        # The pipeline's at-most-once record, as it writes it (mail.pipeline._mark_sending).
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s, message_id = %s, links = %s WHERE id = %s",  # noqa: S608
                [Delivery.Status.SENDING, message_id, json.dumps(links), delivery_id],
            )

    def marked(chunk):
        try:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for delivery in chunk:
                    mark(delivery.pk, f"<{delivery.pk}@bench>", [])
                    smtp.sendmail(sender, [delivery.contact.email], raw)
        finally:
            db.close()

    def rendered(chunk):
        try:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for delivery in chunk:
                    unsubscribe = pipeline._unsubscribe_link(delivery)
                    page = pipeline.render_delivery(delivery, content, unsubscribe)
                    message = pipeline.build_message(
                        workspace=workspace,
                        contact=delivery.contact,
                        rendered=page,
                        unsubscribe=unsubscribe,
                        delivery_id=delivery.pk,
                    )
                    data = wire_bytes(message)
                    mark(delivery.pk, message.extra_headers["Message-ID"], page.links)
                    smtp.sendmail(sender, [delivery.contact.email], data)
        finally:
            db.close()

    runs = {}
    for label, work in (("blast", blast), ("+ mark", marked), ("+ render", rendered)):
        print(f"{label} …", flush=True)
        seconds = lanes(work, deliveries, args.connections, per_connection)
        runs[label] = round(args.contacts / seconds)
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            status=Delivery.Status.QUEUED, message_id="", links=[]
        )
    print("worker …", flush=True)
    worker_s, _rss = campaign_send.workers_once({**os.environ, **env}, 1)
    sent = Delivery.objects.filter(mailing__isnull=False, status=Delivery.Status.SENT).count()
    runs["worker"] = round(sent / worker_s)
    print("blast again …", flush=True)
    second = lanes(blast, deliveries, args.connections, per_connection)
    campaign_send.stop_sink(sink)
    tmp.cleanup()

    raw_rate = (runs["blast"] + args.contacts / second) / 2
    results = {
        "contacts": frozen,
        "connections": args.connections,
        "dkim": args.dkim,
        "campaign": campaign_id,
        "rates_per_s": runs,
        "blast_again_per_s": round(args.contacts / second),
        "ratios_to_mean_blast": {k: round(v / raw_rate, 3) for k, v in runs.items()},
        "machine": common.machine(),
        "revision": common.git_revision(),
        "at": timezone.now().isoformat(),
    }
    lines = [
        f"# Campaign send, part by part: {frozen:,} messages, {args.connections} connections"
        + (", DKIM" if args.dkim else ""),
        "",
        f"Revision {results['revision']}. Ratios to the mean of the first and the last blast "
        f"({raw_rate:,.0f} msg/s; the last ran at {results['blast_again_per_s']:,}/s).",
        "",
        "| run | rate | ratio |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {label} | {rate:,}/s | {results['ratios_to_mean_blast'][label]:.0%} |"
        for label, rate in runs.items()
    ]
    path = common.write_results("campaign_send_floor", results, "\n".join(lines), args.label)
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
