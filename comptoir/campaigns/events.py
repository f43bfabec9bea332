"""What campaigns record in the workspace's activity log (core.audit): who scheduled, sent,
canceled or tested a campaign, since each of them reaches customers' inboxes."""

import datetime as dt
from enum import StrEnum

from comptoir.campaigns.models import Campaign
from comptoir.core.audit import audit_record
from comptoir.core.models import User


class Audit(StrEnum):
    CAMPAIGN_SCHEDULED = "campaign_scheduled"
    CAMPAIGN_SENT = "campaign_sent"  # "send now"
    CAMPAIGN_CANCELED = "campaign_canceled"
    CAMPAIGN_TESTED = "campaign_tested"


def _record(campaign: Campaign, actor: User | None, action: Audit, **data) -> None:
    audit_record(
        workspace=campaign.workspace_id,
        actor=actor,
        action=action,
        campaign_id=campaign.pk,
        name=campaign.name,
        **data,
    )


def campaign_scheduled_audit(
    *, campaign: Campaign, actor: User | None, send_at: dt.datetime
) -> None:
    _record(campaign, actor, Audit.CAMPAIGN_SCHEDULED, send_at=send_at.isoformat())


def campaign_sent_audit(*, campaign: Campaign, actor: User | None) -> None:
    _record(campaign, actor, Audit.CAMPAIGN_SENT)


def campaign_canceled_audit(*, campaign: Campaign, actor: User | None, status: str) -> None:
    """`status`: what it was when canceled (scheduled, or sending: part of it has gone)."""
    _record(campaign, actor, Audit.CAMPAIGN_CANCELED, status=status)


def campaign_tested_audit(*, campaign: Campaign, actor: User | None, emails: list[str]) -> None:
    # Staff addresses, not customers': a test goes to whoever staff types in.
    _record(campaign, actor, Audit.CAMPAIGN_TESTED, emails=emails)
