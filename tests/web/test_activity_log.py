"""Settings → Activity (issue 16, point 7): the destructive actions that take an `actor`
record who did them, and the log shows it to owners and admins, in French or English."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.utils import timezone

from comptoir.campaigns.services import campaign_cancel, campaign_schedule, campaign_test_send
from comptoir.commerce.services import (
    store_connection_create,
    store_connection_secret_regenerate,
)
from comptoir.contacts.models import Contact
from comptoir.contacts.services import segment_create, segment_delete, segment_update
from comptoir.core.models import ApiToken, AuditEntry, Membership
from comptoir.core.roles import Role
from comptoir.core.scoping import scoped
from comptoir.core.services import membership_remove, membership_set_role, token_create
from comptoir.privacy import contact_erase
from tests.campaigns.helpers import business, draft, group, subscriber
from tests.conftest import ApiClient, login
from tests.contacts.helpers import make_contact

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def activity(user, workspace, language="en") -> list[tuple[str, str]]:
    """The log's rows as a reader sees them: (who, what), newest first."""
    response = login(user, language=language).get(f"/w/{workspace.slug}/settings/activity/")
    assert response.status_code == 200
    rows = re.findall(
        r"<tr>\s*<td.*?</time></td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", _page(response), re.S
    )
    return [(_text(who), _text(what)) for who, what in rows]


def _page(response) -> str:
    return response.content.decode()


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.mark.django_db
def test_a_contact_deleted_on_its_page_shows_who_deleted_it_and_nothing_of_the_person(
    staff, workspace
):
    admin = staff[Role.ADMIN]
    contact = make_contact(workspace, "zoe.secret@example.com", first_name="Zoé")
    response = login(admin).post(
        f"/w/{workspace.slug}/contacts/{contact.pk}/delete/", {"confirm": "yes"}
    )
    assert response.status_code == 302

    assert activity(staff[Role.OWNER], workspace) == [
        (str(admin), f"Contact #{contact.pk} deleted")
    ]
    # The log outlives the contact: none of its details is kept there.
    stored = str(list(AuditEntry.objects.values_list("data", flat=True)))
    assert "zoe" not in stored.lower() and "Zoé" not in stored


@pytest.mark.django_db
def test_a_bulk_delete_is_one_line_with_the_count(staff, workspace):
    for n in range(3):
        make_contact(workspace, f"c{n}@example.com")
    ids = list(scoped(Contact, workspace).values_list("pk", flat=True))
    response = login(staff[Role.OWNER]).post(
        f"/w/{workspace.slug}/contacts/bulk/",
        {"action": "delete", "ids": ids, "confirm": "yes"},
    )
    assert response.status_code in (200, 302)
    assert not scoped(Contact, workspace).exists()
    assert activity(staff[Role.OWNER], workspace) == [
        (str(staff[Role.OWNER]), "3 contacts deleted")
    ]


@pytest.mark.django_db
def test_segment_changes_and_deletion_are_recorded(staff, workspace):
    owner, marketer = staff[Role.OWNER], staff[Role.MARKETER]
    segment = segment_create(workspace=workspace, name="Fidèles", actor=owner)
    segment_update(segment=segment, actor=marketer, name="Très fidèles")
    segment_update(segment=segment, actor=marketer, filter={"tag": ["vip"]})
    # Saving it unchanged is not an action.
    segment_update(segment=segment, actor=marketer, name="Très fidèles")
    response = login(marketer).post(
        f"/w/{workspace.slug}/contacts/segments/{segment.pk}/delete/", {"confirm": "yes"}
    )
    assert response.status_code == 302

    assert activity(owner, workspace) == [
        (str(marketer), "Segment “Très fidèles” deleted"),
        (str(marketer), "Filter of the segment “Très fidèles” changed"),
        (str(marketer), "Segment “Fidèles” renamed to “Très fidèles”"),
    ]


@pytest.mark.django_db
def test_store_connections_record_their_keys_and_their_deletion_by_the_tokens_owner(
    owner, workspace
):
    connection = store_connection_create(
        workspace=workspace, platform="woocommerce", secret=None, actor=owner
    )
    store_connection_secret_regenerate(connection=connection, actor=owner)
    _token, secret = token_create(workspace=workspace, name="Zapier", created_by=owner)
    assert ApiClient(secret).delete(f"/api/v1/store-connections/{connection.pk}").status_code == 204

    token = ApiToken.objects.get(name="Zapier")
    assert activity(owner, workspace) == [
        (str(owner), "WooCommerce store disconnected: its webhooks are refused"),
        (str(owner), f"API token “Zapier” (Admin, {token.prefix}…) created"),
        (str(owner), "New secret made for the WooCommerce store"),
        (str(owner), "WooCommerce store connected"),
    ]


@pytest.mark.django_db
def test_a_token_revoked_on_the_tokens_page_is_recorded_once(staff, workspace):
    admin = staff[Role.ADMIN]
    token, _secret = token_create(workspace=workspace, name="Caisse", role=Role.VIEWER)
    for _twice in range(2):
        response = login(admin).post(f"/w/{workspace.slug}/settings/tokens/{token.pk}/revoke/")
        assert response.status_code == 302

    assert activity(staff[Role.OWNER], workspace) == [
        (str(admin), f"API token “Caisse” ({token.prefix}…) revoked"),
        ("API or Comptoir", f"API token “Caisse” (Viewer, {token.prefix}…) created"),
    ]


@pytest.mark.django_db
def test_campaigns_scheduled_tested_and_canceled_are_recorded(owner, workspace):
    business(workspace)
    campaign = draft(workspace, [group(workspace, [subscriber(workspace, "a@example.com")])])
    campaign_test_send(campaign=campaign, emails=["patron@epicerie.example"], actor=owner)
    when = timezone.now() + dt.timedelta(days=2)
    campaign_schedule(campaign=campaign, send_at=when, actor=owner)
    campaign_cancel(campaign=campaign, actor=owner)

    lines = [what for _who, what in activity(owner, workspace)]
    assert lines[0] == "Campaign “Arrivage de printemps” canceled"
    assert lines[1].startswith("Campaign “Arrivage de printemps” scheduled for ")
    assert (
        lines[2] == "Test of the campaign “Arrivage de printemps” sent to patron@epicerie.example"
    )


@pytest.mark.django_db
def test_staff_changes_and_an_erasure_are_recorded(staff, workspace):
    owner = staff[Role.OWNER]
    viewer = Membership.objects.get(workspace=workspace, user=staff[Role.VIEWER])
    membership_set_role(membership=viewer, role=Role.MARKETER, actor=owner)
    viewer.refresh_from_db()
    membership_remove(membership=viewer, actor=owner)
    person = make_contact(workspace, "efface@example.com")
    contact_erase(contact=person, actor=owner)

    assert activity(owner, workspace) == [
        (str(owner), f"Contact #{person.pk} erased (GDPR): nothing of the person is kept"),
        (str(owner), "viewer@example.com (Marketer) removed from the staff"),
        (str(owner), "Role of viewer@example.com changed from Viewer to Marketer"),
    ]
    assert "efface" not in str(list(AuditEntry.objects.values_list("data", flat=True)))


@pytest.mark.django_db
def test_the_log_reads_in_french_and_keeps_to_its_workspace(staff, workspace, other_workspace):
    owner = staff[Role.OWNER]
    segment_create(workspace=other_workspace, name="Ailleurs", actor=None)
    elsewhere = segment_create(workspace=other_workspace, name="Ailleurs 2", actor=None)
    segment_delete(segment=elsewhere, actor=None)
    mine = segment_create(workspace=workspace, name="Voisins", actor=owner)
    segment_delete(segment=mine, actor=owner)

    assert activity(owner, workspace, language="fr") == [
        (str(owner), "Segment « Voisins » supprimé")
    ]


@pytest.mark.django_db
def test_only_those_who_manage_settings_see_the_log(staff, workspace):
    for role in (Role.MARKETER, Role.VIEWER):
        response = login(staff[role]).get(f"/w/{workspace.slug}/settings/activity/")
        assert response.status_code == 403
        settings_page = login(staff[role]).get(f"/w/{workspace.slug}/settings/")
        assert "/settings/activity/" not in settings_page.content.decode()
    page = login(staff[Role.ADMIN]).get(f"/w/{workspace.slug}/settings/").content.decode()
    assert "/settings/activity/" in page
    empty = login(staff[Role.ADMIN]).get(f"/w/{workspace.slug}/settings/activity/")
    assert "Nothing recorded yet." in empty.content.decode()
