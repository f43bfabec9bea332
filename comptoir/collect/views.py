"""The public side of the sign-up flow: the page, the widget, the QR code, the poster, the
double opt-in link and the contact form. No login, no cookie; see guards.py for CSRF."""

import json
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from comptoir.collect import guards
from comptoir.collect.forms import ContactForm, signup_form
from comptoir.collect.models import Signup, SignupSettings
from comptoir.collect.poster import poster_pdf
from comptoir.collect.qr import qr_png, qr_svg
from comptoir.collect.selectors import public_urls, qr_target, settings_by_token
from comptoir.collect.services import (
    Visitor,
    contact_message_submit,
    signup_confirm,
    signup_submit,
)
from comptoir.collect.tokens import ExpiredLink, read_confirmation_token
from comptoir.core.services import ServiceError

LANGUAGES = ("fr", "en")


def _language(request, workspace) -> str:
    """?lang= (the page's switch), else the browser's Accept-Language, else the business's."""
    # In the query string, also for a POST (the form's action keeps it): nothing reads the
    # body before guards.py has checked it.
    chosen = request.GET.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request.headers.get("Accept-Language"):
        return (translation.get_language() or "en")[:2]
    return workspace.language


def _visitor(request, language: str) -> Visitor:
    return Visitor(
        ip=guards.client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:500],
        language=language,
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _cors(response, request, allowed: set[str]):
    """Let an allowed site's widget read the answer; any other site gets no CORS header."""
    origin = guards.request_origin(request)
    if origin and origin in allowed:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    patch_vary_headers(response, ["Origin"])
    return response


def _refused(request, refused: guards.Refused, business, *, as_json: bool):
    if as_json:
        response = JsonResponse(
            {"detail": refused.message, "code": refused.code}, status=refused.status
        )
    else:
        response = render(
            request,
            "collect/refused.html",
            {"business": business, "message": refused.message},
            status=refused.status,
        )
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _action(path: str, **query) -> str:
    return path + "?" + urlencode({key: value for key, value in query.items() if value})


def _signup_post(request, settings: SignupSettings, *, source: str, origins: set[str]):
    """Shared by the page and the widget: (signup or None, form, refusal or None)."""
    guards.check_submission(request, workspace_id=settings.workspace_id, origins=origins)
    form = signup_form(settings, request.POST)
    if form.is_bot:
        raise guards.Refused(400, "rejected", _("This form could not be accepted."))
    if not form.is_valid():
        return None, form
    data = form.cleaned_data
    language = _language(request, settings.workspace)
    try:
        signup = signup_submit(
            settings=settings,
            source=source,
            email=data["email"],
            first_name=data["first_name"],
            phone=data["phone"],
            consent=data["consent"],
            loyalty=data.get("loyalty", False),
            visitor=_visitor(request, language),
        )
    except ServiceError as error:
        form.add_error(None, error.message)
        return None, form
    return signup, form


def _thanks_context(settings: SignupSettings, signup: Signup) -> dict:
    return {
        "business": settings.workspace,
        "double_opt_in": settings.double_opt_in,
        # Under double opt-in the offer waits for the confirmation: a made-up address
        # must not earn a coupon.
        "coupon_code": "" if settings.double_opt_in else signup.coupon_code,
        "discount_offer": settings.discount_offer,
    }


def _thanks_message(settings: SignupSettings) -> str:
    if settings.double_opt_in:
        return _(
            "Thank you! If this address is not confirmed yet, we have sent it an e-mail "
            "with a link to confirm your subscription."
        )
    return _("Thank you! You will receive our e-mails.")


@csrf_exempt
@never_cache
def signup_page(request, token: str):
    settings = settings_by_token(token)
    business = settings.workspace
    with translation.override(_language(request, business)):
        language = translation.get_language()
        via = "qr" if request.GET.get("via") == "qr" else ""
        source = Signup.Source.QR_CODE if via else Signup.Source.SIGNUP_PAGE
        if request.method == "POST":
            try:
                signup, form = _signup_post(
                    request, settings, source=source, origins=guards.own_origins(request)
                )
            except guards.Refused as refused:
                return _refused(request, refused, business, as_json=False)
            if signup is not None:
                context = _thanks_context(settings, signup)
                context["message"] = _thanks_message(settings)
                return render(request, "collect/thanks.html", context)
            status = 400
        elif request.method in ("GET", "HEAD"):
            form = signup_form(settings)
            status = 200
        else:
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
        return render(
            request,
            "collect/signup_page.html",
            {
                "business": business,
                "form": form,
                "via": via,
                "language": language,
                "action": _action(reverse("signup_page", args=[token]), via=via, lang=language),
            },
            status=status,
        )


@csrf_exempt
@never_cache
def signup_widget(request, token: str):
    """Where the widget posts, from the merchant's site: JSON for the script, a page for
    the plain form that works without JavaScript."""
    settings = settings_by_token(token)
    business = settings.workspace
    allowed = guards.own_origins(request) | set(settings.origins)
    as_json = _wants_json(request)
    with translation.override(_language(request, business)):
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204), request, allowed)
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST, OPTIONS"})
        try:
            signup, form = _signup_post(
                request, settings, source=Signup.Source.WIDGET, origins=allowed
            )
        except guards.Refused as refused:
            return _cors(_refused(request, refused, business, as_json=as_json), request, allowed)
        if signup is None:
            if as_json:
                errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
                response = JsonResponse(
                    {
                        "detail": _("Check the form."),
                        "code": "validation_error",
                        "errors": errors,
                    },
                    status=400,
                )
            else:
                response = render(
                    request,
                    "collect/widget_page.html",
                    {"business": business, "form": form, "action": request.path},
                    status=400,
                )
        elif as_json:
            response = JsonResponse({"detail": _thanks_message(settings), "code": "ok"}, status=200)
        else:
            context = _thanks_context(settings, signup)
            context["message"] = _thanks_message(settings)
            response = render(request, "collect/thanks.html", context)
        return _cors(response, request, allowed)


def _widget_form_html(request, settings: SignupSettings) -> str:
    return render_to_string(
        "collect/widget_form.html",
        {
            "form": signup_form(settings),
            "action": public_urls(settings)["url"] + "widget/",
            "language": translation.get_language(),
        },
        request=None,
    )


@never_cache
def widget_script(request, token: str):
    """The widget's script: it writes the form where the snippet stands, then sends it
    without leaving the page. The same form sits in the snippet's <noscript>."""
    settings = settings_by_token(token)
    with translation.override(_language(request, settings.workspace)):
        script = render_to_string(
            "collect/widget.js",
            {
                "form_html": json.dumps(_widget_form_html(request, settings))
                .replace("<", "\\u003c")
                .replace(">", "\\u003e"),
                "failed": json.dumps(_("The form could not be sent. Try again later.")),
            },
        )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    patch_vary_headers(response, ["Accept-Language"])
    return response


def signup_qr(request, token: str, fmt: str):
    settings = settings_by_token(token)
    target = qr_target(settings)
    if fmt == "svg":
        return HttpResponse(qr_svg(target), content_type="image/svg+xml")
    if fmt == "png":
        return HttpResponse(qr_png(target), content_type="image/png")
    raise Http404


def signup_poster(request, token: str):
    settings = settings_by_token(token)
    size = request.GET.get("size") or settings.poster_size
    if size not in SignupSettings.PosterSize.values:
        raise Http404
    with translation.override(_language(request, settings.workspace)):
        try:
            guards.check_poster_rate(request)
        except guards.Refused as refused:
            return _refused(request, refused, settings.workspace, as_json=False)
        pdf = poster_pdf(settings, size=size)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{size}.pdf"'
    return response


@csrf_exempt
@never_cache
def confirm(request, token: str):
    """The double opt-in link (K7). A GET only shows a button: mail scanners open links,
    and only the person may confirm."""
    try:
        ids = read_confirmation_token(token)
    except ExpiredLink:
        return render(request, "collect/confirm_expired.html", status=410)
    signup = None
    if ids is not None:
        workspace_id, signup_id = ids
        signup = (
            Signup.objects.select_related("contact__workspace", "workspace")
            .filter(pk=signup_id, workspace_id=workspace_id)
            .first()
        )
    if signup is None:
        return render(request, "collect/confirm_invalid.html", status=404)
    business = signup.workspace
    language = signup.contact.language if signup.contact.language in LANGUAGES else None
    with translation.override(language or business.language):
        context = {"business": business, "signup": signup}
        if request.method == "POST":
            try:
                guards.check_origin(request, guards.own_origins(request))
            except guards.Refused as refused:
                return _refused(request, refused, business, as_json=False)
            signup_confirm(signup=signup, visitor=_visitor(request, translation.get_language()))
            signup.refresh_from_db()
            return render(request, "collect/confirmed.html", context)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
        context["done"] = signup.confirmed_at is not None
        return render(request, "collect/confirm.html", context)


@csrf_exempt
@never_cache
def contact_form(request, token: str):
    """The contact form (S4): a page of its own, and the endpoint of a form on the
    merchant's site. It never subscribes anyone."""
    settings = settings_by_token(token)
    business = settings.workspace
    allowed = guards.own_origins(request) | set(settings.origins)
    as_json = _wants_json(request)
    with translation.override(_language(request, business)):
        language = translation.get_language()
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204), request, allowed)
        status = 200
        form = ContactForm()
        if request.method == "POST":
            try:
                guards.check_submission(
                    request, workspace_id=settings.workspace_id, origins=allowed
                )
                form = ContactForm(request.POST)
                if form.is_bot:
                    raise guards.Refused(400, "rejected", _("This form could not be accepted."))
            except guards.Refused as refused:
                response = _refused(request, refused, business, as_json=as_json)
                return _cors(response, request, allowed)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    contact_message_submit(
                        settings=settings,
                        name=data["name"],
                        email=data["email"],
                        phone=data["phone"],
                        message=data["message"],
                        visitor=_visitor(request, language),
                    )
                except ServiceError as error:
                    form.add_error(None, error.message)
                else:
                    message = _("Thank you! Your message was sent; we will answer soon.")
                    if as_json:
                        response = JsonResponse({"detail": message, "code": "ok"})
                    else:
                        response = render(
                            request,
                            "collect/thanks.html",
                            {"business": business, "message": message},
                        )
                    return _cors(response, request, allowed)
            status = 400
            if as_json:
                errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
                response = JsonResponse(
                    {"detail": _("Check the form."), "code": "validation_error", "errors": errors},
                    status=400,
                )
                return _cors(response, request, allowed)
        elif request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        response = render(
            request,
            "collect/contact_page.html",
            {"business": business, "form": form, "language": language},
            status=status,
        )
        return _cors(response, request, allowed)
