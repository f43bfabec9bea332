"""Cart updates through the HTTP API with the abandoned-cart reminder on (issue 12).

Starts `comptoir serve --no-worker` (gunicorn) on a fresh PostgreSQL database of its own,
activates the reminder, then PUTs UPDATES cart updates (`PUT /api/v1/carts/{token}`) over
CARTS carts, each cart updated several times with a later `updated_at`, from N keep-alive
clients; then checks that scheduling stayed correct: every cart has exactly one waiting
reminder, due at its last update plus the delay.

Target: 100,000 updates an hour (28 a second) with scheduling correct; the cost per update.

    .venv/bin/python bench/cart_updates.py [--updates 6000] [--carts 1500] [--clients 4]

Writes bench/results/cart_updates[-label]-<date>.json and .md.
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
import orders_ingest  # noqa: E402 - its server and database helpers

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_carts"
DELAY_MINUTES = 60
TARGET_PER_HOUR = 100_000


def cart_updates(updates: int, carts: int, start: dt.datetime) -> list[tuple[str, int, bytes]]:
    """(token, round, body): round r of every cart, in rounds, each later than the last."""
    out = []
    for n in range(updates):
        cart, round_ = n % carts, n // carts
        body = {
            "email": f"client{cart}@example.com",
            "items": [{"product_id": "comte", "quantity": 1 + round_, "price": "12.50"}],
            "recovery_url": f"https://shop.example/cart/{cart}",
            "updated_at": (start + dt.timedelta(minutes=round_)).isoformat(),
        }
        out.append((f"cart-{cart}", round_, json.dumps(body).encode()))
    return out


def check_scheduling(url: str, carts: int, start: dt.datetime, rounds: int) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.token, COUNT(s.id), MIN(s.due_at), MAX(c.updated_at_store) "
            "FROM commerce_cart c LEFT JOIN automations_scheduledsend s "
            "ON s.cart_id = c.id AND s.status = 'waiting' GROUP BY c.token"
        ).fetchall()
    wrong = [
        token
        for token, waiting, due, updated in rows
        if waiting != 1 or due != updated + dt.timedelta(minutes=DELAY_MINUTES)
    ]
    return {"carts": len(rows), "expected": carts, "wrong": len(wrong), "examples": wrong[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--updates", type=int, default=6_000)
    parser.add_argument("--carts", type=int, default=1_500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--label")
    args = parser.parse_args()

    url = args.database_url
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
    slug = orders_ingest.comptoir(
        env, "workspace", "create", "--name", "Bench", "--owner-email", "bench@example.com",
        "--password", "bench-password-123",
    )  # fmt: skip
    token = orders_ingest.comptoir(env, "token", "create", "--workspace", slug)

    port = orders_ingest.free_port()
    serve = [sys.executable, "-m", "comptoir", "serve", "--no-worker", "--port", str(port)]
    log = open(Path(var_dir) / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(serve, env=env, cwd=common.ROOT, stdout=log, stderr=subprocess.STDOUT)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    rounds = -(-args.updates // args.carts)
    loads = {"start": orders_ingest.load_average()}
    try:
        orders_ingest.wait_until_up(port)
        setup = [
            http_load.request_bytes(
                "PUT",
                "/api/v1/products/comte",
                token,
                json.dumps({"name": "Comté", "price": "12.50", "available": True}).encode(),
            ),
            http_load.request_bytes(
                "PUT",
                "/api/v1/automations/abandoned-cart",
                token,
                json.dumps(
                    {
                        "enabled": True,
                        "delay_minutes": DELAY_MINUTES,
                        "reminder_enabled": False,
                        "reminder_after_minutes": 60,
                    }
                ).encode(),
            ),
        ]
        done = http_load.run(port, setup, 1)
        assert set(done.statuses) <= {200, 201}, done.statuses
        # Round after round, so that a cart's later update never overtakes an earlier one.
        planned = cart_updates(args.updates, args.carts, start)
        results = []
        for round_ in range(rounds):
            requests = [
                http_load.request_bytes("PUT", f"/api/v1/carts/{cart}", token, body)
                for cart, r, body in planned
                if r == round_
            ]
            with http_load.CpuMeter(server.pid, common.database_name(url)) as meter:
                result = http_load.run(port, requests, args.clients)
            results.append((result, meter.seconds))
        loads["end"] = orders_ingest.load_average()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    seconds = sum(result.elapsed for result, _cpu in results)
    statuses: dict[int, int] = {}
    latencies = []
    server_cpu = sum(cpu.get("server", 0.0) for _result, cpu in results)
    database_cpu = sum(cpu.get("database", 0.0) for _result, cpu in results)
    for result, _cpu in results:
        latencies += result.latencies_ms
        for code, count in result.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    rate = args.updates / seconds
    ordered = sorted(latencies)
    data = {
        "benchmark": "cart_updates",
        "revision": common.git_revision(),
        "machine": common.machine(),
        "load_average": loads,
        "updates": args.updates,
        "carts": args.carts,
        "clients": args.clients,
        "statuses": statuses,
        "updates_per_s": round(rate, 1),
        "updates_per_hour": round(rate * 3600),
        "wall_ms_per_update": round(1000 / rate, 2),
        "server_cpu_ms_per_update": round(1000 * server_cpu / args.updates, 2),
        "database_cpu_ms_per_update": round(1000 * database_cpu / args.updates, 2),
        "p50_ms": round(ordered[len(ordered) // 2], 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 1),
        "scheduling": check_scheduling(url, args.carts, start, rounds),
        "target_per_hour": TARGET_PER_HOUR,
    }
    lines = [
        f"# Cart updates with the abandoned-cart reminder on ({data['revision']})",
        "",
        f"{args.updates:,} `PUT /api/v1/carts/{{token}}` over {args.carts:,} carts, "
        f"{args.clients} clients, gunicorn on PostgreSQL; load {loads}.",
        "",
        f"- {data['updates_per_s']} updates/s = {data['updates_per_hour']:,} an hour "
        f"(target {TARGET_PER_HOUR:,}); {data['wall_ms_per_update']} ms of wall time per "
        f"update (CPU: server {data['server_cpu_ms_per_update']} ms, database "
        f"{data['database_cpu_ms_per_update']} ms); latency p50 {data['p50_ms']} ms, "
        f"p95 {data['p95_ms']} ms; statuses {statuses}",
        f"- scheduling: {data['scheduling']}",
    ]
    path = common.write_results("cart_updates", data, "\n".join(lines), args.label)
    print("\n".join(lines))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
