"""The contact export of a million contacts through the real server (issue 6, X3).

    .venv/bin/python bench/contacts_export.py [--database-url URL] [--runs N] [--no-xlsx]
    .venv/bin/python bench/contacts_export.py --xlsx-only [--label NAME] [--runs N]

Needs the database bench/contacts_load.py filled. Starts `comptoir serve` on it (one web
worker, one thread, no jobs worker) and downloads `GET /api/v1/contacts/export.csv` with an
admin token, reading the whole body as a client would. In the same run, interleaved, it
times a raw `COPY (SELECT …) TO STDOUT` of the same SELECT (the export's own statement,
read with psycopg outside Django and any HTTP), and a COPY of the plain columns with no
formatting for context. Target: the endpoint within 2× the raw COPY, and a flat memory
in the serving process (peak RSS of the web worker, from /proc, < 300 MB).
Then the XLSX download once (no target; recorded). Writes
bench/results/contacts_export-<date>.{json,md}.

With --xlsx-only it times N XLSX downloads instead (first byte, whole body, worker peak
RSS), reads the last one back with python-calamine to count its rows, and writes
bench/results/contacts_export-<label>-<date>.{json,md} (label "xlsx" by default).
"""

import argparse
import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

TARGET_RATIO = 2.0
TARGET_RSS_MB = 300
READ_BLOCK = 1 << 20


def rss_mb(pid: int) -> float:
    """Resident memory of a process now, in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """Samples a process's RSS every 20 ms in a thread; `peak` once stopped."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.samples = pid, 0.0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            value = rss_mb(self.pid)
            self.samples.append(value)
            self.peak = max(self.peak, value)
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def web_worker(arbiter: int, timeout: float = 30) -> int:
    """The pid of gunicorn's (only) web worker, a child of the arbiter."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{arbiter}/task/{arbiter}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        if pids:
            return pids[0]
        time.sleep(0.1)
    sys.exit("gunicorn started no web worker")


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer on port {port}")


def download(port: int, path: str, secret: str, worker: int) -> dict:
    """GET the whole body in 1 MB reads; wall time, first byte, bytes, worker peak RSS."""
    before = rss_mb(worker)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    with PeakMemory(worker) as memory:
        start = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
        response = conn.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - start
        size = len(first)
        while block := response.read(READ_BLOCK):
            size += len(block)
        elapsed = time.perf_counter() - start
    conn.close()
    if response.status != 200:
        sys.exit(f"{path}: HTTP {response.status}")
    return {
        "seconds": round(elapsed, 2),
        "first_byte_s": round(first_byte, 3),
        "bytes": size,
        "worker_rss_before_mb": round(before, 1),
        "worker_rss_peak_mb": round(memory.peak, 1),
    }


def raw_copy(url: str, statement: str, time_zone: str) -> dict:
    """COPY … TO STDOUT read to the end with psycopg, outside Django: the floor."""
    import psycopg

    start = time.perf_counter()
    size = rows = 0
    with psycopg.connect(url) as conn:
        conn.execute("SELECT set_config('TimeZone', %s, true)", [time_zone])
        with conn.cursor().copy(statement) as copy:
            for record in copy:
                size += len(record)
                rows += 1
    return {"seconds": round(time.perf_counter() - start, 2), "bytes": size, "rows": rows}


def rows_read_back(data_path: str) -> int:
    """The rows of the workbook's first sheet, header included, as another reader sees them."""
    from python_calamine import CalamineWorkbook

    return len(CalamineWorkbook.from_path(data_path).get_sheet_by_index(0).to_python())


def save_body(port: int, path: str, secret: str, target: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.request("GET", path, headers={"Authorization": f"Bearer {secret}"})
    response = conn.getresponse()
    with open(target, "wb") as file:
        while block := response.read(READ_BLOCK):
            file.write(block)
    conn.close()


def xlsx_only(args, url: str, count: int, secret: str, start_server) -> None:
    """N XLSX downloads through the server, and the file read back by another reader."""
    path = "/api/v1/contacts/export.xlsx"
    load_before = os.getloadavg()
    runs = []
    with start_server() as (server, worker):
        download(args.port, f"{path}?q=warm-up", secret, worker)  # imports, connection
        for run in range(args.runs):
            runs.append(download(args.port, path, secret, worker))
            print(f"run {run + 1}: {runs[-1]}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as body:
            save_body(args.port, path, secret, body.name)
            read_back = rows_read_back(body.name)
    load_after = os.getloadavg()
    median = round(statistics.median(r["seconds"] for r in runs), 2)
    first_byte = round(statistics.median(r["first_byte_s"] for r in runs), 3)
    per_million = round(median * 1_000_000 / count, 0)
    data = {
        "script": "contacts_export --xlsx-only",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "revision": common.git_revision(),
        "machine": common.machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "contacts": count,
        "server": "comptoir serve --no-worker --workers 1 --threads 1 (gunicorn gthread)",
        "runs": runs,
        "median_s": median,
        "median_first_byte_s": first_byte,
        "linear_extrapolation_to_1m_s": per_million,
        "rows_read_back_with_calamine": read_back,
    }
    runs_text = ", ".join(str(r["seconds"]) for r in runs)
    markdown = f"""# contacts_export --xlsx-only ({args.label}) — {data["at"]}

{count:,} contacts of the bench workspace, PostgreSQL, revision {data["revision"]};
{data["server"]}. Load average before {load_before[0]:.2f}, after {load_after[0]:.2f}
(2 shared cores). {args.runs} runs.

| `GET /api/v1/contacts/export.xlsx`, whole body read | median | runs |
| --- | ---: | --- |
| seconds | {median} | {runs_text} |
| first byte after (s) | {first_byte} | {", ".join(str(r["first_byte_s"]) for r in runs)} |

- {runs[0]["bytes"]:,} bytes; web worker peak RSS {max(r["worker_rss_peak_mb"] for r in runs)} MB
  (before: {runs[0]["worker_rss_before_mb"]} MB).
- Read back with python-calamine: {read_back:,} rows (header included).
- Linear extrapolation to 1,000,000 contacts: about {per_million:,.0f} s.
"""
    result = common.write_results("contacts_export", data, markdown, label=args.label)
    print(markdown)
    print(f"Results in {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=common.DEFAULT_DATABASE_URL)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-xlsx", action="store_true", help="skip the XLSX download")
    parser.add_argument("--xlsx-only", action="store_true", help="time only XLSX downloads")
    parser.add_argument("--label", default="xlsx", help="results name with --xlsx-only")
    args = parser.parse_args()
    url = args.database_url
    common.check_not_protected(url)
    common.setup_django(url)

    from django.db import connection
    from psycopg import ClientCursor

    from comptoir.core.models import Workspace
    from comptoir.core.services import token_create, token_revoke
    from comptoir.transfer import export_postgres
    from comptoir.transfer.export_selectors import ContactSelection, contacts_selected

    workspace = Workspace.objects.get(slug=common.BENCH_SLUG)
    contacts = contacts_selected(workspace=workspace, selection=ContactSelection())
    count = contacts.count()
    statement, params = export_postgres._copy_statement(workspace, contacts, ",")
    connection.ensure_connection()
    export_sql = ClientCursor(connection.connection).mogrify(statement, params)
    plain_sql = (
        "COPY (SELECT email, first_name, last_name, phone, company, language, type, consent, "
        "has_account, order_count, total_spent, average_order_value, last_order_at, "
        "customer_since, created_at, shipping_address, billing_address FROM contacts_contact "
        f"WHERE workspace_id = {workspace.pk} ORDER BY id) TO STDOUT (FORMAT csv)"
    )
    token, secret = token_create(workspace=workspace, name="bench contacts_export")
    connection.close()

    @contextlib.contextmanager
    def start_server():
        """`comptoir serve` on the bench database; (server, web worker pid) while it runs."""
        log = tempfile.NamedTemporaryFile("w", prefix="contacts_export-server-", suffix=".log")  # noqa: SIM115
        print(f"Server log: {log.name}")
        env = {**os.environ, "COMPTOIR_DATABASE_URL": url}
        server = subprocess.Popen(
            [sys.executable, "-m", "comptoir", "serve", "--no-worker", "--workers", "1"]
            + ["--threads", "1", "--port", str(args.port)],
            env=env,
            cwd=common.ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(args.port)
            yield server, web_worker(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    if args.xlsx_only:
        try:
            xlsx_only(args, url, count, secret, start_server)
        finally:
            token_revoke(token=token)
        return

    load_before = os.getloadavg()
    runs = {"endpoint_csv": [], "raw_copy": [], "raw_copy_plain": []}
    xlsx = None
    try:
        with start_server() as (_server, worker):
            path = "/api/v1/contacts/export.csv"
            download(args.port, f"{path}?q=warm-up", secret, worker)  # imports, connection
            for run in range(args.runs):
                runs["raw_copy"].append(raw_copy(url, export_sql, workspace.time_zone))
                runs["endpoint_csv"].append(download(args.port, path, secret, worker))
                runs["raw_copy_plain"].append(raw_copy(url, plain_sql, workspace.time_zone))
                print(
                    f"run {run + 1}: endpoint {runs['endpoint_csv'][-1]['seconds']} s, "
                    f"raw COPY {runs['raw_copy'][-1]['seconds']} s, "
                    f"peak RSS {runs['endpoint_csv'][-1]['worker_rss_peak_mb']} MB",
                    flush=True,
                )
            if not args.no_xlsx:
                xlsx = download(args.port, "/api/v1/contacts/export.xlsx", secret, worker)
                print(f"xlsx: {xlsx['seconds']} s, {xlsx['bytes']:,} bytes", flush=True)
    finally:
        token_revoke(token=token)
    load_after = os.getloadavg()

    def median(name: str, key: str = "seconds") -> float:
        return round(statistics.median(r[key] for r in runs[name]), 2)

    endpoint, floor = median("endpoint_csv"), median("raw_copy")
    ratio = round(endpoint / floor, 2)
    peak = max(r["worker_rss_peak_mb"] for r in runs["endpoint_csv"])
    # The file is the COPY output plus the BOM and header, and a CR before every LF.
    expected = runs["raw_copy"][0]["bytes"] + runs["raw_copy"][0]["rows"]
    body = runs["endpoint_csv"][0]["bytes"]
    data = {
        "script": "contacts_export",
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "revision": common.git_revision(),
        "machine": common.machine(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "contacts": count,
        "server": "comptoir serve --no-worker --workers 1 --threads 1 (gunicorn gthread)",
        "runs": runs,
        "median_s": {name: median(name) for name in runs},
        "ratio_endpoint_to_raw_copy": ratio,
        "target_ratio": TARGET_RATIO,
        "worker_rss_peak_mb": peak,
        "target_rss_mb": TARGET_RSS_MB,
        "body_minus_header_matches_copy": body - expected,
        "xlsx": xlsx,
    }
    met = "yes" if ratio <= TARGET_RATIO else "NO"
    rss_met = "yes" if peak < TARGET_RSS_MB else "NO"
    markdown = f"""# contacts_export — {data["at"]}

{count:,} contacts of the bench workspace, PostgreSQL, revision {data["revision"]};
{data["server"]}. Load average before {load_before[0]:.2f}, after {load_after[0]:.2f}
(2 shared cores). Median of {args.runs} interleaved runs.

| workload | median s | runs (s) |
| --- | ---: | --- |
| `GET /api/v1/contacts/export.csv`, whole body read | {endpoint} | {
        ", ".join(str(r["seconds"]) for r in runs["endpoint_csv"])
    } |
| raw `COPY (<the export's SELECT>) TO STDOUT`, psycopg | {floor} | {
        ", ".join(str(r["seconds"]) for r in runs["raw_copy"])
    } |
| raw COPY of the plain columns, no formatting (context) | {median("raw_copy_plain")} | {
        ", ".join(str(r["seconds"]) for r in runs["raw_copy_plain"])
    } |

- Endpoint / raw COPY: **{ratio}×** (target ≤ {TARGET_RATIO}×): met: {met}.
- Web worker peak RSS during the downloads: **{peak} MB** (before: {
        runs["endpoint_csv"][0]["worker_rss_before_mb"]
    } MB; target < {TARGET_RSS_MB} MB): met: {rss_met}.
- First byte after {runs["endpoint_csv"][0]["first_byte_s"]} s; {body:,} bytes
  (body − (COPY bytes + one CR per row) = {data["body_minus_header_matches_copy"]} bytes,
  the BOM and the header line).
"""
    if xlsx:
        markdown += (
            f"- XLSX download (no target): {xlsx['seconds']} s, {xlsx['bytes']:,} bytes, "
            f"first byte after {xlsx['first_byte_s']} s, "
            f"web worker peak RSS {xlsx['worker_rss_peak_mb']} MB.\n"
        )
    path = common.write_results("contacts_export", data, markdown)
    print(markdown)
    print(f"Results in {path}")


if __name__ == "__main__":
    main()
