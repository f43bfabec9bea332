from comptoir.core.models import Membership
from comptoir.core.roles import Action, role_can


def dashboard(request):
    """What the base layout needs on every page: the workspace, its switcher and the role."""
    membership = getattr(request, "membership", None)
    if membership is None or not request.user.is_authenticated:
        return {}
    others = (
        Membership.objects.filter(user=request.user)
        .exclude(pk=membership.pk)
        .select_related("workspace")
        .order_by("workspace__name")
    )
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "other_workspaces": [m.workspace for m in others],
        "can_edit": role_can(membership.role, Action.EDIT),
        "can_export": role_can(membership.role, Action.EXPORT),
        "can_manage_settings": role_can(membership.role, Action.MANAGE_SETTINGS),
        "can_manage_staff": role_can(membership.role, Action.MANAGE_STAFF),
        "can_manage_tokens": role_can(membership.role, Action.MANAGE_TOKENS),
    }
