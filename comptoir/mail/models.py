from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import Workspace, WorkspaceScoped


class OutboxMessage(models.Model):
    """A message kept by the `outbox://` backend instead of being sent (P2: no SMTP needed)."""

    sender = models.CharField(max_length=320)
    recipients = models.TextField(help_text="comma-separated")
    subject = models.CharField(max_length=998)
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    raw = models.BinaryField(help_text="the whole RFC 5322 message as it would have been sent")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipients}"


class Mailing(WorkspaceScoped):
    """One message for many contacts: a campaign's send, an automation's step.

    It holds the content; its deliveries are the frozen audience, one row per contact. The
    send pipeline (mail.pipeline) works through them in batches. `origin` names the sender
    ("campaign", "abandoned_cart", …) so that the pipeline can ask it for per-contact
    content without importing it.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        CANCELED = "canceled", _("Canceled")

    origin = models.CharField(max_length=40)
    kind = models.CharField(max_length=14, default="marketing")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    subject = models.CharField(max_length=300)
    preheader = models.CharField(max_length=300, blank=True)
    sender_name = models.CharField(max_length=120, blank=True)
    body_markdown = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="mailing_by_status")]

    def __str__(self) -> str:
        return f"{self.origin}: {self.subject}"


class Delivery(WorkspaceScoped):
    """One e-mail to one contact: what was sent, and what the contact did with it (T1).

    Its id travels in the `X-Comptoir-Delivery` header and in the signed tracking links.
    A delivery of a mailing takes its content from the mailing; a one-off e-mail carries
    its own.

    At most once (E4): the pipeline claims a delivery (CLAIMED), marks it SENDING right
    before its SMTP transaction and SENT after it. A worker lost between the two leaves it
    SENDING: nobody can tell whether it left, so it becomes UNKNOWN and is never sent
    again; a CLAIMED one had not started and goes back to the queue.
    """

    class Kind(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        TRANSACTIONAL = "transactional", _("Transactional")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CLAIMED = "claimed", _("About to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent: no consent")
        CANCELED = "canceled", _("Canceled")
        UNKNOWN = "unknown", _("Unknown: the sender stopped during the send")

    # No one-column index on these keys: the composite indexes below begin with each of
    # them, and every index is paid on each of the three writes a message costs.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    mailing = models.ForeignKey(
        Mailing,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    subject = models.CharField(max_length=300)
    body_markdown = models.TextField(blank=True)
    # What the sender needs to personalise this one (a cart's id for a reminder …).
    context = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    # The batch that holds it (a random token) and the process working on that batch.
    claim = models.CharField(max_length=32, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    # The http(s) links of the message: the click redirect only leads to one of these.
    links = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Human opens and clicks only (mail.robots): what results count.
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    # The first image fetch by a privacy proxy (Apple Mail), shown apart.
    proxy_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "created_at"], name="delivery_by_contact"),
            # A claim takes the first queued ones of a mailing in id order: with the id in
            # the index it reads 50 entries, not every queued one of a 100,000 campaign.
            models.Index(fields=["mailing", "status", "id"], name="delivery_queue"),
            models.Index(fields=["status", "claimed_at"], name="delivery_in_flight"),
            # The per-workspace rate limit counts what left in the last minute.
            models.Index(fields=["workspace", "sent_at"], name="delivery_by_sent_at"),
        ]
        constraints = [
            # E4: one message of a mailing per contact, whatever runs twice.
            models.UniqueConstraint(
                fields=["mailing", "contact"],
                condition=models.Q(mailing__isnull=False),
                name="one_delivery_per_mailing_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → contact {self.contact_id}"


class DeliveryClick(models.Model):
    """The first click of a link of a delivery; unique clicks per link (E5) count these."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=2000)
    clicked_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=1)
    # Followed by a link scanner, not a person (mail.robots).
    machine = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "url"], name="one_click_row_per_link")
        ]

    def __str__(self) -> str:
        return self.url
