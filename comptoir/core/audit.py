"""The workspace's activity log (Settings → Activity): who did what that cannot be undone.

Each app names its actions in its events.py and records them here, in the transaction of
the action itself, so that the log holds exactly what happened.
"""

from enum import StrEnum

from django.db.models import QuerySet

from comptoir.core.models import ApiToken, AuditEntry, Membership, User, Workspace
from comptoir.core.scoping import scoped


def audit_record(
    *, workspace: Workspace | int, actor: User | None, action: str, **data
) -> AuditEntry:
    """`workspace` or its id; `data` holds the facts the log shows (names, counts, never a
    customer's e-mail address)."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return AuditEntry.objects.create(
        workspace_id=workspace_id,
        actor=actor,
        actor_label=str(actor)[:200] if actor else "",
        action=action,
        data=data,
    )


class Audit(StrEnum):
    """What core records: changes of who may act in the workspace."""

    STAFF_ROLE_CHANGED = "staff_role_changed"
    STAFF_REMOVED = "staff_removed"
    TOKEN_CREATED = "token_created"  # noqa: S105 - the name of an action, not a secret
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - the name of an action, not a secret


def staff_role_changed_audit(*, membership: Membership, actor: User | None, old_role: str) -> None:
    audit_record(
        workspace=membership.workspace_id,
        actor=actor,
        action=Audit.STAFF_ROLE_CHANGED,
        member=membership.user.email,
        old_role=old_role,
        role=membership.role,
    )


def staff_removed_audit(*, membership: Membership, actor: User | None) -> None:
    audit_record(
        workspace=membership.workspace_id,
        actor=actor,
        action=Audit.STAFF_REMOVED,
        member=membership.user.email,
        role=membership.role,
    )


def token_audit(*, token: ApiToken, actor: User | None, action: Audit) -> None:
    # The prefix, not the secret: what the token list shows to tell tokens apart.
    audit_record(
        workspace=token.workspace_id,
        actor=actor,
        action=action,
        name=token.name,
        role=token.role,
        prefix=token.prefix,
    )


def audit_entries(*, workspace: Workspace) -> QuerySet[AuditEntry]:
    """Newest first, with their actors."""
    return scoped(AuditEntry, workspace).select_related("actor")
