"""What the database alone costs an import (issue 6): the INSERT of N ready-made contacts
into `contacts_contact`, with all its indexes, without the trigram search index, and with
only the primary key and the unique address index; and the foreign-key checks of one
timeline row per contact, queued for the COMMIT or run at each statement.

    .venv/bin/python bench/contacts_import_floor.py [--database-url URL] [--rows N]
        [--per-index] [--label NAME]

`--per-index` measures instead what each index of the table costs the INSERT: the schema as
migrated, then without each secondary index in turn, with the indexes the review of
2026-12-03 dropped put back (the schema before it), and with the two unique indexes only.

Scratch measurements on a benchmark database of its own (default comptoir_bench_import,
recreated and migrated): the contacts table is emptied between variants, and the index
variants drop indexes inside a transaction that is rolled back, so the schema is left as
the migrations made it. Rows are the generator's people (demo/fakedata.py), normalised
as the import normalises them, staged once in an unlogged table.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
from contacts_load import ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/comptoir_bench_import"
KEEP_INDEXES = ("contacts_contact_pkey", "contact_one_per_email")
VARIANTS = {
    "all indexes, FK checks at COMMIT": {"events": True},
    "all indexes, FK checks per statement": {"events": True, "immediate": True},
    "all indexes": {"rollback": True},
    "all indexes, 64 MB GIN pending list flushed at the end": {"rollback": True, "gin": True},
    "without the trigram index": {"rollback": True, "drop": ["contact_search_trgm"]},
    "primary key and unique address only": {"rollback": True, "drop": "secondary"},
}


# Dropped by contacts 0005 (the index review of issue 15); put back for the "before" variant.
DROPPED_BY_THE_REVIEW = (
    "CREATE INDEX floor_workspace ON contacts_contact (workspace_id)",
    "CREATE INDEX floor_consent ON contacts_contact (workspace_id, consent, id)",
)


def per_index_variants(conn) -> dict:
    names = [
        name
        for (name,) in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts_contact' ORDER BY 1"
        ).fetchall()
        if name not in KEEP_INDEXES
    ]
    variants = {
        "schema as migrated": {"rollback": True},
        "with the 2 indexes the review dropped (before)": {
            "rollback": True,
            "add": DROPPED_BY_THE_REVIEW,
        },
    }
    for name in names:
        variants[f"without {name}"] = {"rollback": True, "drop": [name]}
    variants["primary key and unique address only"] = {"rollback": True, "drop": "secondary"}
    return variants


def stage(conn, rows: int, workspace_id: int) -> None:
    from comptoir.contacts import normalize
    from comptoir.demo.fakedata import people

    conn.execute("DROP TABLE IF EXISTS floor_rows")
    conn.execute(
        "CREATE UNLOGGED TABLE floor_rows (line int, first_name text, last_name text,"
        " email text, email_key text, phone text, company text, name_key text, search_text text)"
    )
    with conn.cursor() as cursor, cursor.copy("COPY floor_rows FROM STDIN") as copy:
        for line, person in enumerate(people(rows, seed=2026, tags=0), start=2):
            phone, forms = normalize.phone_with_digit_forms(person.phone)
            display = normalize.display_name(
                first_name=person.first_name,
                last_name=person.last_name,
                email=person.email,
                phone=phone,
            )
            copy.write_row(
                (
                    line,
                    person.first_name,
                    person.last_name,
                    person.email,
                    normalize.email_key(person.email),
                    phone,
                    person.company,
                    normalize.fold(display)[:310],
                    normalize.search_text(
                        first_name=person.first_name,
                        last_name=person.last_name,
                        email=person.email,
                        phone=phone,
                        phone_forms=forms,
                    ),
                )
            )
    conn.execute("ANALYZE floor_rows")


def measure(conn, workspace_id: int, actor_id: int, options: dict) -> dict:
    run = conn.execute
    run("TRUNCATE contacts_contact CASCADE")
    run("CHECKPOINT")
    timings = {"load_average": os.getloadavg()[0]}
    run("BEGIN")
    if options.get("immediate"):
        run("SET CONSTRAINTS ALL IMMEDIATE")
    if options.get("gin"):
        run("SET LOCAL gin_pending_list_limit = '64MB'")
    drop = options.get("drop", [])
    if drop == "secondary":
        drop = [
            name
            for (name,) in run(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'contacts_contact'"
            ).fetchall()
            if name not in KEEP_INDEXES
        ]
    for name in drop:
        run(f'DROP INDEX "{name}"')
    for statement in options.get("add", ()):
        run(statement)

    def timed(name: str, sql: str) -> None:
        started = time.perf_counter()
        run(sql)
        timings[name] = round(time.perf_counter() - started, 2)

    timed(
        "insert_contacts_s",
        f"""
        INSERT INTO contacts_contact (workspace_id, first_name, last_name, email, email_key,
            phone, company, language, has_account, source, type, consent, order_count,
            total_spent, average_order_value, shipping_address, billing_address, locked,
            name_key, search_text, created_at, updated_at)
        SELECT {workspace_id}, first_name, last_name, email, email_key, phone, company, '',
            FALSE, 'import', 'prospect', 'not_subscribed', 0, 0, 0, '{{}}', '{{}}', FALSE,
            name_key, search_text, now(), now()
        FROM floor_rows ORDER BY line
        """,
    )
    if options.get("gin"):
        timed("gin_flush_s", "SELECT gin_clean_pending_list('contact_search_trgm')")
    if options.get("events"):
        timed(
            "insert_events_s",
            f"""
            INSERT INTO contacts_contactevent (workspace_id, contact_id, kind, data, actor_id,
                created_at)
            SELECT {workspace_id}, id, 'created', '{{"source": "import"}}', {actor_id}, now()
            FROM contacts_contact ORDER BY id
            """,
        )
    timed("end_s", "ROLLBACK" if options.get("rollback") else "COMMIT")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--per-index", action="store_true")
    parser.add_argument("--label", help="results go to contacts_import_floor-<label>-<date>.*")
    args = parser.parse_args()
    url = args.database_url
    common.check_not_protected(url)
    ensure_database(url, recreate=True)
    common.migrate(url)
    common.setup_django(url)
    import psycopg

    from comptoir.core.services import user_get_or_create, workspace_create

    owner = user_get_or_create(email=common.BENCH_OWNER, password=None, name="Bench")
    workspace = workspace_create(name="Bench shop", owner=owner, slug=common.BENCH_SLUG)
    results = {}
    with psycopg.connect(url, autocommit=True) as conn:
        print(f"Staging {args.rows:,} normalised rows…")
        stage(conn, args.rows, workspace.pk)
        variants = per_index_variants(conn) if args.per_index else VARIANTS
        for name, options in variants.items():
            results[name] = measure(conn, workspace.pk, owner.pk, options)
            print(f"  {name}: {results[name]}")
        conn.execute("DROP TABLE floor_rows")
    data = {
        "script": "contacts_import_floor",
        "revision": common.git_revision(),
        "machine": common.machine(),
        "rows": args.rows,
        "variants": results,
    }
    lines = "\n".join(
        f"| {name} | {t['insert_contacts_s']}"
        + (f" + {t['gin_flush_s']} flush" if "gin_flush_s" in t else "")
        + f" | {t.get('insert_events_s', '')} | {t['end_s']}"
        f" | {t['load_average']:.1f} |"
        for name, t in results.items()
    )
    markdown = f"""# Database floor of a contact import, {args.rows:,} contacts (PostgreSQL)

Revision {data["revision"]}; 2 cores shared with other work (load average per variant).
The same normalised rows, inserted in file order in one transaction into an empty
`contacts_contact`; index variants are rolled back (their end is the ROLLBACK).

| variant | INSERT contacts (s) | INSERT one timeline row each (s) | COMMIT / ROLLBACK (s) | load |
| --- | --- | --- | --- | --- |
{lines}
"""
    path = common.write_results("contacts_import_floor", data, markdown, label=args.label)
    print(markdown)
    print(f"Results: {path}")


if __name__ == "__main__":
    main()
