"""Import a generated contact CSV end to end and compare with a raw COPY of the same file
(issue 6).

    .venv/bin/python bench/contacts_import.py [--database-url URL] [--rows N] [--recreate]

1. Generates a CSV of N rows (demo/fakedata.py, fixed seed: realistic names, phones, tags,
   a consent column) where 5 % of the rows repeat an earlier address, in another case.
   Generation runs in a child process, so that it does not count in the peak memory.
2. Times a raw `COPY ... FROM STDIN (FORMAT csv)` of the file into a plain table of text
   columns: the floor any import has to compare with.
3. Runs the import through its services as the worker does: `import_create` (stores and
   inspects the file) then `import_run` (read + stage with COPY, then merge), on an empty
   bench workspace of the database, with the consent confirmed.
4. Writes times, per-phase timings, rows per second and the peak RSS of this process to
   bench/results/contacts_import-<date>.json/.md.

The database (default comptoir_bench_import) is created if missing; `--recreate` drops it
first, so that every run imports into an empty directory with all its indexes.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from contacts_load import ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_import"
SEED = 2026
HEADER = [
    "Email",
    "First name",
    "Last name",
    "Phone",
    "Company",
    "Tags",
    "Email subscription status",
]
DUPLICATES = 0.05
CONSENT_WORDS = {"subscribed": "subscribed", "unsubscribed": "unsubscribed"}


def generate(path: Path, rows: int) -> None:
    from comptoir.demo.fakedata import people

    rng = random.Random(SEED)
    seen: list[str] = []
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        generated = people(rows, seed=SEED, tags=20)
        for _serial in range(rows):
            if seen and rng.random() < DUPLICATES:
                # The same person again, typed in capitals, with one more tag.
                writer.writerow([rng.choice(seen).upper(), "", "", "", "", "Doublon", ""])
                continue
            person = next(generated)
            seen.append(person.email)
            writer.writerow(
                [
                    person.email,
                    person.first_name,
                    person.last_name,
                    person.phone,
                    person.company,
                    ", ".join(person.tags),
                    CONSENT_WORDS.get(person.consent, ""),
                ]
            )


def raw_copy(url: str, path: Path) -> float:
    import psycopg

    columns = ", ".join(f"c{n} text" for n in range(len(HEADER)))
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_copy")
        conn.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        started = time.perf_counter()
        statement = "COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)"
        with conn.cursor() as cursor, open(path, "rb") as handle, cursor.copy(statement) as copy:
            while chunk := handle.read(1024 * 1024):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_raw_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--label", help="results go to contacts_import-<label>-<date>.*")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.generate_only, args.rows)
        return
    url = args.database_url
    common.check_not_protected(url)
    load_before = os.getloadavg()

    workdir = Path(tempfile.mkdtemp(prefix="comptoir-import-bench-"))
    path = workdir / "contacts.csv"
    print(f"Generating {args.rows:,} rows into {path}…")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--rows", str(args.rows), "--generate-only", str(path)],
        check=True,
        cwd=common.ROOT,
    )
    generate_s = time.perf_counter() - started
    size = path.stat().st_size

    ensure_database(url, args.recreate)
    common.migrate(url)
    os.environ["COMPTOIR_VAR_DIR"] = str(workdir / "var")
    common.setup_django(url)
    from django.core.files import File

    from comptoir.contacts.models import Contact
    from comptoir.core.models import Membership, Workspace
    from comptoir.core.services import user_get_or_create, workspace_create
    from comptoir.transfer.imports import import_create, import_run

    workspace = Workspace.objects.filter(slug=common.BENCH_SLUG).first()
    if workspace is None:
        owner = user_get_or_create(email=common.BENCH_OWNER, password=None, name="Bench")
        workspace = workspace_create(name="Bench shop", owner=owner, slug=common.BENCH_SLUG)
    if Contact.objects.filter(workspace=workspace).exists():
        sys.exit("The bench workspace holds contacts already; run with --recreate.")
    actor = Membership.objects.filter(workspace=workspace).first().user

    print("Raw COPY of the file into a plain table…")
    copy_s = raw_copy(url, path)
    print(f"  {copy_s:.1f} s")

    print("Import end to end (import_create + import_run)…")
    started = time.perf_counter()
    with open(path, "rb") as handle:
        job = import_create(
            workspace=workspace,
            upload=File(handle, name="contacts.csv"),
            actor=actor,
            consent_confirmed=True,
        )
    upload_s = time.perf_counter() - started
    import_run(job_id=job.pk)
    import_s = time.perf_counter() - started
    job.refresh_from_db()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {import_s:.1f} s, status {job.status} {job.failure}")

    data = {
        "script": "contacts_import",
        "revision": common.git_revision(),
        "machine": common.machine(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "rows": args.rows,
        "file_bytes": size,
        "generate_s": round(generate_s, 2),
        "raw_copy_s": round(copy_s, 2),
        "import_s": round(import_s, 2),
        "upload_and_inspect_s": round(upload_s, 2),
        "ratio_import_to_copy": round(import_s / copy_s, 2),
        "rows_per_s": round(args.rows / import_s),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "job": {
            "status": job.status,
            "failure": job.failure,
            "total": job.total,
            "created": job.created,
            "updated": job.updated,
            "skipped": job.skipped,
            "errors_total": job.errors_total,
            "timings_s": job.timings,
        },
    }
    counts = " / ".join(f"{n:,}" for n in (job.created, job.updated, job.skipped, job.errors_total))
    phases = "\n".join(f"| {name} | {seconds} |" for name, seconds in job.timings.items())
    markdown = f"""# Contact import, {args.rows:,} rows (PostgreSQL)

Revision {data["revision"]}; load average before {load_before},
after {data["load_average_after"]} (2 cores shared with other work).
File: {size / 1e6:.0f} MB, 5 % duplicate addresses, tags, consent column.

| measure | value |
| --- | --- |
| raw COPY into a plain table | {copy_s:.1f} s |
| import end to end (store + inspect + read/stage + merge) | {import_s:.1f} s |
| ratio import / COPY (target ≤ 3) | {data["ratio_import_to_copy"]} |
| rows per second | {data["rows_per_s"]:,} |
| peak RSS of the importing process (target < 300 MB) | {peak_rss_mb:.0f} MB |
| created / updated / skipped / errors | {counts} |

Phases of the job (seconds):

| phase | s |
| --- | --- |
{phases}
"""
    result = common.write_results("contacts_import", data, markdown, label=args.label)
    print(markdown)
    print(f"Results: {result}")
    path.unlink()


if __name__ == "__main__":
    main()
