"""Marketing consent of a contact (K1–K3): change it, and read its ledger."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import ConfigDict, Field, StrictBool

from comptoir.api.auth import require
from comptoir.api.contact_schemas import ContactDetailOut
from comptoir.consent import services
from comptoir.consent.models import ConsentEvent
from comptoir.consent.selectors import consent_history
from comptoir.contacts.selectors import contact_get
from comptoir.core.roles import Action

router = Router(tags=["consent"])

# What an integration may claim as the origin of a change; the other sources (unsubscribe
# link, one-click, bounce, complaint, confirmation e-mail) are Comptoir's own to record.
# "import" stays (an integration syncing another list says so) and obeys the import rule of
# the consent service: it never re-subscribes a contact who unsubscribed here.
ApiSource = Literal["api", "pos", "store", "dashboard", "import"]


class ConsentIn(Schema):
    # Subscribing needs the customer's explicit agreement (422 `consent_not_confirmed`).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"status": {"const": "subscribed"}}},
            "then": {
                "required": ["explicit_consent_confirmed"],
                "properties": {"explicit_consent_confirmed": {"const": True}},
            },
        }
    )

    status: Literal["subscribed", "unsubscribed"]
    source: ApiSource = "api"
    explicit_consent_confirmed: StrictBool = Field(
        False, description="Required to subscribe: the customer explicitly agreed."
    )
    wording: str = Field("", max_length=5000, description="The consent wording shown.")


class ConsentEventOut(Schema):
    status: str
    source: str
    actor: str
    wording: str
    ip: str | None
    user_agent: str
    created_at: datetime

    @staticmethod
    def resolve_actor(event: ConsentEvent) -> str:
        return event.actor_label or (event.actor.email if event.actor else "")


class ConsentHistory(Schema):
    items: list[ConsentEventOut]


@router.post("/{contact_id}/consent", response=ContactDetailOut)
def consent_change(request, contact_id: int, payload: ConsentIn):
    """Subscribe (only with `explicit_consent_confirmed: true`, else 422
    `consent_not_confirmed`) or unsubscribe (always allowed). Repeating the current state
    changes nothing and writes no ledger row, and so does subscribing with `source: import`
    a contact who unsubscribed: a synced list never overrides the person's own choice."""
    workspace = require(request, Action.EDIT)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    token = request.auth
    label = f"API token {token.name}"
    if payload.status == "subscribed":
        services.consent_subscribe(
            contact=contact,
            source=payload.source,
            explicit_consent_confirmed=payload.explicit_consent_confirmed,
            actor=token.created_by,
            actor_label=label,
            wording=payload.wording,
        )
    else:
        services.consent_withdraw(
            contact=contact, source=payload.source, actor=token.created_by, actor_label=label
        )
    return contact_get(workspace=workspace, contact_id=contact_id)


@router.get("/{contact_id}/consent-history", response=ConsentHistory)
def consent_history_list(request, contact_id: int):
    """Every consent change of the contact, oldest first: when, how, who, from where, and
    the wording the customer saw."""
    workspace = require(request, Action.VIEW)
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    return {"items": list(consent_history(contact))}
