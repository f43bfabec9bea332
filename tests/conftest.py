"""Shared fixtures: workspaces, staff of each role, API clients with bearer tokens."""

import itertools

import pytest
from django.test import Client
from django.utils import translation

from comptoir.core.models import User, Workspace
from comptoir.core.roles import Role
from comptoir.core.services import membership_invite, token_create, workspace_create
from tests.mailserver import smtp_server  # noqa: F401 - a real SMTP server, for every test

PASSWORD = "correct horse battery staple"
_serial = itertools.count(1)


def make_user(email: str | None = None) -> User:
    email = email or f"staff{next(_serial)}@example.com"
    return User.objects.create_user(email, PASSWORD, name=email.split("@")[0])


def make_workspace(name: str = "Chez Zoé", owner: User | None = None) -> Workspace:
    return workspace_create(name=name, owner=owner or make_user())


class ApiClient:
    """A JSON client that sends a bearer token, as a store's integration would."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def request(self, method: str, path: str, json=None, **params):
        call = getattr(self.client, method.lower())
        if method.upper() in {"GET", "DELETE"} and json is None:
            return call(path, params or None, headers=self.headers)
        return call(path, json, content_type="application/json", headers=self.headers)

    def get(self, path, **params):
        return self.request("GET", path, **params)

    def post(self, path, json=None):
        return self.request("POST", path, json=json)

    def patch(self, path, json=None):
        return self.request("PATCH", path, json=json)

    def put(self, path, json=None):
        return self.request("PUT", path, json=json)

    def delete(self, path):
        return self.request("DELETE", path)


def api_client_for(workspace: Workspace, role: str = Role.ADMIN) -> ApiClient:
    _token, secret = token_create(workspace=workspace, name=f"{role} token", role=role)
    return ApiClient(secret)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a password by design; tests need none of that strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def one_send_lane(settings):
    """A test's rows live in its own open transaction, which the pipeline's other send
    lanes (threads with connections of their own) cannot see: tests send in one lane,
    but those about lanes (tests/mail/test_send_lanes.py) and the real worker processes."""
    settings.COMPTOIR_SEND_CONNECTIONS = 1


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """LocaleMiddleware leaves the last request's language active in the thread: reset it,
    so that a French page in one test does not turn the next test's messages French."""
    yield
    translation.deactivate()


@pytest.fixture
def owner(db) -> User:
    return make_user("owner@example.com")


@pytest.fixture
def workspace(owner) -> Workspace:
    return make_workspace("Chez Zoé", owner)


@pytest.fixture
def other_workspace(db) -> Workspace:
    return make_workspace("La Boutique d'à côté")


@pytest.fixture
def staff(workspace, owner):
    """One logged-in-able user per role in `workspace`, keyed by role."""
    people = {Role.OWNER: owner}
    for role in (Role.ADMIN, Role.MARKETER, Role.VIEWER):
        membership = membership_invite(
            workspace=workspace, email=f"{role}@example.com", role=role, invited_by=owner
        )
        membership.user.set_password(PASSWORD)
        membership.user.save()
        people[role] = membership.user
    return people


def login(user: User, *, language: str | None = "en") -> Client:
    """A logged-in client whose browser asks for `language`: the fixtures' workspaces speak
    French, which a dashboard page falls back to only when the browser says nothing
    (language=None)."""
    client = Client(headers={"Accept-Language": language} if language else {})
    client.force_login(user)
    return client


@pytest.fixture
def api(workspace) -> ApiClient:
    """An admin token of `workspace`."""
    return api_client_for(workspace)
