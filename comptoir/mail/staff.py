"""E-mails to members of staff (invitations, password links), in the same layout as every
other e-mail Comptoir sends: an HTML and a text part, the business's footer, a Message-ID.
They leave from the worker (`password_link_task`): no SMTP conversation inside a request."""

from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from comptoir.core.models import User, Workspace
from comptoir.core.services import on_member_invited
from comptoir.core.tasks import enqueue_on_commit
from comptoir.mail.rendering import markdown_escape, render_staff_message


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


def password_link_send(
    *, user: User, kind: str = "password_reset", workspace: Workspace | None = None
) -> None:
    """E-mail `user` a link to choose a password: a reset, or an invitation (kind) to
    `workspace`, whose name and identity the e-mail carries (a reset carries those of the
    person's only workspace, Comptoir's own if they have several).

    Links are built on COMPTOIR_BASE_URL, never on the request's Host header, which an
    attacker could set to steal the token.
    """
    if workspace is None:
        workspaces = list(Workspace.objects.filter(memberships__user=user)[:2])
        workspace = workspaces[0] if len(workspaces) == 1 else None
    base = urlsplit(settings.COMPTOIR_BASE_URL)
    context = {
        "email": markdown_escape(user.email),
        "shop": markdown_escape(workspace.name) if workspace else "",
        "shop_name": workspace.name if workspace else "",
        "domain": base.netloc,
        "protocol": base.scheme,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    # An invitation speaks the shop's language; a reset, that of the page it was asked on.
    language = workspace.language if workspace and kind == "invitation" else None
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"mail/staff/{kind}_subject.txt", context).splitlines())
        body = render_to_string(f"mail/staff/{kind}_email.txt", context)
        staff_email_send(
            to=user.email,
            subject=subject,
            body_markdown=body,
            workspace=workspace,
            language=translation.get_language(),
        )


@task()
def password_link_task(user_id: int, kind: str, workspace_id: int | None, language: str) -> int:
    """`password_link_send` from the worker, in the language of the request that asked."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    workspace = Workspace.objects.filter(pk=workspace_id).first() if workspace_id else None
    with translation.override(language):
        password_link_send(user=user, kind=kind, workspace=workspace)
    return 1


def password_link_enqueue(
    *, user: User, kind: str = "password_reset", workspace: Workspace | None = None
) -> None:
    """E-mail `user` a password link from the worker, once the current transaction commits."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    enqueue_on_commit(
        password_link_task, user.pk, kind, workspace.pk if workspace else None, language
    )


def password_reset_enqueue(*, user: User) -> None:
    """The "forgot your password" e-mail, from the worker. Enqueued at once: asking for it
    writes nothing that the job would have to wait for."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    password_link_task.enqueue(user.pk, "password_reset", None, language)


@on_member_invited
def _invitation_enqueue(*, user: User, workspace: Workspace) -> None:
    password_link_enqueue(user=user, kind="invitation", workspace=workspace)
