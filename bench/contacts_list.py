"""The contacts list, its segment counts and its search on a million contacts (issue 3).

    .venv/bin/python bench/contacts_list.py [--database-url URL] [--runs N] [--label NAME]

Needs the database bench/contacts_load.py filled. Django is set up on it as the server
would be. Each workload is run `--runs` times after a warm-up (the figures are for a warm
cache, as a busy directory is) and reported as median and p95:

* "server": what the API handler runs — the selector (`contact_list_page`, `segment_count`)
  evaluated, model instances and the tags prefetch included;
* "api": the whole request through Django's test Client with a bearer token: routing,
  authentication, validation, the selector and JSON serialisation.

Then every workload's main query is run under EXPLAIN (ANALYZE, BUFFERS); the plans go to
the JSON, the slowest one to the Markdown summary. Writes
bench/results/contacts_list[-<label>]-<date>.{json,md}.
"""

import argparse
import datetime as dt
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

# (a)–(c) of the issue: a total-spent range + a tag + a consent state, sorted by total spent.
SEGMENT_FILTER = {
    "min_total_spent": "100",
    "max_total_spent": "1000",
    "tag": ["vip"],
    "consent": "subscribed",
    "sort": "-total_spent",
}
SEGMENT_NAME = "Bench: VIP 100–1000 € subscribed"
RARE_TAG_RANK = 120  # a tag on a few thousand contacts, for the worst case of the same filter
DEEP_PAGES = 20
TARGETS_MS = {"a": 50, "b": 50, "c": 300, "d": 20}
COLUMNS = (
    "workload",
    "server median",
    "server p95",
    "server min",
    "server CPU median",
    "main query, EXPLAIN ANALYZE",
    "API median",
    "API p95",
    "target",
    "met",
)
HEADER = f"| {' | '.join(COLUMNS)} |\n| --- |{' ---: |' * (len(COLUMNS) - 2)} :---: |"


def interleaved(calls: list, runs: int, warmup: int = 2) -> list[dict]:
    """Time every call `runs` times, one round over all calls after another.

    The machine is shared: a burst of someone else's work then slows one round of every
    workload a little instead of every run of one workload a lot. For each call: wall-clock
    samples in ms, and this process's CPU time (the Python side: ORM, serialisation).
    """
    for _ in range(warmup):
        for fn in calls:
            fn()
    wall = [[] for _ in calls]
    cpu = [[] for _ in calls]
    for _ in range(runs):
        for index, fn in enumerate(calls):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[index].append((time.perf_counter() - start) * 1000)
            cpu[index].append((time.process_time() - start_cpu) * 1000)
    return [{"wall": w, "cpu": c} for w, c in zip(wall, cpu, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=common.DEFAULT_DATABASE_URL)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--label", help="added to the results' file names (before, after…)")
    parser.add_argument("--only", help="run only the workloads whose name contains this")
    parser.add_argument(
        "--keyset",
        choices=["row", "or"],
        default="row",
        help="'or' measures the former cursor condition (an OR of ANDs) for comparison",
    )
    args = parser.parse_args()
    common.check_not_protected(args.database_url)
    os.environ["COMPTOIR_ALLOWED_HOSTS"] = "testserver"
    common.setup_django(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from comptoir.api import pagination
    from comptoir.api.pagination import _encode
    from comptoir.contacts import services
    from comptoir.contacts.models import Contact, Segment
    from comptoir.contacts.selectors import (
        BUILTIN_SEGMENTS,
        ContactFilter,
        contact_list_page,
        contacts_filter,
        contacts_sorted,
        segment_count,
    )
    from comptoir.core.models import Workspace
    from comptoir.core.scoping import scoped
    from comptoir.core.services import token_create
    from comptoir.demo.fakedata import tag_names

    if args.keyset == "or":
        pagination._after = pagination._after_any_direction
    load_before = os.getloadavg()
    workspace = Workspace.objects.filter(slug=common.BENCH_SLUG).first()
    if workspace is None:
        sys.exit("No bench workspace: run bench/contacts_load.py first.")
    total = scoped(Contact, workspace).count()
    segment = scoped(Segment, workspace).filter(name=SEGMENT_NAME).first()
    if segment is None:
        smart = {key: value for key, value in SEGMENT_FILTER.items() if key != "sort"}
        segment = services.segment_create(
            workspace=workspace, name=SEGMENT_NAME, filter=smart, actor=None
        )
    _token, secret = token_create(workspace=workspace, name="bench contacts_list")
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    def server_page(query: dict, cursor: str | None = None):
        flt = ContactFilter.model_validate(query)
        return contact_list_page(workspace=workspace, filter=flt, limit=50, cursor=cursor)

    def api_page(query: dict, cursor: str | None = None):
        params = {**query, "limit": 50, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/contacts", params)
        if response.status_code != 200:
            raise RuntimeError(response.content)
        return response

    def server_count(segment_id: str):
        return segment_count(workspace=workspace, segment_id=segment_id)

    def api_count(segment_id: str):
        response = client.get(f"/api/v1/segments/{segment_id}")
        if response.status_code != 200:
            raise RuntimeError(response.content)
        return response

    # Cursors for (b): one reached by following DEEP_PAGES pages, one taken from the middle.
    walk_ms, cursor = [], None
    for _ in range(DEEP_PAGES):
        start = time.perf_counter()
        cursor = server_page(SEGMENT_FILTER, cursor).next_cursor
        walk_ms.append((time.perf_counter() - start) * 1000)
    deep_cursor = cursor

    def cursor_at(query: dict, row: int) -> str:
        """The cursor a client holds after reading `row` rows (found once with OFFSET)."""
        queryset, ordering = contacts_sorted(
            workspace=workspace, filter=ContactFilter.model_validate(query)
        )
        fields = [key.lstrip("-") for key in ordering]
        return _encode(list(queryset.order_by(*ordering).values_list(*fields)[row - 1]))

    flt = ContactFilter.model_validate(SEGMENT_FILTER)
    matching = contacts_filter(workspace=workspace, filter=flt).count()
    middle_cursor = cursor_at(SEGMENT_FILTER, matching // 2)
    # Deep pages inside long runs of equal first keys: most contacts never ordered.
    tie_cursors = {
        "order_count": cursor_at({"sort": "order_count"}, total // 4),
        "-total_spent": cursor_at({"sort": "-total_spent"}, total * 4 // 5),
    }

    rare_tag = tag_names(RARE_TAG_RANK + 1)[RARE_TAG_RANK]
    rare_filter = {**SEGMENT_FILTER, "tag": [rare_tag]}
    someone = scoped(Contact, workspace).filter(email_key__startswith="camille.mar").first()
    typed_address = someone.email_key[: someone.email_key.index("@") + 3]

    workloads = [
        ("a", "a: first page, spent 100–1000 + tag vip + subscribed, -total_spent",
         "page", SEGMENT_FILTER, None),
        ("b", f"b: page {DEEP_PAGES + 1} (cursor after following {DEEP_PAGES} pages)",
         "page", SEGMENT_FILTER, deep_cursor),
        ("b", f"b: middle page (cursor of row {matching // 2:,} of {matching:,})",
         "page", SEGMENT_FILTER, middle_cursor),
        ("c", "c: count of the saved segment (same filter)", "count", str(segment.pk), None),
        ("d", 'd: search q="camille.mar" (dotted address start, no @)',
         "page", {"q": "camille.mar"}, None),
        ("d", f'd: search q="{typed_address}" (address start with @)',
         "page", {"q": typed_address}, None),
        ("d", 'd: search q="gmail.com" (the domain of 3 contacts in 13)',
         "page", {"q": "gmail.com"}, None),
        ("d", 'd: search q="laposte.net" (the domain of 1 contact in 13)',
         "page", {"q": "laposte.net"}, None),
        ("d", 'd: search q="page.example" (a domain nobody has)',
         "page", {"q": "page.example"}, None),
        ("d", 'd: search q="martin1036@" (the end of a local part)',
         "page", {"q": "martin1036@"}, None),
        (None, f"first page, same filter with a rare tag ({rare_tag!r})",
         "page", rare_filter, None),
        (None, 'search q="zoé" (name)', "page", {"q": "zoé"}, None),
        (None, 'search q="martin" (name)', "page", {"q": "martin"}, None),
    ]  # fmt: skip
    for sort in ("name", "email", "last_order_at", "order_count", "total_spent", "created_at"):
        for key in (sort, f"-{sort}"):
            workloads.append(
                (None, f"unfiltered first page, sort={key}", "page", {"sort": key}, None)
            )
    for sort, cursor in tie_cursors.items():
        row = total // 4 if sort == "order_count" else total * 4 // 5
        workloads.append(
            (None, f"unfiltered sort={sort}, page after row {row:,} (in the ties of 0)",
             "page", {"sort": sort}, cursor)
        )  # fmt: skip
    for builtin in BUILTIN_SEGMENTS:
        workloads.append((None, f"count of built-in segment {builtin}", "count", builtin, None))
    if args.only:
        workloads = [w for w in workloads if args.only in w[1]]

    calls = []
    for _target_key, _name, kind, query, cursor in workloads:
        if kind == "page":
            calls += [
                lambda q=query, c=cursor: server_page(q, c),
                lambda q=query, c=cursor: api_page(q, c),
            ]
        else:
            calls += [lambda s=query: server_count(s), lambda s=query: api_count(s)]
    print(f"Timing {len(workloads)} workloads, {args.runs} interleaved rounds…")
    timings = interleaved(calls, args.runs)

    results = []
    for number, (target_key, name, kind, query, cursor) in enumerate(workloads):
        server_samples = timings[2 * number]["wall"]
        server_cpu = timings[2 * number]["cpu"]
        api_samples = timings[2 * number + 1]["wall"]
        with CaptureQueriesContext(connection) as captured:
            outcome = server_page(query, cursor) if kind == "page" else server_count(query)
        answer = len(outcome.items) if kind == "page" else outcome
        plans = []
        with connection.cursor() as cur:
            for captured_query in captured.captured_queries:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + captured_query["sql"])
                plan = "\n".join(row[0] for row in cur.fetchall())
                plans.append({"sql": captured_query["sql"], "explain": plan})
        # The list's own query (ORDER BY … LIMIT) or the count; the others are the tag-name
        # lookup, the segment row and the tags prefetch.
        marker = "LIMIT" if kind == "page" else "COUNT(*)"
        main = next(
            p for p in plans if 'FROM "contacts_contact"' in p["sql"] and marker in p["sql"]
        )
        target = TARGETS_MS.get(target_key) if target_key else None
        server = common.summary(server_samples)
        row = {
            "workload": name,
            "target_ms": target,
            "met": None if target is None else server["median_ms"] < target,
            "rows": answer,
            "server": server,
            "server_cpu": common.summary(server_cpu),
            "api": common.summary(api_samples),
            "queries": len(plans),
            "sql": main["sql"],
            "explain": main["explain"],
            "sql_execution_ms": float(
                re.search(r"Execution Time: ([\d.]+) ms", main["explain"]).group(1)
            ),
            "other_queries": [p for p in plans if p is not main],
        }
        results.append(row)
        print(
            f"{server['median_ms']:8.2f} {server['p95_ms']:8.2f} "
            f"{row['api']['median_ms']:8.2f} ms  {name} → {answer}"
            + (
                ""
                if target is None
                else f"  [target {target}: {'met' if row['met'] else 'MISSED'}]"
            )
        )

    slowest = max(results, key=lambda r: r["server"]["median_ms"])
    required = [r for r in results if r["target_ms"] is not None]
    slowest_required = max(required, key=lambda r: r["server"]["median_ms"]) if required else None
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
            [["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost",
              "max_parallel_workers_per_gather", "jit"]],
        )  # fmt: skip
        settings = dict(cur.fetchall())
        cur.execute("SELECT version()")
        server_version = cur.fetchone()[0]
    data = {
        "benchmark": "contacts_list",
        "label": args.label,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "revision": common.git_revision(),
        "database": common.database_name(args.database_url),
        "server": server_version,
        "server_settings": settings,
        "machine": common.machine(),
        "load_average_before_after": [load_before, os.getloadavg()],
        "keyset": args.keyset,
        "contacts": total,
        "segment_filter": SEGMENT_FILTER,
        "segment_matches": matching,
        "walk_of_deep_pages_ms": [round(ms, 2) for ms in walk_ms],
        "runs": args.runs,
        "results": results,
    }

    def line(r):
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        target = f"< {r['target_ms']}" if r["target_ms"] else ""
        s, a = r["server"], r["api"]
        return (
            f"| {r['workload']} | {s['median_ms']} | {s['p95_ms']} | {s['min_ms']} "
            f"| {r['server_cpu']['median_ms']} | {r['sql_execution_ms']} "
            f"| {a['median_ms']} | {a['p95_ms']} | {target} | {met} |"
        )

    markdown = f"""# contacts_list{f" ({args.label})" if args.label else ""} — {data["when"]}

{total:,} contacts in `{data["database"]}`, {server_version.split(" on ")[0]}
({", ".join(f"{k}={v}" for k, v in settings.items())}), revision {data["revision"]}.
Filter of (a)–(c): `{SEGMENT_FILTER}` → {matching:,} contacts. {args.runs} runs per
workload, in interleaved rounds after 2 warm-up rounds; times in ms. "server" = the
selector the API handler runs, evaluated (main query, tag lookup, tags prefetch, model
instances), wall clock, and the CPU time of this process in it; "api" = the whole
request through Django's test Client with a bearer token, JSON included. Cursor condition:
{"row value" if args.keyset == "row" else "OR of ANDs (the former form)"}. Load average of
the (shared, 2-core) machine before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}.

{HEADER}
""" + "\n".join(line(r) for r in results)
    markdown += (
        f"\n\nFollowing {DEEP_PAGES} pages one after the other: "
        f"{', '.join(f'{ms:.1f}' for ms in walk_ms)} ms.\n"
    )
    for title, r in (
        ("slowest workload", slowest),
        ("slowest workload with a target", slowest_required),
    ):
        if r is None or (title != "slowest workload" and r is slowest):
            continue
        markdown += f"\n## EXPLAIN (ANALYZE, BUFFERS) of the {title}: {r['workload']}\n\n"
        markdown += f"```sql\n{r['sql']}\n```\n\n```\n{r['explain']}\n```\n"
    path = common.write_results("contacts_list", data, markdown, label=args.label)
    print(f"Results in {path}")


if __name__ == "__main__":
    main()
