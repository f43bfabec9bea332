"""Campaigns in the dashboard (E1–E5): the list, the composer with its live preview and
audience, the actions (test, send, schedule, cancel, duplicate) and the results page.

Each view parses, lets `workspace_view` check the role, calls one service and renders; a
refusal is shown in place, on the field or the form it concerns, with what was typed.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.campaigns import selectors, services
from comptoir.campaigns.models import Campaign
from comptoir.campaigns.selectors import (
    audience,
    campaign_rows,
    catalogue,
    preview,
    segment_choices,
)
from comptoir.campaigns.services import MAX_BODY
from comptoir.core import clock
from comptoir.core.csp import allow_inline_styles
from comptoir.core.roles import Action
from comptoir.core.services import ServiceError
from comptoir.web.access import can, workspace_view
from comptoir.web.campaign_chart import hourly_chart
from comptoir.web.campaign_forms import (
    FALLBACK_EXAMPLE,
    PERSONAL_TAGS,
    CampaignForm,
    ScheduleForm,
    TestSendForm,
)

PAGE_SIZE = 25
FIELDS = ("name", "subject", "preheader", "sender_name", "body_markdown", "coupon_code")


@workspace_view()
def campaign_list(request):
    campaigns = selectors.campaigns_list(workspace=request.workspace)
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/campaigns/list.html", {"page": page, "rows": campaign_rows(page)})


def _campaign_form(request, data=None, campaign: Campaign | None = None) -> CampaignForm:
    initial = None
    if campaign is not None:
        initial = {field: getattr(campaign, field) for field in FIELDS}
        initial["segment_ids"] = list(campaign.segment_ids)
    return CampaignForm(
        data, initial=initial, segments=segment_choices(workspace=request.workspace)
    )


def _unsaved(request, form: CampaignForm, campaign: Campaign | None) -> Campaign:
    """The campaign as typed, valid or not, to preview it before saving: the preview shows
    what the form holds, not what was saved."""
    if not form.data:
        return campaign or Campaign(workspace=request.workspace)
    shown = Campaign(workspace=request.workspace)
    for field in FIELDS:
        # Cut to what a save would accept: a preview renders on every keystroke.
        limit = MAX_BODY if field == "body_markdown" else 300
        setattr(shown, field, form.data.get(field, "")[:limit])
    known = dict(form.fields["segment_ids"].choices)
    shown.segment_ids = [key for key in form.data.getlist("segment_ids") if key in known]
    return shown


def _composer(request, form, campaign=None, *, status=200, **forms):
    """The composer page: the form, the preview and audience of `shown` (the saved
    campaign, or what was typed), and the actions of a saved one."""
    shown = _unsaved(request, form, campaign)
    workspace = request.workspace
    context = {
        "form": form,
        "campaign": campaign,
        "products": catalogue(workspace=workspace),
        "personal_tags": PERSONAL_TAGS,
        "fallback_example": FALLBACK_EXAMPLE,
        "preview": preview(campaign=shown),
        "audience": audience(workspace=workspace, segment_ids=shown.segment_ids),
        "test_form": forms.get("test_form") or TestSendForm(initial={"emails": request.user.email}),
        "schedule_form": forms.get("schedule_form")
        or ScheduleForm(
            initial={"send_at": campaign.send_at if campaign else None},
            time_zone=workspace.time_zone,
        ),
    }
    if not can(request, Action.EDIT):
        form.disable()
    # The preview is an e-mail in a sandboxed srcdoc frame, which takes this page's policy:
    # its inline styles (css-inline's, by design) must be allowed here, as in the outbox.
    return allow_inline_styles(
        render(request, "web/campaigns/composer.html", context, status=status)
    )


@workspace_view(read=Action.EDIT)
def campaign_new(request):
    if request.method != "POST":
        return _composer(request, _campaign_form(request))
    form = _campaign_form(request, request.POST)
    if "preview" in request.POST:
        return _composer(request, form)
    if form.is_valid():
        try:
            campaign = services.campaign_create(
                workspace=request.workspace, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": campaign.name})
            return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
    return _composer(request, form, status=422)


def _started(campaign: Campaign) -> bool:
    """Sent, sending, ended, or due: sending now was asked and the worker is starting it."""
    due = campaign.status == Campaign.Status.SCHEDULED and campaign.send_at <= clock.now()
    return due or not campaign.editable


@workspace_view()
def campaign_detail(request, campaign_id: int):
    """A draft or scheduled campaign opens in the composer; any other shows its results."""
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    if _started(campaign):
        if request.method == "POST":
            messages.error(request, _("This campaign can no longer be changed."))
            return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
        return _report(request, campaign)
    if request.method != "POST":
        return _composer(request, _campaign_form(request, campaign=campaign), campaign)
    form = _campaign_form(request, request.POST, campaign)
    if "preview" in request.POST:
        return _composer(request, form, campaign)
    if form.is_valid():
        try:
            services.campaign_update(campaign=campaign, **form.cleaned_data)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
    return _composer(request, form, campaign, status=422)


@require_POST
@workspace_view()
def campaign_preview(request):
    """htmx: the preview and the audience of what the composer holds, as it is typed."""
    form = _campaign_form(request, request.POST)
    shown = _unsaved(request, form, None)
    context = {
        "preview": preview(campaign=shown),
        "audience": audience(workspace=request.workspace, segment_ids=shown.segment_ids),
        "oob": True,
    }
    return render(request, "web/campaigns/preview_update.html", context)


def _saved_composer(request, campaign, *, status=422, **forms):
    form = _campaign_form(request, campaign=campaign)
    return _composer(request, form, campaign, status=status, **forms)


@require_POST
@workspace_view()
def campaign_test(request, campaign_id: int):
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    form = TestSendForm(request.POST)
    if form.is_valid():
        try:
            emails = services.campaign_test_send(
                campaign=campaign, emails=form.addresses(), actor=request.user
            )
        except ServiceError as error:
            form.add_error("emails", error.message)
        else:
            messages.success(
                request, _("A test is on its way to %(emails)s.") % {"emails": ", ".join(emails)}
            )
            return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
    return _saved_composer(request, campaign, test_form=form)


@workspace_view(read=Action.EDIT)
def campaign_send(request, campaign_id: int):
    """A GET asks for confirmation with the number of recipients; the POST sends."""
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    if _started(campaign):
        return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
    error = None
    if request.method == "POST":
        try:
            services.campaign_send(campaign=campaign, actor=request.user)
        except ServiceError as refused:
            error = refused.message
        else:
            messages.success(request, _("Sending has started: the page shows its progress."))
            return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
    context = {
        "campaign": campaign,
        "audience": audience(workspace=request.workspace, segment_ids=campaign.segment_ids),
        "error": error,
    }
    return render(request, "web/campaigns/send_confirm.html", context, status=422 if error else 200)


@require_POST
@workspace_view()
def campaign_schedule(request, campaign_id: int):
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    form = ScheduleForm(request.POST, time_zone=request.workspace.time_zone)
    if form.is_valid():
        try:
            campaign = services.campaign_schedule(
                campaign=campaign, send_at=form.cleaned_data["send_at"], actor=request.user
            )
        except ServiceError as error:
            form.add_error("send_at", error.message)
        else:
            messages.success(request, _("Campaign scheduled."))
            return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)
    return _saved_composer(request, campaign, schedule_form=form)


@require_POST
@workspace_view()
def campaign_cancel(request, campaign_id: int):
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    try:
        services.campaign_cancel(campaign=campaign, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Campaign canceled: nothing more will be sent."))
    return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=campaign.pk)


@require_POST
@workspace_view()
def campaign_duplicate(request, campaign_id: int):
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    copy = services.campaign_duplicate(campaign=campaign, actor=request.user)
    messages.success(request, _("Copy created: change what you like, then send it."))
    return redirect("campaign_detail", slug=request.workspace.slug, campaign_id=copy.pk)


def _results_polling(campaign: Campaign) -> bool:
    return campaign.status in (Campaign.Status.SENDING, Campaign.Status.SCHEDULED)


def _results(campaign: Campaign) -> dict:
    stats = selectors.campaign_stats(campaign=campaign)
    done = stats["sent"] + stats["failed"] + stats["unknown"]
    return {
        "campaign": campaign,
        "stats": stats,
        "done": done,
        "polling": _results_polling(campaign),
    }


def _report(request, campaign: Campaign):
    context = {
        **_results(campaign),
        "links": selectors.campaign_links(campaign=campaign),
        "chart": hourly_chart(campaign=campaign),
        "preview": preview(campaign=campaign),
    }
    # The message is shown in a srcdoc frame too: see _composer.
    return allow_inline_styles(render(request, "web/campaigns/report.html", context))


@workspace_view()
def campaign_progress(request, campaign_id: int):
    """htmx polls this while a campaign is sending: its progress and figures."""
    campaign = selectors.campaign_get(workspace=request.workspace, campaign_id=campaign_id)
    response = render(request, "web/campaigns/live.html", _results(campaign))
    if not _results_polling(campaign) and request.htmx:
        # Done: reload the page once, for the per-link figures and the chart.
        response["HX-Refresh"] = "true"
    return response
