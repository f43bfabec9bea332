"""The one send pipeline (house rule 5): campaigns, automations, one-off and test e-mails.

A sender makes a `Mailing` (the content) and freezes its audience into `Delivery` rows
(`mailing_freeze`), or queues a single delivery (mail.services). The worker's dispatcher
(`dispatch`) then works through what is queued, in small batches:

1. claim a batch, no bigger than what the workspace's rate still allows this minute;
2. re-check consent and suppression for the batch, right now (K5): an unsubscribe between
   two batches always wins;
3. for each message, mark it SENDING, hand it to the batch's one SMTP connection, and
   mark it SENT; a temporary failure goes back to the queue with a back-off, a permanent
   one is FAILED;
4. a heartbeat keeps the batch's claim alive. A worker lost mid-batch leaves its SENDING
   message UNKNOWN (it may have left: at most once) and its other messages to be taken
   back by the next worker, so every other recipient still gets exactly one.

Several workers may run the same mailing at once: a claim takes rows nobody else holds
(SKIP LOCKED on PostgreSQL; SQLite serialises writers).
"""

import datetime as dt
import json
import logging
import secrets
import smtplib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import formataddr, make_msgid, parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db
from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from comptoir.consent.selectors import marketing_recipients
from comptoir.consent.tokens import unsubscribe_url
from comptoir.contacts.models import Contact
from comptoir.core import clock, leases
from comptoir.core.models import Workspace
from comptoir.mail import events, tracking
from comptoir.mail.bounces import METADATA_KEY, esp_reference
from comptoir.mail.models import DELIVERY_HEADER, Delivery, Mailing
from comptoir.mail.rendering import Rendered, render_message

logger = logging.getLogger("comptoir.mail")

Status = Delivery.Status
BATCH_SIZE = 50
# A temporary failure is tried again after 1, 2, 4, 8 minutes, then the delivery fails.
MAX_ATTEMPTS = 5
RETRY_BASE = dt.timedelta(minutes=1)
RATE_WINDOW = dt.timedelta(minutes=1)
# How long one call of the dispatcher works before it lets the worker run other jobs.
DISPATCH_BUDGET = dt.timedelta(seconds=10)
# A batch beats every few seconds while it works; one silent this many leases is dead.
ABANDONED_LEASES = 10


@dataclass(frozen=True)
class Content:
    subject: str
    body_markdown: str
    preheader: str = ""
    sender_name: str = ""


# origin -> provider(delivery) -> Content, or None when there is nothing left to send (a
# cart that emptied). Senders whose messages differ per contact register one at start-up.
_providers: dict[str, Callable[[Delivery], Content | None]] = {}


def register_content(origin: str, provider: Callable[[Delivery], Content | None]) -> None:
    _providers[origin] = provider


def content_of(delivery: Delivery) -> Content | None:
    mailing = delivery.mailing
    if mailing is None:
        return Content(subject=delivery.subject, body_markdown=delivery.body_markdown)
    provider = _providers.get(mailing.origin)
    if provider is not None:
        return provider(delivery)
    return Content(
        subject=mailing.subject,
        body_markdown=mailing.body_markdown,
        preheader=mailing.preheader,
        sender_name=mailing.sender_name,
    )


# ------------------------------------------------------------------------ mailings


def mailing_create(
    *,
    workspace: Workspace,
    origin: str,
    subject: str,
    body_markdown: str,
    preheader: str = "",
    sender_name: str = "",
) -> Mailing:
    return Mailing.objects.create(
        workspace=workspace,
        origin=origin,
        kind=Delivery.Kind.MARKETING,
        subject=subject,
        preheader=preheader,
        sender_name=sender_name,
        body_markdown=body_markdown,
    )


def mailing_freeze(*, mailing: Mailing, contacts: QuerySet[Contact]) -> int:
    """Freeze the audience: one queued delivery per contact of `contacts` with an address.

    One INSERT … SELECT, so that 100,000 contacts take a second, not a minute; running it
    twice adds nobody twice (the unique constraint, ON CONFLICT DO NOTHING). Consent is
    not judged here but right before each batch leaves.
    """
    ids = contacts.exclude(email_key="").order_by().annotate(picked=F("pk")).values("picked")
    select, params = ids.query.sql_with_params()
    table = Delivery._meta.db_table
    columns = (
        "workspace_id, mailing_id, contact_id, kind, status, subject, body_markdown, "
        "context, attempts, claim, claimed_by, links, error, message_id, created_at"
    )
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 - names are ours, values bound
            f"SELECT %s, %s, ids.picked, %s, %s, %s, '', '{{}}', 0, '', '', '[]', '', '', %s "
            # "WHERE 1 = 1": SQLite would read ON CONFLICT as the ON of a join without it.
            f"FROM ({select}) AS ids WHERE 1 = 1 ON CONFLICT DO NOTHING",
            [
                mailing.workspace_id,
                mailing.pk,
                mailing.kind,
                Status.QUEUED,
                mailing.subject[:300],
                timezone.now(),
                *params,
            ],
        )
        return cursor.rowcount


def mailing_cancel(*, mailing: Mailing) -> int:
    """Stop what has not gone: queued and claimed-but-not-started messages are canceled."""
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
            status=Mailing.Status.CANCELED, finished_at=timezone.now()
        )
        return Delivery.objects.filter(
            mailing=mailing, status__in=[Status.QUEUED, Status.CLAIMED]
        ).update(status=Status.CANCELED, claim="")


def mailing_settle(*, mailing: Mailing) -> bool:
    """Mark a mailing done once none of its messages can still leave; True if it is."""
    if mailing.status != Mailing.Status.SENDING:
        return True
    pending = Delivery.objects.filter(
        mailing=mailing, status__in=[Status.QUEUED, Status.CLAIMED, Status.SENDING]
    )
    if pending.exists():
        return False
    Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
        status=Mailing.Status.DONE, finished_at=timezone.now()
    )
    return True


# ------------------------------------------------------------------------ messages


def build_message(
    *,
    workspace: Workspace,
    contact: Contact,
    rendered: Rendered,
    unsubscribe: str | None,
    delivery_id: int | None,
    sender_name: str = "",
    to: str | None = None,
) -> EmailMultiAlternatives:
    """The e-mail as it leaves: headers of the contract (Message-ID, X-Comptoir-Delivery,
    RFC 8058 List-Unsubscribe for marketing, given its `unsubscribe` link) around the
    rendered parts. Without a delivery it is a test message."""
    from_email, domain = _sender(workspace.from_email, sender_name)
    headers = {"Message-ID": make_msgid(domain=domain)}
    if delivery_id is not None:
        headers[DELIVERY_HEADER] = str(delivery_id)
    else:
        headers["X-Comptoir-Test"] = "1"
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if workspace.contact_email:
        headers["Reply-To"] = workspace.contact_email
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=from_email,
        to=[to or formataddr((name, contact.email))],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    if delivery_id is not None:
        # E-mail services (anymail) echo this back in bounce and complaint events.
        message.metadata = {METADATA_KEY: esp_reference(delivery_id)}
    return message


@lru_cache(maxsize=64)
def _sender(from_email: str, sender_name: str) -> tuple[str, str]:
    """The From of a message and the domain of its Message-ID, the same all campaign long."""
    if sender_name:
        from_email = formataddr((sender_name, parseaddr(from_email)[1]))
    return from_email, parseaddr(from_email)[1].rpartition("@")[2] or "comptoir.invalid"


def _unsubscribe_link(delivery: Delivery) -> str | None:
    if delivery.kind != Delivery.Kind.MARKETING:
        return None
    return unsubscribe_url(workspace_id=delivery.workspace_id, contact_id=delivery.contact_id)


def render_delivery(delivery: Delivery, content: Content, unsubscribe: str | None) -> Rendered:
    return render_message(
        contact=delivery.contact,
        subject=content.subject,
        body_markdown=content.body_markdown,
        preheader=content.preheader,
        unsubscribe_url=unsubscribe,
        track_link=lambda url: tracking.click_url(delivery.pk, url),
        open_pixel_url=tracking.open_pixel_url(delivery.pk),
    )


class _Outcome:
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"
    UNKNOWN = "unknown"
    ALL = (SENT, SKIPPED, RETRY, FAILED, UNKNOWN)


def _detail(error: Exception) -> str:
    """What a delivery's `error` keeps of an exception."""
    return f"{type(error).__name__}: {error}"[:2000]


def _failure_outcome(error: Exception) -> str:
    """What a transport error means for the message: try again, give up, or not know."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return _Outcome.RETRY if codes and all(400 <= c < 500 for c in codes) else _Outcome.FAILED
    if isinstance(error, smtplib.SMTPResponseException):
        return _Outcome.RETRY if 400 <= error.smtp_code < 500 else _Outcome.FAILED
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        # The connection went away while the message was on it: it may have been taken.
        return _Outcome.UNKNOWN
    return _Outcome.FAILED


# ------------------------------------------------------------------------ batches


def _room(workspace_id: int, now: dt.datetime) -> int:
    """How many more marketing messages this workspace may send in the current minute:
    what left in the last minute and what is on its way both count."""
    marketing = Delivery.objects.filter(workspace_id=workspace_id, kind=Delivery.Kind.MARKETING)
    recent = marketing.filter(sent_at__gt=now - RATE_WINDOW).count()
    on_its_way = marketing.filter(status__in=[Status.CLAIMED, Status.SENDING]).count()
    workspace = Workspace.objects.only("send_rate_per_minute").get(pk=workspace_id)
    return max(0, workspace.send_rate_per_minute - recent - on_its_way)


def _ready(now: dt.datetime) -> Q:
    return Q(status=Status.QUEUED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now))


def _claim(
    queryset: QuerySet[Delivery], size: int, now: dt.datetime, *, rate_of: int | None = None
) -> list[Delivery]:
    """Take up to `size` ready deliveries of `queryset` for this process; with `rate_of`
    (a workspace id), no more than that workspace's rate still allows."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        if rate_of is not None:
            # One claimer of a workspace at a time (lanes, workers): the room it reads
            # stays true until its claim is written. NO KEY: rows that merely refer to the
            # workspace (timeline entries of a batch being sealed) are not held up.
            Workspace.objects.select_for_update(no_key=True).filter(pk=rate_of).exists()
            size = min(size, _room(rate_of, timezone.now()))
            if not size:
                return []
        candidates = (
            queryset.filter(_ready(now))
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        Delivery.objects.filter(pk__in=list(candidates), status=Status.QUEUED).update(
            status=Status.CLAIMED,
            claim=token,
            claimed_by=leases.holder(),
            claimed_at=timezone.now(),
        )
    batch = list(
        Delivery.objects.filter(claim=token, status=Status.CLAIMED)
        .select_related("contact")
        .order_by("pk")
    )
    _share_parents(batch)
    return batch


def _share_parents(batch: list[Delivery]) -> None:
    """Read the batch's workspace and mailing once, not once per row (joined, 50 copies of
    the same body and settings came back with every claim)."""
    workspaces = Workspace.objects.in_bulk({d.workspace_id for d in batch})
    mailings = Mailing.objects.in_bulk({d.mailing_id for d in batch if d.mailing_id})
    for delivery in batch:
        delivery.contact.workspace = workspaces[delivery.contact.workspace_id]
        if delivery.mailing_id:
            delivery.mailing = mailings[delivery.mailing_id]


def send_batch(batch: list[Delivery], *, connection=None) -> dict[str, int]:
    """Send claimed deliveries over one connection; returns how many ended how."""
    counts = dict.fromkeys(_Outcome.ALL, 0)
    if not batch:
        return counts
    token = batch[0].claim
    workspace = batch[0].contact.workspace
    marketing_ids = [d.contact_id for d in batch if d.kind == Delivery.Kind.MARKETING]
    # K5: asked now, for the whole batch, right before it leaves.
    allowed = set(
        marketing_recipients(workspace, marketing_ids).values_list("pk", flat=True)
        if marketing_ids
        else []
    )
    beat = leases.Heartbeat(
        lambda: (
            Delivery.objects.filter(
                claim=token, status__in=[Status.CLAIMED, Status.SENDING]
            ).update(claimed_at=timezone.now())
            > 0
        )
    )
    link = _Link(connection or get_connection())
    try:
        with beat:
            for delivery in batch:
                counts[_send_one(delivery, allowed, link)] += 1
    finally:
        link.close()
        _batch_done(token)
    return counts


def _batch_done(token: str) -> None:
    """Seal a batch: what left is SENT, with its timeline entries, and whatever stopped the
    batch early gives its untouched messages back to the queue."""
    with transaction.atomic():
        _seal(token, timezone.now())
        Delivery.objects.filter(claim=token, status=Status.CLAIMED).update(
            status=Status.QUEUED, claim=""
        )


def _seal(token: str, sent_at: dt.datetime) -> int:
    """The batch's SENDING messages are SENT, with their timeline entries: two statements
    whatever the batch's size, and no model object per message (at a campaign's pace, the
    ORM's objects cost more than the statements)."""
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} "  # noqa: S608 - our table name, values bound
            "SET status = %s, claim = '', sent_at = %s WHERE claim = %s AND status = %s "
            "RETURNING id, workspace_id, contact_id, subject",
            [Status.SENT, db.ops.adapt_datetimefield_value(sent_at), token, Status.SENDING],
        )
        sent = sorted(cursor.fetchall())
    events.deliveries_sent_events(sent=sent, at=sent_at)
    return len(sent)


class _Link:
    """The batch's one connection, opened on first use and again after it broke."""

    def __init__(self, connection):
        self.connection = connection
        self.is_open = False

    def open(self) -> None:
        if not self.is_open:
            self.connection.open()
            self.is_open = True

    def send(self, message) -> None:
        self.connection.send_messages([message])

    def close(self) -> None:
        self.is_open = False
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too
            logger.debug("closing the mail connection failed", exc_info=True)


def _mark(delivery: Delivery, status: str, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, claim="", **fields)


def _mark_sending(delivery_id: int, message_id: str, links: list[str]) -> None:
    """The at-most-once record, once per message: in SQL of its own, because building the
    ORM's UPDATE cost as much as the database took to run it."""
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} "  # noqa: S608 - our table name, values bound
            "SET status = %s, message_id = %s, links = %s WHERE id = %s",
            [Status.SENDING, message_id, json.dumps(links), delivery_id],
        )


def _send_one(delivery: Delivery, allowed: set[int], link: _Link) -> str:
    if delivery.kind == Delivery.Kind.MARKETING and delivery.contact_id not in allowed:
        _mark(delivery, Status.SKIPPED)
        return _Outcome.SKIPPED
    try:
        content = content_of(delivery)
        if content is None:
            _mark(delivery, Status.SKIPPED, error="nothing left to send")
            return _Outcome.SKIPPED
        unsubscribe = _unsubscribe_link(delivery)
        rendered = render_delivery(delivery, content, unsubscribe)
        message = build_message(
            workspace=delivery.contact.workspace,
            contact=delivery.contact,
            rendered=rendered,
            unsubscribe=unsubscribe,
            delivery_id=delivery.pk,
            sender_name=content.sender_name,
        )
    except Exception as error:  # noqa: BLE001 - one broken message must not stop the batch
        logger.exception("delivery %s could not be rendered", delivery.pk)
        _mark(delivery, Status.FAILED, error=_detail(error))
        return _Outcome.FAILED
    try:
        link.open()
    except Exception as error:  # noqa: BLE001 - nothing was sent: try again later
        return _retry(delivery, error)
    # SENDING, with what the message holds, until the batch is sealed. If the worker is
    # lost, the last SENDING message of its batch was on the wire (UNKNOWN) and the
    # earlier ones had been accepted: a message moves on only after the server answered.
    _mark_sending(delivery.pk, message.extra_headers["Message-ID"], rendered.links)
    try:
        link.send(message)
    except Exception as error:  # noqa: BLE001 - every transport failure is recorded
        outcome = _failure_outcome(error)
        if outcome == _Outcome.RETRY:
            return _retry(delivery, error)
        if outcome == _Outcome.UNKNOWN:
            link.close()  # the next message needs a new connection
        status = Status.UNKNOWN if outcome == _Outcome.UNKNOWN else Status.FAILED
        _mark(delivery, status, error=_detail(error))
        return outcome
    return _Outcome.SENT


def _retry(delivery: Delivery, error: Exception) -> str:
    attempts = delivery.attempts + 1
    detail = _detail(error)
    if attempts >= MAX_ATTEMPTS:
        _mark(delivery, Status.FAILED, attempts=attempts, error=detail)
        return _Outcome.FAILED
    _mark(
        delivery,
        Status.QUEUED,
        attempts=attempts,
        error=detail,
        retry_at=clock.now() + RETRY_BASE * 2 ** (attempts - 1),
    )
    return _Outcome.RETRY


# ------------------------------------------------------------------------ the dispatcher


def recover_lost(*, now: dt.datetime | None = None) -> int:
    """Take back the batches of lost workers: what had not started is queued again, the
    message that was on the wire is UNKNOWN (it may have left: never send it twice)."""
    taken = 0
    in_flight = (
        Delivery.objects.filter(status__in=[Status.CLAIMED, Status.SENDING])
        .values_list("claimed_by", "claim")
        .distinct()
    )
    for holder, token in list(in_flight):
        rows = Delivery.objects.filter(claim=token, status__in=[Status.CLAIMED, Status.SENDING])
        beat = rows.order_by("-claimed_at").values_list("claimed_at", flat=True).first()
        if beat is None:
            continue
        # A live holder whose batch stopped beating long ago lost it to an error.
        silent = dt.timedelta(seconds=ABANDONED_LEASES * leases.lease_seconds())
        abandoned = beat < (now or timezone.now()) - silent
        if not (abandoned or leases.lease_expired(holder=holder, heartbeat_at=beat, now=now)):
            continue
        with transaction.atomic():
            on_the_wire = (
                rows.filter(status=Status.SENDING).order_by("-pk").values_list("pk", flat=True)
            ).first()
            unknown = 0
            if on_the_wire is not None:
                unknown = rows.filter(pk=on_the_wire).update(
                    status=Status.UNKNOWN,
                    claim="",
                    error="the worker sending this message stopped before the server answered",
                )
            # The batch's earlier messages had been accepted: each waited for the answer.
            sent = _seal(token, beat)
            back = rows.filter(status=Status.CLAIMED).update(status=Status.QUEUED, claim="")
        logger.warning(
            "worker %s was lost mid-batch: %d message(s) had left, %d queued again, "
            "%d of unknown fate",
            holder,
            sent,
            back,
            unknown,
        )
        taken += sent + back + unknown
    return taken


def send_lanes() -> int:
    """How many batches one worker sends at once, each on its own SMTP connection.

    While one batch waits for the SMTP server or for the database to confirm a SENDING
    mark, the others work. SQLite takes one writer at a time: one lane there.
    """
    if db.vendor == "sqlite":
        return 1
    return settings.COMPTOIR_SEND_CONNECTIONS


def dispatch(*, now: dt.datetime) -> int:
    """The worker's dispatcher: send what is due, batch after batch, for a while."""
    recover_lost()
    deadline = timezone.now() + DISPATCH_BUDGET
    lanes = send_lanes()
    if lanes == 1:
        return _send_until(now, deadline)
    with ThreadPoolExecutor(lanes, thread_name_prefix="comptoir-send") as pool:
        return sum(pool.map(lambda _: _lane(now, deadline), range(lanes)))


def _lane(now: dt.datetime, deadline: dt.datetime) -> int:
    try:
        return _send_until(now, deadline)
    finally:
        connections.close_all()  # the lane's own database connection


def _send_until(now: dt.datetime, deadline: dt.datetime) -> int:
    sent = 0
    while timezone.now() < deadline:
        progressed = False
        for mailing in Mailing.objects.filter(status=Mailing.Status.SENDING):
            batch = _claim(
                Delivery.objects.filter(mailing=mailing),
                BATCH_SIZE,
                now,
                rate_of=mailing.workspace_id,
            )
            if not batch:
                mailing_settle(mailing=mailing)
                continue
            sent += send_batch(batch)["sent"]
            progressed = True
        if not progressed:
            break
    return sent


def delivery_send_now(*, delivery_id: int, connection=None) -> Delivery:
    """Send one queued delivery (a one-off e-mail) through the same steps as a batch."""
    batch = _claim(Delivery.objects.filter(pk=delivery_id), 1, clock.now())
    if batch:
        send_batch(batch, connection=connection)
    return Delivery.objects.select_related("contact__workspace").get(pk=delivery_id)


def send_test_copies(
    *, workspace: Workspace, contact: Contact, content: Content, emails: list[str]
) -> int:
    """Send a campaign's message, as `contact` would get it, to staff addresses (E3).

    No delivery row: a test is never counted in results, and its links are not tracked.
    """
    # A link that unsubscribes nobody: clicking it in a test must not touch the contact.
    harmless = unsubscribe_url(workspace_id=workspace.pk, contact_id=0)
    rendered = render_message(
        contact=contact,
        subject=content.subject,
        body_markdown=content.body_markdown,
        preheader=content.preheader,
        unsubscribe_url=harmless,
    )
    rendered.subject = f"[Test] {rendered.subject}"
    connection = get_connection()
    messages = [
        build_message(
            workspace=workspace,
            contact=contact,
            rendered=rendered,
            unsubscribe=harmless,
            delivery_id=None,
            sender_name=content.sender_name,
            to=email,
        )
        for email in emails
    ]
    return connection.send_messages(messages) or 0
