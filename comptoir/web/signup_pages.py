"""The Sign-ups section (S1–S6): the page's address, QR code and poster, the widget and
contact-form snippets, the settings, and the sign-ups of the last 30 days per source."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.collect import snippets
from comptoir.collect.models import Signup
from comptoir.collect.poster import poster_context
from comptoir.collect.selectors import COUNT_DAYS, public_urls, signup_counts
from comptoir.collect.services import (
    SETTINGS_FIELDS,
    signup_settings_get,
    signup_settings_update,
    signup_url_redraw,
)
from comptoir.core.services import ServiceError
from comptoir.web.access import workspace_view
from comptoir.web.signup_forms import PosterForm, SignupSettingsForm


def _save(request, form, settings) -> bool:
    if not form.is_valid():
        return False
    changes = {name: form.cleaned_data[name] for name in form.changed_data}
    changes = {name: value for name, value in changes.items() if name in SETTINGS_FIELDS}
    try:
        signup_settings_update(workspace=request.workspace, **changes)
    except ServiceError as error:
        form.add_error(None, error.message)
        return False
    return True


@workspace_view()
def signups(request):
    settings = signup_settings_get(workspace=request.workspace)
    form = SignupSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST":
        if _save(request, form, settings):
            messages.success(request, _("Settings saved."))
            return redirect("signups", slug=request.workspace.slug)
        settings.refresh_from_db()
    counts = signup_counts(workspace=request.workspace)
    return render(
        request,
        "web/signups.html",
        {
            "form": form,
            "urls": public_urls(settings),
            "counts": [(label, counts[value]) for value, label in Signup.Source.choices],
            "count_days": COUNT_DAYS,
            "widget_snippet": snippets.widget_snippet(settings),
            "contact_snippet": snippets.contact_snippet(settings),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@workspace_view()
def signup_redraw(request):
    signup_url_redraw(workspace=request.workspace)
    messages.success(
        request,
        _(
            "New address drawn: the old page, QR code and posters no longer work. "
            "Print the new poster."
        ),
    )
    return redirect("signups", slug=request.workspace.slug)


def _preview(request, settings) -> dict:
    urls = public_urls(settings)
    logo = request.workspace.logo
    return poster_context(
        settings,
        size=settings.poster_size,
        qr_src=urls["qr_svg_url"],
        logo_src=logo.url if logo else "",
    )


@workspace_view()
def signup_poster(request):
    """The poster editor: the form and a preview of the same template the PDF prints.
    htmx refreshes the preview while typing; without JavaScript "Preview" does it."""
    settings = signup_settings_get(workspace=request.workspace)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = PosterForm(data, instance=settings)
    if data is not None and form.is_valid():
        if request.method == "POST" and "save" in request.POST and _save(request, form, settings):
            messages.success(request, _("Poster saved."))
            return redirect("signups_poster", slug=request.workspace.slug)
        shown = form.instance  # the draft as typed, not saved yet
    else:
        if data is not None:
            settings.refresh_from_db()  # the form's check wrote the bad input on it
        shown = settings
    context = {"form": form, "poster": _preview(request, shown), "urls": public_urls(settings)}
    template = "web/signup_poster_preview.html" if request.htmx else "web/signup_poster.html"
    return render(request, template, context, status=400 if form.errors else 200)
