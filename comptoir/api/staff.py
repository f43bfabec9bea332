from ninja import Router, Status

from comptoir.api.auth import require
from comptoir.api.pagination import PageQuery, paginate
from comptoir.api.schemas import StaffIn, StaffList, StaffOut, StaffRoleIn
from comptoir.core.models import Membership
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped, scoped
from comptoir.core.services import membership_invite, membership_remove, membership_set_role

router = Router(tags=["staff"])


@router.get("", response=StaffList)
def staff_list(request, page: PageQuery):
    workspace = require(request, Action.VIEW)
    return paginate(scoped(Membership, workspace).select_related("user"), page, ["id"])


@router.post("", response={201: StaffOut})
def staff_add(request, payload: StaffIn):
    workspace = require(request, Action.MANAGE_STAFF)
    membership = membership_invite(
        workspace=workspace,
        email=payload.email,
        role=payload.role,
        # A token acts for nobody in person: it can never make an owner (W3).
        invited_by=None,
    )
    return Status(201, membership)


@router.patch("/{membership_id}", response=StaffOut)
def staff_set_role(request, membership_id: int, payload: StaffRoleIn):
    workspace = require(request, Action.MANAGE_STAFF)
    membership = get_scoped(Membership.objects.select_related("user"), workspace, pk=membership_id)
    return membership_set_role(membership=membership, role=payload.role, actor=None)


@router.delete("/{membership_id}", response={204: None})
def staff_remove(request, membership_id: int):
    workspace = require(request, Action.MANAGE_STAFF)
    membership_remove(membership=get_scoped(Membership, workspace, pk=membership_id), actor=None)
    return Status(204, None)
