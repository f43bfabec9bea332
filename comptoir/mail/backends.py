"""Mail backends: the outbox (store instead of send) and SMTP, both DKIM-signing."""

from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as DjangoSmtpBackend
from django.core.mail.message import sanitize_address

from comptoir.mail.dkim import dkim_sign
from comptoir.mail.models import OutboxMessage
from comptoir.mail.wire import message_bytes, split_address


def decoded_header(value) -> str:
    """A header as a person reads it: `=?utf-8?q?Caf=C3=A9?=` (RFC 2047) is "Café"."""
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeError, ValueError):  # a charset Python does not know
        return str(value)


def wire_bytes(message) -> bytes:
    """The message exactly as it goes on the wire, signed when DKIM is configured."""
    return dkim_sign(message_bytes(message))


@lru_cache(maxsize=1024)  # the sender is the same all campaign long
def envelope_address(address: str, encoding: str) -> str:
    """The bare address for MAIL FROM / RCPT TO; Django's sanitising for anything unusual
    (it costs half a millisecond, twice a message, for what is nearly always ASCII)."""
    bare = split_address(address)[1]
    if bare and bare.isascii() and bare.count("@") == 1:
        return bare
    return sanitize_address(address, encoding)


class OutboxBackend(BaseEmailBackend):
    """Stores each message, byte for byte, where the dashboard can show it."""

    def send_messages(self, email_messages):
        rows = []
        for message in email_messages:
            raw = wire_bytes(message)
            mime = BytesHeaderParser().parsebytes(raw)
            rows.append(
                OutboxMessage(
                    sender=message.from_email,
                    # Bare addresses: display names are in the raw message already.
                    recipients=", ".join(parseaddr(r)[1] for r in message.recipients()),
                    subject=" ".join(decoded_header(mime.get("Subject")).split())[:998],
                    message_id=str(mime.get("Message-ID", ""))[:255],
                    raw=raw,
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)


class SmtpBackend(DjangoSmtpBackend):
    """Django's SMTP backend (connection reuse, TLS), signing each message before it goes."""

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = envelope_address(email_message.from_email, encoding)
        recipients = [envelope_address(a, encoding) for a in email_message.recipients()]
        try:
            raw = wire_bytes(email_message)
            self.connection.sendmail(from_email, recipients, raw)
        except Exception:
            if not self.fail_silently:
                raise
            return False
        return True
