"""Campaigns (E1–E5): compose, audience, test, schedule, send, cancel, results."""

from ninja import Router, Status

from comptoir.api.auth import require
from comptoir.api.campaign_schemas import (
    AudienceOut,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPatch,
    ResultsOut,
    ScheduleIn,
    TestIn,
    TestOut,
)
from comptoir.api.pagination import PageQuery, paginate
from comptoir.campaigns import selectors, services
from comptoir.core.roles import Action

router = Router(tags=["campaigns"])


def _out(campaign) -> dict:
    return {**campaign.__dict__, "stats": selectors.campaign_stats(campaign=campaign)}


def _get(request, campaign_id: int, action: Action = Action.VIEW):
    workspace = require(request, action)
    return selectors.campaign_get(workspace=workspace, campaign_id=campaign_id)


@router.get("", response=CampaignList)
def campaign_list(request, page: PageQuery):
    """Newest first."""
    workspace = require(request, Action.VIEW)
    return paginate(selectors.campaigns_list(workspace=workspace), page, ["-created_at", "-id"])


@router.post("", response={201: CampaignOut})
def campaign_post(request, payload: CampaignIn):
    """A draft. 422 `invalid_template` for an unknown personalisation tag, 422
    `unknown_segment` for a segment that is not this workspace's."""
    workspace = require(request, Action.EDIT)
    campaign = services.campaign_create(
        workspace=workspace, actor=request.auth.created_by, **payload.dict(exclude_none=True)
    )
    return Status(201, _out(campaign))


@router.get("/{campaign_id}", response=CampaignOut)
def campaign_read(request, campaign_id: int):
    return _out(_get(request, campaign_id))


@router.patch("/{campaign_id}", response=CampaignOut)
def campaign_patch(request, campaign_id: int, payload: CampaignPatch):
    """409 `campaign_not_editable` once sending has started."""
    campaign = services.campaign_update(
        campaign=_get(request, campaign_id, Action.EDIT),
        **payload.dict(exclude_unset=True, exclude_none=True),
    )
    return _out(campaign)


@router.get("/{campaign_id}/audience", response=AudienceOut)
def campaign_audience(request, campaign_id: int):
    campaign = _get(request, campaign_id)
    return selectors.audience_breakdown(
        workspace=campaign.workspace, segment_ids=campaign.segment_ids
    )


@router.post("/{campaign_id}/schedule", response=CampaignOut)
def campaign_schedule(request, campaign_id: int, payload: ScheduleIn):
    """The worker starts it at `send_at`. 422 `send_at_in_past`, `no_audience`."""
    campaign = services.campaign_schedule(
        campaign=_get(request, campaign_id, Action.EDIT),
        send_at=payload.send_at,
        actor=request.auth.created_by,
    )
    return _out(campaign)


@router.post("/{campaign_id}/send", response=CampaignOut)
def campaign_send(request, campaign_id: int):
    """Idempotent: sending again a campaign that is sending or sent changes nothing."""
    campaign = services.campaign_send(
        campaign=_get(request, campaign_id, Action.EDIT), actor=request.auth.created_by
    )
    return _out(campaign)


@router.post("/{campaign_id}/cancel", response=CampaignOut)
def campaign_cancel(request, campaign_id: int):
    """Before or during the send: what has not gone never goes. 409 `campaign_finished`."""
    campaign = services.campaign_cancel(
        campaign=_get(request, campaign_id, Action.EDIT), actor=request.auth.created_by
    )
    return _out(campaign)


@router.post("/{campaign_id}/test", response={202: TestOut})
def campaign_test(request, campaign_id: int, payload: TestIn):
    """Sent as a real person of the audience would get it, subject marked "[Test]"; never
    counted in the results."""
    emails = services.campaign_test_send(
        campaign=_get(request, campaign_id, Action.EDIT),
        emails=payload.emails,
        actor=request.auth.created_by,
    )
    return Status(202, {"emails": emails})


@router.post("/{campaign_id}/duplicate", response={201: CampaignOut})
def campaign_duplicate(request, campaign_id: int):
    campaign = services.campaign_duplicate(
        campaign=_get(request, campaign_id, Action.EDIT), actor=request.auth.created_by
    )
    return Status(201, _out(campaign))


@router.get("/{campaign_id}/results", response=ResultsOut)
def campaign_results(request, campaign_id: int):
    """Per-link clicks and opens/clicks per hour over the first 48 hours."""
    campaign = _get(request, campaign_id)
    return {
        "stats": selectors.campaign_stats(campaign=campaign),
        "links": selectors.campaign_links(campaign=campaign),
        "hourly": selectors.campaign_hourly(campaign=campaign),
    }
