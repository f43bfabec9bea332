"""GDPR (X5): export everything held on a person, and erase them."""

from ninja import Router, Status

from comptoir.api.auth import require
from comptoir.contacts.selectors import contact_get
from comptoir.core.roles import Action
from comptoir.privacy import contact_erase, contact_export

router = Router(tags=["privacy"])


@router.get("/{contact_id}/export", response=dict)
def contact_export_json(request, contact_id: int):
    """Everything held on the person (GDPR access request): details, tags, consent ledger,
    e-mails and their opens and clicks, activity, orders. Internal notes are not included."""
    workspace = require(request, Action.EXPORT)
    return contact_export(contact=contact_get(workspace=workspace, contact_id=contact_id))


@router.post("/{contact_id}/erase", response={204: None})
def contact_erase_post(request, contact_id: int):
    """Erase the person (GDPR): the contact and everything about them goes; orders stay
    without personal data; a hashed suppression entry stays so that a later import never
    subscribes the address again. Admin tokens only."""
    workspace = require(request, Action.ERASE)
    contact_erase(
        contact=contact_get(workspace=workspace, contact_id=contact_id),
        actor=request.auth.created_by,
    )
    return Status(204, None)
