"""Merging staged import rows into the directory with set-based SQL (X1, X2, C2).

The result is what calling the per-contact services row by row would give
(`contact_create`, `contact_update(lock=None)`, `contact_tags_add`, `consent_subscribe`,
`consent_withdraw`, `suppression_add`), with the same ledger and timeline rows, but in a
handful of statements instead of millions: tests/transfer/test_merge_equivalence.py
holds the two side by side. One deliberate difference: a new contact's consent is told by
its one "created" timeline entry (with its tags, as `contact_create` writes them) rather
than by an entry of its own; its ledger row is the same. The rules:

- One contact per normalised address: rows whose address is already a contact update it,
  other rows create one. Inside the file the first row of an address wins for details,
  the tags of all its rows are merged, and its strongest consent state counts.
- An existing contact only gets its empty details filled, never overwritten, and a
  contact whose details are locked (C6) keeps them; tags are added, never removed.
- Consent (X2): "cleaned" rows are suppressed as bounces; "unsubscribed" rows are
  unsubscribed; "subscribed" rows are subscribed only when the importer confirmed holding
  that consent, never when the address is suppressed (bounced, complained or erased) and
  never when the contact has unsubscribed here: that choice is newer than any file.

Everything runs in the caller's transaction; a dry run rolls it back.
"""

import json
import logging
import time
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from comptoir.consent.events import Kind as ConsentKind
from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import import_may_subscribe_sql
from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Contact, ContactEvent, ContactTag, Tag
from comptoir.contacts.postgres import TRIGRAM_INDEX
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.transfer.reasons import Reason, RefusedImport
from comptoir.transfer.staging import is_postgres

logger = logging.getLogger("comptoir.transfer")

FILL_BATCH = 1000
TAG_PLACES = 1 << 20  # more than the tags a line of reading.MAX_LINE_CHARS can hold
# The details an import may fill on an existing contact when they are empty.
FILLABLE = (
    "first_name",
    "last_name",
    "phone",
    "company",
    "language",
    "has_account",
    "shipping_address",
    "billing_address",
)
_STAGED = {"shipping_address": "shipping", "billing_address": "billing"}
EMPTY_OBJECT = "'{}'"  # an empty address, as both engines store it
# How strong a row's consent is; an address's strongest row decides (consent_rank).
_RANK = (
    "CASE {column} WHEN 'cleaned' THEN 3 WHEN 'unsubscribed' THEN 2 "
    "WHEN 'subscribed' THEN 1 ELSE 0 END"
)

CONTACTS = Contact._meta.db_table
TAGS = Tag._meta.db_table
LINKS = ContactTag._meta.db_table
EVENTS = ContactEvent._meta.db_table
LEDGER = ConsentEvent._meta.db_table
SUPPRESSIONS = Suppression._meta.db_table


@dataclass
class MergeResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    # Contacts a later row of their address unsubscribed (or reported as cleaned) where
    # the first row did not: that row is counted here, not among the skipped ones.
    unsubscribed_by_later_row: int = 0
    timings: dict = field(default_factory=dict)


class _Dialect:
    """The few spellings SQLite and PostgreSQL do not share."""

    def __init__(self):
        self.pg = is_postgres()

    def json(self, expression: str) -> str:
        return f"CAST({expression} AS jsonb)" if self.pg else expression

    def json_object(self, *pairs: str) -> str:
        return (
            f"jsonb_build_object({', '.join(pairs)})"
            if self.pg
            else f"json_object({', '.join(pairs)})"
        )

    def tag_pairs(self, staged: str) -> str:
        """(email_key, key, name, line, ord) for each tag of each staged row; `ord` orders
        the tags as the file gives them (line, then place in the cell: a line holds at most
        reading.MAX_LINE_CHARS characters, so fewer than TAG_PLACES tags)."""
        if self.pg:
            return (
                f"SELECT s.email_key, e->>0 AS key, e->>1 AS name, s.line, "
                f"CAST(s.line AS bigint) * {TAG_PLACES} + place AS ord "
                f"FROM {staged} s, "
                f"jsonb_array_elements(CAST(s.tags AS jsonb)) WITH ORDINALITY AS cell(e, place)"
            )
        return (
            f"SELECT s.email_key, json_extract(e.value, '$[0]') AS key, "
            f"json_extract(e.value, '$[1]') AS name, s.line, s.line * {TAG_PLACES} + e.key AS ord "
            f"FROM {staged} s, json_each(s.tags) e"
        )

    def tag_names(self, links: str, tags: str) -> str:
        """(contact_id, names): the JSON list of the tags each new contact is linked to, in
        file order."""
        if self.pg:
            return (
                f"SELECT l.contact_id, jsonb_agg(t.name ORDER BY l.ord) AS names "
                f"FROM {links} l JOIN {tags} t ON t.id = l.tag_id WHERE l.created = 1 "
                f"GROUP BY l.contact_id"
            )
        # SQLite aggregates in the order of the rows it is given (no ORDER BY in aggregates
        # before 3.44): the subquery gives them in file order.
        return (
            f"SELECT contact_id, json_group_array(name) AS names FROM ("
            f"SELECT l.contact_id, t.name FROM {links} l JOIN {tags} t ON t.id = l.tag_id "
            f"WHERE l.created = 1 ORDER BY l.contact_id, l.ord) GROUP BY contact_id"
        )

    def json_without_nulls(self, *pairs: str) -> str:
        """A JSON object of `pairs` without the keys whose value is NULL."""
        if self.pg:
            return f"jsonb_strip_nulls(jsonb_build_object({', '.join(pairs)}))"
        # A merge patch drops the keys it sets to null.
        return f"json_patch('{{}}', json_object({', '.join(pairs)}))"

    def true(self) -> str:
        return "TRUE" if self.pg else "1"


class Merge:
    def __init__(
        self,
        *,
        staged: str,
        workspace: Workspace,
        actor: User | None,
        consent_confirmed: bool,
        suppression_detail: str,
    ):
        self.staged = staged
        self.unique = f"{staged}_unique"
        self.tags = f"{staged}_tags"
        self.links = f"{staged}_links"
        self.changes = f"{staged}_consent"
        self.workspace = workspace
        self.actor = actor
        self.actor_label = str(actor)[:200] if actor else ""
        self.consent_confirmed = consent_confirmed
        self.suppression_detail = suppression_detail[:500]
        self.sql = _Dialect()
        self.now = timezone.now()
        self.result = MergeResult()

    # ------------------------------------------------------------------ helpers

    def _run(self, sql: str, params: list | tuple = ()) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _value(self, sql: str, params: list | tuple = ()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def _now(self):
        return connection.ops.adapt_datetimefield_value(self.now)

    def _timed(self, name: str, step) -> None:
        start = time.perf_counter()
        step()
        self.result.timings[name] = round(time.perf_counter() - start, 3)

    # -------------------------------------------------------------------- steps

    def run(self) -> MergeResult:
        if self.sql.pg:
            # Sorts and joins over a million staged rows stay in memory instead of spilling
            # to disk; for this transaction only.
            self._run("SET LOCAL work_mem = '64MB'")
            # The trigram index takes new entries into its pending list and merges them into
            # the index each time the list is full: a larger list for this transaction
            # makes fewer, larger merges (a 300k-row INSERT: 27 s -> 21 s, measured in
            # bench/results/contacts_import_floor-*); _flush_search_index empties it at the
            # end, so that searches afterwards do not read through it.
            self._run("SET LOCAL gin_pending_list_limit = '64MB'")
            # Check the foreign keys of the merge's own inserts at the end of each statement
            # instead of queuing them all for the COMMIT: the same checks in about the same
            # time (bench/results/contacts_import_floor-*), but the server no longer holds
            # a queue of ten million pending checks for a million-row file, and a failing
            # check points at its statement.
            self._run("SET CONSTRAINTS ALL IMMEDIATE")
        self._timed("dedupe", self._dedupe)
        self._timed("tags", self._ensure_tags)
        self._timed("create", self._create)
        self._timed("fill", self._fill)
        self._timed("link_tags", self._link_tags)
        self._timed("consent", self._consent)
        # Last: a new contact's one timeline entry carries its tags and consent.
        self._timed("created_events", self._created_events)
        self._timed("count", self._count)
        for table in (self.unique, self.tags, self.links, self.changes):
            self._run(f"DROP TABLE IF EXISTS {table}")
        if self.sql.pg:
            self._timed("flush_search_index", self._flush_search_index)
            self._run("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys, as declared
        return self.result

    def _flush_search_index(self) -> None:
        if not self._value("SELECT to_regclass(%s) IS NOT NULL", [TRIGRAM_INDEX]):
            return  # pg_trgm was not available: search works without the index
        try:
            # Only the index's owner may flush it (the role that ran the migrations, as a
            # rule); otherwise autovacuum will, and nothing is lost meanwhile.
            with transaction.atomic():
                self._run("SELECT gin_clean_pending_list(CAST(%s AS regclass))", [TRIGRAM_INDEX])
        except DatabaseError:
            logger.warning("could not flush the pending list of %s", TRIGRAM_INDEX)

    def _dedupe(self) -> None:
        """One row per address: its first row's details, its strongest consent, and the
        contact it is (`existed`) or will be (`created`).

        On PostgreSQL a new contact's id is drawn from the table's sequence here, so that
        no later step has to look the new contacts up again: rewriting a million staged
        rows to note their ids took longer than inserting the contacts."""
        columns = (
            "line, email, email_key, email_hash, first_name, last_name, phone, company, "
            "language, has_account, created_at, shipping, billing, name_key, search_text"
        )
        for table in (self.unique, self.tags, self.links, self.changes):
            self._run(f"DROP TABLE IF EXISTS {table}")
        if self.sql.pg:
            sequence = self._value("SELECT pg_get_serial_sequence(%s, 'id')", [CONTACTS])
            contact_id = "COALESCE(c.id, nextval(CAST(%s AS regclass)))"
            params = [sequence, self.workspace.pk]
        else:
            contact_id, params = "c.id", [self.workspace.pk]
        self._run(
            f"""
            CREATE TEMPORARY TABLE {self.unique} AS
            SELECT {", ".join(f"ranked.{name}" for name in columns.split(", "))},
                   consent_rank,
                   {_RANK.format(column="ranked.consent")} AS first_rank,
                   CASE WHEN c.id IS NULL THEN 0 ELSE 1 END AS existed,
                   CASE WHEN c.id IS NULL THEN 1 ELSE 0 END AS created,
                   0 AS changed,
                   {contact_id} AS contact_id
            FROM (
                SELECT s.*,
                       ROW_NUMBER() OVER (PARTITION BY email_key ORDER BY line) AS position,
                       MAX({_RANK.format(column="consent")})
                           OVER (PARTITION BY email_key) AS consent_rank
                FROM {self.staged} s
            ) ranked
            LEFT JOIN {CONTACTS} c ON c.workspace_id = %s AND c.email_key = ranked.email_key
            WHERE position = 1
            ORDER BY ranked.line
            """,
            params,
        )
        self._run(f"CREATE UNIQUE INDEX {self.unique}_key ON {self.unique} (email_key)")
        # The fill step pages through the rows in file order.
        self._run(f"CREATE INDEX {self.unique}_line ON {self.unique} (line)")
        if self.sql.pg:
            self._run(f"ANALYZE {self.unique}")

    def _ensure_tags(self) -> None:
        """Create the file's new tags, refusing the whole import beyond the workspace's
        limit (C7) before anything is written, as `_tags_ensure` does."""
        self._run(f"CREATE TEMPORARY TABLE {self.tags} AS {self.sql.tag_pairs(self.staged)}")
        new = f"""
            SELECT key, name FROM (
                SELECT key, name, ROW_NUMBER() OVER (PARTITION BY key ORDER BY line) AS position
                FROM {self.tags}
                WHERE key NOT IN (SELECT key FROM {TAGS} WHERE workspace_id = %s)
            ) named WHERE position = 1
        """
        missing = self._value(f"SELECT COUNT(*) FROM ({new}) n", [self.workspace.pk])
        if not missing:
            return
        # The workspace row is the lock of its tag count, as in contacts.services.
        list(scoped(Workspace, self.workspace).select_for_update().values_list("pk", flat=True))
        total = scoped(Tag, self.workspace).count() + missing
        if total > Tag.MAX_PER_WORKSPACE:
            raise RefusedImport(
                Reason(
                    gettext_noop(
                        "A workspace has at most %(max)d tags; this file would make %(total)d. "
                        "Reuse, merge or delete tags first, or leave the tags column out."
                    ),
                    max=Tag.MAX_PER_WORKSPACE,
                    total=total,
                ),
                code="tag_limit",
            )
        self._run(
            f"""
            INSERT INTO {TAGS} (workspace_id, name, key, created_at)
            SELECT %s, name, key, %s FROM ({new}) n
            """,
            [self.workspace.pk, self._now(), self.workspace.pk],
        )

    def _suppressed(self) -> str:
        return (
            f"SELECT email_hash FROM {SUPPRESSIONS} WHERE workspace_id = {int(self.workspace.pk)}"
        )

    def _create(self) -> None:
        """Insert the new contacts, each with the consent the rules give it (its ledger
        rows follow in _consent), so that no contact row is written twice."""
        detail_columns = (
            "first_name, last_name, email, email_key, phone, company, language, has_account"
        )
        # A new contact is "not subscribed" before the file speaks: every file state moves
        # it, except "subscribed" without the confirmation or for a suppressed address.
        subscribed = (
            f"CASE WHEN email_hash IN ({self._suppressed()}) THEN %s ELSE %s END"
            if self.consent_confirmed
            else "%s"
        )
        consent_params = (
            [Contact.Consent.NOT_SUBSCRIBED, Contact.Consent.SUBSCRIBED]
            if self.consent_confirmed
            else [Contact.Consent.NOT_SUBSCRIBED]
        )
        expected = self._value(f"SELECT COUNT(*) FROM {self.unique} WHERE created = 1")
        before = 0 if self.sql.pg else self._value(f"SELECT COALESCE(MAX(id), 0) FROM {CONTACTS}")
        inserted = self._run(
            f"""
            INSERT INTO {CONTACTS} (
                {"id, " if self.sql.pg else ""}workspace_id, {detail_columns}, source, type,
                consent, order_count, total_spent, average_order_value, shipping_address,
                billing_address, locked, name_key, search_text, created_at, updated_at
            )
            SELECT {"contact_id, " if self.sql.pg else ""}%s, {detail_columns}, %s, %s,
                   CASE WHEN consent_rank >= 2 THEN %s
                        WHEN consent_rank = 1 THEN {subscribed}
                        ELSE %s END,
                   0, 0, 0,
                   {self.sql.json("shipping")}, {self.sql.json("billing")}, FALSE,
                   name_key, search_text, COALESCE(created_at, %s), %s
            FROM {self.unique} WHERE created = 1
            ORDER BY line
            ON CONFLICT (workspace_id, email_key) WHERE NOT (email_key = '') DO NOTHING
            """,
            [
                self.workspace.pk,
                Contact.Source.IMPORT,
                Contact.Type.PROSPECT,
                Contact.Consent.UNSUBSCRIBED,
                *consent_params,
                Contact.Consent.NOT_SUBSCRIBED,
                self._now(),
                self._now(),
            ],
        )
        # An address someone else added since the import began (its INSERT was skipped)
        # is that contact, updated as an existing one by the steps that follow.
        if not self.sql.pg:
            # SQLite ids only grow (AUTOINCREMENT): ours are the ones above `before`.
            self._run(
                f"""
                UPDATE {self.unique}
                SET contact_id = c.id,
                    created = CASE WHEN c.id > %s THEN 1 ELSE 0 END,
                    existed = CASE WHEN c.id > %s THEN 0 ELSE 1 END
                FROM {CONTACTS} c
                WHERE {self.unique}.created = 1
                  AND c.workspace_id = %s AND c.email_key = {self.unique}.email_key
                """,
                [before, before, self.workspace.pk],
            )
        elif inserted < expected:
            self._run(
                f"""
                UPDATE {self.unique} SET contact_id = c.id, existed = 1, created = 0
                FROM {CONTACTS} c
                WHERE {self.unique}.created = 1
                  AND c.workspace_id = %s AND c.email_key = {self.unique}.email_key
                  AND c.id <> {self.unique}.contact_id
                """,
                [self.workspace.pk],
            )

    def _created_events(self) -> None:
        """One "created" entry per new contact, with the tags it came with and the consent
        the file gave it (`{"source": "import", "tags": [...], "consent": {"status": ...,
        "source": ...}}`, each of the last two only when there is one), instead of one entry
        more per tag and for the consent: a million-row file wrote 2.6 million timeline
        rows, now one per contact. The consent's ledger row is written all the same
        (_consent): it is the proof, the timeline only tells."""
        consent = self.sql.json_object("'status'", "ch.status", "'source'", "ch.source")
        consent = f"CASE WHEN ch.status IS NULL THEN NULL ELSE {consent} END"
        tags = "tg.names" if self.sql.pg else "json(tg.names)"
        data = self.sql.json_without_nulls(
            "'source'", "CAST(%s AS text)", "'tags'", tags, "'consent'", consent
        )
        self._run(
            f"""
            INSERT INTO {EVENTS} (workspace_id, contact_id, kind, data, actor_id, created_at)
            SELECT %s, u.contact_id, %s, {data}, %s, %s
            FROM {self.unique} u
            LEFT JOIN ({self.sql.tag_names(self.links, TAGS)}) tg ON tg.contact_id = u.contact_id
            LEFT JOIN {self.changes} ch ON ch.contact_id = u.contact_id
            WHERE u.created = 1 ORDER BY u.line
            """,
            [
                self.workspace.pk,
                ContactKind.CREATED,
                Contact.Source.IMPORT,
                self.actor.pk if self.actor else None,
                self._now(),
            ],
        )

    def _fill(self) -> None:
        """Fill the empty details of existing, unlocked contacts. Few contacts change here
        in a typical import, and their derived search columns are computed in Python (as
        Contact.save does), so this step works in batches through the ORM."""
        conditions = " OR ".join(
            [
                f"(c.{name} = '' AND u.{name} <> '')"
                for name in ("first_name", "last_name", "phone", "company", "language")
            ]
            + [f"(NOT c.has_account AND u.has_account = {self.sql.true()})"]
            + [
                f"(c.{name} = {self.sql.json(EMPTY_OBJECT)} AND u.{staged} <> {EMPTY_OBJECT})"
                for name, staged in _STAGED.items()
            ]
        )
        select = f"""
            SELECT u.line, u.contact_id, u.first_name, u.last_name, u.phone, u.company,
                   u.language, u.has_account, u.shipping, u.billing
            FROM {self.unique} u JOIN {CONTACTS} c ON c.id = u.contact_id
            WHERE u.existed = 1 AND NOT c.locked AND ({conditions}) AND u.line > %s
            ORDER BY u.line LIMIT {FILL_BATCH}
        """
        last_line = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(select, [last_line])
                batch = cursor.fetchall()
            if not batch:
                return
            last_line = batch[-1][0]
            self._fill_batch(batch)

    def _fill_batch(self, batch: list[tuple]) -> None:
        contacts = scoped(Contact, self.workspace).in_bulk([row[1] for row in batch])
        changed, events = [], []
        for _line, contact_id, first, last, phone, company, language, account, ship, bill in batch:
            contact = contacts[contact_id]
            new = {
                "first_name": first,
                "last_name": last,
                "phone": phone,
                "company": company,
                "language": language,
                "has_account": bool(account),
                "shipping_address": json.loads(ship),
                "billing_address": json.loads(bill),
            }
            diff = {
                name: [getattr(contact, name), value]
                for name, value in new.items()
                if value and not getattr(contact, name)
            }
            if not diff:
                continue
            for name, (_old, value) in diff.items():
                setattr(contact, name, value)
            contact.refresh_derived_fields()
            contact.updated_at = self.now
            changed.append(contact)
            events.append(
                ContactEvent(
                    workspace=self.workspace,
                    contact=contact,
                    kind=ContactKind.EDITED,
                    actor=self.actor,
                    data={"changes": diff},
                    created_at=self.now,
                )
            )
        Contact.objects.bulk_update(
            changed, [*FILLABLE, "email_key", "name_key", "search_text", "updated_at"]
        )
        ContactEvent.objects.bulk_create(events)
        self._mark_changed([contact.pk for contact in changed])

    def _mark_changed(self, ids: list[int]) -> None:
        if ids:
            slots = ", ".join(["%s"] * len(ids))
            self._run(f"UPDATE {self.unique} SET changed = 1 WHERE contact_id IN ({slots})", ids)

    def _link_tags(self) -> None:
        self._run(
            f"""
            CREATE TEMPORARY TABLE {self.links} AS
            SELECT u.contact_id, t.id AS tag_id, u.created, MIN(s.ord) AS ord
            FROM {self.tags} s
            JOIN {self.unique} u ON u.email_key = s.email_key
            JOIN {TAGS} t ON t.workspace_id = %s AND t.key = s.key
            WHERE u.created = 1 OR NOT EXISTS (
                SELECT 1 FROM {LINKS} l WHERE l.contact_id = u.contact_id AND l.tag_id = t.id
            )
            GROUP BY u.contact_id, t.id, u.created
            """,
            [self.workspace.pk],
        )
        self._run(
            f"""
            INSERT INTO {LINKS} (contact_id, tag_id, created_at)
            SELECT contact_id, tag_id, %s FROM {self.links} ORDER BY contact_id, ord
            """,
            [self._now()],
        )
        # A new contact's tags are told by its "created" entry (_created_events).
        self._run(
            f"""
            INSERT INTO {EVENTS} (workspace_id, contact_id, kind, data, actor_id, created_at)
            SELECT %s, l.contact_id, %s, {self.sql.json_object("'tag'", "t.name")}, %s, %s
            FROM {self.links} l JOIN {TAGS} t ON t.id = l.tag_id
            WHERE l.created = 0
            ORDER BY l.contact_id, l.ord
            """,
            [
                self.workspace.pk,
                ContactKind.TAG_ADDED,
                self.actor.pk if self.actor else None,
                self._now(),
            ],
        )
        self._run(
            f"""
            UPDATE {self.unique} SET changed = 1
            WHERE existed = 1 AND contact_id IN (SELECT contact_id FROM {self.links})
            """
        )

    def _consent(self) -> None:
        """The ledger and timeline rows the consent services would write, and
        Contact.consent of the existing contacts the file changes (new contacts got theirs
        when inserted)."""
        ws = self.workspace.pk
        actor = self.actor.pk if self.actor else None
        self._run(
            f"""
            CREATE TEMPORARY TABLE {self.changes} (
                contact_id bigint, status varchar(14), source varchar(20),
                actor_id bigint, actor_label varchar(200)
            )
            """
        )
        # Cleaned (bounced) addresses: suppressed, which also unsubscribes (suppression_add).
        self._run(
            f"""
            UPDATE {self.unique} SET changed = 1
            WHERE consent_rank = 3 AND existed = 1 AND email_hash NOT IN ({self._suppressed()})
            """
        )
        self._run(
            f"""
            INSERT INTO {SUPPRESSIONS} (workspace_id, email_hash, email, reason, detail, created_at)
            SELECT %s, email_hash, email_key, %s, %s, %s FROM {self.unique}
            WHERE consent_rank = 3
            ON CONFLICT (workspace_id, email_hash) DO NOTHING
            """,
            [ws, Suppression.Reason.BOUNCE, self.suppression_detail, self._now()],
        )
        unsubscribed = ConsentEvent.Status.UNSUBSCRIBED
        subscribed = ConsentEvent.Status.SUBSCRIBED
        bounce, imported = ConsentEvent.Source.BOUNCE, ConsentEvent.Source.IMPORT
        bounce_label = self.suppression_detail[:200]
        existing = f"{self.unique} u JOIN {CONTACTS} c ON c.id = u.contact_id AND u.existed = 1"
        self._run(
            f"""
            INSERT INTO {self.changes}
            SELECT u.contact_id, %s, %s, NULL, %s FROM {existing}
            WHERE u.consent_rank = 3 AND c.consent <> %s
            """,
            [unsubscribed, bounce, bounce_label, unsubscribed],
        )
        self._run(
            f"""
            INSERT INTO {self.changes}
            SELECT u.contact_id, %s, %s, %s, %s FROM {existing}
            WHERE u.consent_rank = 2 AND c.consent <> %s
            """,
            [unsubscribed, imported, actor, self.actor_label, unsubscribed],
        )
        if self.consent_confirmed:
            self._run(
                f"""
                INSERT INTO {self.changes}
                SELECT u.contact_id, %s, %s, %s, %s FROM {existing}
                WHERE u.consent_rank = 1 AND c.consent <> %s
                  AND {import_may_subscribe_sql("c.consent")}
                  AND u.email_hash NOT IN ({self._suppressed()})
                """,
                [subscribed, imported, actor, self.actor_label, subscribed],
            )
        self._run(
            f"""
            UPDATE {CONTACTS} SET consent = ch.status
            FROM {self.changes} ch WHERE {CONTACTS}.id = ch.contact_id
            """
        )
        self._run(
            f"""
            UPDATE {self.unique} SET changed = 1
            WHERE existed = 1 AND contact_id IN (SELECT contact_id FROM {self.changes})
            """
        )
        # New contacts: the state _create gave them, from a bounce or from the file.
        self._run(
            f"""
            INSERT INTO {self.changes}
            SELECT u.contact_id, c.consent,
                   CASE WHEN u.consent_rank = 3 THEN %s ELSE %s END,
                   CASE WHEN u.consent_rank = 3 THEN NULL ELSE CAST(%s AS bigint) END,
                   CASE WHEN u.consent_rank = 3 THEN %s ELSE %s END
            FROM {self.unique} u JOIN {CONTACTS} c ON c.id = u.contact_id
            WHERE u.created = 1 AND c.consent <> %s
            """,
            [
                bounce,
                imported,
                actor,
                bounce_label,
                self.actor_label,
                Contact.Consent.NOT_SUBSCRIBED,
            ],
        )
        self._run(
            f"""
            INSERT INTO {LEDGER} (workspace_id, contact_id, channel, status, source, actor_id,
                                  actor_label, ip, user_agent, wording, created_at)
            SELECT %s, contact_id, 'email', status, source, actor_id, actor_label, NULL, '', '', %s
            FROM {self.changes} ORDER BY contact_id
            """,
            [ws, self._now()],
        )
        # A new contact's consent is told by its "created" entry (_created_events).
        self._run(
            f"""
            INSERT INTO {EVENTS} (workspace_id, contact_id, kind, data, actor_id, created_at)
            SELECT %s, ch.contact_id, %s,
                   {self.sql.json_object("'status'", "ch.status", "'source'", "ch.source")},
                   ch.actor_id, %s
            FROM {self.changes} ch JOIN {self.unique} u ON u.contact_id = ch.contact_id
            WHERE u.created = 0
            ORDER BY ch.contact_id
            """,
            [ws, ConsentKind.CONSENT_CHANGED, self._now()],
        )

    def _count(self) -> None:
        # A new contact with an unsubscribing row was created unsubscribed; an existing one
        # counts only when the file changed its state (it may have been out already).
        unsubscribed = f"SELECT contact_id FROM {self.changes} WHERE status = %s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT COALESCE(SUM(created), 0),
                       COALESCE(SUM(CASE WHEN existed = 1 AND changed = 1 THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(CASE WHEN created = 0 AND changed = 0 THEN 1 ELSE 0 END), 0),
                       COUNT(*),
                       COALESCE(SUM(CASE WHEN consent_rank >= 2 AND first_rank < consent_rank
                                          AND (created = 1 OR contact_id IN ({unsubscribed}))
                                    THEN 1 ELSE 0 END), 0)
                FROM {self.unique}
                """,
                [ConsentEvent.Status.UNSUBSCRIBED],
            )
            created, updated, unchanged, unique, later = cursor.fetchone()
            cursor.execute(f"SELECT COUNT(*) FROM {self.staged}")
            staged = cursor.fetchone()[0]
        self.result.created = int(created)
        self.result.updated = int(updated)
        # Later rows of an address already in the file are skipped, not errors — except the
        # one that unsubscribed its contact: that is what happened to the contact (X1).
        self.result.unsubscribed_by_later_row = int(later)
        self.result.skipped = int(unchanged) + staged - int(unique) - int(later)


# A file that changed at least this many contacts gets fresh planner statistics at once.
ANALYZE_AFTER = 10_000


def analyze_after_merge(result: MergeResult) -> None:
    """After a large import (committed), refresh the statistics of the tables it filled.

    Autovacuum would, a minute or so later; until then the planner reads a directory of a
    thousand contacts where there are a million, and the first lists, counts and campaign
    audiences after the import can take a plan fit for the small one. Sampling costs about a
    second at a million contacts. Only the tables' owner may: otherwise autovacuum will."""
    if not is_postgres() or result.created + result.updated < ANALYZE_AFTER:
        return
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {CONTACTS}, {LINKS}, {TAGS}")
    except DatabaseError:
        logger.warning("could not analyze the directory after an import")
    result.timings["analyze"] = round(time.perf_counter() - started, 3)
