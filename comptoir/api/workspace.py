from ninja import Router

from comptoir.api.auth import require
from comptoir.api.schemas import WorkspaceIn, WorkspaceOut
from comptoir.core.roles import Action
from comptoir.core.services import workspace_update

router = Router(tags=["workspace"])


@router.get("", response=WorkspaceOut)
def workspace_read(request):
    return require(request, Action.VIEW)


@router.patch("", response=WorkspaceOut)
def workspace_patch(request, payload: WorkspaceIn):
    workspace = require(request, Action.MANAGE_SETTINGS)
    return workspace_update(workspace=workspace, **payload.dict(exclude_unset=True))
