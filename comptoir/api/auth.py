"""Bearer-token authentication and the role checks of API handlers."""

from ninja.security import HttpBearer

from comptoir.api.errors import forbidden
from comptoir.core.models import ApiToken, Workspace
from comptoir.core.roles import Action, role_can
from comptoir.core.services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiToken | None:
        api_token = token_authenticate(token)
        if api_token is not None:
            request.workspace = api_token.workspace
        return api_token


def workspace(request) -> Workspace:
    return request.auth.workspace


def require(request, action: Action) -> Workspace:
    """The token's workspace, once its role is allowed `action`; 403 otherwise."""
    if not role_can(request.auth.role, action):
        raise forbidden()
    return request.auth.workspace
