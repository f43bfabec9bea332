"""E-mails to members of staff (invitations, password links), in the same layout as every
other e-mail Comptoir sends: an HTML and a text part, the business's footer, a Message-ID."""

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from comptoir.core.models import Workspace
from comptoir.mail.rendering import render_staff_message


def staff_email_send(
    *, to: str, subject: str, body_markdown: str, workspace: Workspace | None, language: str
) -> None:
    """Send now (callers send after commit). `workspace` is the business the e-mail is
    about, whose name and address sign it; None for Comptoir's own."""
    rendered = render_staff_message(
        workspace=workspace, language=language, subject=subject, body_markdown=body_markdown
    )
    sender_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    headers = {"Message-ID": make_msgid(domain=sender_domain or "comptoir.invalid")}
    if workspace is not None and workspace.contact_email:
        headers["Reply-To"] = workspace.contact_email
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()
