"""What a contact import keeps beside the contact itself (X1, issue 15 point 4): the file's
note of each contact (Square's Memo, Shopify's Note) as an internal note marked imported,
and Square's own id of each customer, which its sales exports name instead of an address.

Run after the merge, in its transaction (a dry run rolls them back with it), set-based
like the merge: one statement each for the whole file. Kept apart from import_merge so
that the merge stays the contact's own rules.
"""

from django.db import connection

from comptoir.contacts.events import Kind as ContactKind
from comptoir.contacts.models import Contact, ContactEvent, Note
from comptoir.core.models import User, Workspace
from comptoir.transfer.models import StoreCustomerRef
from comptoir.transfer.staging import is_postgres

CONTACTS = Contact._meta.db_table
NOTES = Note._meta.db_table
EVENTS = ContactEvent._meta.db_table
REFS = StoreCustomerRef._meta.db_table
SQUARE = "square"


def _run(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def imported_notes_add(*, staged: str, workspace: Workspace, actor: User | None, now) -> int:
    """One note per distinct (contact, text) of the file, unless the contact already has
    that imported note: importing the same file again adds nothing. The timeline gets its
    "note added" entry, as for a note written by hand."""
    true = "TRUE" if is_postgres() else "1"
    stamp = connection.ops.adapt_datetimefield_value(now)
    actor_id = actor.pk if actor else None
    added = _run(
        f"""
        INSERT INTO {NOTES} (workspace_id, contact_id, author_id, body, imported,
                             created_at, updated_at)
        SELECT %s, c.id, %s, s.note, {true}, %s, %s
        FROM (SELECT DISTINCT email_key, note FROM {staged} WHERE note <> '') s
        JOIN {CONTACTS} c ON c.workspace_id = %s AND c.email_key = s.email_key
        WHERE NOT EXISTS (
            SELECT 1 FROM {NOTES} n
            WHERE n.contact_id = c.id AND n.imported = {true} AND n.body = s.note
        )
        ORDER BY c.id
        """,
        [workspace.pk, actor_id, stamp, stamp, workspace.pk],
    )
    if added:
        note_id = (
            "jsonb_build_object('note_id', n.id)"
            if is_postgres()
            else "json_object('note_id', n.id)"
        )
        _run(
            f"""
            INSERT INTO {EVENTS} (workspace_id, contact_id, kind, data, actor_id, created_at)
            SELECT %s, n.contact_id, %s, {note_id}, %s, %s FROM {NOTES} n
            WHERE n.workspace_id = %s AND n.imported = {true} AND n.created_at = %s
            ORDER BY n.id
            """,
            [
                workspace.pk,
                ContactKind.NOTE_ADDED,
                actor_id,
                stamp,
                workspace.pk,
                stamp,
            ],
        )
    return added


def store_customer_ids_keep(*, staged: str, workspace: Workspace) -> int:
    """Remember which contact each Square customer id of the file is (the latest file
    wins when an id moves to another address)."""
    return _run(
        f"""
        INSERT INTO {REFS} (workspace_id, platform, customer_id, contact_id)
        SELECT %s, %s, s.store_customer_id, MIN(c.id)
        FROM {staged} s
        JOIN {CONTACTS} c ON c.workspace_id = %s AND c.email_key = s.email_key
        WHERE s.store_customer_id <> ''
        GROUP BY s.store_customer_id
        ON CONFLICT (workspace_id, platform, customer_id)
        DO UPDATE SET contact_id = excluded.contact_id
        """,
        [workspace.pk, SQUARE, workspace.pk],
    )
