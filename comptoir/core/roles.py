"""Staff roles (W3) and what each may do: the one place that answers "may this role …?"."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MARKETER = "marketer", _("Marketer")
    VIEWER = "viewer", _("Viewer")


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # customer data, campaigns, automations, sign-up pages
    EXPORT = "export"
    MANAGE_SETTINGS = "manage_settings"  # business identity, branding
    MANAGE_STAFF = "manage_staff"
    MANAGE_TOKENS = "manage_tokens"
    ERASE = "erase"  # GDPR erasure of a person: irreversible, so owners and admins only


_ALLOWED: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.MARKETER: frozenset({Action.VIEW, Action.EDIT, Action.EXPORT}),
    Role.ADMIN: frozenset(Action),
    Role.OWNER: frozenset(Action),
}

# API tokens act with a role of their own; a token never carries ownership.
TOKEN_ROLES = [Role.ADMIN, Role.MARKETER, Role.VIEWER]


def role_can(role: str, action: Action) -> bool:
    return action in _ALLOWED.get(role, frozenset())
