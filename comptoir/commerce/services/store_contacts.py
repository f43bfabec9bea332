"""What the store says about a contact (C2, C3, C5, C6): the contact of an order's address,
the details an order or a customer record brings, and the order figures."""

from django.utils import timezone

from comptoir.commerce import events
from comptoir.commerce.figures import contact_figures_values
from comptoir.contacts import events as contact_events
from comptoir.contacts import normalize
from comptoir.contacts.models import Contact
from comptoir.contacts.services import contact_details_clean, contact_new
from comptoir.core.models import User, Workspace
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError

# ------------------------------------------------------- what the store says (C2, C3, C5, C6)

# The details an order or a store's customer record may update (C6). Company, language and
# the e-mail address itself stay staff's.
STORE_DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "shipping_address",
    "billing_address",
    "has_account",
)


def contact_for_store(
    *,
    workspace: Workspace,
    email: str,
    source: str,
    details: dict | None = None,
    actor: User | None = None,
) -> tuple[Contact, bool]:
    """The contact of `email` (C2: the address in any case is one contact), row-locked until
    the end of the caller's transaction so that concurrent orders for one person queue up;
    created with `details` and `source` when the address is new. Returns (contact, created).

    Call inside `transaction.atomic()`, retried as a whole on IntegrityError (commerce's
    writes are): when another request inserts the same address between our read and our
    insert, the unique key refuses ours, and the next attempt's read finds theirs.
    """
    key = normalize.email_key(email)
    found = scoped(Contact, workspace).select_for_update().filter(email_key=key)[:1]
    if found:
        contact = found[0]
        contact.workspace = workspace  # known already: spare a query for it later
        return contact, False
    details = {
        field: value for field, value in (details or {}).items() if field in STORE_DETAIL_FIELDS
    }
    # contact_create's rules without its guards against that race (a second read and two
    # savepoints: a third of the round trips of a new customer's first order), since the
    # caller's retry covers it.
    contact = contact_new(workspace, source, by_staff=False, email=email, **details)
    contact.save()
    contact_events.contact_created_event(contact=contact, actor=actor, source=source)
    return contact, True


def contacts_for_store(
    *, workspace: Workspace, wanted: dict[str, tuple[str, str, dict]]
) -> tuple[dict[str, Contact], set[str], dict[str, ServiceError]]:
    """`contact_for_store` for many addresses at once (the order backfill): `wanted` maps
    an address's key (`normalize.email_key`) to (email, source, details) for the contact to
    create when the address is new. One locking read, one insert of the new contacts and
    one of their "created" entries, whatever their number.

    Returns the contacts by key, the keys created now, and the refusals by key (a new
    contact `contact_new` refuses: only the orders of that address fail). Same rules and
    same caller duty as `contact_for_store` (inside a transaction retried on IntegrityError).
    """
    # Locked in id order, as every writer that locks several contacts does.
    found = scoped(Contact, workspace).select_for_update().filter(email_key__in=list(wanted))
    contacts = {contact.email_key: contact for contact in found.order_by("pk")}
    new, refused = [], {}
    for key, (email, source, details) in wanted.items():
        if key in contacts:
            continue
        details = {field: value for field, value in details.items() if field in STORE_DETAIL_FIELDS}
        try:
            contact = contact_new(workspace, source, by_staff=False, email=email, **details)
        except ServiceError as error:
            refused[key] = error
            continue
        contact.refresh_derived_fields()  # what save() does, which bulk_create skips
        new.append(contact)
    Contact.objects.bulk_create(new)
    contact_events.contacts_created_events(contacts=new)
    for contact in [*contacts.values(), *new]:
        contact.workspace = workspace
    created = {contact.email_key for contact in new}
    contacts.update({contact.email_key: contact for contact in new})
    return contacts, created, refused


def contact_details_sync(
    *, contact: Contact, details: dict, origin: dict, actor: User | None = None
) -> dict:
    """Details the store knows (an order's name, phone and addresses; a customer record)
    update an unlocked contact; a locked one keeps what staff wrote (C6). Only details the
    store actually gives are applied. Returns the changes, logged on the timeline with
    `origin` (e.g. `{"order": "#1001"}`).

    `contact` must be the row locked by `contact_for_store`.
    """
    if contact.locked:
        return {}
    given = {
        field: value
        for field, value in details.items()
        if field in STORE_DETAIL_FIELDS and value not in (None, "", {})
    }
    cleaned = contact_details_clean(given)
    diff = {
        field: [getattr(contact, field), value]
        for field, value in cleaned.items()
        if getattr(contact, field) != value
    }
    if not diff:
        return {}
    for field, (_old, new) in diff.items():
        setattr(contact, field, new)
    contact.save(update_fields=list(diff))
    events.details_synced_event(contact=contact, actor=actor, changes=diff, origin=origin)
    return diff


def contact_figures_set(
    *,
    contact: Contact,
    order_count: int,
    total_spent,
    last_order_at,
    customer_since,
) -> bool:
    """Store the order figures commerce computed from the contact's orders (C5) and the type
    they imply (C3). Returns whether anything changed. The figures are facts about orders:
    no timeline entry of their own."""
    values = contact_figures_values(
        order_count=order_count,
        total_spent=total_spent,
        last_order_at=last_order_at,
        customer_since=customer_since,
    )
    if all(getattr(contact, field) == value for field, value in values.items()):
        return False
    # A plain UPDATE: the derived search columns do not depend on the figures.
    values["updated_at"] = timezone.now()
    scoped(Contact, contact.workspace).filter(pk=contact.pk).update(**values)
    for field, value in values.items():
        setattr(contact, field, value)
    return True
