"""What the benchmark scripts share: the database they use, Django set up on it, results files.

Not a test helper: benchmarks run on demand (bench/README.md), never in the test suite.
"""

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench"
# Databases other people's tests use: a benchmark never creates, fills or drops them.
PROTECTED = {"postgres", "template0", "template1", "test", "test_test"}
BENCH_SLUG = "bench"
BENCH_OWNER = "bench@comptoir.test"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    """The same server's `postgres` database, to create or drop the benchmark's own."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def check_not_protected(url: str) -> None:
    name = database_name(url)
    if name in PROTECTED:
        sys.exit(f"refusing to use the database {name!r}: give a benchmark database of its own")


def setup_django(url: str) -> None:
    """Django on `url` (the settings read COMPTOIR_DATABASE_URL), as the server would run."""
    os.environ["COMPTOIR_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()


def migrate(url: str) -> None:
    """`comptoir migrate` into `url`, as an operator runs it."""
    env = {**os.environ, "COMPTOIR_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "comptoir", "migrate", "--no-input", "-v", "1"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{'+changes' if dirty else ''}"


def machine() -> dict:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def summary(samples_ms: list[float]) -> dict:
    """Median, p95, min and max of a list of durations in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
    }


def write_results(script: str, data: dict, markdown: str, label: str | None = None) -> Path:
    """bench/results/<script>[-<label>]-<date>[-<time>].json and .md; returns the JSON's
    path. An earlier result is never overwritten."""
    RESULTS.mkdir(exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y-%m-%d")
    stem = f"{script}-{label}-{stamp}" if label else f"{script}-{stamp}"
    if (RESULTS / f"{stem}.json").exists():  # a second run the same day keeps the first
        stem += now.strftime("-%H%M%S")
    path = RESULTS / f"{stem}.json"
    path.write_text(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown.rstrip() + "\n")
    return path
