"""Optional DKIM signing of outgoing mail (RFC 6376), over the exact bytes that are sent.

Configured by COMPTOIR_DKIM_DOMAIN, COMPTOIR_DKIM_SELECTOR and COMPTOIR_DKIM_KEY_FILE (a PEM
RSA private key). The signature covers the List-Unsubscribe headers too, as Gmail and Yahoo
expect of bulk senders: a relay cannot swap the unsubscribe link without breaking it.

Written here rather than through dkimpy because dkimpy computes RSA in pure Python: 10 ms
a message, which capped a campaign at under 100 messages a second. The canonicalisation
(relaxed/relaxed) is a few lines; the RSA signature is OpenSSL's, through `cryptography`
(0.5 ms). The tests verify every signature with dkimpy, an independent implementation.
"""

import base64
import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

SIGNED_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
]
_SPACES = re.compile(rb"[ \t]+")
_FOLDS = re.compile(rb"\r\n(?=[ \t])")
_TRAILING = re.compile(rb"[ \t]+\r\n")
_HEADER_LINES = re.compile(rb"\r\n(?![ \t])")


class DkimKeyError(ValueError):
    pass


@lru_cache(maxsize=4)
def _key(path: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DkimKeyError(f"{path} is not an RSA private key: DKIM signing needs one")
    return key


def _relaxed_body(body: bytes) -> bytes:
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"  # a last line without its line break is read as if it had one
    body = _TRAILING.sub(b"\r\n", _SPACES.sub(b" ", body)).rstrip(b"\r\n")
    return body + b"\r\n" if body else b""


def _relaxed_header(name: bytes, value: bytes) -> bytes:
    value = _SPACES.sub(b" ", _FOLDS.sub(b"", value)).strip(b" ")
    return name.strip().lower() + b":" + value


def _headers(head: bytes) -> list[tuple[bytes, bytes]]:
    """(name, raw value with its folds) of each header, in order."""
    fields = []
    for line in _HEADER_LINES.split(head):
        if b":" in line:
            name, value = line.split(b":", 1)
            fields.append((name, value))
    return fields


def dkim_sign(raw: bytes) -> bytes:
    """`raw` with a DKIM-Signature header first, or unchanged when DKIM is not configured."""
    domain = getattr(settings, "COMPTOIR_DKIM_DOMAIN", "")
    if not domain:
        return raw
    head, _, body = raw.partition(b"\r\n\r\n")
    fields = _headers(head)
    # The last instance of each signed header is the one signed (RFC 6376, 5.4.2); ours
    # appear once each.
    latest = {name.strip().lower(): (name, value) for name, value in fields}
    signed = [name for name in SIGNED_HEADERS if name.lower().encode() in latest]
    body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode()
    tags = (
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; "
        f"s={settings.COMPTOIR_DKIM_SELECTOR}; t={int(time.time())};\r\n"
        f" h={':'.join(signed)};\r\n bh={body_hash};\r\n b="
    )
    data = b"".join(
        _relaxed_header(*latest[name.lower().encode()]) + b"\r\n" for name in signed
    ) + _relaxed_header(b"DKIM-Signature", b" " + tags.encode())
    signature = _key(settings.COMPTOIR_DKIM_KEY_FILE).sign(
        data, padding.PKCS1v15(), hashes.SHA256()
    )
    value = base64.b64encode(signature).decode()
    # Folded in lines of 72: whitespace inside b= is ignored by every verifier.
    folded = "\r\n  ".join(value[i : i + 72] for i in range(0, len(value), 72))
    return f"DKIM-Signature: {tags}{folded}\r\n".encode() + raw
