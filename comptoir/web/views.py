"""Dashboard pages: parse, check access (web.access), call one service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.static import serve

from comptoir.core.models import ApiToken, Membership
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped, scoped
from comptoir.core.services import (
    ServiceError,
    membership_invite,
    membership_remove,
    membership_set_role,
    token_create,
    token_revoke,
    workspace_update,
)
from comptoir.mail.staff import password_reset_enqueue
from comptoir.web.access import LAST_WORKSPACE, can, workspace_view
from comptoir.web.forms import (
    OwnerConfirmForm,
    StaffInviteForm,
    StaffRoleForm,
    TokenForm,
    WorkspaceForm,
)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        for user in form.get_users(form.cleaned_data["email"]):
            password_reset_enqueue(user=user)
        return redirect(self.get_success_url())


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    """Open the workspace used last, or the first one; a user with none is told so."""
    memberships = Membership.objects.filter(user=request.user).select_related("workspace")
    last = request.session.get(LAST_WORKSPACE)
    chosen = memberships.filter(workspace__slug=last).first() or memberships.first()
    if chosen is None:
        return render(request, "web/no_workspace.html", status=403)
    return redirect("contacts", slug=chosen.workspace.slug)


@workspace_view(write=Action.MANAGE_SETTINGS)
def settings_workspace(request):
    workspace = request.workspace
    if request.method == "POST":
        form = WorkspaceForm(request.POST, request.FILES, instance=workspace)
        if form.is_valid():
            changes = {field: form.cleaned_data[field] for field in form.changed_data}
            # ClearableFileInput turns "clear" into False; the model wants an empty file.
            if changes.get("logo") is False:
                changes["logo"] = ""
            workspace_update(workspace=workspace, **changes)
            messages.success(request, _("Settings saved."))
            return redirect("settings", slug=workspace.slug)
        # Keep the page's identity (header, title) on the saved values, not the bad input.
        workspace.refresh_from_db()
    else:
        form = WorkspaceForm(instance=workspace)
    if not can(request, Action.MANAGE_SETTINGS):
        for field in form.fields.values():
            field.disabled = True
    return render(request, "web/settings/workspace.html", {"form": form})


@workspace_view(read=Action.VIEW, write=Action.MANAGE_STAFF)
def settings_staff(request):
    form = StaffInviteForm()
    if request.method == "POST":
        form = StaffInviteForm(request.POST)
        if form.is_valid():
            try:
                membership_invite(
                    workspace=request.workspace,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                    password=form.cleaned_data["password"],
                )
            except ServiceError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Invitation sent."))
                return redirect("settings_staff", slug=request.workspace.slug)
    members = scoped(Membership, request.workspace).select_related("user")
    return render(
        request,
        "web/settings/staff.html",
        {"form": form, "members": members, "role_form": StaffRoleForm()},
    )


def _owner_confirmation(request, membership, error: ServiceError, *, typed: bool, **fields):
    """A change that touches an owner asks the acting owner for their password first;
    `typed` says a password was given (and was wrong), `fields` are posted back hidden."""
    return render(
        request,
        "web/settings/owner_confirm.html",
        {
            "member": membership,
            "form": OwnerConfirmForm(),
            "error": error.message if typed else None,
            "fields": fields,
            "action": request.path,
        },
        status=403 if typed else 200,
    )


@require_POST
@workspace_view(write=Action.MANAGE_STAFF)
def settings_staff_role(request, membership_id: int):
    membership = get_scoped(
        Membership.objects.select_related("user"), request.workspace, pk=membership_id
    )
    form = StaffRoleForm(request.POST)
    if form.is_valid():
        password = form.cleaned_data["password"]
        try:
            membership_set_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,
                password=password,
            )
        except ServiceError as error:
            if error.code == "wrong_password":
                return _owner_confirmation(
                    request, membership, error, typed=bool(password), role=form.cleaned_data["role"]
                )
            messages.error(request, error.message)
        else:
            messages.success(request, _("Role changed."))
    return redirect("settings_staff", slug=request.workspace.slug)


@require_POST
@workspace_view(write=Action.MANAGE_STAFF)
def settings_staff_remove(request, membership_id: int):
    membership = get_scoped(
        Membership.objects.select_related("user"), request.workspace, pk=membership_id
    )
    password = request.POST.get("password") or None
    try:
        membership_remove(membership=membership, actor=request.user, password=password)
    except ServiceError as error:
        if error.code == "wrong_password":
            return _owner_confirmation(request, membership, error, typed=bool(password))
        messages.error(request, error.message)
    else:
        messages.success(request, _("Access removed."))
    return redirect("settings_staff", slug=request.workspace.slug)


@workspace_view(read=Action.MANAGE_TOKENS, write=Action.MANAGE_TOKENS)
def settings_tokens(request):
    form = TokenForm()
    secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, secret = token_create(
                workspace=request.workspace,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                created_by=request.user,
            )
            form = TokenForm()
    tokens = scoped(ApiToken, request.workspace).select_related("created_by")
    response = render(
        request, "web/settings/tokens.html", {"form": form, "tokens": tokens, "secret": secret}
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@workspace_view(write=Action.MANAGE_TOKENS)
def settings_token_revoke(request, token_id: int):
    token_revoke(token=get_scoped(ApiToken, request.workspace, pk=token_id), actor=request.user)
    messages.success(request, _("Token revoked."))
    return redirect("settings_tokens", slug=request.workspace.slug)


def media(request, path: str):
    # Uploaded logos appear in e-mails and on public pages, so they are served in production
    # too (a reverse proxy may take /media/ over); MEDIA_ROOT is read per request.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def forbidden(request, exception=None):
    return render(request, "web/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "web/404.html", status=404)
