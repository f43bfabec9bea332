"""An e-mail's bytes as they go on the wire, written directly for the shape of our messages.

Every message Comptoir sends is a plain-text body with at most one HTML alternative and no
attachment. Django's `message().as_bytes()` builds a tree of `email` objects and folds every
header through the `email` package's general machinery: at a campaign's pace that costs
more than rendering the message (about 2 ms a message, profiled). Here the same MIME comes
out in one pass: headers in RFC 2047 encoded words only when they are not ASCII, bodies in
quoted-printable (7-bit safe, so a relay has no reason to re-encode them and break a DKIM
body hash). Any other shape (attachments, several alternatives, another charset, an address
that is not ASCII) goes through Django unchanged.
"""

import base64
import binascii
import re
import secrets
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMessage

ADDRESS_HEADERS = {"from", "to", "cc", "reply-to"}
# RFC 5322 asks for lines of at most 78 characters; an encoded word is at most 75.
FOLD_AT = 78
# Bytes of UTF-8 per encoded word: 39 give 52 characters of base64, 64 with the markers,
# so that the first word still fits on the header's first line.
ENCODED_CHUNK = 39


def message_bytes(message: EmailMessage) -> bytes:
    """`message` in MIME, CRLF line ends, exactly as it is handed to the server."""
    raw = _direct(message)
    if raw is None:
        raw = message.message().as_bytes(linesep="\r\n")
    return raw


def _simple(message: EmailMessage) -> bool:
    alternatives = getattr(message, "alternatives", [])
    return (
        not message.attachments
        and (message.encoding or settings.DEFAULT_CHARSET).lower() in ("utf-8", "utf8")
        and message.content_subtype == "plain"
        and len(alternatives) <= 1
        and all(mimetype == "text/html" and isinstance(c, str) for c, mimetype in alternatives)
        and isinstance(message.body, str)
    )


def _direct(message: EmailMessage) -> bytes | None:
    if not _simple(message):
        return None
    extra = {name.lower(): (name, value) for name, value in message.extra_headers.items()}
    headers = [("MIME-Version", "1.0")]
    subject = message.subject
    headers.append(("Subject", subject))
    headers.append(("From", extra.pop("from", (None, message.from_email))[1]))
    if message.to:
        headers.append(("To", extra.pop("to", (None, ", ".join(map(str, message.to))))[1]))
    if message.cc:
        headers.append(("Cc", ", ".join(map(str, message.cc))))
    if message.reply_to:
        headers.append(("Reply-To", ", ".join(map(str, message.reply_to))))
    if "date" not in extra:
        headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    if "message-id" not in extra:
        headers.append(("Message-ID", make_msgid(domain=_dns_name())))
    headers.extend(extra.values())
    try:
        head = [_header(name, str(value)) for name, value in headers]
    except _NotAscii:
        return None
    plain = _part("plain", message.body)
    if not message.alternatives:
        return b"".join(head) + plain
    boundary = "=_" + secrets.token_hex(16)
    delimiter = f"--{boundary}\r\n".encode()
    # As Django does, an empty text body leaves the HTML alone in the alternative.
    parts = [plain] if message.body else []
    parts.append(_part("html", message.alternatives[0][0]))
    return b"".join(
        (
            _header("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
            *head,
            b"\r\n",
            *(delimiter + part + b"\r\n" for part in parts),
            f"--{boundary}--\r\n".encode(),
        )
    )


def _dns_name() -> str:
    from django.core.mail.utils import DNS_NAME

    return str(DNS_NAME)


class _NotAscii(Exception):
    """An address Comptoir cannot write without SMTPUTF8: Django's path handles it."""


def _part(subtype: str, text: str) -> bytes:
    """One text part with its own headers, quoted-printable unless it is short ASCII."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    data = lines.encode("utf-8")
    if data.isascii() and all(len(line) <= 998 for line in lines.split("\n")):
        encoding, body = "7bit", data
    else:
        encoding, body = "quoted-printable", binascii.b2a_qp(data, istext=True)
    body = body.replace(b"\n", b"\r\n")
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode() + body


def _header(name: str, value: str) -> bytes:
    if "\n" in value or "\r" in value:
        # Django refuses these too: a line break in a header is a header injection.
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name!r})")
    if name.lower() in ADDRESS_HEADERS:
        value = _addresses(value)
    elif not value.isascii():
        value = _encoded_words(value)
    return _fold(f"{name}: {value}").encode("ascii") + b"\r\n"


# The shapes `formataddr` writes for a contact (`Name <a@b>`, a bare `a@b`, an encoded-word
# name), with nothing a parser could read two ways: no quotes, comments, groups or dots in
# the name, single spaces between its words. Anything else goes through `getaddresses`.
_ATOM = r'[^\s"<>\\,;:@()\[\].]+'
_ADDR_SPEC = r'[^\s"<>\\,;:@()\[\]]+@[^\s"<>\\,;:@()\[\]]+'
_PLAIN_ADDRESS = re.compile(
    rf"(?:(?P<display>{_ATOM}(?: {_ATOM})*) <(?P<address>{_ADDR_SPEC})>|(?P<bare>{_ADDR_SPEC}))"
)


def _plain(value: str) -> tuple[str, str] | None:
    found = _PLAIN_ADDRESS.fullmatch(value)
    return None if found is None else (found["display"] or "", found["address"] or found["bare"])


def split_address(value: str) -> tuple[str, str]:
    """(display name, address) of one address: what `parseaddr` answers, without its cost
    (a tenth of a millisecond a parse, four parses a message) for the shapes we write."""
    return _plain(value) or parseaddr(value)


def _address_list(value: str) -> list[tuple[str, str]]:
    plain = _plain(value)
    return getaddresses([value]) if plain is None else [plain]


@lru_cache(maxsize=1024)  # the From and Reply-To of a campaign are the same every time
def _addresses(value: str) -> str:
    written = []
    for display, address in _address_list(value):
        if not address.isascii():
            raise _NotAscii(address)
        if not display:
            written.append(address)
        elif display.isascii():
            quoted = display.replace("\\", "\\\\").replace('"', '\\"')
            written.append(
                f'"{quoted}" <{address}>' if _needs_quotes(display) else f"{display} <{address}>"
            )
        else:
            written.append(f"{_encoded_words(display)} <{address}>")
    return ", ".join(written)


def _needs_quotes(display: str) -> bool:
    return any(c in display for c in '()<>[]:;@\\,."')


def _encoded_words(text: str) -> str:
    """RFC 2047 base64 words of at most 75 characters, never splitting a character."""
    words, chunk, size = [], [], 0
    for char in text:
        length = len(char.encode("utf-8"))
        if size + length > ENCODED_CHUNK:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += length
    words.append("".join(chunk))
    return " ".join(
        "=?utf-8?b?" + base64.b64encode(word.encode("utf-8")).decode("ascii") + "?="
        for word in words
    )


def _fold(line: str) -> str:
    """Fold a header line at spaces so that no line is longer than 78 characters (when a
    space allows it: a long word, such as a URL, stays whole, as RFC 5322 permits)."""
    if len(line) <= FOLD_AT:
        return line
    name, *words = line.split(" ")
    # Never right after the name: a parser would keep the fold's space in the value.
    out, current = [], f"{name} {words.pop(0)}" if words else name
    for word in words:
        if len(current) + 1 + len(word) > FOLD_AT:
            out.append(current)
            current = " " + word
        else:
            current = f"{current} {word}"
    out.append(current)
    return "\r\n".join(out)
