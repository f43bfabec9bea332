"""Order ingestion through the HTTP API against the production server (issue 4).

Starts `comptoir serve --no-worker` (gunicorn) on a free port against a fresh PostgreSQL
database of its own, creates a workspace and an API token, then:

1. measures a bare authenticated no-op endpoint (`GET /api/v1/workspace`) with N
   concurrent keep-alive clients — the ceiling of the server, auth included;
2. PUTs ORDERS orders over CUSTOMERS customers with the same N clients
   (`PUT /api/v1/orders/{id}`: new orders, contacts created on first purchase);
3. measures the no-op again (the ratio uses the mean of both no-op phases: on a shared
   machine the load changes during a run);
4. checks the result in the database (every order stored once, figures consistent).

Targets: ≥ 400 orders/s, and ≥ 50 % of the no-op rate of the same run.

    .venv/bin/python bench/orders_ingest.py [--orders 20000] [--customers 5000]
        [--clients 8] [--workers N] [--threads T] [--label NAME]

Writes bench/results/orders_ingest[-label]-<date>.json and .md.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH_DIR))

import http_load  # noqa: E402 - beside this script

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_orders"
# Databases other people's tests and benchmarks use: never dropped or filled here.
PROTECTED = {"postgres", "template0", "template1", "test", "test_test", "comptoir_bench"}


# ------------------------------------------------------------------------- database


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def fresh_database(url: str) -> None:
    import psycopg

    name = database_name(url)
    if name in PROTECTED or not name:
        sys.exit(f"refusing to use the database {name!r}: give the benchmark one of its own")
    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def comptoir(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"comptoir {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not answer /healthz in time")


# ---------------------------------------------------------------------------- orders


def make_orders(count: int, customers: int, seed: int = 2026) -> list[tuple[str, bytes]]:
    """`count` CONTRACT order bodies over `customers` shoppers of comptoir.demo.fakedata:
    1–4 lines, shipping, 20 % VAT, a coupon now and then, 3 % canceled, 2 % refunded."""
    from comptoir.demo.fakedata import people

    rng = random.Random(seed)
    shoppers = list(people(customers, seed=seed))
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    orders = []
    for n in range(count):
        person = shoppers[n % customers] if n < customers else rng.choice(shoppers)
        lines = [
            {
                "product_id": f"sku-{rng.randrange(300)}",
                "name": rng.choice(["Comté 24 mois", "Miel de lavande", "Terrine", "Café"]),
                "quantity": rng.randint(1, 3),
                "price": str(Decimal(rng.randrange(250, 4000)) / 100),
            }
            for _ in range(rng.randint(1, 4))
        ]
        subtotal = sum(Decimal(line["price"]) * line["quantity"] for line in lines)
        shipping = Decimal(rng.choice(["0.00", "4.90", "6.90"]))
        discount = (subtotal * Decimal("0.1")).quantize(Decimal("0.01")) if n % 7 == 0 else 0
        tax = ((subtotal - discount) * Decimal("0.2")).quantize(Decimal("0.01"))
        total = subtotal + shipping + tax - discount
        status = "canceled" if rng.random() < 0.03 else "completed"
        body = {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "phone": person.phone or None,
            "number": f"#{10000 + n}",
            "status": status,
            "placed_at": (start + dt.timedelta(minutes=25 * n)).isoformat(),
            "currency": "EUR",
            "subtotal": str(subtotal),
            "shipping": str(shipping),
            "tax": str(tax),
            "discount": str(discount),
            "total": str(total),
            "refunded": str(total) if rng.random() < 0.02 else "0.00",
            "coupon_code": "PRINTEMPS" if discount else None,
            "channel": "pos" if rng.random() < 0.1 else "online",
            "shipping_address": {
                "name": f"{person.first_name} {person.last_name}",
                "line1": person.street,
                "city": person.city,
                "postal_code": person.postal_code,
                "country": "FR",
            },
            "items": lines,
        }
        orders.append((f"ord-{n}", json.dumps(body).encode()))
    return orders


# ---------------------------------------------------------------------------- client


@dataclass
class Phase:
    """One measured phase: the load generator's result and the CPU it cost whom."""

    rate: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    cpu: dict[str, float]

    def cpu_ms_per_request(self) -> dict[str, float]:
        count = len(self.latencies_ms)
        return {who: round(1000 * s / count, 2) for who, s in self.cpu.items() if who != "wall"}


def measure(port: int, requests: list[bytes], clients: int, server_pid: int, database: str):
    with http_load.CpuMeter(server_pid, database) as meter:
        result = http_load.run(port, requests, clients)
    rate = len(requests) / result.elapsed
    return Phase(rate, result.latencies_ms, result.statuses, meter.seconds)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "mean_ms": round(statistics.fmean(ordered), 2),
        "max_ms": round(ordered[-1], 2),
    }


# ------------------------------------------------------------------------------ main


def check_database(url: str, orders: int) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        stored = conn.execute("SELECT count(*) FROM commerce_order").fetchone()[0]
        contacts, counted, spent = conn.execute(
            "SELECT count(*), sum(order_count), sum(total_spent) FROM contacts_contact"
        ).fetchone()
        truth = conn.execute(
            "SELECT count(*), sum(total) FROM commerce_order WHERE status <> 'canceled'"
        ).fetchone()
    return {
        "orders_stored": stored,
        "contacts": contacts,
        "figures_consistent": (counted, spent) == truth,
        "all_stored_once": stored == orders,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--noop-requests", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument("--label", default=None)
    parser.add_argument("--no-write", action="store_true", help="print, write no results")
    args = parser.parse_args()

    url = args.database_url
    database = database_name(url)
    print(f"fresh database {database} …", flush=True)
    fresh_database(url)
    var_dir = tempfile.mkdtemp(prefix="comptoir-bench-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")},
        "COMPTOIR_DATABASE_URL": url,
        "COMPTOIR_VAR_DIR": var_dir,
        "COMPTOIR_SECRET_KEY": "bench-only-secret-key",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    comptoir(env, "migrate", "--no-input")
    slug = comptoir(
        env,
        "workspace",
        "create",
        "--name",
        "Bench",
        "--owner-email",
        "bench@example.com",
        "--password",
        "bench-password-123",
    )
    token = comptoir(env, "token", "create", "--workspace", slug)

    print(f"building {args.orders} orders over {args.customers} customers …", flush=True)
    orders = [
        http_load.request_bytes("PUT", f"/api/v1/orders/{oid}", token, body)
        for oid, body in make_orders(args.orders, args.customers)
    ]
    noop = [http_load.request_bytes("GET", "/api/v1/workspace", token)] * args.noop_requests

    port = free_port()
    serve = [sys.executable, "-m", "comptoir", "serve", "--no-worker", "--port", str(port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    if args.threads:
        serve += ["--threads", str(args.threads)]
    log = open(Path(var_dir) / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(serve, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    loads = {"start": load_average()}
    try:
        wait_until_up(port)
        # Warm every worker: imports, connections, the first queries' plans.
        http_load.run(port, noop[:200], args.clients)

        def phase(name: str, requests: list[bytes]) -> Phase:
            print(f"{name}: {len(requests)} requests, {args.clients} clients …", flush=True)
            result = measure(port, requests, args.clients, server.pid, database)
            loads[name] = load_average()
            return result

        noop_before = phase("no-op", noop)
        ingest = phase("orders", orders)
        # Again after the orders: on a shared machine the load changes during a run, and
        # the ratio compares the orders with the mean of the two no-op phases.
        noop_after = phase("no-op again", noop)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    checks = check_database(url, args.orders)
    noop_rate = (noop_before.rate + noop_after.rate) / 2
    noop_codes = dict(noop_before.statuses)
    for code, count in noop_after.statuses.items():
        noop_codes[code] = noop_codes.get(code, 0) + count
    noop_cpu = {
        who: round((noop_before.cpu_ms_per_request()[who] + ms) / 2, 2)
        for who, ms in noop_after.cpu_ms_per_request().items()
    }
    order_rate = ingest.rate
    workers = args.workers or min(4, 2 * (os.cpu_count() or 1))
    threads = args.threads or 4
    data = {
        "benchmark": "orders_ingest",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "label": args.label,
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average": loads,
        "server": {"workers": workers, "threads": threads, "worker_class": "gthread"},
        "client": "bench/http_load.py (one thread, selectors, keep-alive)",
        "clients": args.clients,
        "orders": args.orders,
        "customers": args.customers,
        "noop": {
            "requests": 2 * len(noop),
            "per_second": round(noop_rate, 1),
            "per_second_before_orders": round(noop_before.rate, 1),
            "per_second_after_orders": round(noop_after.rate, 1),
            "statuses": noop_codes,
            "cpu_ms_per_request": noop_cpu,
            **percentiles(noop_before.latencies_ms + noop_after.latencies_ms),
        },
        "ingest": {
            "requests": len(orders),
            "per_second": round(order_rate, 1),
            "statuses": ingest.statuses,
            "cpu_ms_per_request": ingest.cpu_ms_per_request(),
            **percentiles(ingest.latencies_ms),
        },
        "ratio_to_noop": round(order_rate / noop_rate, 3),
        "targets": {
            "orders_per_second": 400,
            "ratio_to_noop": 0.5,
            "met": order_rate >= 400 and order_rate / noop_rate >= 0.5,
        },
        "checks": checks,
    }
    rows = [
        ("no-op `GET /api/v1/workspace`", data["noop"], noop_rate),
        ("`PUT /api/v1/orders/{id}`", data["ingest"], order_rate),
    ]
    table = "\n".join(
        f"| {name} | {f['requests']} | {rate:.0f} | {f['p50_ms']} | {f['p95_ms']} | "
        f"{f['p99_ms']} | {f['cpu_ms_per_request']['client']} | "
        f"{f['cpu_ms_per_request']['server']} | {f['cpu_ms_per_request']['database']} | "
        f"{f['cpu_ms_per_request']['others']} |"
        for name, f, rate in rows
    )
    verdict = "met" if data["targets"]["met"] else "NOT met"
    markdown = f"""# orders_ingest {data["date"]}{f" ({args.label})" if args.label else ""}

`comptoir serve --no-worker` (gunicorn gthread, {workers} workers × {threads} threads) on
PostgreSQL, {args.clients} concurrent keep-alive clients, on a {os.cpu_count()}-CPU machine
(clients, server and database share it). Git {data["git"]}. Load average (1, 5, 15 min)
at the start and after each phase: {loads}.

| | requests | per s | p50 ms | p95 ms | p99 ms | CPU ms/req: client | server | db | others |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{table}

No-op measured before ({noop_before.rate:.0f}/s) and after ({noop_after.rate:.0f}/s) the
orders; the table shows their mean. Orders over {args.customers} customers; ingestion at
**{order_rate:.0f} orders/s** =
**{order_rate / noop_rate:.0%}** of the no-op rate (targets: ≥ 400/s and ≥ 50 %:
{verdict}). Statuses: {ingest.statuses}.
CPU per request: this script's client, the server's processes, the database's backends for
this database, and the rest of the machine (other people's work, PostgreSQL's own writers).
Database afterwards: {checks}.
"""
    print(markdown)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
        stem = f"orders_ingest-{args.label}-{stamp}" if args.label else f"orders_ingest-{stamp}"
        (RESULTS / f"{stem}.json").write_text(json.dumps(data, indent=2) + "\n")
        (RESULTS / f"{stem}.md").write_text(markdown)
        print(f"written to bench/results/{stem}.json and .md")


if __name__ == "__main__":
    main()
