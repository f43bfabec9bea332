from django.db import models


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
