"""Who may open which dashboard page: the workspace comes from the URL, the role from it."""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone, translation

from comptoir.core.models import Membership
from comptoir.core.roles import Action, role_can

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LAST_WORKSPACE = "comptoir_workspace"


def workspace_view(read: Action = Action.VIEW, write: Action = Action.EDIT):
    """Resolve `slug` to the user's membership; `read` guards GET, `write` guards the rest.

    A workspace the user does not belong to is a 404, exactly as if it did not exist.
    """

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            membership = (
                Membership.objects.select_related("workspace")
                .filter(user=request.user, workspace__slug=slug)
                .first()
            )
            if membership is None:
                raise Http404
            needed = read if request.method in SAFE_METHODS else write
            if not role_can(membership.role, needed):
                raise PermissionDenied
            request.workspace = membership.workspace
            request.membership = membership
            request.session[LAST_WORKSPACE] = slug
            # Dates on the dashboard read in the business's time zone (house rule 9), and
            # a date typed in a form means a day there.
            with (
                timezone.override(membership.workspace.time_zone),
                translation.override(_language(request, membership.workspace)),
            ):
                response = view(request, *args, **kwargs)
                response.headers.setdefault("Content-Language", translation.get_language())
                return response

        return wrapper

    return decorator


def _language(request, workspace) -> str:
    """The page's language: the one the person chose or their browser asks for, else the
    business's own (a browser that sends no Accept-Language says nothing)."""
    chose = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chose or request.META.get("HTTP_ACCEPT_LANGUAGE", "").strip() not in ("", "*"):
        return translation.get_language()
    return workspace.language


def can(request, action: Action) -> bool:
    return role_can(request.membership.role, action)
