"""Which index of the directory each of its queries reads, on the benchmark database
bench/contacts_load.py filled (issue 15, the index review).

    .venv/bin/python bench/contacts_index_review.py [--database-url URL] [--label NAME]

Builds the queries the selectors and the dashboard run (every sort's first page, the
filters, the built-in segments' counts, a search, the campaign audience, an address
lookup), runs each under EXPLAIN (ANALYZE), and lists the indexes of `contacts_contact`,
`contacts_contacttag` and `contacts_contactevent` with the queries whose plan names them,
with each index's size. An index no query names is a candidate to drop. Writes
bench/results/contacts_index_review[-<label>]-<date>.{json,md}.
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

TABLES = ("contacts_contact", "contacts_contacttag", "contacts_contactevent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=common.DEFAULT_DATABASE_URL)
    parser.add_argument("--label")
    args = parser.parse_args()
    common.check_not_protected(args.database_url)
    common.setup_django(args.database_url)

    from django.db import connection

    from comptoir.consent.selectors import marketing_recipients
    from comptoir.contacts.models import Contact, ContactEvent, ContactTag
    from comptoir.contacts.selectors import (
        BUILTIN_SEGMENTS,
        ContactFilter,
        contact_events,
        contacts_filter,
        contacts_sorted,
        tag_counts,
    )
    from comptoir.core.models import Workspace
    from comptoir.core.scoping import scoped

    workspace = Workspace.objects.get(slug=common.BENCH_SLUG)
    someone = scoped(Contact, workspace).exclude(email_key="").order_by("pk")[5000]

    def page(query: dict):
        queryset, ordering = contacts_sorted(
            workspace=workspace, filter=ContactFilter.model_validate(query)
        )
        return queryset.order_by(*ordering)[:51]

    def count(query: dict):
        flt = ContactFilter.model_validate(query)
        return contacts_filter(workspace=workspace, filter=flt).values("pk").order_by()

    segment = {
        "min_total_spent": "100",
        "max_total_spent": "1000",
        "tag": ["vip"],
        "consent": "subscribed",
    }
    queries = {}
    for sort in ("name", "email", "last_order_at", "order_count", "total_spent", "created_at"):
        for sign in ("", "-"):
            queries[f"page sort={sign}{sort}"] = page({"sort": f"{sign}{sort}"})
    queries["page (a) segment filter, -total_spent"] = page({**segment, "sort": "-total_spent"})
    queries["count (c) segment filter"] = count(segment)
    for segment_id in BUILTIN_SEGMENTS:
        queries[f"count segment {segment_id}"] = count({"segment": segment_id})
    queries["count all contacts (list total)"] = count({})
    queries['page q="camille.mar"'] = page({"q": "camille.mar"})
    queries["page consent=unsubscribed"] = page({"consent": "unsubscribed"})
    queries["count consent=pending"] = count({"consent": "pending"})
    queries["page last_order_after=2026-10-01"] = page({"last_order_after": "2026-10-01"})
    queries["count last_order_after=2026-10-01"] = count({"last_order_after": "2026-10-01"})
    queries["count last_order_before=2024-01-01"] = count({"last_order_before": "2024-01-01"})
    queries["count min_orders=5"] = count({"min_orders": 5})
    queries["count source=pos"] = count({"source": ["pos"]})
    queries["page source=widget"] = page({"source": ["widget"]})
    queries["count has_account"] = count({"has_account": True})
    queries["count tag=vip"] = count({"tag": ["vip"]})
    queries["campaign audience: subscribed, not suppressed (count)"] = (
        marketing_recipients(workspace).values("pk").order_by()
    )
    queries["address lookup (import, store sync)"] = scoped(Contact, workspace).filter(
        email_key=someone.email_key
    )
    queries["tags of a page (prefetch)"] = ContactTag.objects.filter(
        contact_id__in=list(
            scoped(Contact, workspace).order_by("-created_at").values_list("pk", flat=True)[:51]
        )
    )
    queries["tag counts"] = tag_counts(workspace=workspace)
    queries["timeline of a contact"] = contact_events(workspace=workspace, contact=someone)[:50]
    queries["sign-up events of a contact (signups segment)"] = ContactEvent.objects.filter(
        contact=someone, kind="signed_up"
    )

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_relation_size(i.oid)
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) ORDER BY t.relname, i.relname
            """,
            [list(TABLES)],
        )
        indexes = cursor.fetchall()
    plans, times = {}, {}
    for name, queryset in queries.items():
        plan = queryset.explain(analyze=True)
        plans[name] = plan
        found = re.search(r"Execution Time: ([\d.]+) ms", plan)
        times[name] = float(found.group(1)) if found else None
        print(f"{times[name]:>9} ms  {name}")
    used = {
        index: [name for name, plan in plans.items() if re.search(rf"\b{index}\b", plan)]
        for _table, index, _size in indexes
    }
    rows = "\n".join(
        f"| {table} | {index} | {size / 1e6:.0f} MB | "
        + ("; ".join(used[index]) or "**none**")
        + " |"
        for table, index, size in indexes
    )
    query_rows = "\n".join(
        f"| {name} | {times[name]} | "
        + ", ".join(index for _t, index, _s in indexes if index in used and name in used[index])
        + " |"
        for name in queries
    )
    data = {
        "script": "contacts_index_review",
        "revision": common.git_revision(),
        "machine": common.machine(),
        "load_average": os.getloadavg(),
        "indexes": [
            {"table": t, "index": i, "bytes": s, "used_by": used[i]} for t, i, s in indexes
        ],
        "plans": plans,
        "execution_ms": times,
    }
    markdown = f"""# Which query reads which index (contacts at 1M)

Revision {data["revision"]}; load average {data["load_average"]}. Each query run once under
EXPLAIN (ANALYZE); "used by" lists the queries whose plan names the index.

| table | index | size | used by |
| --- | --- | ---: | --- |
{rows}

| query | EXPLAIN ANALYZE (ms) | indexes read |
| --- | ---: | --- |
{query_rows}
"""
    path = common.write_results("contacts_index_review", data, markdown, label=args.label)
    print(markdown)
    print(f"Results: {path}")


if __name__ == "__main__":
    main()
