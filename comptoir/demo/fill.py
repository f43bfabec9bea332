"""Realistic demo data for `comptoir demo`; each feature adds its part to `demo_fill`."""

from collections.abc import Callable

from django.db import transaction

from comptoir.contacts.models import Contact
from comptoir.core.models import Membership, Workspace
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.core.services import user_get_or_create, workspace_create
from comptoir.demo.campaigns import campaigns_fill
from comptoir.demo.commerce import commerce_fill
from comptoir.demo.consent import consent_fill
from comptoir.demo.contacts import contacts_fill

DEMO_EMAIL = "demo@comptoir.test"
DEMO_PASSWORD = "comptoir-demo"  # noqa: S105 - printed to the operator on purpose
DEMO_SLUG = "demo"

DEMO_IDENTITY = {
    "postal_address": "12 rue des Martyrs\n75009 Paris\nFrance",
    "contact_email": "bonjour@epicerie-martyrs.test",
    "contact_phone": "+33 1 42 00 00 00",
    "sender_name": "L’Épicerie des Martyrs",
    "sender_email": "bonjour@epicerie-martyrs.test",
    "brand_color": "#2f5d50",
    "accent_color": "#d98e04",
    "language": "fr",
    "currency": "EUR",
    "time_zone": "Europe/Paris",
}

# Staff to show the roles: (e-mail, name, role); they share the demo password.
DEMO_STAFF = [
    ("claire@comptoir.test", "Claire Dubois", Role.ADMIN),
    ("hugo@comptoir.test", "Hugo Martin", Role.MARKETER),
    ("ines@comptoir.test", "Inès Leroy", Role.VIEWER),
]


@transaction.atomic
def demo_fill(*, contacts: int = 5000, progress: Callable[[str], None] = print) -> Workspace:
    owner = user_get_or_create(email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Camille Bernard")
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        workspace = workspace_create(
            name="L’Épicerie des Martyrs", owner=owner, slug=DEMO_SLUG, **DEMO_IDENTITY
        )
        progress("Created the demo workspace and its owner.")
    authors = [owner]  # notes are written by staff who may edit (not the viewer)
    for email, name, role in DEMO_STAFF:
        member = user_get_or_create(email=email, password=DEMO_PASSWORD, name=name)
        Membership.objects.get_or_create(workspace=workspace, user=member, defaults={"role": role})
        if role in (Role.ADMIN, Role.MARKETER):
            authors.append(member)
    # Commerce fills only the contacts added now, so that a second run adds nothing and a
    # larger count tops up both the directory and its orders.
    known = scoped(Contact, workspace).order_by("-pk").values_list("pk", flat=True).first() or 0
    contacts_fill(workspace=workspace, count=contacts, authors=authors, progress=progress)
    added = scoped(Contact, workspace).filter(pk__gt=known)
    consent_fill(workspace=workspace, contacts=added, staff=authors, progress=progress)
    commerce_fill(workspace=workspace, contacts=added, authors=authors, progress=progress)
    campaigns_fill(workspace=workspace, author=owner, progress=progress)
    return workspace
