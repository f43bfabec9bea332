"""The workspace-isolation registry (W1), shared by every feature.

Each feature registers, for each kind of object it stores, how to make one in a workspace
and which API requests name it. tests/api/test_isolation.py then checks that a token of
another workspace gets 404 for every one of those requests and that the object is left as
it was. To cover a new model, add a case here (or in a module imported at the bottom).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from comptoir.core.models import Workspace


@dataclass(frozen=True)
class IsolationCase:
    name: str
    make: Callable[[Workspace], models.Model]
    # (method, path with {id}, JSON body or None)
    requests: list[tuple[str, str, dict | None]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.name


CASES: list[IsolationCase] = []


def isolation_case(name: str, requests: list[tuple[str, str, dict | None]]):
    def register(make: Callable[[Workspace], models.Model]):
        CASES.append(IsolationCase(name, make, requests))
        return make

    return register


@isolation_case(
    "api token",
    [("DELETE", "/api/v1/tokens/{id}", None)],
)
def _token(workspace):
    from comptoir.core.services import token_create

    return token_create(workspace=workspace, name="shop")[0]


@isolation_case(
    "staff membership",
    [
        ("PATCH", "/api/v1/staff/{id}", {"role": "viewer"}),
        ("DELETE", "/api/v1/staff/{id}", None),
    ],
)
def _membership(workspace):
    from comptoir.core.models import Membership
    from comptoir.core.roles import Role
    from tests.conftest import make_user

    return Membership.objects.create(workspace=workspace, user=make_user(), role=Role.MARKETER)
