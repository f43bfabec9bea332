"""The bulk order backfill `POST /api/v1/orders/batch` against single PUTs, in one run (issue 15).

Starts `comptoir serve --no-worker` (gunicorn) on a free port against a fresh PostgreSQL
database of its own, with two workspaces and a token each, then:

1. PUTs SINGLE orders one by one (`PUT /api/v1/orders/{id}`, PUT_CLIENTS clients) into the
   first workspace — the rate the batch is compared with, measured in the same run;
2. POSTs ORDERS orders in batches of BATCH_SIZE (`POST /api/v1/orders/batch`,
   BATCH_CLIENTS clients) into the second one: new orders, contacts made on first purchase;
3. POSTs the same batches again (a replay: every order `unchanged`);
4. checks the database: each order stored once, the figures equal to a recount.

The orders are those of bench/orders_ingest.py (1–4 lines, 3 % canceled, …). Targets:
≥ 2,000 orders/s and ≥ 12× the single-PUT rate. The machine is shared: `uptime` is recorded
at the start and after each phase.

    .venv/bin/python bench/orders_batch.py [--orders 20000] [--single 3000]
        [--customers 5000] [--batch-size 1000] [--label NAME]

Writes bench/results/orders_batch[-label]-<date>.json and .md.
"""

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import common  # noqa: E402 - beside this script
import http_load  # noqa: E402
import orders_ingest  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_orders_batch"
TARGET_RATE = 2000
TARGET_RATIO = 12


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def batches(orders: list[tuple[str, bytes]], size: int) -> list[bytes]:
    """Request bodies of `size` orders each: `{"orders": [{external_id, …PUT body}]}`."""
    bodies = []
    for start in range(0, len(orders), size):
        chunk = [
            {"external_id": external_id, **json.loads(body)}
            for external_id, body in orders[start : start + size]
        ]
        bodies.append(json.dumps({"orders": chunk}).encode())
    return bodies


def check_workspace(url: str, slug: str, expected: int) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        workspace = conn.execute(
            "SELECT id FROM core_workspace WHERE slug = %s", [slug]
        ).fetchone()[0]
        stored = conn.execute(
            "SELECT count(*), count(DISTINCT external_id) FROM commerce_order "
            "WHERE workspace_id = %s",
            [workspace],
        ).fetchone()
        figures = conn.execute(
            "SELECT coalesce(sum(order_count), 0), coalesce(sum(total_spent), 0) "
            "FROM contacts_contact WHERE workspace_id = %s",
            [workspace],
        ).fetchone()
        truth = conn.execute(
            "SELECT count(*), coalesce(sum(total), 0) FROM commerce_order "
            "WHERE workspace_id = %s AND status <> 'canceled' AND NOT is_draft",
            [workspace],
        ).fetchone()
    return {
        "orders_stored": stored[0],
        "all_stored_once": stored[0] == stored[1] == expected,
        "figures_consistent": tuple(figures) == tuple(truth),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--orders", type=int, default=20_000, help="orders sent in batches")
    parser.add_argument("--single", type=int, default=3_000, help="orders sent one by one")
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--put-clients", type=int, default=8)
    parser.add_argument("--batch-clients", type=int, default=2)
    parser.add_argument("--label", default=None)
    parser.add_argument("--no-write", action="store_true", help="print, write no results")
    args = parser.parse_args()

    url = args.database_url
    common.check_not_protected(url)
    database = common.database_name(url)
    print(f"fresh database {database} …", flush=True)
    orders_ingest.fresh_database(url)
    var_dir = tempfile.mkdtemp(prefix="comptoir-bench-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")},
        "COMPTOIR_DATABASE_URL": url,
        "COMPTOIR_VAR_DIR": var_dir,
        "COMPTOIR_SECRET_KEY": "bench-only-secret-key",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    orders_ingest.comptoir(env, "migrate", "--no-input")
    tokens, slugs = {}, {}
    for name in ("single", "batch"):
        slugs[name] = orders_ingest.comptoir(
            env,
            "workspace",
            "create",
            "--name",
            f"Bench {name}",
            "--owner-email",
            f"{name}@example.com",
            "--password",
            "bench-password-123",
        )
        tokens[name] = orders_ingest.comptoir(env, "token", "create", "--workspace", slugs[name])

    print(f"building {args.orders} orders over {args.customers} customers …", flush=True)
    history = orders_ingest.make_orders(args.orders, args.customers)
    singles = [
        http_load.request_bytes("PUT", f"/api/v1/orders/{oid}", tokens["single"], body)
        for oid, body in history[: args.single]
    ]
    posts = [
        http_load.request_bytes("POST", "/api/v1/orders/batch", tokens["batch"], body)
        for body in batches(history, args.batch_size)
    ]
    warm = [http_load.request_bytes("GET", "/api/v1/workspace", tokens["single"])] * 200

    port = orders_ingest.free_port()
    serve = [sys.executable, "-m", "comptoir", "serve", "--no-worker", "--port", str(port)]
    log = open(Path(var_dir) / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(serve, env=env, cwd=common.ROOT, stdout=log, stderr=subprocess.STDOUT)
    loads = {"start": uptime()}
    try:
        orders_ingest.wait_until_up(port)
        http_load.run(port, warm, args.put_clients)

        def phase(name: str, requests: list[bytes], clients: int):
            print(f"{name}: {len(requests)} requests, {clients} clients …", flush=True)
            result = orders_ingest.measure(port, requests, clients, server.pid, database)
            loads[name] = uptime()
            return result

        single = phase("single PUT", singles, args.put_clients)
        batch = phase("batch", posts, args.batch_clients)
        replay = phase("batch replay", posts, args.batch_clients)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    single_rate = single.rate
    # The load generator counts requests; each batch request carries its share of orders.
    batch_rate = batch.rate * args.orders / len(posts)
    replay_rate = replay.rate * args.orders / len(posts)
    ratio = batch_rate / single_rate
    checks = {
        "single": check_workspace(url, slugs["single"], args.single),
        "batch": check_workspace(url, slugs["batch"], args.orders),
    }
    met = batch_rate >= TARGET_RATE and ratio >= TARGET_RATIO
    data = {
        "benchmark": "orders_batch",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "git": common.git_revision(),
        "machine": common.machine(),
        "uptime": loads,
        "server": "comptoir serve --no-worker (gunicorn gthread, default workers and threads)",
        "orders": args.orders,
        "single_orders": args.single,
        "customers": args.customers,
        "batch_size": args.batch_size,
        "single_put": {
            "clients": args.put_clients,
            "orders_per_second": round(single_rate, 1),
            "statuses": single.statuses,
            "cpu_ms_per_order": single.cpu_ms_per_request(),
            **orders_ingest.percentiles(single.latencies_ms),
        },
        "batch": {
            "clients": args.batch_clients,
            "requests": len(posts),
            "orders_per_second": round(batch_rate, 1),
            "statuses": batch.statuses,
            "cpu_ms_per_batch": batch.cpu_ms_per_request(),
            **orders_ingest.percentiles(batch.latencies_ms),
        },
        "batch_replay": {
            "orders_per_second": round(replay_rate, 1),
            "statuses": replay.statuses,
            "cpu_ms_per_batch": replay.cpu_ms_per_request(),
            **orders_ingest.percentiles(replay.latencies_ms),
        },
        "ratio_to_single_put": round(ratio, 2),
        "targets": {"orders_per_second": TARGET_RATE, "ratio": TARGET_RATIO, "met": met},
        "checks": checks,
    }
    verdict = "met" if met else "NOT met"
    rows = "\n".join(
        f"| {name} | {len(requests)} | {clients} | {rate:.0f} | {part['p50_ms']} | "
        f"{part['p95_ms']} |"
        for name, requests, clients, rate, part in [
            (
                "`PUT /api/v1/orders/{id}` one by one",
                singles,
                args.put_clients,
                single_rate,
                data["single_put"],
            ),
            (
                f"`POST /api/v1/orders/batch` × {args.batch_size} (new orders)",
                posts,
                args.batch_clients,
                batch_rate,
                data["batch"],
            ),
            (
                "the same batches again (all `unchanged`)",
                posts,
                args.batch_clients,
                replay_rate,
                data["batch_replay"],
            ),
        ]
    )
    cpu = batch.cpu_ms_per_request()
    markdown = f"""# orders_batch {data["date"]}{f" ({args.label})" if args.label else ""}

`comptoir serve --no-worker` (gunicorn gthread) on PostgreSQL, on a {os.cpu_count()}-CPU
machine shared with other work (clients, server and database share it too). Git
{data["git"]}.

| phase | requests | clients | orders/s | p50 ms | p95 ms |
| --- | ---: | ---: | ---: | ---: | ---: |
{rows}

Backfill at **{batch_rate:.0f} orders/s = {ratio:.1f}× the single PUT** of this run
(targets: ≥ {TARGET_RATE}/s and ≥ {TARGET_RATIO}×: {verdict}). CPU per batch of
{args.batch_size}, ms: {cpu}. Statuses: single {single.statuses}, batch {batch.statuses},
replay {replay.statuses}.

`uptime` at the start and after each phase:

{chr(10).join(f"- {name}: `{value}`" for name, value in loads.items())}

Database afterwards: {checks}.
"""
    print(markdown)
    if not args.no_write:
        path = common.write_results("orders_batch", data, markdown, args.label)
        print(f"written to {path} and .md")


if __name__ == "__main__":
    main()
