"""The tag manager (C7): every tag with its count; rename (onto an existing tag = merge),
delete after confirmation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.contacts import services
from comptoir.contacts.models import Tag
from comptoir.contacts.selectors import segments_using_tag, tag_counts
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.directory_forms import TagRenameForm


def _render(request, *, failed: Tag | None = None, form: TagRenameForm | None = None, status=200):
    tags = list(tag_counts(workspace=request.workspace))
    return render(
        request,
        "web/contacts/tags.html",
        {
            "tags": tags,
            "limit": Tag.MAX_PER_WORKSPACE,
            "failed": failed,
            "failed_form": form,
        },
        status=status,
    )


@workspace_view()
def tag_list(request):
    return _render(request)


@require_POST
@workspace_view()
def tag_rename(request, tag_id: int):
    tag = get_scoped(Tag, request.workspace, pk=tag_id)
    form = TagRenameForm(request.POST)
    if form.is_valid():
        new = form.cleaned_data["name"]
        try:
            kept = services.tag_rename(
                workspace=request.workspace, old=tag.name, new=new, actor=request.user
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            if kept.pk != tag.pk:
                text = _("“%(old)s” merged into “%(new)s”.")
            else:
                text = _("“%(old)s” renamed to “%(new)s”.")
            messages.success(request, text % {"old": tag.name, "new": kept.name})
            return redirect("tags", slug=request.workspace.slug)
    return _render(request, failed=tag, form=form, status=422)


@workspace_view(read=Action.EDIT)
def tag_delete(request, tag_id: int):
    """A GET asks for confirmation; only a POST with `confirm` deletes."""
    tag = get_scoped(tag_counts(workspace=request.workspace), request.workspace, pk=tag_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.tag_delete(workspace=request.workspace, name=tag.name, actor=request.user)
        messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag.name})
        return redirect("tags", slug=request.workspace.slug)
    # Named before confirming: those segments will then match nobody (services.tag_delete).
    segments = segments_using_tag(workspace=request.workspace, name=tag.name)
    return render(
        request, "web/contacts/tag_delete_confirm.html", {"tag": tag, "segments": segments}
    )
