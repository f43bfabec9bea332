"""What the outbox page of a workspace may show (P2), and one message taken apart to show it.

`OutboxMessage` rows belong to no workspace: the outbox backend stores whatever Django
sends. A workspace sees
- its e-mails to contacts: the messages whose Message-ID is that of one of its deliveries;
- staff e-mails (invitations, password links) addressed to the person looking, or to a
  member of this workspace only who never logged in (an invitation not yet accepted).
  Anyone else's password link stays hidden: an admin who could read the reset link of a
  colleague, or of a member of another workspace, could take over that account."""

import email
import email.policy
import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.module_loading import import_string

from comptoir.core.models import Membership, User, Workspace
from comptoir.core.scoping import scoped
from comptoir.mail.models import DELIVERY_HEADER, Delivery, OutboxMessage
from comptoir.mail.tracking import open_pixel_url

# ---------------------------------------------------------------------------


OUTBOX_BACKEND = "comptoir.mail.backends.OutboxBackend"
SHOWN_HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "List-Unsubscribe")


def outbox_in_use() -> bool:
    return settings.EMAIL_BACKEND == OUTBOX_BACKEND


@dataclass(frozen=True)
class MailRoute:
    """Where e-mail goes when it is not kept in the outbox, for the settings page."""

    kind: str  # "smtp", "service", "console" or "other"
    name: str


def mail_route() -> MailRoute:
    backend = settings.EMAIL_BACKEND
    if backend.startswith("anymail.backends."):
        return MailRoute("service", backend.split(".")[2].capitalize())
    if backend == "django.core.mail.backends.console.EmailBackend":
        return MailRoute("console", "")
    try:
        smtp = issubclass(
            import_string(backend), import_string("django.core.mail.backends.smtp.EmailBackend")
        )
    except ImportError:
        smtp = False
    if smtp:
        return MailRoute("smtp", f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}")
    return MailRoute("other", backend)


def _staff_addresses(workspace: Workspace, viewer: User) -> list[str]:
    pending = (
        scoped(Membership, workspace)
        .filter(user__last_login__isnull=True)
        .annotate(workspaces=Count("user__memberships"))
        .filter(workspaces=1)
        .values_list("user__email", flat=True)
    )
    return sorted({viewer.email, *pending})


def _staff_message_ids(workspace: Workspace, viewer: User) -> list[int]:
    """Messages to those addresses that are staff e-mails, not a workspace's delivery to a
    contact who happens to have the same address: deliveries carry their id in a header."""
    candidates = OutboxMessage.objects.filter(
        recipients__in=_staff_addresses(workspace, viewer)
    ).values_list("pk", "raw")
    parser = BytesHeaderParser(policy=email.policy.default)
    return [pk for pk, raw in candidates if DELIVERY_HEADER not in parser.parsebytes(bytes(raw))]


def outbox_messages(*, workspace: Workspace, viewer: User) -> QuerySet[OutboxMessage]:
    """Newest first, without the raw bytes (the list shows date, recipients, subject)."""
    sent = scoped(Delivery, workspace).exclude(message_id="").values("message_id")
    staff = _staff_message_ids(workspace, viewer)
    return OutboxMessage.objects.filter(Q(message_id__in=sent) | Q(pk__in=staff)).defer("raw")


@dataclass(frozen=True)
class OpenedMessage:
    message: OutboxMessage
    subject: str
    headers: list[tuple[str, str]]
    html: str | None
    text: str | None
    source: str


def _preview(page: str, delivery_id: str) -> str:
    """The HTML part as staff may look at it: showing it must not count as the contact
    opening it, nor a click in it as the contact clicking (T1). Without its pixel; and
    every link targets a new window, which the sandbox (no allow-popups) refuses to open."""
    if delivery_id.isdigit():
        pixel = re.escape(urlsplit(open_pixel_url(int(delivery_id))).path)
        page = re.sub(rf"<img\b[^>]*{pixel}[^>]*>", "", page)
    base = '<base target="_blank">'
    # In the <head>, so that a leading doctype keeps the message out of quirks mode.
    page, found = re.subn(r"<head\b[^>]*>", lambda m: m.group(0) + base, page, count=1)
    return page if found else base + page


def _part(parsed, subtype: str) -> str | None:
    body = parsed.get_body(preferencelist=(subtype,))
    if body is None:
        return None
    try:
        return body.get_content()
    except (LookupError, UnicodeError):
        return body.get_payload(decode=True).decode("utf-8", "replace")


def outbox_message_open(message: OutboxMessage) -> OpenedMessage:
    raw = bytes(message.raw)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    # The default policy decodes RFC 2047 words (=?utf-8?q?...?=) and unfolds long lines;
    # a long subject is folded right after "Subject:", which leaves a space in front.
    headers = [
        (name, str(parsed[name]).strip()) for name in SHOWN_HEADERS if parsed[name] is not None
    ]
    html = _part(parsed, "html")
    if html is not None:
        html = _preview(html, str(parsed.get(DELIVERY_HEADER, "")).strip())
    return OpenedMessage(
        message=message,
        subject=str(parsed["Subject"] or "").strip(),
        headers=headers,
        html=html,
        text=_part(parsed, "plain"),
        source=raw.decode("utf-8", "replace"),
    )
