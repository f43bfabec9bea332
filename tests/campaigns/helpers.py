"""Builders for campaign tests: an audience of subscribers in a static group."""

from comptoir.campaigns.services import campaign_create
from comptoir.consent.services import consent_subscribe
from comptoir.contacts.services import segment_create
from comptoir.core.services import workspace_update
from comptoir.core.worker import run_once
from tests.contacts.helpers import make_contact

BODY = """Bonjour {{ first_name|default:"ami" }},

Le **comté 24 mois** est arrivé. [Voir la boutique](https://shop.example/comte)
"""


def business(workspace):
    return workspace_update(
        workspace=workspace,
        postal_address="12 rue des Martyrs\n75009 Paris",
        contact_email="bonjour@epicerie.example",
        sender_email="news@epicerie.example",
        sender_name="L'Épicerie",
    )


def subscriber(workspace, email: str, **details):
    contact = make_contact(workspace, email, **details)
    consent_subscribe(contact=contact, source="pos", explicit_consent_confirmed=True)
    contact.refresh_from_db()
    return contact


def group(workspace, contacts, name: str = "Habitués"):
    return segment_create(
        workspace=workspace,
        name=name,
        actor=None,
        kind="static",
        contact_ids=[c.pk for c in contacts],
    )


def draft(workspace, segments, **fields):
    return campaign_create(
        workspace=workspace,
        actor=None,
        name=fields.pop("name", "Arrivage de printemps"),
        subject=fields.pop("subject", 'Du nouveau, {{ first_name|default:"ami" }}'),
        body_markdown=fields.pop("body_markdown", BODY),
        segment_ids=[str(s.pk) for s in segments],
        **fields,
    )


def work():
    """What `comptoir worker --once` does: everything due, until quiet."""
    return run_once()
