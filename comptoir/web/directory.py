"""The contacts list (C9): filters in the URL, keyset pages, bulk actions on ticked rows."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from comptoir.consent.services import contacts_unsubscribe
from comptoir.contacts import services
from comptoir.contacts.models import Segment
from comptoir.contacts.selectors import (
    DEFAULT_SORT,
    contacts_named,
    list_page,
    saved_segments,
    static_groups,
    tag_names,
)
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.directory_forms import BulkForm, ContactFilterForm

# Keys of the URL that page through a list rather than say which contacts it holds.
PAGING_KEYS = ("cursor", "prev")
# How many earlier pages "Previous" can walk back through before it jumps to the first one:
# each holds a cursor in the URL, which must stay short enough to bookmark.
PREVIOUS_DEPTH = 30
# (sort field, column label, direction of the first click): figures start with the largest.
SORTABLE = {
    "name": (gettext_lazy("Name"), ""),
    "email": (gettext_lazy("E-mail"), ""),
    "order_count": (gettext_lazy("Orders"), "-"),
    "total_spent": (gettext_lazy("Total spent"), "-"),
    "last_order_at": (gettext_lazy("Last order"), "-"),
    "created_at": (gettext_lazy("Added"), "-"),
}


@dataclass(frozen=True)
class Column:
    label: str
    url: str
    aria_sort: str | None  # "ascending" / "descending" on the column the list is sorted by


def filter_form(request, data: QueryDict) -> ContactFilterForm:
    workspace = request.workspace
    return ContactFilterForm(
        data,
        tag_names=tag_names(workspace=workspace),
        segments=saved_segments(workspace=workspace),
    )


def _query(params: QueryDict, **changes) -> str:
    params = params.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        elif isinstance(value, list):
            params.setlist(key, value)
        else:
            params[key] = value
    return params.urlencode()


def filters_only(params: QueryDict) -> QueryDict:
    """The query without its paging keys: the same contacts from the first page."""
    params = params.copy()
    for key in PAGING_KEYS:
        params.pop(key, None)
    return params


def _columns(path: str, params: QueryDict, sort: str) -> dict[str, Column]:
    base = filters_only(params)
    current = sort.lstrip("-")
    columns = {}
    for field, (label, first) in SORTABLE.items():
        if field == current:
            descending = sort.startswith("-")
            aria = "descending" if descending else "ascending"
            next_sort = field if descending else f"-{field}"
        else:
            aria, next_sort = None, f"{first}{field}"
        columns[field] = Column(str(label), f"{path}?{_query(base, sort=next_sort)}", aria)
    return columns


def _pages(path: str, params: QueryDict, next_cursor: str | None) -> dict[str, str | None]:
    """Next and Previous links: a stack of the cursors that led here (`prev`) walks back."""
    cursor = params.get("cursor", "")
    stack = params.getlist("prev")
    pages = {"next": None, "previous": None, "first": None}
    if next_cursor:
        pages["next"] = (
            f"{path}?{_query(params, cursor=next_cursor, prev=[*stack, cursor][-PREVIOUS_DEPTH:])}"
        )
    if cursor:
        back = stack[-1] if stack else ""
        pages["previous"] = f"{path}?{_query(params, cursor=back or None, prev=stack[:-1])}"
        pages["first"] = f"{path}?{filters_only(params).urlencode()}"
    return pages


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    text: str
    remove_url: str  # the same list without this filter (or this one value of it)


def _active_filters(path: str, filters: QueryDict, form, currency: str) -> list[ActiveFilter]:
    active = []
    for used in form.in_use(currency):
        if used.value is None:
            query = _query(filters, **{used.key: None})
        else:
            kept = [value for value in filters.getlist(used.key) if value != used.value]
            query = _query(filters, **{used.key: kept})
        active.append(ActiveFilter(used.label, used.text, f"{path}?{query}" if query else path))
    return active


@workspace_view()
def contact_list(request):
    workspace = request.workspace
    form = filter_form(request, request.GET)
    flt = form.to_filter()
    path = reverse("contacts", args=[workspace.slug])
    context = {"form": form, "invalid": flt is None, "sort": ""}
    if flt is not None:
        page = list_page(workspace=workspace, filter=flt, cursor=request.GET.get("cursor"))
        groups = list(static_groups(workspace=workspace))
        filters = filters_only(request.GET)
        context.update(
            page=page,
            sort=flt.sort or "",
            columns=_columns(path, request.GET, flt.sort or DEFAULT_SORT),
            pages=_pages(path, request.GET, page.next_cursor),
            filter_query=filters.urlencode(),
            filtered=bool(flt.stored().keys() - {"sort"}),
            groups=groups,
            # On a static group's list the bulk bar offers to take contacts out of it.
            current_group=next((g for g in groups if str(g.pk) == flt.segment), None),
            list_url=request.get_full_path(),
            active_filters=_active_filters(path, filters, form, workspace.currency),
        )
    template = "web/contacts/list.html"
    # An htmx request from the filters or the column headers swaps the results only; a
    # history restore (Back after the cache is gone) needs the whole page.
    if (
        request.htmx
        and request.htmx.target == "results"
        and not request.htmx.history_restore_request
    ):
        template += "#results"
        context["partial"] = True
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def back_to_list(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("contacts", args=[request.workspace.slug])


@require_POST
@workspace_view()
def contact_bulk(request):
    """Tag, untag, group, ungroup, unsubscribe or delete the ticked contacts. Deleting first
    shows a confirmation page; only its Confirm button (`confirm`) deletes. Unsubscribing
    needs none (K3): it is always allowed and always safe."""
    workspace = request.workspace
    form = BulkForm(request.POST)
    back = back_to_list(request)
    if not form.is_valid() or not form.cleaned_data["ids"]:
        messages.error(request, _("Tick at least one contact first."))
        return redirect(back)
    data = form.cleaned_data
    action, ids = data["action"], data["ids"]
    if action == "delete" and not data["confirm"]:
        return render(
            request,
            "web/contacts/bulk_delete_confirm.html",
            {
                "contacts": contacts_named(workspace=workspace, ids=ids),
                "ids": ids,
                "back": back,
            },
        )
    try:
        text = _bulk_apply(request, action, ids, data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, text)
    return redirect(back)


def _bulk_apply(request, action: str, ids: list[int], data: dict) -> str:
    workspace, actor = request.workspace, request.user
    if action == "delete":
        count = services.contacts_delete(workspace=workspace, ids=ids, actor=actor).changed
        text = ngettext("%(count)d contact deleted.", "%(count)d contacts deleted.", count)
        return text % {"count": count}
    if action == "unsubscribe":
        count = contacts_unsubscribe(workspace=workspace, ids=ids, actor=actor)
        text = ngettext(
            "%(count)d contact unsubscribed.", "%(count)d contacts unsubscribed.", count
        )
        return text % {"count": count}
    if action in ("tag", "untag"):
        name = data["tag"].strip()
        if not name:
            raise ServiceError(_("Type the tag to add or remove."), code="tags_required")
        if action == "tag":
            result = services.contacts_tag_bulk(
                workspace=workspace, ids=ids, names=[name], actor=actor
            )
            text = ngettext(
                "Tag “%(tag)s” added to %(count)d contact.",
                "Tag “%(tag)s” added to %(count)d contacts.",
                result.changed,
            )
        else:
            result = services.contacts_untag_bulk(
                workspace=workspace, ids=ids, names=[name], actor=actor
            )
            text = ngettext(
                "Tag “%(tag)s” removed from %(count)d contact.",
                "Tag “%(tag)s” removed from %(count)d contacts.",
                result.changed,
            )
        return text % {"tag": name, "count": result.changed}
    group = _group(workspace, data["group"])
    if action == "group":
        count = services.segment_contacts_add(segment=group, ids=ids, actor=actor)
        text = ngettext(
            "%(count)d contact added to the group “%(group)s”.",
            "%(count)d contacts added to the group “%(group)s”.",
            count,
        )
    else:
        count = services.segment_contacts_remove(segment=group, ids=ids, actor=actor)
        text = ngettext(
            "%(count)d contact removed from the group “%(group)s”.",
            "%(count)d contacts removed from the group “%(group)s”.",
            count,
        )
    return text % {"count": count, "group": group.name}


def _group(workspace, group_id: str) -> Segment:
    group = next((g for g in static_groups(workspace=workspace) if str(g.pk) == group_id), None)
    if group is None:
        raise ServiceError(_("Choose a static group."), code="group_required")
    return group
