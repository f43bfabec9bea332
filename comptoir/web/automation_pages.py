"""Automations (A1–A7): the settings, figures and chart of each, activate, preview, test,
and deactivate with a confirmation that says how many reminders it cancels."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.automations import content, selectors, services
from comptoir.automations.models import Automation, ScheduledSend
from comptoir.core.csp import allow_inline_styles
from comptoir.core.roles import Action
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.automation_chart import daily_bars
from comptoir.web.automation_forms import AbandonedCartForm, WelcomeForm

Kind = Automation.Kind


def _initial(automation: Automation, fields) -> dict:
    return {name: getattr(automation, name) for name in fields}


def _section(automation: Automation, form) -> dict:
    days = selectors.automation_daily(automation=automation)
    return {
        "automation": automation,
        "form": form,
        "stats": selectors.automation_stats(automation=automation),
        "chart": daily_bars(days),
        "days": days,
    }


def _page(request, *, cart_form=None, welcome_form=None, status=200):
    workspace = request.workspace
    cart = selectors.automation_read(workspace=workspace, kind=Kind.ABANDONED_CART)
    welcome = selectors.automation_read(workspace=workspace, kind=Kind.WELCOME)
    cart_form = cart_form or AbandonedCartForm(
        initial=_initial(cart, AbandonedCartForm.base_fields)
    )
    welcome_form = welcome_form or WelcomeForm(initial=_initial(welcome, WelcomeForm.base_fields))
    return render(
        request,
        "web/automations.html",
        {
            "cart": _section(cart, cart_form),
            "welcome": _section(welcome, welcome_form),
            "default_cart_subject": content.default_subject(ScheduledSend.Kind.FIRST_REMINDER),
            "default_welcome_subject": content.default_subject(ScheduledSend.Kind.WELCOME),
            "preview_cart": selectors.preview_cart(workspace=workspace),
        },
        status=status,
    )


@workspace_view()
def automations(request):
    return _page(request)


def _enabled_after(request, automation: Automation) -> bool:
    """The "activate" button switches it on; "save" keeps it as it is."""
    return request.POST.get("action") == "activate" or automation.enabled


def _save(request, *, kind: str, form_class, configure, form_key: str, active: str, inactive: str):
    """Save one automation's settings; "activate" switches it on, "save" keeps its state."""
    form = form_class(request.POST)
    current = selectors.automation_read(workspace=request.workspace, kind=kind)
    if form.is_valid():
        try:
            automation = configure(
                workspace=request.workspace,
                actor=request.user,
                enabled=_enabled_after(request, current),
                **form.cleaned_data,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, active if automation.enabled else inactive)
            return redirect("automations", slug=request.workspace.slug)
    return _page(request, **{form_key: form}, status=422)


@require_POST
@workspace_view()
def abandoned_cart_save(request):
    return _save(
        request,
        kind=Kind.ABANDONED_CART,
        form_class=AbandonedCartForm,
        configure=services.abandoned_cart_configure,
        form_key="cart_form",
        active=_("The abandoned-cart reminder is active."),
        inactive=_("Settings saved. The reminder is not active."),
    )


@require_POST
@workspace_view()
def welcome_save(request):
    return _save(
        request,
        kind=Kind.WELCOME,
        form_class=WelcomeForm,
        configure=services.welcome_configure,
        form_key="welcome_form",
        active=_("The welcome e-mail is active."),
        inactive=_("Settings saved. The welcome e-mail is not active."),
    )


def _kind(kind: str) -> str:
    kinds = {"abandoned-cart": Kind.ABANDONED_CART, "welcome": Kind.WELCOME}
    if kind not in kinds:
        raise Http404
    return kinds[kind]


@workspace_view(read=Action.EDIT)
def automation_deactivate(request, kind: str):
    """GET says how many waiting sends deactivating cancels (A5); POST does it."""
    automation = selectors.automation_read(workspace=request.workspace, kind=_kind(kind))
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        fields = {"workspace": request.workspace, "actor": request.user, "enabled": False}
        if automation.kind == Kind.ABANDONED_CART:
            services.abandoned_cart_configure(
                **fields,
                delay_minutes=automation.delay_minutes,
                reminder_enabled=automation.reminder_enabled,
                reminder_after_minutes=automation.reminder_after_minutes,
            )
        else:
            services.welcome_configure(**fields, trigger=automation.trigger)
        messages.success(request, _("Deactivated. Nothing waiting will be sent."))
        return redirect("automations", slug=request.workspace.slug)
    return render(
        request,
        "web/automation_deactivate.html",
        {"automation": automation, "waiting": selectors.waiting_count(automation=automation)},
    )


@workspace_view()
def abandoned_cart_preview(request):
    """The reminder of the latest real cart, as its owner would get it now."""
    workspace = request.workspace
    automation = selectors.automation_read(workspace=workspace, kind=Kind.ABANDONED_CART)
    cart = selectors.preview_cart(workspace=workspace)
    preview = content.reminder_preview(automation=automation, cart=cart) if cart else None
    response = render(
        request,
        "web/automation_preview.html",
        {"cart": cart, "rendered": preview[1] if preview else None},
    )
    # The message is shown in a sandboxed srcdoc frame, whose inline styles must be allowed.
    return allow_inline_styles(response)


@require_POST
@workspace_view()
def abandoned_cart_test(request):
    workspace = request.workspace
    automation = selectors.automation_read(workspace=workspace, kind=Kind.ABANDONED_CART)
    cart = selectors.preview_cart(workspace=workspace)
    if cart is None:
        messages.error(request, _("No cart to test with yet: carts arrive from your store."))
    else:
        try:
            services.automation_test_send(
                automation=services.automation_for(workspace=workspace, kind=automation.kind),
                cart=cart,
                email=request.user.email,
                actor=request.user,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("A test is on its way to %(email)s.") % {"email": request.user.email}
            )
    return redirect("automations", slug=workspace.slug)
