"""The reads of the exports (X3, X4): which contacts a file holds, and its rows in batches.

A contact export selects with the list's own filter (`contacts.selectors.contacts_filter`),
so a file holds exactly the contacts the list shows for the same query. Rows are read in
keyset batches on the primary key: memory stays that of one batch, whatever the count.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from comptoir.consent.models import ConsentEvent, Suppression
from comptoir.consent.selectors import Sha256Hex
from comptoir.contacts.models import Contact, ContactTag
from comptoir.contacts.selectors import ContactFilter, contacts_filter
from comptoir.core.models import Workspace
from comptoir.core.scoping import scoped
from comptoir.transfer.columns import UNSUBSCRIBED_REASON

BATCH = 1000

# What a row of the contact file is made of (notes are not among them: never exported).
CONTACT_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "language",
    "type",
    "consent",
    "has_account",
    "order_count",
    "total_spent",
    "average_order_value",
    "last_order_at",
    "customer_since",
    "created_at",
    "shipping_address",
    "billing_address",
)


@dataclass(frozen=True)
class ContactSelection:
    """The contacts of an export: those the list's filter matches, narrowed to `ids` (the
    ticked rows) when given. Ids of another workspace match nothing."""

    filter: ContactFilter = field(default_factory=ContactFilter)
    ids: tuple[int, ...] | None = None


def contacts_selected(*, workspace: Workspace, selection: ContactSelection) -> QuerySet[Contact]:
    """Unordered; a `segment` that is not this workspace's raises Http404, as on the list."""
    contacts = contacts_filter(workspace=workspace, filter=selection.filter)
    if selection.ids is not None:
        contacts = contacts.filter(pk__in=selection.ids)
    return contacts


@dataclass(frozen=True)
class ContactRecord:
    values: dict
    tags: list[tuple[str, str]]  # (key, name)


def contact_records(
    *, workspace: Workspace, contacts: QuerySet[Contact], batch: int = BATCH
) -> Iterator[list[ContactRecord]]:
    """The contacts with their tags, by increasing id, a batch at a time."""
    rows = contacts.order_by("pk").values(*CONTACT_FIELDS)
    last = 0
    while page := list(rows.filter(pk__gt=last)[:batch]):
        last = page[-1]["id"]
        tags = defaultdict(list)
        links = ContactTag.objects.filter(
            contact_id__in=[row["id"] for row in page], tag__workspace=workspace
        ).values_list("contact_id", "tag__key", "tag__name")
        for contact_id, key, name in links:
            tags[contact_id].append((key, name))
        yield [ContactRecord(row, tags[row["id"]]) for row in page]


def suppression_entries(*, workspace: Workspace) -> Iterator[tuple[str, str, datetime | None]]:
    """(address, reason, since) of every address no marketing may reach, once each.

    First the suppression list (hard bounces, complaints, addresses added by staff), then
    the unsubscribed contacts that are not on it, each dated by their latest unsubscribe.
    Erased people are left out: all that remains of them is a hash of the address, which
    no other tool can use.
    """
    listed = scoped(Suppression, workspace).exclude(email="").order_by("pk")
    yield from listed.values_list("email", "reason", "created_at").iterator(chunk_size=BATCH)

    suppressed = scoped(Suppression, workspace).filter(email_hash=Sha256Hex(OuterRef("email_key")))
    unsubscribed_at = (
        scoped(ConsentEvent, workspace)
        .filter(contact=OuterRef("pk"), status=ConsentEvent.Status.UNSUBSCRIBED)
        .order_by("-pk")
        .values("created_at")[:1]
    )
    contacts = (
        scoped(Contact, workspace)
        .filter(consent=Contact.Consent.UNSUBSCRIBED)
        .exclude(email="")
        .exclude(Exists(suppressed.exclude(email="")))
        .annotate(since=Subquery(unsubscribed_at))
        .order_by("pk")
    )
    for email, since in contacts.values_list("email", "since").iterator(chunk_size=BATCH):
        yield email, UNSUBSCRIBED_REASON, since
