"""Settings → Activity: the workspace's activity log (core.audit) as sentences a merchant
reads, in French or English, with who did it beside each one.

Entries store facts (`action`, `data`); the words are chosen here, at display time, like the
contact timeline's (web/timeline.py).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.campaigns.events import Audit as CampaignAudit
from comptoir.commerce.events import Audit as StoreAudit
from comptoir.commerce.models import StoreConnection
from comptoir.contacts.events import Audit as ContactAudit
from comptoir.contacts.models import Segment
from comptoir.core.audit import Audit as StaffAudit
from comptoir.core.audit import audit_entries
from comptoir.core.models import AuditEntry
from comptoir.core.roles import Action, Role
from comptoir.privacy import Audit as PrivacyAudit
from comptoir.web.access import workspace_view
from comptoir.web.timeline import choice_label

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str  # empty: an API token with no staff member behind it, or Comptoir itself
    sentence: str


def _when(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _contacts_sentence(action: str, data: dict) -> str | None:
    if action == ContactAudit.CONTACT_DELETED:
        return _("Contact #%(id)s deleted") % {"id": data.get("contact_id")}
    if action == ContactAudit.CONTACTS_DELETED:
        count = int(data.get("count", 0))
        return ngettext("%(count)d contact deleted", "%(count)d contacts deleted", count) % {
            "count": count
        }
    if action == PrivacyAudit.CONTACT_ERASED:
        return _("Contact #%(id)s erased (GDPR): nothing of the person is kept") % {
            "id": data.get("contact_id")
        }
    names = {"name": data.get("name", ""), "old": data.get("old_name", "")}
    if action == ContactAudit.SEGMENT_CHANGED:
        renamed = names["old"] and names["old"] != names["name"]
        if renamed and data.get("filter_changed"):
            return _("Segment “%(old)s” renamed to “%(name)s”, and its filter changed") % names
        if renamed:
            return _("Segment “%(old)s” renamed to “%(name)s”") % names
        return _("Filter of the segment “%(name)s” changed") % names
    if action == ContactAudit.SEGMENT_DELETED:
        if data.get("kind") == Segment.Kind.STATIC:
            return _("Static group “%(name)s” deleted") % names
        return _("Segment “%(name)s” deleted") % names
    return None


def _store_sentence(action: str, data: dict) -> str | None:
    platform = {"platform": choice_label(StoreConnection.Platform, data.get("platform", ""))}
    if action == StoreAudit.STORE_CONNECTED:
        return _("%(platform)s store connected") % platform
    if action == StoreAudit.STORE_KEY_REPLACED:
        return _("Signing key of the %(platform)s store replaced") % platform
    if action == StoreAudit.STORE_KEY_REGENERATED:
        return _("New secret made for the %(platform)s store") % platform
    if action == StoreAudit.STORE_DISCONNECTED:
        return _("%(platform)s store disconnected: its webhooks are refused") % platform
    return None


def _campaign_sentence(action: str, data: dict) -> str | None:
    name = {"name": data.get("name", "")}
    if action == CampaignAudit.CAMPAIGN_SCHEDULED:
        return _("Campaign “%(name)s” scheduled for %(when)s") % {
            **name,
            "when": _when(data.get("send_at")),
        }
    if action == CampaignAudit.CAMPAIGN_SENT:
        return _("Campaign “%(name)s” sent") % name
    if action == CampaignAudit.CAMPAIGN_CANCELED:
        if data.get("status") == "sending":
            return _("Campaign “%(name)s” canceled while sending") % name
        return _("Campaign “%(name)s” canceled") % name
    if action == CampaignAudit.CAMPAIGN_TESTED:
        return _("Test of the campaign “%(name)s” sent to %(emails)s") % {
            **name,
            "emails": ", ".join(data.get("emails", [])),
        }
    return None


def _staff_sentence(action: str, data: dict) -> str | None:
    member = {"member": data.get("member", ""), "role": choice_label(Role, data.get("role", ""))}
    if action == StaffAudit.STAFF_ROLE_CHANGED:
        return _("Role of %(member)s changed from %(old)s to %(role)s") % {
            **member,
            "old": choice_label(Role, data.get("old_role", "")),
        }
    if action == StaffAudit.STAFF_REMOVED:
        return _("%(member)s (%(role)s) removed from the staff") % member
    token = {"name": data.get("name", ""), "role": member["role"], "prefix": data.get("prefix", "")}
    if action == StaffAudit.TOKEN_CREATED:
        return _("API token “%(name)s” (%(role)s, %(prefix)s…) created") % token
    if action == StaffAudit.TOKEN_REVOKED:
        return _("API token “%(name)s” (%(prefix)s…) revoked") % token
    return None


def _sentence(entry: AuditEntry) -> str:
    data = entry.data or {}
    for words in (_contacts_sentence, _store_sentence, _campaign_sentence, _staff_sentence):
        sentence = words(entry.action, data)
        if sentence is not None:
            return sentence
    return entry.action.replace("_", " ").capitalize()  # an action a later version adds


def audit_lines(entries) -> list[AuditLine]:
    return [
        AuditLine(at=entry.created_at, actor=entry.actor_label, sentence=_sentence(entry))
        for entry in entries
    ]


@workspace_view(read=Action.MANAGE_SETTINGS, write=Action.MANAGE_SETTINGS)
def activity_log(request):
    page = Paginator(audit_entries(workspace=request.workspace), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/settings/activity.html", {"page": page, "rows": audit_lines(page)})
