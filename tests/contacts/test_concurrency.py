"""Races on PostgreSQL: the tag limit (C7) and one contact per address (C2) hold."""

import threading

import pytest
from django.db import connection, connections

from comptoir.contacts import services
from comptoir.contacts.models import Contact, Tag
from comptoir.core.scoping import scoped
from comptoir.core.services import ServiceError
from tests.conftest import make_workspace
from tests.contacts.helpers import make_contact


def run_together(calls) -> list[str]:
    """Start every call at once, each in its own thread and connection."""
    start = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            start.wait()
            call()
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers itself; row locks matter on PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_new_tags_never_cross_the_limit():
    workspace = make_workspace()
    Tag.objects.bulk_create(
        [Tag(workspace=workspace, name=f"t{i}", key=f"t{i}") for i in range(249)]
    )
    contacts = [make_contact(workspace) for _ in range(4)]
    outcomes = run_together(
        [
            lambda contact=contact, n=n: services.contact_tags_add(
                contact=contact, names=[f"new {n}"], actor=None
            )
            for n, contact in enumerate(contacts)
        ]
    )
    assert outcomes == ["ok", "tag_limit", "tag_limit", "tag_limit"]
    assert scoped(Tag, workspace).count() == 250


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_with_one_address_make_one_contact():
    workspace = make_workspace()
    outcomes = run_together(
        [
            lambda email=email: services.contact_create(
                workspace=workspace, actor=None, email=email
            )
            for email in ("zoe@example.com", "ZOE@example.com", " Zoe@Example.com ")
        ]
    )
    assert outcomes == ["duplicate_email", "duplicate_email", "ok"]
    assert scoped(Contact, workspace).count() == 1


# Writes about one contact that an erasure races (X5), with what they answer when they win.
CONTACT_WRITES = {
    "notes": ("post", "notes", {"body": "a note"}, 201),
    "tags": ("post", "tags", {"tags": ["vip"]}, 200),
    "consent": (
        "post",
        "consent",
        {"status": "subscribed", "explicit_consent_confirmed": True},
        200,
    ),
    "edit": ("patch", "", {"first_name": "Zoé"}, 200),
}


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", sorted(CONTACT_WRITES))
def test_an_erasure_racing_writes_always_completes_and_the_writes_get_a_404(write):
    """Issue 10 (X5): 4 erasures in 15 failed with a foreign-key error while notes came in;
    tags, consent changes and edits took no lock either."""
    from comptoir.core.roles import Role
    from comptoir.privacy import contact_erase
    from tests.conftest import api_client_for

    method, path, body, ok = CONTACT_WRITES[write]
    workspace = make_workspace()
    api = api_client_for(workspace, Role.ADMIN)
    for round_ in range(15):
        contact = make_contact(workspace, f"person{round_}@example.com")
        url = f"/api/v1/contacts/{contact.pk}/{path}".rstrip("/")
        statuses = []

        def write_three_times(url=url, statuses=statuses):
            for _ in range(3):
                statuses.append(getattr(api, method)(url, body).status_code)

        outcomes = run_together(
            [lambda contact=contact: contact_erase(contact=contact, actor=None), write_three_times]
        )
        assert outcomes == ["ok", "ok"], outcomes
        assert not Contact.objects.filter(pk=contact.pk).exists()
        assert set(statuses) <= {ok, 404}, statuses
