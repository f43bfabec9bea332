"""Load a million generated contacts into PostgreSQL for the directory benchmarks (issue 3).

    .venv/bin/python bench/contacts_load.py [--database-url URL] [--contacts N] [--recreate]

Creates the database if missing, runs `comptoir migrate` into it, makes a workspace
(slug "bench") with 200 tags, then streams the contacts and their tag links with COPY
(psycopg 3). Rows come from demo/fakedata.py (fixed seed) through
`contacts.demo.contact_from_person`, so the derived columns (email_key, name_key,
search_text) are exactly what `Contact.save()` writes. The two tables' secondary indexes
and constraints are dropped for the load and rebuilt afterwards (one sort per index instead
of a million index insertions), then VACUUM ANALYZE sets the statistics and the visibility
map, as autovacuum would on a live database. Writes bench/results/contacts_load-<date>.*.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

SEED = 2026
TAGS = 200
# Fixed, so that a reload gives the same rows (the built-in "new customers" segment is
# relative to the real clock and is only reported for context).
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def ensure_database(url: str, recreate: bool) -> bool:
    """Create the benchmark database (dropping it first with `recreate`); True if new."""
    import psycopg
    from psycopg import sql

    name = common.database_name(url)
    with psycopg.connect(common.maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            print(f"Dropping the database {name}…")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the database {name}.")
            return True
    return False


def secondary_schema(conn, tables: list[str]) -> tuple[list[tuple], list[tuple]]:
    """(constraints, indexes) of `tables` other than primary keys and checks, as
    (table, name, definition): what can be dropped for a load and rebuilt after it."""
    constraints = conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.contype
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f')
        ORDER BY c.contype DESC, c.conname
        """,
        [tables],
    ).fetchall()
    indexes = conn.execute(
        """
        SELECT i.indrelid::regclass::text, ci.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY ci.relname
        """,
        [tables],
    ).fetchall()
    return [row[:3] for row in constraints], indexes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=common.DEFAULT_DATABASE_URL)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--tags", type=int, default=TAGS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--recreate", action="store_true", help="drop and recreate the benchmark database first"
    )
    args = parser.parse_args()
    url = args.database_url
    common.check_not_protected(url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    load_before = os.getloadavg()

    ensure_database(url, args.recreate)
    tick = time.perf_counter()
    common.migrate(url)
    timings["migrate_s"] = time.perf_counter() - tick

    common.setup_django(url)
    import psycopg
    from psycopg.types.json import Jsonb

    from comptoir.contacts.models import Contact, ContactTag, Tag
    from comptoir.contacts.normalize import tag_key
    from comptoir.core.models import Workspace
    from comptoir.core.services import user_get_or_create, workspace_create
    from comptoir.demo.contacts import contact_from_person
    from comptoir.demo.fakedata import people, tag_names

    workspace = Workspace.objects.filter(slug=common.BENCH_SLUG).first()
    if workspace is None:
        owner = user_get_or_create(email=common.BENCH_OWNER, password=None, name="Bench")
        workspace = workspace_create(name="Bench shop", owner=owner, slug=common.BENCH_SLUG)
    existing = Contact.objects.filter(workspace=workspace).count()
    if existing:
        sys.exit(
            f"The bench workspace holds {existing} contacts already; "
            "run with --recreate to load again."
        )
    names = tag_names(args.tags)
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=name, key=tag_key(name)) for name in names],
        ignore_conflicts=True,
    )
    tag_ids = dict(Tag.objects.filter(workspace=workspace).values_list("name", "pk"))

    contact_table = Contact._meta.db_table
    link_table = ContactTag._meta.db_table
    fields = Contact._meta.concrete_fields
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    columns = [f.column for f in fields]
    attnames = [f.attname for f in fields]

    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        constraints, indexes = secondary_schema(conn, [contact_table, link_table])
        for table, name, _definition in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        print(f"Dropped {len(constraints)} constraints and {len(indexes)} indexes for the load.")
        (next_id,) = conn.execute(
            f"SELECT coalesce(max(id), 0) + 1 FROM {contact_table}"
        ).fetchone()

        tick = time.perf_counter()
        links = []
        copy_sql = f"COPY {contact_table} ({', '.join(columns)}) FROM STDIN"
        with conn.cursor().copy(copy_sql) as copy:
            for serial, person in enumerate(
                people(args.contacts, seed=args.seed, tags=args.tags, now=NOW)
            ):
                contact = contact_from_person(person, workspace_id=workspace.pk)
                contact.id = next_id + serial
                copy.write_row(
                    [
                        Jsonb(getattr(contact, name))
                        if name in json_fields
                        else getattr(contact, name)
                        for name in attnames
                    ]
                )
                links.extend((contact.id, tag_ids[tag], person.created_at) for tag in person.tags)
                if (serial + 1) % 100_000 == 0:
                    elapsed = time.perf_counter() - tick
                    print(f"  {serial + 1:>9,} contacts  {elapsed:6.1f} s")
        timings["copy_contacts_s"] = time.perf_counter() - tick

        tick = time.perf_counter()
        with conn.cursor().copy(
            f"COPY {link_table} (contact_id, tag_id, created_at) FROM STDIN"
        ) as copy:
            for row in links:
                copy.write_row(row)
        timings["copy_tag_links_s"] = time.perf_counter() - tick
        print(f"Copied {len(links):,} tag links in {timings['copy_tag_links_s']:.1f} s.")
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{contact_table}', 'id'), "
            f"(SELECT max(id) FROM {contact_table}))"
        )

        tick = time.perf_counter()
        index_times = {}
        for _table, name, definition in indexes:
            one = time.perf_counter()
            conn.execute(definition)
            index_times[name] = round(time.perf_counter() - one, 2)
            print(f"  index {name}: {index_times[name]} s")
        for table, name, definition in constraints:
            one = time.perf_counter()
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            index_times[name] = round(time.perf_counter() - one, 2)
            print(f"  constraint {name}: {index_times[name]} s")
        timings["indexes_s"] = time.perf_counter() - tick
        conn.commit()

        tick = time.perf_counter()
        conn.autocommit = True
        # The tag table too: with no statistics the planner takes its 200 rows for one and
        # the tags prefetch of every page becomes a scan of all the links.
        for table in (contact_table, link_table, Tag._meta.db_table):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        timings["vacuum_analyze_s"] = time.perf_counter() - tick
        sizes = dict(
            conn.execute(
                """
                SELECT c.relname, pg_total_relation_size(c.oid)
                FROM pg_class c WHERE c.relname = ANY(%s)
                """,
                [[contact_table, link_table]],
            ).fetchall()
        )
        server = conn.execute("SELECT version()").fetchone()[0]
        settings = dict(
            conn.execute(
                "SELECT name, setting || coalesce(unit, '') FROM pg_settings WHERE name = ANY(%s)",
                [["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost"]],
            ).fetchall()
        )

    timings["total_s"] = time.perf_counter() - started
    timings = {key: round(value, 2) for key, value in timings.items()}
    data = {
        "benchmark": "contacts_load",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "revision": common.git_revision(),
        "database": common.database_name(url),
        "server": server,
        "server_settings": settings,
        "machine": common.machine(),
        "load_average_before_after": [load_before, os.getloadavg()],
        "contacts": args.contacts,
        "tags": len(tag_ids),
        "tag_links": len(links),
        "seed": args.seed,
        "timings": timings,
        "index_build_s": index_times,
        "total_bytes": sizes,
    }
    mb = {name: round(size / 2**20) for name, size in sizes.items()}
    markdown = f"""# contacts_load — {data["when"]}

{args.contacts:,} contacts, {len(tag_ids)} tags, {len(links):,} tag links (seed {args.seed})
into `{data["database"]}` on {server.split(" on ")[0]}, revision {data["revision"]}.
Load average of the (shared) machine before / after: {load_before[0]:.2f} /
{os.getloadavg()[0]:.2f}; the COPY phase is bound by one Python process building the rows.

| phase | seconds |
| --- | ---: |
""" + "\n".join(f"| {key.removesuffix('_s')} | {value} |" for key, value in timings.items())
    markdown += "\n\nSizes with indexes (MB): " + json.dumps(mb) + "\n"
    path = common.write_results("contacts_load", data, markdown)
    print(f"Loaded {args.contacts:,} contacts in {timings['total_s']} s; results in {path}")


if __name__ == "__main__":
    main()
