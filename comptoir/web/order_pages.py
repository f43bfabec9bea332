"""A contact's orders in the dashboard: the paged list (C4) and draft orders staff write
and complete (C13). Each view parses, lets `workspace_view` check the role, calls one
service and renders; a refusal is shown in place on the form, with what was typed."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.commerce import services
from comptoir.commerce.selectors import contact_order_get, contact_order_page, products_for_sale
from comptoir.contacts.selectors import contact_get
from comptoir.core.roles import Action
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.order_forms import draft_forms

# A draft's product list is a <select>: a small shop's catalogue, not a warehouse's.
CATALOGUE_SHOWN = 1000


@workspace_view()
def contact_order_list(request, contact_id: int):
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    page, rows = contact_order_page(
        workspace=request.workspace, contact=contact, number=request.GET.get("page")
    )
    return render(request, "web/orders/list.html", {"contact": contact, "page": page, "rows": rows})


@workspace_view(read=Action.EDIT)
def draft_order_new(request, contact_id: int):
    """GET shows the form; "Add a line" posts it back with one more row (no JavaScript
    needed, htmx swaps only the form); "Create draft" calls the service."""
    workspace = request.workspace
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    products = list(products_for_sale(workspace=workspace)[:CATALOGUE_SHOWN])
    posted = request.POST if request.method == "POST" else None
    adding = posted is not None and "add_line" in posted
    form, lines = draft_forms(
        posted, products=products, currency=workspace.currency, add_line=adding
    )
    if posted is not None and not adding and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        try:
            order = services.draft_order_create(
                contact=contact,
                actor=request.user,
                items=lines.items(),
                shipping=data["shipping"],
                discount=data["discount"],
                note=data["note"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Draft order %(number)s created.") % {"number": order})
            return redirect("contact_detail", slug=workspace.slug, contact_id=contact.pk)
    status = 422 if posted is not None and not adding else 200
    context = {"contact": contact, "form": form, "lines": lines, "quiet": adding or not posted}
    return render(request, "web/orders/draft_form.html", context, status=status)


@require_POST
@workspace_view()
def draft_order_complete(request, contact_id: int, order_id: int):
    workspace = request.workspace
    contact = contact_get(workspace=workspace, contact_id=contact_id)
    order = contact_order_get(workspace=workspace, contact=contact, order_id=order_id)
    try:
        order = services.draft_order_complete(order=order, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Order %(number)s completed: it counts in the figures now.") % {"number": order},
        )
    return redirect("contact_detail", slug=workspace.slug, contact_id=contact.pk)
