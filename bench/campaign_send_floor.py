"""What each part of sending a campaign costs on this machine (issue 11's floor).

`campaign_send.py` compares the worker with a raw `smtplib` blast of one ready message. This
script measures, in one run and over the same number of connections (threads of one
process, as the worker's send lanes are), how far each part the promise needs brings the
blast down:

1. **blast**: the ready message, `smtplib` only (the network and the sink alone);
2. **+ mark**: before each message, the at-most-once record the pipeline writes — one
   UPDATE of its `mail_delivery` row, committed — on a database connection per lane;
   **+ mark, flush not awaited**: the same with `synchronous_commit = off` on the lane's
   connection, to tell the wait for the WAL flush from the rest of the statement's cost;
   **+ mark, no index touched**: an UPDATE that leaves `status` (and every other indexed
   column) alone, so that PostgreSQL can make it a HOT update — with `--fillfactor`, the
   table's pages keep the room that takes; **+ one mark for five messages**: what marking
   several messages at once would buy (it would weaken the promise: see the findings);
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
import resource
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


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # ended meanwhile
        return []


def cpu_seconds(pids) -> float:
    """User and system CPU the processes `pids` have used so far (from /proc)."""
    total = 0
    for pid in pids:
        if fields := _stat(pid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def postgresql_cpu() -> float:
    """Every PostgreSQL process's CPU so far: the live ones, and through the postmaster's
    children's times, the backends that ended (a lane's connection closes with its batch)."""
    live = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _comm(entry) == "postgres"
    ]
    ended = 0
    for pid in live:
        fields = _stat(pid)
        if fields and int(fields[1]) not in live:  # the postmaster: its parent is not postgres
            ended += int(fields[13]) + int(fields[14])  # cutime, cstime
    return cpu_seconds(live) + ended / TICK


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


class CpuShares:
    """CPU per message of the sender, the sink and PostgreSQL over one run: on two cores
    shared by all three, what each costs says where a faster send has to come from."""

    def __init__(self, sink_pid: int):
        self.sink_pid = sink_pid

    def __enter__(self):
        self.start = (postgresql_cpu(), cpu_seconds([self.sink_pid]), _own_cpu())
        return self

    def stop(self, messages: int, sender_cpu: float | None = None) -> dict:
        pg, sink, own = (postgresql_cpu(), cpu_seconds([self.sink_pid]), _own_cpu())
        sender = own - self.start[2] if sender_cpu is None else sender_cpu
        return {
            "sender_ms": round(sender / messages * 1000, 3),
            "sink_ms": round((sink - self.start[1]) / messages * 1000, 3),
            "postgresql_ms": round((pg - self.start[0]) / messages * 1000, 3),
        }

    def __exit__(self, *exc):
        return False


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
    parser.add_argument(
        "--fillfactor", type=int, help="mail_delivery's fill factor (PostgreSQL's default: 100)"
    )
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
    if args.fillfactor:
        with db.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE {Delivery._meta.db_table} SET (fillfactor = {int(args.fillfactor)})"
            )
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

    def mark_hot(delivery_id: int, message_id: str, links: list) -> None:
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET message_id = %s, links = %s WHERE id = %s",  # noqa: S608
                [message_id, json.dumps(links), delivery_id],
            )

    def marked(chunk, flush=True, record=mark):
        try:
            if not flush:
                with db.cursor() as cursor:
                    cursor.execute("SET synchronous_commit = off")
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for delivery in chunk:
                    record(delivery.pk, f"<{delivery.pk}@bench>", [])
                    smtp.sendmail(sender, [delivery.contact.email], raw)
        finally:
            db.close()

    def marked_by_fives(chunk):
        # Option 4 of the findings: one mark for five messages (after a crash, up to five
        # per lane would be "unknown" instead of one).
        try:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for start in range(0, len(chunk), 5):
                    five = chunk[start : start + 5]
                    with db.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET status = %s WHERE id = ANY(%s)",  # noqa: S608
                            [Delivery.Status.SENDING, [d.pk for d in five]],
                        )
                    for delivery in five:
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
    steps = (
        ("blast", blast),
        ("+ mark", marked),
        ("+ mark, flush not awaited", lambda chunk: marked(chunk, flush=False)),
        ("+ mark, no index touched", lambda chunk: marked(chunk, record=mark_hot)),
        ("+ one mark for five messages", marked_by_fives),
        ("+ render", rendered),
    )
    cpu = {}
    for label, work in steps:
        print(f"{label} …", flush=True)
        with CpuShares(sink.pid) as shares:
            seconds = lanes(work, deliveries, args.connections, per_connection)
            cpu[label] = shares.stop(args.contacts)
        runs[label] = round(args.contacts / seconds)
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            status=Delivery.Status.QUEUED, message_id="", links=[]
        )
    print("worker …", flush=True)
    with CpuShares(sink.pid) as shares:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_s, _rss = campaign_send.workers_once({**os.environ, **env}, 1)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sent = Delivery.objects.filter(mailing__isnull=False, status=Delivery.Status.SENT).count()
        worker_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        cpu["worker"] = shares.stop(sent, sender_cpu=worker_cpu)
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
        "cpu_ms_per_message": cpu,
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
        "CPU per message, in ms: the sending process (the bench's threads, or the worker), "
        "the SMTP sink, and every PostgreSQL process together.",
        "",
        "| run | rate | ratio | sender CPU | sink CPU | PostgreSQL CPU |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {label} | {rate:,}/s | {results['ratios_to_mean_blast'][label]:.0%} "
        f"| {cpu[label]['sender_ms']} | {cpu[label]['sink_ms']} | {cpu[label]['postgresql_ms']} |"
        for label, rate in runs.items()
    ]
    path = common.write_results("campaign_send_floor", results, "\n".join(lines), args.label)
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
