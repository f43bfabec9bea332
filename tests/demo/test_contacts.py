"""`comptoir demo` fills the directory with realistic contacts that the list API sees as it
sees any other: derived columns, figures, tags, notes, timeline and segments agree."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from comptoir.contacts.models import Contact, ContactEvent, ContactTag, Note, Segment, Tag
from comptoir.core.models import Membership, Workspace
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.demo.fill import DEMO_SLUG
from tests.conftest import api_client_for


def demo(contacts: int) -> str:
    out = StringIO()
    call_command("demo", contacts=contacts, stdout=out)
    return out.getvalue()


def every_id(api, **query) -> list[int]:
    """The ids of the whole list for `query`, following the cursors."""
    ids, cursor = [], None
    while True:
        params = {**query, "limit": 500, **({"cursor": cursor} if cursor else {})}
        response = api.get("/api/v1/contacts", **params)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


@pytest.fixture
def filled(db):
    output = demo(200)
    return Workspace.objects.get(slug=DEMO_SLUG), output


def test_demo_adds_the_contacts_asked_for_and_says_so(filled):
    workspace, output = filled
    contacts = scoped(Contact, workspace)
    assert contacts.count() == 200
    assert "200/200 contacts" in output
    assert len(set(contacts.values_list("email_key", flat=True))) == 200
    assert contacts.filter(type=Contact.Type.CUSTOMER).exists()
    assert set(contacts.values_list("consent", flat=True)) >= {"subscribed", "unsubscribed"}


def test_demo_contacts_have_their_derived_columns_as_save_writes_them(filled):
    workspace, _output = filled
    for contact in scoped(Contact, workspace):
        stored = (contact.email_key, contact.name_key, contact.search_text)
        contact.refresh_derived_fields()
        assert stored == (contact.email_key, contact.name_key, contact.search_text)
        assert contact.search_text


def test_demo_figures_are_consistent_with_the_contact_type(filled):
    workspace, _output = filled
    for contact in scoped(Contact, workspace):
        if contact.order_count:
            assert contact.type == Contact.Type.CUSTOMER
            assert contact.total_spent > 0 and contact.customer_since <= contact.last_order_at
            assert abs(contact.average_order_value * contact.order_count - contact.total_spent) < 1
        else:
            assert contact.type == Contact.Type.PROSPECT
            assert contact.total_spent == Decimal("0.00") and contact.last_order_at is None


def test_demo_tags_notes_and_timeline(filled):
    workspace, _output = filled
    tags = scoped(Tag, workspace)
    assert tags.count() == 20
    links = ContactTag.objects.filter(contact__workspace=workspace)
    assert 0.4 < links.values("contact").distinct().count() / 200 < 0.8
    notes = scoped(Note, workspace)
    assert notes.exists()
    authors = set(notes.values_list("author_id", flat=True))
    editors = set(
        Membership.objects.filter(
            workspace=workspace, role__in=[Role.OWNER, Role.ADMIN, Role.MARKETER]
        ).values_list("user_id", flat=True)
    )
    assert authors <= editors
    events = scoped(ContactEvent, workspace)
    created = Counter(events.filter(kind="created").values_list("contact_id", flat=True))
    assert len(created) == 200 and set(created.values()) == {1}
    assert events.filter(kind="tag_added").count() == links.count()
    assert events.filter(kind="note_added").count() == notes.count()


def test_demo_segments_count_what_the_list_api_filters(filled):
    workspace, _output = filled
    api = api_client_for(workspace)
    contacts = list(scoped(Contact, workspace).prefetch_related("tags"))

    def tag_keys(contact):
        return {tag.key for tag in contact.tags.all()}

    def count(segment_id) -> int:
        return api.get(f"/api/v1/segments/{segment_id}").json()["count"]

    customers = {c.pk for c in contacts if c.order_count > 0}
    assert set(every_id(api, segment="all_customers")) == customers
    assert count("all_customers") == len(customers)
    vip = scoped(Segment, workspace).get(name="VIP")
    expected_vip = {c.pk for c in contacts if c.total_spent >= 500 and "vip" in tag_keys(c)}
    assert expected_vip
    assert set(every_id(api, segment=str(vip.pk))) == expected_vip
    assert count(vip.pk) == len(expected_vip)

    salon = scoped(Segment, workspace).get(name="Salon 2025")
    assert salon.kind == Segment.Kind.STATIC
    carriers = {c.pk for c in contacts if "salon 2025" in tag_keys(c)}
    assert set(salon.contacts.values_list("pk", flat=True)) == carriers
    assert set(every_id(api, segment=str(salon.pk))) == carriers

    query = {"min_total_spent": "50", "max_total_spent": "400", "tag": "vip"}
    expected = [
        c
        for c in contacts
        if Decimal(50) <= c.total_spent <= Decimal(400)
        and "vip" in tag_keys(c)
        and c.consent == "subscribed"
    ]
    assert len(expected) > 3
    listed = every_id(api, **query, consent="subscribed", sort="-total_spent")
    assert listed == [c.pk for c in sorted(expected, key=lambda c: (c.total_spent, c.pk))][::-1]


def test_demo_twice_adds_nothing(filled):
    workspace, _output = filled
    before = {
        model: scoped(model, workspace).count() for model in (Contact, Tag, Note, Segment)
    } | {ContactEvent: scoped(ContactEvent, workspace).count()}
    output = demo(200)
    assert "none added" in output
    after = {model: scoped(model, workspace).count() for model in before}
    assert after == before
    assert Workspace.objects.filter(slug=DEMO_SLUG).count() == 1


def test_demo_with_a_larger_count_tops_the_directory_up_without_duplicates(filled):
    workspace, _output = filled
    scoped(Contact, workspace).order_by("pk").first().delete()
    demo(230)
    keys = list(scoped(Contact, workspace).values_list("email_key", flat=True))
    assert len(keys) == len(set(keys)) == 230
    assert scoped(Tag, workspace).count() == 20
