"""Public unsubscribe pages (K4, RFC 8058). No login, no cookie, no CSRF token: the signed
link is the credential. A GET never changes anything, because mail scanners follow links."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from comptoir.consent.models import CUSTOMER_LABEL, ConsentEvent
from comptoir.consent.services import consent_withdraw
from comptoir.consent.tokens import read_unsubscribe_token
from comptoir.contacts.models import Contact


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@csrf_exempt
@never_cache
def unsubscribe(request, token: str):
    ids = read_unsubscribe_token(token)
    contact = None
    if ids is not None:
        workspace_id, contact_id = ids
        contact = (
            Contact.objects.select_related("workspace")
            .filter(pk=contact_id, workspace_id=workspace_id)
            .first()
        )
    if contact is None:
        return render(request, "consent/invalid_link.html", status=404)

    language = contact.language[:2] if contact.language[:2] in ("fr", "en") else None
    with translation.override(language or contact.workspace.language):
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            consent_withdraw(
                contact=contact,
                source=ConsentEvent.Source.ONE_CLICK
                if one_click
                else ConsentEvent.Source.UNSUBSCRIBE_LINK,
                actor_label=CUSTOMER_LABEL,
                ip=_client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            if one_click:
                # RFC 8058: the mail client shows nothing; a plain 200 is the whole answer.
                return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
            return render(
                request,
                "consent/unsubscribed.html",
                {"contact": contact, "business": contact.workspace},
            )
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
        return render(
            request,
            "consent/unsubscribe.html",
            {
                "contact": contact,
                "business": contact.workspace,
                "already": contact.consent == ConsentEvent.Status.UNSUBSCRIBED,
            },
        )
