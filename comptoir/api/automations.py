"""Automations (A1–A7): the abandoned-cart reminder and the welcome e-mail."""

from ninja import Router

from comptoir.api.auth import require
from comptoir.api.automation_schemas import AbandonedCartIn, AbandonedCartOut, WelcomeIn, WelcomeOut
from comptoir.automations import selectors, services
from comptoir.automations.models import Automation
from comptoir.core.roles import Action

router = Router(tags=["automations"])
Kind = Automation.Kind


def _out(automation: Automation) -> dict:
    return {**automation.__dict__, "stats": selectors.automation_stats(automation=automation)}


@router.get("/abandoned-cart", response=AbandonedCartOut)
def abandoned_cart_read(request):
    workspace = require(request, Action.VIEW)
    return _out(selectors.automation_read(workspace=workspace, kind=Kind.ABANDONED_CART))


@router.put("/abandoned-cart", response=AbandonedCartOut)
def abandoned_cart_put(request, payload: AbandonedCartIn):
    """Activating starts from now: carts abandoned before never trigger a reminder.
    Deactivating cancels every reminder still waiting."""
    workspace = require(request, Action.EDIT)
    automation = services.abandoned_cart_configure(
        workspace=workspace, actor=request.auth.created_by, **payload.dict()
    )
    return _out(automation)


@router.get("/welcome", response=WelcomeOut)
def welcome_read(request):
    workspace = require(request, Action.VIEW)
    return _out(selectors.automation_read(workspace=workspace, kind=Kind.WELCOME))


@router.put("/welcome", response=WelcomeOut)
def welcome_put(request, payload: WelcomeIn):
    """Sent once per contact, ever, on sign-up and/or first order, to contacts who may
    receive marketing at that moment; the coupon code is shown in the e-mail."""
    workspace = require(request, Action.EDIT)
    automation = services.welcome_configure(
        workspace=workspace, actor=request.auth.created_by, **payload.dict()
    )
    return _out(automation)
