"""Builders for automation tests: a shop with a catalogue, subscribers and their carts."""

import datetime as dt

from django.utils import timezone

from comptoir.automations.services import abandoned_cart_configure, welcome_configure
from comptoir.commerce import services as commerce
from comptoir.core import clock
from comptoir.core.worker import run_once

RECOVERY = "https://shop.example/cart/recover/abc"


def soon(minutes: float = 0) -> dt.datetime:
    """A moment after the automation's activation (which is "now")."""
    return timezone.now() + dt.timedelta(minutes=1 + minutes)


def product(workspace, external_id="p-1", **data):
    body = {
        "name": "Comté 24 mois",
        "description": "Affiné dans le Jura.",
        "image_url": f"https://shop.example/img/{external_id}.jpg",
        "price": "20.00",
        "available": True,
    }
    body.update(data)
    return commerce.product_upsert(workspace=workspace, external_id=external_id, data=body).obj


def cart(workspace, token="c-1", *, updated_at, email="zoe@example.com", items=None, **data):  # noqa: S107
    body = {
        "email": email,
        "items": items
        if items is not None
        else [{"product_id": "p-1", "quantity": 2, "price": "20.00"}],
        "recovery_url": RECOVERY,
        "updated_at": updated_at.isoformat(),
        **data,
    }
    return commerce.cart_upsert(workspace=workspace, token=token, data=body).obj


def order(workspace, external_id="o-1", *, placed_at, email="zoe@example.com", **data):
    body = {
        "email": email,
        "status": "completed",
        "placed_at": placed_at.isoformat(),
        "currency": "EUR",
        "subtotal": "40.00",
        "shipping": "0",
        "tax": "0",
        "discount": "0",
        "total": "40.00",
        "items": [{"product_id": "p-1", "name": "Comté 24 mois", "quantity": 2, "price": "20.00"}],
        **data,
    }
    return commerce.order_upsert(workspace=workspace, external_id=external_id, data=body).obj


def reminders_on(workspace, **fields):
    settings = {
        "enabled": True,
        "delay_minutes": 60,
        "reminder_enabled": False,
        "reminder_after_minutes": 1440,
    }
    settings.update(fields)
    return abandoned_cart_configure(workspace=workspace, actor=None, **settings)


def welcome_on(workspace, **fields):
    settings = {"enabled": True, "trigger": "signup"}
    settings.update(fields)
    return welcome_configure(workspace=workspace, actor=None, **settings)


def work_at(instant: dt.datetime):
    """What `comptoir worker --once --at instant` does."""
    with clock.at(instant):
        return run_once()
