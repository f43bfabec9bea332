"""Mail backends of our own; SMTP and console are Django's."""

from django.core.mail.backends.base import BaseEmailBackend

from comptoir.mail.models import OutboxMessage


class OutboxBackend(BaseEmailBackend):
    """Stores each message, byte for byte, where the dashboard can show it."""

    def send_messages(self, email_messages):
        rows = []
        for message in email_messages:
            mime = message.message()
            rows.append(
                OutboxMessage(
                    sender=message.from_email,
                    recipients=", ".join(message.recipients()),
                    subject=str(mime.get("Subject", ""))[:998],
                    message_id=str(mime.get("Message-ID", ""))[:255],
                    raw=mime.as_bytes(linesep="\r\n"),
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)
