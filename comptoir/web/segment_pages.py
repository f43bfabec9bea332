"""Segments (C10): the built-ins and the saved ones with live counts, saving the list's
filters as a smart group, static groups, and deleting a saved segment."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.contacts import services
from comptoir.contacts.models import Segment
from comptoir.contacts.selectors import contacts_filter, segments_with_counts
from comptoir.core.roles import Action
from comptoir.core.scoping import get_scoped
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.directory import filter_form, filters_only
from comptoir.web.directory_forms import SegmentNameForm


@workspace_view()
def segment_list(request):
    """The page, and the creation of a static group (a hand-picked list) from it."""
    form = SegmentNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.segment_create(
                workspace=request.workspace,
                name=form.cleaned_data["name"],
                kind=Segment.Kind.STATIC,
                actor=request.user,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Group “%(name)s” created. Tick contacts in the list to add them.")
                % {"name": group.name},
            )
            return redirect("segments", slug=request.workspace.slug)
    builtins, saved = segments_with_counts(workspace=request.workspace)
    return render(
        request,
        "web/contacts/segments.html",
        {"builtins": builtins, "saved": saved, "form": form},
        status=422 if form.errors else 200,
    )


@workspace_view(read=Action.EDIT)
def segment_new(request):
    """Save the list's filters (in the query string, GET and POST alike) as a smart group."""
    filters = filters_only(request.GET)
    flt_form = filter_form(request, filters)
    flt = flt_form.to_filter()
    form = SegmentNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and flt is not None:
        try:
            segment = services.segment_create(
                workspace=request.workspace,
                name=form.cleaned_data["name"],
                filter=flt,
                actor=request.user,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": segment.name})
            return redirect("segments", slug=request.workspace.slug)
    count = contacts_filter(workspace=request.workspace, filter=flt).count() if flt else None
    list_url = reverse("contacts", args=[request.workspace.slug])
    return render(
        request,
        "web/contacts/segment_new.html",
        {
            "form": form,
            "filter_form": flt_form,
            "summary": flt_form.summary(request.workspace.currency) if flt else [],
            "count": count,
            "query": filters.urlencode(),
            "list_url": f"{list_url}?{filters.urlencode()}",
        },
        status=422 if request.method == "POST" and (form.errors or flt is None) else 200,
    )


@workspace_view(read=Action.EDIT)
def segment_delete(request, segment_id: int):
    """A GET asks for confirmation; a POST with `confirm` deletes, unless another segment
    uses this one, which the page then says."""
    segment = get_scoped(Segment, request.workspace, pk=segment_id)
    error = None
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.segment_delete(segment=segment, actor=request.user)
        except ServiceError as refused:
            error = refused.message
        else:
            messages.success(request, _("Segment “%(name)s” deleted.") % {"name": segment.name})
            return redirect("segments", slug=request.workspace.slug)
    return render(
        request,
        "web/contacts/segment_delete_confirm.html",
        {"segment": segment, "error": error},
        status=409 if error else 200,
    )
