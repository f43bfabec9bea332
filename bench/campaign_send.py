"""Sending a campaign to 100,000 subscribed contacts into a local SMTP sink (issue 11).

On a fresh PostgreSQL database of its own:

1. a raw blast: the same number of already-rendered messages sent with plain `smtplib`
   over the same number of connections as the pipeline opens (one per batch) — the floor
   that the network and the sink alone cost;
2. the audience freeze of a campaign to every subscriber (`campaign_start`), timed;
3. `comptoir worker --once` sending it, timed from the outside, with the worker's peak
   RSS (wait4);
4. 2 and 3 again with DKIM signing (a 2048-bit RSA key), and a second raw blast, so that
   the ratio uses the mean of both blasts (the machine is shared: its load drifts).

Target: Comptoir's rate ≥ 50 % of the raw blast, with and without DKIM; a freeze of 100,000
contacts under 5 s; flat worker memory.

    .venv/bin/python bench/campaign_send.py [--contacts 100000] [--label NAME]

Writes bench/results/campaign_send[-label]-<date>.json and .md.
"""

import argparse
import os
import resource
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import common  # noqa: E402 - beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_campaign"
BODY = """# Les nouveautés de décembre

Bonjour {{ first_name|default:"ami" }},

Le **comté 24 mois** est arrivé, et nos paniers de fêtes sont prêts.
[Voir la boutique](https://shop.example/noel)

- Comté 24 mois, 32 € le kilo
- Panier gourmand, 45 €

À très vite au comptoir !
"""


def fresh_database(url: str) -> None:
    import psycopg

    common.check_not_protected(url)
    name = common.database_name(url)
    with psycopg.connect(common.maintenance_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, str(BENCH_DIR / "smtp_sink.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    return sink


def stop_sink(sink: subprocess.Popen) -> tuple[int, int]:
    sink.terminate()
    out, _ = sink.communicate(timeout=60)
    messages, recipients = out.split()[-2:]
    return int(messages), int(recipients)


def fill(contacts: int):
    """A workspace with `contacts` subscribed contacts (bulk, as an import leaves them)."""
    from comptoir.contacts.models import Contact
    from comptoir.core.models import User
    from comptoir.core.services import workspace_create, workspace_update

    owner = User.objects.create_user(common.BENCH_OWNER, "bench-password")
    workspace = workspace_create(name="Épicerie du banc", owner=owner)
    workspace = workspace_update(
        workspace=workspace,
        postal_address="12 rue des Martyrs\n75009 Paris",
        sender_email="news@epicerie.example",
    )
    workspace.send_rate_per_minute = 1_000_000
    workspace.save(update_fields=["send_rate_per_minute"])
    rows = (
        Contact(
            workspace=workspace,
            email=f"client{n}@example.com",
            email_key=f"client{n}@example.com",
            first_name=f"Client{n}",
            consent=Contact.Consent.SUBSCRIBED,
        )
        for n in range(contacts)
    )
    Contact.objects.bulk_create(rows, batch_size=5000)
    return workspace


def sample_message(workspace) -> tuple[str, bytes]:
    from comptoir.contacts.models import Contact
    from comptoir.mail import pipeline
    from comptoir.mail.backends import wire_bytes

    contact = Contact.objects.filter(workspace=workspace).first()
    content = pipeline.Content(subject="Les nouveautés de décembre", body_markdown=BODY)
    rendered = pipeline.render_message(
        contact=contact,
        subject=content.subject,
        body_markdown=content.body_markdown,
        unsubscribe_url="https://comptoir.example/u/x/",
    )
    message = pipeline.build_message(
        workspace=workspace,
        contact=contact,
        rendered=rendered,
        unsubscribe="https://comptoir.example/u/x/",
        delivery_id=1,
    )
    return workspace.from_email, wire_bytes(message)


def raw_blast(
    port: int, sender: str, raw: bytes, count: int, per_connection: int, connections: int
) -> float:
    """`count` ready messages, `per_connection` per connection, on `connections` at once
    (as many as the worker's send lanes)."""
    from concurrent.futures import ThreadPoolExecutor

    def lane(share: range) -> None:
        for start in range(share.start, share.stop, per_connection):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for n in range(start, min(start + per_connection, share.stop)):
                    smtp.sendmail(sender, [f"client{n}@example.com"], raw)

    step = -(-count // connections)
    shares = [range(i, min(i + step, count)) for i in range(0, count, step)]
    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        list(pool.map(lane, shares))
    return time.perf_counter() - started


def freeze(workspace) -> tuple[int, float, int]:
    from comptoir.campaigns.models import Campaign
    from comptoir.campaigns.services import campaign_create, campaign_send, campaign_start

    campaign = campaign_create(
        workspace=workspace,
        actor=None,
        name=f"Bench {time.time()}",
        subject='Les nouveautés de décembre, {{ first_name|default:"ami" }}',
        body_markdown=BODY,
        segment_ids=["subscribers"],
    )
    campaign_send(campaign=campaign, actor=None)
    started = time.perf_counter()
    campaign = campaign_start(campaign=Campaign.objects.get(pk=campaign.pk))
    elapsed = time.perf_counter() - started
    return campaign.pk, elapsed, campaign.mailing.deliveries.count()


def workers_once(env: dict, count: int) -> tuple[float, float]:
    """`count` processes of `comptoir worker --once` on the campaign at once, timed from
    the outside until the last one ends; the largest peak RSS of them (wait4)."""
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "comptoir", "worker", "--once"], env=env, cwd=common.ROOT
        )
        for _ in range(count)
    ]
    peak = 0.0
    for worker in workers:
        _pid, status, usage = os.wait4(worker.pid, 0)
        if status:
            sys.exit(f"a worker failed with status {status}")
        peak = max(peak, usage.ru_maxrss / 1024)
    return time.perf_counter() - started, peak


def dkim_key(directory: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = directory / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--label")
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="the worker's send lanes (COMPTOIR_SEND_CONNECTIONS) and the blast's connections",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes sharing the campaign; the connections are split between them",
    )
    args = parser.parse_args()
    if args.connections % args.workers:
        parser.error("--connections must be a multiple of --workers")

    fresh_database(args.database_url)
    common.migrate(args.database_url)
    common.setup_django(args.database_url)
    from comptoir.mail import pipeline

    print(f"filling {args.contacts:,} subscribed contacts …", flush=True)
    workspace = fill(args.contacts)
    port = free_port()
    sink = start_sink(port)
    sender, raw = sample_message(workspace)
    base_env = {
        **os.environ,
        "COMPTOIR_DATABASE_URL": args.database_url,
        "COMPTOIR_EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "COMPTOIR_BASE_URL": "https://comptoir.example",
        "COMPTOIR_SEND_CONNECTIONS": str(args.connections // args.workers),
    }
    results = {
        "contacts": args.contacts,
        "batch_size": pipeline.BATCH_SIZE,
        "connections": args.connections,
        "workers": args.workers,
        "runs": {},
    }
    blasts = []
    with tempfile.TemporaryDirectory() as tmp:
        key = dkim_key(Path(tmp))
        for label, extra in (
            ("without DKIM", {}),
            (
                "with DKIM",
                {"COMPTOIR_DKIM_DOMAIN": "epicerie.example", "COMPTOIR_DKIM_KEY_FILE": str(key)},
            ),
        ):
            print(f"raw blast ({label}) …", flush=True)
            blast = raw_blast(
                port, sender, raw, args.contacts, pipeline.BATCH_SIZE, args.connections
            )
            blasts.append(blast)
            print(f"freezing the audience ({label}) …", flush=True)
            campaign_id, frozen_s, frozen = freeze(workspace)
            print(f"sending with the worker ({label}) …", flush=True)
            send_s, rss_mb = workers_once({**base_env, **extra}, args.workers)
            from comptoir.campaigns.models import Campaign
            from comptoir.campaigns.selectors import campaign_stats

            stats = campaign_stats(campaign=Campaign.objects.get(pk=campaign_id))
            results["runs"][label] = {
                "raw_blast_s": round(blast, 2),
                "raw_rate_per_s": round(args.contacts / blast),
                "freeze_s": round(frozen_s, 2),
                "frozen": frozen,
                "send_s": round(send_s, 2),
                "rate_per_s": round(stats["sent"] / send_s),
                "sent": stats["sent"],
                "worker_peak_rss_mb": round(rss_mb),
            }
    messages, recipients = stop_sink(sink)
    results["sink_received"] = {"messages": messages, "recipients": recipients}
    mean_blast = sum(blasts) / len(blasts)
    raw_rate = args.contacts / mean_blast
    for run in results["runs"].values():
        run["ratio_to_mean_raw"] = round(run["rate_per_s"] / raw_rate, 3)
    results.update(machine=common.machine(), revision=common.git_revision())
    lines = [
        f"# Campaign send: {args.contacts:,} subscribed contacts, PostgreSQL, local SMTP sink",
        "",
        f"Revision {results['revision']}; batches of {pipeline.BATCH_SIZE} (one connection each), "
        f"{args.connections} at once (the send lanes of {args.workers} worker process(es), "
        "and the blast's connections).",
        f"Raw blast mean of both runs: {raw_rate:,.0f} msg/s.",
        "",
        "| run | freeze | send | rate | raw blast | ratio | worker peak RSS |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, run in results["runs"].items():
        lines.append(
            f"| {label} | {run['freeze_s']} s | {run['send_s']} s | {run['rate_per_s']:,}/s "
            f"| {run['raw_rate_per_s']:,}/s | {run['ratio_to_mean_raw']:.0%} "
            f"| {run['worker_peak_rss_mb']} MB |"
        )
    path = common.write_results("campaign_send", results, "\n".join(lines), args.label)
    print("\n".join(lines))
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
