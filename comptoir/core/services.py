"""Every write to workspaces, staff and API tokens (house rule 1)."""

import hashlib
import secrets
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.core import audit
from comptoir.core.models import ApiToken, Membership, User, Workspace
from comptoir.core.roles import TOKEN_ROLES, Role
from comptoir.core.token_lookup import active_token

# A new member's invitation is e-mailed by the mail app, which core may not import (the
# layers of pyproject.toml): mail adds its hook when it loads (MailConfig.ready).
_member_invited_hooks: list[Callable[..., None]] = []


def on_member_invited(hook: Callable[..., None]) -> Callable[..., None]:
    """Call `hook(user=, workspace=)` when a person new to Comptoir is invited."""
    _member_invited_hooks.append(hook)
    return hook


TOKEN_PREFIX = "cpt_"  # noqa: S105 - a marker that makes leaked tokens easy to grep for

# The business identity (W2), in the order the settings form shows it.
WORKSPACE_FIELDS = (
    "name",
    "postal_address",
    "contact_email",
    "contact_phone",
    "logo",
    "brand_color",
    "accent_color",
    "sender_name",
    "sender_email",
    "language",
    "currency",
    "time_zone",
)


class ServiceError(Exception):
    """A rule of the domain refused the action; `code` is the API's machine code."""

    def __init__(self, message: str, *, code: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "shop"
    # A random tail keeps slugs unguessable enough and avoids a read-then-write race.
    return f"{base}-{get_random_string(6, 'abcdefghijkmnpqrstuvwxyz23456789')}"


@transaction.atomic
def workspace_create(*, name: str, owner: User, slug: str | None = None, **identity) -> Workspace:
    name = name.strip()
    if not name:
        raise ServiceError(_("A workspace needs a name."), code="invalid_name")
    unknown = set(identity) - set(WORKSPACE_FIELDS)
    if unknown:
        raise TypeError(f"unknown workspace fields: {sorted(unknown)}")
    workspace = Workspace(name=name, slug=slug or _unique_slug(name), **identity)
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, **changes) -> Workspace:
    unknown = set(changes) - set(WORKSPACE_FIELDS)
    if unknown:
        raise TypeError(f"unknown workspace fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(workspace, field, value)
    workspace.full_clean()
    workspace.save()
    return workspace


def user_get_or_create(*, email: str, password: str | None = None, name: str = "") -> User:
    email = User.objects.normalize_email(email.strip())
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password, name=name)
    return user


def _owner_count(workspace: Workspace) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).count()


def _owner_change_check(
    workspace: Workspace, actor: User | None, password: str | None, refusal: str
) -> None:
    """Ownership changes hands only by an owner, in person, who types their password.

    `actor` is None for an API token: a token never carries ownership, whoever created it,
    so a leaked admin token cannot make an owner who would then demote the real one (W3).
    """
    if actor is None:
        raise ServiceError(
            _("Owners are added, changed and removed only by an owner, in the dashboard."),
            code="owner_requires_dashboard",
            status=403,
        )
    if not _is_owner(workspace, actor):
        raise ServiceError(refusal, code="forbidden", status=403)
    if not password or not actor.check_password(password):
        raise ServiceError(
            _("Type your own password to change an owner."), code="wrong_password", status=403
        )


@transaction.atomic
def membership_invite(
    *,
    workspace: Workspace,
    email: str,
    role: str,
    invited_by: User | None,
    password: str | None = None,
) -> Membership:
    """Give a person a role in the workspace; a newcomer gets an e-mail to choose a password.

    `password` is the inviting owner's own, required only to add an owner."""
    if role not in Role.values:
        raise ServiceError(_("Unknown role."), code="invalid_role")
    if role == Role.OWNER:
        _owner_change_check(
            workspace, invited_by, password, _("Only an owner can add another owner.")
        )
    is_new = not User.objects.filter(email__iexact=email.strip()).exists()
    user = user_get_or_create(email=email)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    except IntegrityError:
        raise ServiceError(
            _("%(email)s is already a member of this workspace.") % {"email": user.email},
            code="already_member",
            status=409,
        ) from None
    if is_new:
        for invited in _member_invited_hooks:
            invited(user=user, workspace=workspace)
    return membership


def _is_owner(workspace: Workspace, user: User) -> bool:
    return Membership.objects.filter(workspace=workspace, user=user, role=Role.OWNER).exists()


@transaction.atomic
def membership_set_role(
    *, membership: Membership, role: str, actor: User | None, password: str | None = None
) -> Membership:
    if role not in Role.values:
        raise ServiceError(_("Unknown role."), code="invalid_role")
    if role == membership.role:
        return membership
    if Role.OWNER in (role, membership.role):
        _owner_change_check(
            membership.workspace, actor, password, _("Only an owner can change an owner.")
        )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(membership.workspace) <= 1
    ):
        raise ServiceError(
            _("A workspace keeps at least one owner."), code="last_owner", status=409
        )
    old_role, membership.role = membership.role, role
    membership.save(update_fields=["role"])
    audit.staff_role_changed_audit(membership=membership, actor=actor, old_role=old_role)
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor: User | None, password: str | None = None
) -> None:
    if membership.role == Role.OWNER:
        _owner_change_check(
            membership.workspace, actor, password, _("Only an owner can remove an owner.")
        )
        if _owner_count(membership.workspace) <= 1:
            raise ServiceError(
                _("A workspace keeps at least one owner."), code="last_owner", status=409
            )
    audit.staff_removed_audit(membership=membership, actor=actor)
    membership.delete()


def token_digest(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: nobody can brute-force them.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, workspace: Workspace, name: str, role: str = Role.ADMIN, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and never stored."""
    if role not in TOKEN_ROLES:
        raise ServiceError(_("A token's role is admin, marketer or viewer."), code="invalid_role")
    name = name.strip() or _("API token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace=workspace,
        name=name[:100],
        role=role,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(secret),
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    audit.token_audit(token=token, actor=created_by, action=audit.Audit.TOKEN_CREATED)
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: User | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.token_audit(token=token, actor=actor, action=audit.Audit.TOKEN_REVOKED)
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The active token behind a bearer secret, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = active_token(token_digest(secret))
    if token is not None:
        now = timezone.now()
        # Writing on every request would serialise API traffic on SQLite: once a minute is
        # precise enough for "last used".
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)
