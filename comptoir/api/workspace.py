from ninja import Router

from comptoir.api.auth import require
from comptoir.api.errors import ApiError
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
    changes = payload.dict(exclude_unset=True)
    nulls = sorted(name for name, value in changes.items() if value is None)
    if nulls:
        # Every field of the identity is text: "" clears it, null means nothing.
        raise ApiError(
            422,
            "validation_error",
            {name: 'null is not allowed; send "" to clear' for name in nulls},
        )
    return workspace_update(workspace=workspace, **changes)
