from ninja import Router, Status

from comptoir.api.auth import require
from comptoir.api.pagination import PageQuery, paginate
from comptoir.api.schemas import TokenCreated, TokenIn, TokenList
from comptoir.core.models import ApiToken
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped, scoped
from comptoir.core.services import token_create, token_revoke

router = Router(tags=["tokens"])


@router.get("", response=TokenList)
def token_list(request, page: PageQuery):
    workspace = require(request, Action.MANAGE_TOKENS)
    return paginate(scoped(ApiToken, workspace), page, ["-id"])


@router.post("", response={201: TokenCreated})
def token_post(request, payload: TokenIn):
    workspace = require(request, Action.MANAGE_TOKENS)
    token, secret = token_create(
        workspace=workspace,
        name=payload.name,
        role=payload.role,
        created_by=request.auth.created_by,
    )
    token.token = secret
    return Status(201, token)


@router.delete("/{token_id}", response={204: None})
def token_delete(request, token_id: int):
    workspace = require(request, Action.MANAGE_TOKENS)
    token_revoke(token=get_scoped(ApiToken, workspace, pk=token_id), actor=request.auth.created_by)
    return Status(204, None)
