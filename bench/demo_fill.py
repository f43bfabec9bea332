"""How long `comptoir demo` takes on a fresh SQLite file, as `make run` starts it.

    .venv/bin/python bench/demo_fill.py [--contacts 5000] [--runs 3]

Each run migrates a new SQLite database in a temporary directory, then times
`comptoir demo --contacts N` (contacts, tags, notes, segments, and the shop's catalogue,
orders, drafts, carts and subscriptions), then a second `comptoir demo` on the same file
(which must add nothing). The machine's load average is recorded beside each run: the
figures mean little on a busy machine. Writes bench/results/demo_fill-<date>.json and .md.
"""

import argparse
import datetime as dt
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def comptoir(var_dir: str, *args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, output) of one `comptoir` command. CPU time says what the
    command costs whatever else the machine is doing; wall time is what a person waits."""
    env = {**os.environ, "COMPTOIR_VAR_DIR": var_dir, "COMPTOIR_DATABASE_URL": ""}
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, "-m", "comptoir", *args],
        env=env,
        cwd=common.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, _children_cpu() - cpu, done.stdout


def one_run(contacts: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="comptoir-demo-") as var_dir:
        comptoir(var_dir, "migrate", "--no-input", "-v", "0")
        load_before = os.getloadavg()[0]
        first, first_cpu, output = comptoir(var_dir, "demo", "--contacts", str(contacts))
        again, again_cpu, output_again = comptoir(var_dir, "demo", "--contacts", str(contacts))
        orders = re.findall(r"(\d+) orders for", output)
        return {
            "first_s": round(first, 2),
            "first_cpu_s": round(first_cpu, 2),
            "again_s": round(again, 2),
            "again_cpu_s": round(again_cpu, 2),
            "orders": int(orders[-1]) if orders else 0,
            "again_added_nothing": "none added" in output_again,
            "load_average_1min": round(load_before, 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = []
    for number in range(1, args.runs + 1):
        runs.append(one_run(args.contacts))
        print(f"run {number}: {runs[-1]}")
    result = {
        "benchmark": "demo_fill",
        "date": dt.date.today().isoformat(),
        "revision": common.git_revision(),
        "engine": "sqlite",
        "contacts": args.contacts,
        "cpus": os.cpu_count(),
        "runs": runs,
    }
    common.RESULTS.mkdir(exist_ok=True)
    stem = common.RESULTS / f"demo_fill-{result['date']}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# `comptoir demo --contacts {args.contacts}` on SQLite ({result['date']}, "
        f"{result['revision']}, {result['cpus']} CPUs)",
        "",
        "| run | first demo: wall (s) | CPU (s) | demo again: wall (s) | CPU (s) | orders "
        "| again added nothing | load (1 min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {n} | {r['first_s']} | {r['first_cpu_s']} | {r['again_s']} | "
            f"{r['again_cpu_s']} | {r['orders']} | "
            f"{r['again_added_nothing']} | {r['load_average_1min']} |"
            for n, r in enumerate(runs, 1)
        ),
        "",
    ]
    stem.with_suffix(".md").write_text("\n".join(lines))
    print(f"Wrote {stem}.json and .md")


if __name__ == "__main__":
    main()
