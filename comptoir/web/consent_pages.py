"""The profile's consent card (K1–K3), its one-off e-mail (C12) and GDPR (X5).

Each view parses, lets `workspace_view` check the role, calls one service and renders; a
refusal is shown on the form it concerns, on the profile, with nothing written.
"""

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.consent import services
from comptoir.consent.models import ConsentEvent
from comptoir.contacts.phones import contact_title
from comptoir.contacts.selectors import contact_get
from comptoir.core.roles import Action
from comptoir.core.services import ServiceError
from comptoir.mail.services import contact_email_send
from comptoir.privacy import contact_erase, contact_export
from comptoir.web.access import workspace_view
from comptoir.web.consent_forms import ConsentSubscribeForm, ContactEmailForm
from comptoir.web.contact_pages import render_profile

Source = ConsentEvent.Source


def _to_profile(request, contact):
    return redirect("contact_detail", slug=request.workspace.slug, contact_id=contact.pk)


@require_POST
@workspace_view()
def consent_subscribe(request, contact_id: int):
    """Staff record a customer's agreement (K3): only with the confirmation ticked, and the
    wording the customer was shown goes into the ledger with who recorded it."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    form = ConsentSubscribeForm(request.POST, workspace=request.workspace)
    if form.is_valid():
        try:
            event = services.consent_subscribe(
                contact=contact,
                source=Source.DASHBOARD,
                explicit_consent_confirmed=form.cleaned_data["confirmed"],
                actor=request.user,
                wording=form.cleaned_data["wording"],
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            if event is None:
                messages.info(request, _("Already subscribed: nothing changed."))
            else:
                messages.success(request, _("Subscribed to marketing e-mails."))
            return _to_profile(request, contact)
    return render_profile(request, contact_id, consent_form=form, status=422)


@require_POST
@workspace_view()
def consent_unsubscribe(request, contact_id: int):
    """Unsubscribing needs no confirmation (K3): it is always allowed."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    event = services.consent_withdraw(contact=contact, source=Source.DASHBOARD, actor=request.user)
    if event is None:
        messages.info(request, _("Already unsubscribed: nothing changed."))
    else:
        messages.success(request, _("Unsubscribed from marketing e-mails."))
    return _to_profile(request, contact)


@require_POST
@workspace_view()
def contact_email(request, contact_id: int):
    """C12: one e-mail to this person, queued for the worker; it shows on the timeline."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    form = ContactEmailForm(request.POST)
    if form.is_valid():
        try:
            contact_email_send(
                contact=contact,
                subject=form.cleaned_data["subject"],
                body_markdown=form.cleaned_data["body"],
                actor=request.user,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("E-mail queued."))
            return _to_profile(request, contact)
    return render_profile(request, contact_id, email_form=form, status=422)


@workspace_view(read=Action.EXPORT)
def contact_data_export(request, contact_id: int):
    """Everything held on the person (X5), as a JSON file to hand over to them."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    data = contact_export(contact=contact)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    # Personal data: no browser or proxy keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


@workspace_view(read=Action.ERASE, write=Action.ERASE)
def contact_data_erase(request, contact_id: int):
    """A GET explains what erasing does; only a POST with `confirm` erases (X5)."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        suppression = contact_erase(contact=contact, actor=request.user)
        if suppression is None:
            text = _("%(name)s was erased.")
        else:
            text = _(
                "%(name)s was erased. Only a hash of the address is kept, so that no import "
                "or order subscribes it again."
            )
        messages.success(request, text % {"name": contact_title(contact, request.workspace)})
        return redirect("contacts", slug=request.workspace.slug)
    return render(request, "web/contacts/erase_confirm.html", {"contact": contact})
