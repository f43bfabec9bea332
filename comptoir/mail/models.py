from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import WorkspaceScoped


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


class Delivery(WorkspaceScoped):
    """One e-mail to one contact: what was sent, and what the contact did with it (T1).

    Its id travels in the `X-Comptoir-Delivery` header and in the signed tracking links.
    Campaigns and automations add their own reference to it.
    """

    class Kind(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        TRANSACTIONAL = "transactional", _("Transactional")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent: no consent")

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    subject = models.CharField(max_length=300)
    body_markdown = models.TextField()
    message_id = models.CharField(max_length=255, blank=True)
    # The http(s) links of the message: the click redirect only leads to one of these.
    links = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "created_at"], name="delivery_by_contact")]

    def __str__(self) -> str:
        return f"{self.subject} → contact {self.contact_id}"


class DeliveryClick(models.Model):
    """The first click of a link of a delivery; unique clicks per link (E5) count these."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=2000)
    clicked_at = models.DateTimeField(auto_now_add=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["delivery", "url"], name="one_click_row_per_link")
        ]

    def __str__(self) -> str:
        return self.url
