"""One contact: create (C11), the profile (C4), edit with the sync lock (C6), delete, its
tags (C7) and notes (C8). Each view parses, lets `workspace_view` check the role, calls one
service and renders; a service's refusal is shown on the form it concerns."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.commerce.selectors import contact_commerce
from comptoir.consent.selectors import consent_card
from comptoir.contacts import services
from comptoir.contacts.models import Note
from comptoir.contacts.phones import contact_title, phone_shown, workspace_region
from comptoir.contacts.selectors import contact_get, note_get, profile
from comptoir.core.roles import Action
from comptoir.core.services import ServiceError
from comptoir.web.access import can, workspace_view
from comptoir.web.consent_forms import ConsentSubscribeForm, ContactEmailForm
from comptoir.web.directory_forms import (
    AddressForm,
    ContactCreateForm,
    ContactDetailsForm,
    NewNoteForm,
    NoteForm,
    TagAddForm,
)
from comptoir.web.timeline import timeline

DETAIL_KEYS = ("email", "phone", "first_name", "last_name", "company", "language", "has_account")
ADDRESSES = ("shipping_address", "billing_address")


def may_change_note(request, note: Note) -> bool:
    """Asked before showing a note's Edit and Delete buttons; the service decides the same."""
    return services.note_may_change(note=note, actor=request.user, role=request.membership.role)


def _to_profile(contact_or_id, slug: str):
    contact_id = getattr(contact_or_id, "pk", contact_or_id)
    return redirect("contact_detail", slug=slug, contact_id=contact_id)


def render_profile(
    request,
    contact_id: int,
    *,
    tag_form=None,
    note_form=None,
    consent_form=None,
    email_form=None,
    status=200,
):
    """The profile, with the form a refused action came from bound to what was typed."""
    data = profile(workspace=request.workspace, contact_id=contact_id)
    return render(
        request,
        "web/contacts/profile.html",
        {
            "contact": data.contact,
            "commerce": contact_commerce(workspace=request.workspace, contact=data.contact),
            "notes": [(note, may_change_note(request, note)) for note in data.notes],
            "timeline": timeline(data.events),
            "known_tags": data.known_tags,
            "tag_form": tag_form or TagAddForm(),
            "note_form": note_form or NewNoteForm(),
            "consent": consent_card(contact=data.contact),
            "consent_form": consent_form or ConsentSubscribeForm(workspace=request.workspace),
            "email_form": email_form or ContactEmailForm(),
            "can_export": can(request, Action.EXPORT),
            "can_erase": can(request, Action.ERASE),
        },
        status=status,
    )


@workspace_view()
def contact_detail(request, contact_id: int):
    return render_profile(request, contact_id)


@workspace_view(read=Action.EDIT)
def contact_new(request):
    form = ContactCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = {key: form.cleaned_data[key] for key in DETAIL_KEYS}
        try:
            contact = services.contact_create(
                workspace=request.workspace,
                actor=request.user,
                tags=form.tag_names(),
                note=form.cleaned_data["note"],
                **details,
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Contact created."))
            return _to_profile(contact, request.workspace.slug)
    return render(request, "web/contacts/form.html", {"form": form, "contact": None})


def _address_forms(data, contact) -> dict[str, AddressForm]:
    return {
        name: AddressForm(data, prefix=name.split("_")[0], initial=getattr(contact, name))
        for name in ADDRESSES
    }


@workspace_view(read=Action.EDIT)
def contact_edit(request, contact_id: int):
    """PATCH semantics: only the fields the person changed are sent, and any change sets the
    sync lock (C6) so that later orders no longer overwrite them."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    initial = {key: getattr(contact, key) for key in DETAIL_KEYS}
    # Edited as written in the workspace's country; the service stores E.164 again.
    initial["phone"] = phone_shown(contact.phone, region=workspace_region(request.workspace))
    data = request.POST if request.method == "POST" else None
    form = ContactDetailsForm(data, initial=initial)
    addresses = _address_forms(data, contact)
    valid = data is not None and form.is_valid() and all(a.is_valid() for a in addresses.values())
    if valid:
        changes = {key: form.cleaned_data[key] for key in form.changed_data}
        changes.update({name: a.address() for name, a in addresses.items() if a.has_changed()})
        if not changes:
            messages.info(request, _("Nothing changed."))
            return _to_profile(contact, request.workspace.slug)
        try:
            services.contact_update(contact=contact, actor=request.user, lock=True, **changes)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Details saved. They are now locked against sync."))
            return _to_profile(contact, request.workspace.slug)
    return render(
        request,
        "web/contacts/form.html",
        {"form": form, "contact": contact, "addresses": addresses},
    )


@require_POST
@workspace_view()
def contact_unlock(request, contact_id: int):
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    services.contact_unlock(contact=contact, actor=request.user)
    messages.success(request, _("Lock released: orders update these details again."))
    return _to_profile(contact, request.workspace.slug)


@workspace_view(read=Action.EDIT)
def contact_delete(request, contact_id: int):
    """A GET asks for confirmation; only a POST with `confirm` deletes."""
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.contact_delete(contact=contact, actor=request.user)
        name = contact_title(contact, request.workspace)
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect("contacts", slug=request.workspace.slug)
    return render(request, "web/contacts/delete_confirm.html", {"contact": contact})


@require_POST
@workspace_view()
def contact_tags_add(request, contact_id: int):
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    form = TagAddForm(request.POST)
    if form.is_valid():
        try:
            services.contact_tags_add(contact=contact, names=form.tag_names(), actor=request.user)
        except ServiceError as error:
            form.add_service_error(error)
        else:
            return _to_profile(contact, request.workspace.slug)
    return render_profile(request, contact_id, tag_form=form, status=422)


@require_POST
@workspace_view()
def contact_tag_remove(request, contact_id: int):
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    services.contact_tag_remove(
        contact=contact, name=request.POST.get("name", ""), actor=request.user
    )
    return _to_profile(contact, request.workspace.slug)


@require_POST
@workspace_view()
def note_add(request, contact_id: int):
    contact = contact_get(workspace=request.workspace, contact_id=contact_id)
    form = NewNoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_create(
                contact=contact, author=request.user, body=form.cleaned_data["body"]
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            return _to_profile(contact, request.workspace.slug)
    return render_profile(request, contact_id, note_form=form, status=422)


def _note_of(request, contact_id: int, note_id: int) -> Note:
    note = note_get(workspace=request.workspace, note_id=note_id)
    if note.contact_id != contact_id:
        raise Http404
    return note


def _refused(error: ServiceError):
    if error.code == "forbidden":
        raise PermissionDenied(error.message)
    return error


@workspace_view(read=Action.EDIT)
def note_edit(request, contact_id: int, note_id: int):
    note = _note_of(request, contact_id, note_id)
    # A POST goes to the service, which refuses it for anyone else (C8); a GET of someone
    # else's note has no form to show.
    if request.method != "POST" and not may_change_note(request, note):
        raise PermissionDenied
    form = NoteForm(request.POST or None, initial={"body": note.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                note=note,
                actor=request.user,
                role=request.membership.role,
                body=form.cleaned_data["body"],
            )
        except ServiceError as error:
            form.add_service_error(_refused(error))
        else:
            messages.success(request, _("Note saved."))
            return _to_profile(contact_id, request.workspace.slug)
    return render(request, "web/contacts/note_form.html", {"form": form, "note": note})


@require_POST
@workspace_view()
def note_delete(request, contact_id: int, note_id: int):
    note = _note_of(request, contact_id, note_id)
    try:
        services.note_delete(note=note, actor=request.user, role=request.membership.role)
    except ServiceError as error:
        _refused(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Note deleted."))
    return _to_profile(contact_id, request.workspace.slug)
