"""Settings → Outbox (P2): with `outbox://`, the e-mails Comptoir would have sent, readable
in the dashboard; with any other backend, where e-mail goes instead."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from comptoir.core.csp import allow_inline_styles
from comptoir.core.roles import Action
from comptoir.mail.backends import decoded_header
from comptoir.mail.selectors import (
    mail_route,
    outbox_in_use,
    outbox_message_open,
    outbox_messages,
)
from comptoir.web.access import workspace_view

PAGE_SIZE = 50


@workspace_view(read=Action.MANAGE_SETTINGS, write=Action.MANAGE_SETTINGS)
def outbox_list(request):
    context = {"outbox": outbox_in_use(), "route": mail_route()}
    if context["outbox"]:
        messages = outbox_messages(workspace=request.workspace, viewer=request.user)
        page = Paginator(messages, PAGE_SIZE).get_page(request.GET.get("page"))
        for message in page:
            # Rows kept before subjects were stored decoded still hold RFC 2047 words.
            message.subject = decoded_header(message.subject)
        context["page"] = page
        context["rows"] = page
    return render(request, "web/settings/outbox.html", context)


@workspace_view(read=Action.MANAGE_SETTINGS, write=Action.MANAGE_SETTINGS)
def outbox_detail(request, message_id: int):
    message = (
        outbox_messages(workspace=request.workspace, viewer=request.user)
        .defer(None)
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise Http404
    # The message's HTML is previewed in a sandboxed srcdoc frame, which takes this page's
    # policy: its inline styles must be allowed there.
    return allow_inline_styles(
        render(
            request, "web/settings/outbox_message.html", {"opened": outbox_message_open(message)}
        )
    )
