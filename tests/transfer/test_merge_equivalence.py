"""The set-based merge leaves the directory exactly as the per-contact services would, row by
row: details, derived search columns, tags, consent ledger, suppressions and timeline.

One difference is deliberate (issue 15): the merge tells a new contact's first consent in its
"created" timeline entry, next to its tags (`{"source": "import", "tags": [...], "consent":
{...}}`), where the services write a "consent_changed" entry after `contact_create`; the
ledger rows are the same. `as_one_entry` reads the services' two entries as that one."""

import json

import pytest

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.services import (
    consent_pending,
    consent_subscribe,
    consent_withdraw,
    suppression_add,
)
from comptoir.contacts.models import Contact, ContactEvent
from comptoir.contacts.services import contact_create, contact_tags_add, contact_update
from comptoir.core.scoping import scoped
from tests.conftest import make_workspace
from tests.transfer.helpers import run_import

FILE = (
    "Email,First name,Last name,Phone,Company,Tags,Email subscription status\n"
    'new.sub@example.com,Zoé,Lefèvre,06 12 34 56 78,Atelier,"VIP, Fidèle",subscribed\n'
    "new.unsub@example.com,Karim,,,,,unsubscribed\n"
    "new.clean@example.com,Old,,,,,cleaned\n"
    "new.plain@example.com,,,,,Salon,\n"
    "dup@example.com,First,,,,A,\n"
    "DUP@example.com,Second,Other,,,B,subscribed\n"
    "fill@example.com,Filled,Name,+33798765432,Co,VIP,\n"
    "locked@example.com,Nope,Nope,,,Locked tag,\n"
    "was.sub@example.com,,,,,,unsubscribed\n"
    "was.unsub@example.com,,,,,,subscribed\n"
    "was.pending@example.com,,,,,,subscribed\n"
    "erased@example.com,Back,,,,,subscribed\n"
    "sub.cleaned@example.com,,,,,,cleaned\n"
)
DETAIL = "import: cleaned in contacts.csv"


def prepare(workspace, actor):
    """The same starting directory in any workspace."""
    contact_create(workspace=workspace, actor=actor, email="fill@example.com", first_name="Keep")
    locked = contact_create(workspace=workspace, actor=actor, email="locked@example.com")
    contact_update(contact=locked, actor=actor, company="Locked Co")
    for email in ("was.sub", "was.unsub", "sub.cleaned"):
        person = contact_create(workspace=workspace, actor=actor, email=f"{email}@example.com")
        consent_subscribe(
            contact=person, source="dashboard", explicit_consent_confirmed=True, actor=actor
        )
        if email == "was.unsub":
            consent_withdraw(contact=person, source="unsubscribe_link")
    pending = contact_create(workspace=workspace, actor=actor, email="was.pending@example.com")
    consent_pending(contact=pending, source="signup_page")
    suppression_add(
        workspace=workspace, email="erased@example.com", reason="erased", keep_address=False
    )


def import_row_by_row(workspace, actor, file: str):
    """What the services give for `file` under the import rules (import_merge's docstring)."""
    rows = {}
    lines = file.strip().split("\n")[1:]
    for line in lines:
        email, first, last, phone, company, *rest = line.split(",")
        tags = ",".join(rest[:-1]).strip('"')
        state = rest[-1]
        key = email.lower()
        rank = {"": 0, "subscribed": 1, "unsubscribed": 2, "cleaned": 3}
        if key in rows:
            rows[key]["tags"] += [t.strip() for t in tags.split(",") if t.strip()]
            if rank[state] > rank[rows[key]["state"]]:
                rows[key]["state"] = state
            continue
        rows[key] = {
            "email": email,
            "details": {
                "first_name": first,
                "last_name": last,
                "phone": phone,
                "company": company,
            },
            "tags": [t.strip() for t in tags.split(",") if t.strip()],
            "state": state,
        }
    for key, row in rows.items():
        person = scoped(Contact, workspace).filter(email_key=key).first()
        if person is None:
            person = contact_create(
                workspace=workspace,
                actor=actor,
                email=row["email"],
                tags=row["tags"],
                source="import",
                **row["details"],
            )
        else:
            if not person.locked:
                fill = {f: v for f, v in row["details"].items() if v and not getattr(person, f)}
                if fill:
                    person = contact_update(contact=person, actor=actor, lock=None, **fill)
            contact_tags_add(contact=person, names=row["tags"], actor=actor)
        if row["state"] == "cleaned":
            suppression_add(workspace=workspace, email=row["email"], reason="bounce", detail=DETAIL)
        elif row["state"] == "unsubscribed":
            consent_withdraw(contact=person, source="import", actor=actor)
        elif row["state"] == "subscribed":
            # The service itself keeps an unsubscribed contact out (import_may_subscribe).
            consent_subscribe(
                contact=person, source="import", explicit_consent_confirmed=True, actor=actor
            )


def as_one_entry(events: list[ContactEvent]) -> list[ContactEvent]:
    """An imported contact's "created" entry directly followed by its first consent change
    (the services' two writes) as the one entry the merge writes."""
    events = list(events)
    for index, (event, following) in enumerate(zip(events, events[1:], strict=False)):
        if (
            event.kind == "created"
            and event.data.get("source") == "import"
            and "consent" not in event.data
            and following.kind == "consent_changed"
        ):
            event.data = {**event.data, "consent": following.data}
            return events[: index + 1] + events[index + 2 :]
    return events


def snapshot(workspace) -> dict:
    people = {}
    for person in scoped(Contact, workspace).order_by("email_key"):
        events = as_one_entry(scoped(ContactEvent, workspace).filter(contact=person).order_by("id"))
        people[person.email_key] = {
            "details": {
                field: getattr(person, field)
                for field in (
                    "email",
                    "first_name",
                    "last_name",
                    "phone",
                    "company",
                    "consent",
                    "source",
                    "locked",
                    "name_key",
                    "search_text",
                    "shipping_address",
                    "billing_address",
                    "has_account",
                )
            },
            "tags": sorted(tag.name for tag in person.tags.all()),
            "ledger": [
                (e.status, e.source, e.actor_id, e.actor_label)
                for e in scoped(ConsentEvent, workspace).filter(contact=person).order_by("id")
            ],
            # Tags added by one action may come in any order: compare them as a set.
            "events": sorted(
                (e.kind, json.dumps(e.data, sort_keys=True), e.actor_id) for e in events
            ),
            "event_kinds": [e.kind for e in events if e.kind != "tag_added"],
        }
    suppressions = sorted(
        (s.email_hash, s.email, s.reason, s.detail) for s in scoped(Suppression, workspace)
    )
    return {"contacts": people, "suppressions": suppressions}


@pytest.mark.parametrize("consent_confirmed, skipped", [(True, 2), (False, 3)])
def test_the_bulk_merge_gives_what_the_services_give_row_by_row(owner, consent_confirmed, skipped):
    bulk, reference = make_workspace("Bulk", owner), make_workspace("Reference", owner)
    prepare(bulk, owner)
    prepare(reference, owner)

    job = run_import(bulk, FILE, actor=owner, consent_confirmed=consent_confirmed)
    # Without the confirmation "subscribed" rows are like rows with no consent column.
    as_read = FILE if consent_confirmed else FILE.replace(",subscribed\n", ",\n")
    import_row_by_row(reference, owner, as_read)

    # Skipped: the second "dup" row; "was.unsub" (and "was.pending" when not confirmed).
    assert (job.errors_total, job.created, job.skipped) == (0, 6, skipped)
    ours, theirs = snapshot(bulk), snapshot(reference)
    assert len(ours["contacts"]) == 12
    assert ours == theirs
