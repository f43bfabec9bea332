"""The directory's part of `comptoir demo`: realistic contacts from demo/fakedata.py.

Demo data is loaded like a fixture — in batches with `bulk_create`, inside the caller's
transaction — because thousands of `contact_create` calls would take minutes. Each row is
still built by `contact_from_person`, which fills the derived columns with the model's own
`refresh_derived_fields()`, so search and sort behave exactly as for contacts staff create;
bench/contacts_load.py builds its million rows with the same function.
"""

import datetime as dt
import random
import sys
from collections.abc import Callable, Iterable
from itertools import islice

from django.utils import timezone

from comptoir.contacts import normalize, services
from comptoir.contacts.events import Kind
from comptoir.contacts.models import Contact, ContactEvent, ContactTag, Note, Segment, Tag
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.demo.fakedata import Person, people, tag_names

DEMO_SEED = 2026
DEMO_TAGS = 20
BATCH = 1000

# (name, kind, filter, tag whose carriers make up a static group). Names are data of the
# French demo shop, not interface text.
DEMO_SEGMENTS = (
    ("VIP", Segment.Kind.SMART, {"min_total_spent": "500", "tag": ["vip"]}, None),
    ("Abonnés fidèles", Segment.Kind.SMART, {"consent": "subscribed", "min_orders": 3}, None),
    ("Gros paniers", Segment.Kind.SMART, {"min_total_spent": "200", "sort": "-total_spent"}, None),
    ("Salon 2025", Segment.Kind.STATIC, None, "salon 2025"),
)


def _address(person: Person) -> dict:
    """The last shipping address of someone who ordered; nobody else gave one."""
    if not person.order_count:
        return {}
    return {
        "name": f"{person.first_name} {person.last_name}",
        "line1": person.street,
        "postal_code": person.postal_code,
        "city": person.city,
        "country": "France",
    }


def contact_from_person(
    person: Person, *, workspace_id: int, consent: str | None = None
) -> Contact:
    """An unsaved contact with the person's details, figures and consent (or `consent`),
    its derived columns (email_key, name_key, search_text) filled as `Contact.save()` does.

    The benchmarks keep the person's consent as a bare state; the demo passes "not
    subscribed" and writes every other state through the consent ledger (demo/consent.py).
    """
    address = _address(person)
    contact = Contact(
        workspace_id=workspace_id,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        company=person.company,
        source=person.source,
        type=Contact.Type.CUSTOMER if person.order_count else Contact.Type.PROSPECT,
        consent=consent or person.consent,
        has_account=person.has_account,
        order_count=person.order_count,
        total_spent=person.total_spent,
        average_order_value=person.average_order_value,
        last_order_at=person.last_order_at,
        customer_since=person.customer_since,
        shipping_address=address,
        billing_address=address,
        created_at=person.created_at,
        updated_at=person.last_order_at or person.created_at,
    )
    contact.refresh_derived_fields()
    return contact


def _tags_ensure(workspace: Workspace, names: Iterable[str]) -> dict[str, Tag]:
    """The demo's tags by name, created where missing, within the workspace's tag limit."""
    existing = {tag.key: tag for tag in scoped(Tag, workspace)}
    room = Tag.MAX_PER_WORKSPACE - len(existing)
    fresh = []
    for name in names:
        key = normalize.tag_key(name)
        if key not in existing and room > 0:
            existing[key] = Tag(workspace=workspace, name=name, key=key)
            fresh.append(existing[key])
            room -= 1
    Tag.objects.bulk_create(fresh)
    keys = {name: normalize.tag_key(name) for name in names}
    return {name: existing[key] for name, key in keys.items() if key in existing}


def _fresh_people(taken: set[str], now: dt.datetime, seed: int) -> Iterable[Person]:
    """The generated crowd in its fixed order, less the addresses the workspace holds."""
    for person in people(sys.maxsize, seed=seed, tags=DEMO_TAGS, now=now):
        if normalize.email_key(person.email) not in taken:
            yield person


def _add_batch(
    workspace: Workspace,
    crowd: list[Person],
    tags: dict[str, Tag],
    authors: list[User],
    rng: random.Random,
    now: dt.datetime,
) -> None:
    contacts = Contact.objects.bulk_create(
        [
            contact_from_person(
                person, workspace_id=workspace.pk, consent=Contact.Consent.NOT_SUBSCRIBED
            )
            for person in crowd
        ]
    )
    links, events, notes = [], [], []
    for person, contact in zip(crowd, contacts, strict=True):
        events.append(
            ContactEvent(
                workspace=workspace,
                contact=contact,
                kind=Kind.CREATED,
                data={"source": person.source},
                created_at=person.created_at,
            )
        )
        for name in person.tags:
            if name in tags:
                links.append(ContactTag(contact=contact, tag=tags[name]))
                events.append(
                    ContactEvent(
                        workspace=workspace,
                        contact=contact,
                        kind=Kind.TAG_ADDED,
                        data={"tag": tags[name].name},
                        created_at=person.created_at,
                    )
                )
        if person.note and authors:
            written = min(person.created_at + dt.timedelta(days=rng.uniform(0, 90)), now)
            notes.append(
                Note(
                    workspace=workspace,
                    contact=contact,
                    author=rng.choice(authors),
                    body=person.note,
                    created_at=written,
                )
            )
    ContactTag.objects.bulk_create(links)
    for note in Note.objects.bulk_create(notes):
        events.append(
            ContactEvent(
                workspace=workspace,
                contact=note.contact,
                kind=Kind.NOTE_ADDED,
                actor=note.author,
                data={"note_id": note.pk},
                created_at=note.created_at,
            )
        )
    ContactEvent.objects.bulk_create(events, batch_size=BATCH)


def _segments_ensure(workspace: Workspace, actor: User | None) -> list[str]:
    existing = {name.lower() for name in scoped(Segment, workspace).values_list("name", flat=True)}
    created = []
    for name, kind, saved, tag in DEMO_SEGMENTS:
        if name.lower() in existing:
            continue
        members = []
        if tag is not None:
            members = list(
                scoped(Contact, workspace)
                .filter(tag_links__tag__key=normalize.tag_key(tag))
                .values_list("pk", flat=True)
            )
        services.segment_create(
            workspace=workspace,
            name=name,
            kind=kind,
            filter=saved,
            contact_ids=members,
            actor=actor,
        )
        created.append(name)
    return created


def contacts_fill(
    *,
    workspace: Workspace,
    count: int,
    authors: list[User],
    progress: Callable[[str], None] = print,
    seed: int = DEMO_SEED,
    now: dt.datetime | None = None,
) -> int:
    """Top the workspace's directory up to `count` contacts; returns how many were added.

    Run again, it adds nothing (or only what is missing for a larger `count`): people are
    generated in a fixed order and an address already in the workspace is skipped, so no
    contact is ever duplicated. Tags, notes (written by one of `authors`), timeline entries
    and the demo segments come with the contacts. Call inside a transaction.
    """
    now = now or timezone.now()
    existing = scoped(Contact, workspace).count()
    wanted = max(count - existing, 0)
    if not wanted:
        progress(f"The demo directory holds {existing} contacts already: none added.")
    else:
        progress(f"Adding {wanted} contacts to the demo directory ({existing} there already)…")
        tags = _tags_ensure(workspace, tag_names(DEMO_TAGS))
        taken = set(scoped(Contact, workspace).values_list("email_key", flat=True))
        crowd = _fresh_people(taken, now, seed)
        rng = random.Random(seed + existing)
        added = 0
        while added < wanted and (batch := list(islice(crowd, min(BATCH, wanted - added)))):
            _add_batch(workspace, batch, tags, authors, rng, now)
            added += len(batch)
            progress(f"  {added}/{wanted} contacts, with their tags, notes and timeline")
        wanted = added
    created = _segments_ensure(workspace, authors[0] if authors else None)
    if created:
        progress(f"Segments created: {', '.join(created)}.")
    return wanted
