"""Every write of a campaign: compose, schedule, send, cancel, test (E1–E3).

Sending itself is the mail pipeline's (mail.pipeline): starting a campaign copies its
content into a Mailing and freezes its audience there; the pipeline does the rest.
"""

import datetime as dt
import logging

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from email_validator import EmailNotValidError, validate_email

from comptoir.campaigns import events, selectors
from comptoir.campaigns.models import Campaign
from comptoir.contacts.selectors import segment_get
from comptoir.core import clock
from comptoir.core.models import User, Workspace
from comptoir.core.services import ServiceError
from comptoir.core.tasks import enqueue_on_commit
from comptoir.mail import pipeline
from comptoir.mail.models import Mailing
from comptoir.mail.rendering import template_errors

logger = logging.getLogger("comptoir.campaigns")

ORIGIN = "campaign"
MAX_BODY = 100_000
MAX_TEST_ADDRESSES = 10
Status = Campaign.Status


LABELS = {
    "name": gettext_lazy("The name"),
    "subject": gettext_lazy("The subject"),
    "preheader": gettext_lazy("The preheader"),
    "sender_name": gettext_lazy("The sender name"),
    "coupon_code": gettext_lazy("The coupon code"),
}


def _clean_text(value: str | None, *, field: str, limit: int, required: bool) -> str:
    value = " ".join((value or "").split())
    label = LABELS[field]
    if required and not value:
        raise ServiceError(_("%(field)s is required.") % {"field": label}, code="invalid_" + field)
    if len(value) > limit:
        raise ServiceError(
            _("%(field)s is longer than %(limit)d characters.") % {"field": label, "limit": limit},
            code="invalid_" + field,
        )
    return value


def _check_template(workspace: Workspace, *, subject: str, preheader: str, body: str) -> None:
    problems = template_errors(
        workspace=workspace, subject=subject, preheader=preheader, body_markdown=body
    )
    if problems:
        raise ServiceError(" ".join(problems), code="invalid_template")


def _clean_segments(workspace: Workspace, segment_ids) -> list[str]:
    cleaned: list[str] = []
    for segment_id in segment_ids or []:
        key = str(segment_id).strip()
        try:
            segment_get(workspace=workspace, segment_id=key)
        except Http404:
            raise ServiceError(
                _("Segment %(id)s does not exist.") % {"id": key}, code="unknown_segment"
            ) from None
        if key not in cleaned:
            cleaned.append(key)
    return cleaned


def _cleaned(workspace: Workspace, fields: dict, current: Campaign | None = None) -> dict:
    out = {}
    if "name" in fields:
        out["name"] = _clean_text(fields["name"], field="name", limit=120, required=True)
    if "subject" in fields:
        out["subject"] = _clean_text(fields["subject"], field="subject", limit=300, required=True)
    if "preheader" in fields:
        out["preheader"] = _clean_text(
            fields["preheader"], field="preheader", limit=300, required=False
        )
    if "sender_name" in fields:
        out["sender_name"] = _clean_text(
            fields["sender_name"], field="sender_name", limit=120, required=False
        )
    if "coupon_code" in fields:
        out["coupon_code"] = _clean_text(
            fields["coupon_code"], field="coupon_code", limit=100, required=False
        )
    if "body_markdown" in fields:
        body = fields["body_markdown"] or ""
        if not body.strip() or len(body) > MAX_BODY:
            raise ServiceError(_("The message is empty or too long."), code="invalid_body")
        out["body_markdown"] = body
    if "segment_ids" in fields:
        out["segment_ids"] = _clean_segments(workspace, fields["segment_ids"])

    def now(key: str) -> str:
        return out[key] if key in out else getattr(current, key, "")

    if {"subject", "preheader", "body_markdown"} & set(out):
        _check_template(
            workspace, subject=now("subject"), preheader=now("preheader"), body=now("body_markdown")
        )
    return out


@transaction.atomic
def campaign_create(
    *,
    workspace: Workspace,
    actor: User | None,
    name: str,
    subject: str,
    body_markdown: str,
    segment_ids: list | None = None,
    preheader: str = "",
    sender_name: str = "",
    coupon_code: str = "",
) -> Campaign:
    fields = _cleaned(
        workspace,
        {
            "name": name,
            "subject": subject,
            "body_markdown": body_markdown,
            "segment_ids": segment_ids or [],
            "preheader": preheader,
            "sender_name": sender_name,
            "coupon_code": coupon_code,
        },
    )
    return Campaign.objects.create(workspace=workspace, created_by=actor, **fields)


def _locked(campaign: Campaign) -> Campaign:
    """The campaign's row, locked: two requests never both start or edit it."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


@transaction.atomic
def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    """Change a draft or a scheduled campaign; once sending starts its content is frozen."""
    campaign = _locked(campaign)
    if not campaign.editable:
        raise ServiceError(
            _("This campaign has been sent or canceled: duplicate it to send it again."),
            code="campaign_not_editable",
            status=409,
        )
    for key, value in _cleaned(campaign.workspace, fields, campaign).items():
        setattr(campaign, key, value)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_duplicate(*, campaign: Campaign, actor: User | None) -> Campaign:
    name = _("Copy of %(name)s") % {"name": campaign.name}
    return Campaign.objects.create(
        workspace=campaign.workspace,
        created_by=actor,
        name=name[:120],
        subject=campaign.subject,
        preheader=campaign.preheader,
        sender_name=campaign.sender_name,
        body_markdown=campaign.body_markdown,
        segment_ids=list(campaign.segment_ids),
        coupon_code=campaign.coupon_code,
    )


def _ready_to_send(campaign: Campaign) -> None:
    if not campaign.segment_ids:
        raise ServiceError(_("Choose at least one segment to send to."), code="no_audience")
    _clean_segments(campaign.workspace, campaign.segment_ids)


@transaction.atomic
def campaign_schedule(*, campaign: Campaign, send_at: dt.datetime, actor: User | None) -> Campaign:
    """Send later (E3): the worker starts it when `send_at` comes."""
    campaign = _locked(campaign)
    if not campaign.editable:
        raise ServiceError(
            _("Only a draft or a scheduled campaign can be scheduled."),
            code="campaign_not_editable",
            status=409,
        )
    if timezone.is_naive(send_at):
        raise ServiceError(_("The sending time needs a time zone."), code="invalid_send_at")
    if send_at < clock.now() - dt.timedelta(minutes=1):
        raise ServiceError(_("The sending time is in the past."), code="send_at_in_past")
    _ready_to_send(campaign)
    campaign.status = Status.SCHEDULED
    campaign.send_at = send_at
    campaign.save(update_fields=["status", "send_at", "updated_at"])
    events.campaign_scheduled_audit(campaign=campaign, actor=actor, send_at=send_at)
    return campaign


@transaction.atomic
def campaign_send(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Send now: the worker starts it at its next tick. Asking again changes nothing."""
    campaign = _locked(campaign)
    if campaign.status in (Status.SENDING, Status.SENT):
        return campaign
    if campaign.status == Status.SCHEDULED and campaign.send_at <= clock.now():
        return campaign
    if not campaign.editable:
        raise ServiceError(
            _("This campaign was canceled: duplicate it to send it."),
            code="campaign_not_editable",
            status=409,
        )
    _ready_to_send(campaign)
    campaign.status = Status.SCHEDULED
    campaign.send_at = clock.now()
    campaign.save(update_fields=["status", "send_at", "updated_at"])
    events.campaign_sent_audit(campaign=campaign, actor=actor)
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, actor: User | None) -> Campaign:
    """Cancel before or during the send (E3): what has not gone never goes."""
    campaign = _locked(campaign)
    if campaign.status in (Status.SENT, Status.FAILED, Status.CANCELED):
        raise ServiceError(
            _("This campaign has already finished."), code="campaign_finished", status=409
        )
    if campaign.mailing_id:
        pipeline.mailing_cancel(mailing=campaign.mailing)
    events.campaign_canceled_audit(campaign=campaign, actor=actor, status=campaign.status)
    campaign.status = Status.CANCELED
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at", "updated_at"])
    return campaign


def campaign_test_send(*, campaign: Campaign, emails: list[str], actor: User | None) -> list[str]:
    """Queue a test of the campaign to staff addresses (E3): marked "[Test]", not counted."""
    cleaned = []
    for raw in emails or []:
        try:
            address = validate_email(str(raw), check_deliverability=False).normalized
        except EmailNotValidError:
            raise ServiceError(
                _("%(email)s is not a valid e-mail address.") % {"email": str(raw)[:100]},
                code="invalid_email",
            ) from None
        if address not in cleaned:
            cleaned.append(address)
    if not cleaned or len(cleaned) > MAX_TEST_ADDRESSES:
        raise ServiceError(
            _("Give 1 to %(n)d addresses for a test.") % {"n": MAX_TEST_ADDRESSES},
            code="invalid_emails",
        )
    _check_template(
        campaign.workspace,
        subject=campaign.subject,
        preheader=campaign.preheader,
        body=campaign.body_markdown,
    )
    events.campaign_tested_audit(campaign=campaign, actor=actor, emails=cleaned)
    enqueue_on_commit(campaign_test_task, campaign.pk, cleaned)
    return cleaned


@task()
def campaign_test_task(campaign_id: int, emails: list[str]) -> int:
    campaign = Campaign.objects.select_related("workspace").get(pk=campaign_id)
    contact = selectors.sample_contact(campaign=campaign)
    return pipeline.send_test_copies(
        workspace=campaign.workspace,
        contact=contact,
        content=pipeline.Content(
            subject=campaign.subject,
            body_markdown=campaign.body_markdown,
            preheader=campaign.preheader,
            sender_name=campaign.sender_name,
        ),
        emails=emails,
    )


# ------------------------------------------------------------------- the worker's part


def campaign_start(*, campaign: Campaign) -> Campaign:
    """Freeze the audience of a due campaign into a mailing and hand it to the pipeline.

    The claim (SCHEDULED → SENDING) and the freeze are one transaction: two workers never
    both start it, and a worker that dies mid-freeze leaves it scheduled, to start again.
    """
    with transaction.atomic():
        claimed = Campaign.objects.filter(pk=campaign.pk, status=Status.SCHEDULED).update(
            status=Status.SENDING, started_at=timezone.now()
        )
        if not claimed:
            return Campaign.objects.get(pk=campaign.pk)
        campaign.refresh_from_db()
        workspace = campaign.workspace
        try:
            audience = selectors.campaign_audience(campaign=campaign)
        except (Http404, ServiceError) as error:
            campaign.status = Status.FAILED
            campaign.failure = _("A segment of this campaign no longer exists.")
            campaign.finished_at = timezone.now()
            campaign.save(update_fields=["status", "failure", "finished_at"])
            logger.warning("campaign %s failed to start: %s", campaign.pk, error)
            return campaign
        mailing = pipeline.mailing_create(
            workspace=workspace,
            origin=ORIGIN,
            subject=campaign.subject,
            preheader=campaign.preheader,
            sender_name=campaign.sender_name,
            body_markdown=campaign.body_markdown,
        )
        frozen = pipeline.mailing_freeze(mailing=mailing, contacts=audience)
        campaign.mailing = mailing
        campaign.save(update_fields=["mailing"])
    logger.info("campaign %s started: %d recipient(s) frozen", campaign.pk, frozen)
    return campaign


def campaign_settle(*, campaign: Campaign) -> Campaign:
    """Once its mailing is done, a sending campaign is sent (or failed, if nothing left)."""
    mailing = campaign.mailing
    if mailing is None or not pipeline.mailing_settle(mailing=mailing):
        return campaign
    mailing.refresh_from_db()
    if mailing.status != Mailing.Status.DONE:
        return campaign
    stats = selectors.delivery_counts(campaign=campaign)
    failed = stats["failed"] > 0 and stats["sent"] == 0
    Campaign.objects.filter(pk=campaign.pk, status=Status.SENDING).update(
        status=Status.FAILED if failed else Status.SENT,
        finished_at=mailing.finished_at,
        failure=_("No message could be sent: see the delivery errors.") if failed else "",
    )
    campaign.refresh_from_db()
    return campaign


def campaigns_dispatch(*, now: dt.datetime) -> int:
    """The worker's dispatcher: start the campaigns due at `now`, settle finished ones."""
    done = 0
    due = Campaign.objects.filter(status=Status.SCHEDULED, send_at__lte=now).select_related(
        "workspace"
    )
    for campaign in due.order_by("send_at", "pk"):
        campaign_start(campaign=campaign)
        done += 1
    for campaign in Campaign.objects.filter(status=Status.SENDING).select_related("mailing"):
        if campaign_settle(campaign=campaign).status != Status.SENDING:
            done += 1
    return done
