"""Optional DKIM signing of outgoing mail, over the exact bytes that are sent.

Configured by COMPTOIR_DKIM_DOMAIN, COMPTOIR_DKIM_SELECTOR and COMPTOIR_DKIM_KEY_FILE (a PEM
RSA private key). The signature covers the List-Unsubscribe headers too, as Gmail and Yahoo
expect of bulk senders: a relay cannot swap the unsubscribe link without breaking it.
"""

from functools import lru_cache
from pathlib import Path

import dkim
from django.conf import settings

SIGNED_HEADERS = [
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"MIME-Version",
    b"Content-Type",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
]


@lru_cache(maxsize=4)
def _key(path: str) -> bytes:
    return Path(path).read_bytes()


def dkim_sign(raw: bytes) -> bytes:
    """`raw` with a DKIM-Signature header first, or unchanged when DKIM is not configured."""
    domain = getattr(settings, "COMPTOIR_DKIM_DOMAIN", "")
    if not domain:
        return raw
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    present = {line.split(b":", 1)[0].strip().lower() for line in head if b":" in line}
    headers = [name for name in SIGNED_HEADERS if name.lower() in present]
    signature = dkim.sign(
        raw,
        settings.COMPTOIR_DKIM_SELECTOR.encode(),
        domain.encode(),
        _key(settings.COMPTOIR_DKIM_KEY_FILE),
        include_headers=headers,
    )
    return signature + raw
