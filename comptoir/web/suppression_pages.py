"""The suppression list (K6): addresses no marketing e-mail may reach, whatever their consent."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.consent.models import Suppression
from comptoir.consent.selectors import suppressions
from comptoir.consent.services import suppression_add
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.consent_forms import SuppressionAddForm

PAGE_SIZE = 100


@workspace_view()
def suppression_list(request):
    """Everyone sees the list; marketers and above add an address to it (reason "manual")."""
    form = SuppressionAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                suppression_add(
                    workspace=request.workspace,
                    email=email,
                    reason=Suppression.Reason.MANUAL,
                    detail=form.cleaned_data["detail"],
                )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("%(email)s is on the suppression list: no marketing e-mail will reach it.")
                    % {"email": email},
                )
                return redirect("suppressions", slug=request.workspace.slug)
        status = 422
    page = Paginator(suppressions(workspace=request.workspace), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "web/contacts/suppressions.html", {"form": form, "page": page}, status=status
    )
