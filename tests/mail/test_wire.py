"""The bytes of a message as they leave (mail/wire.py) say what Django's MIME would say, in
7-bit lines a relay leaves alone, and our DKIM signature verifies with dkimpy."""

import base64
import email
import email.policy

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.mail import BadHeaderError, EmailMessage, EmailMultiAlternatives
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from comptoir.mail import dkim as comptoir_dkim
from comptoir.mail.backends import wire_bytes
from comptoir.mail.wire import message_bytes, split_address

# Printable text a merchant may type, accents, emoji and long words included; no line
# breaks in headers (a test below shows those are refused).
header_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029\x85"),
    max_size=150,
)
body_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x0b\x0c\x1c\x1d\x1e"),
    max_size=3000,
)
names = st.text(
    st.characters(whitelist_categories=("L", "Zs", "Pd", "Po")), min_size=0, max_size=60
).map(str.strip)


local_parts = st.text(
    st.characters(whitelist_categories=("L", "N"), whitelist_characters=".-_+'", max_codepoint=127),
    min_size=1,
    max_size=20,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(name=names, local=local_parts, raw=header_text)
def test_the_quick_address_reading_reads_as_parseaddr_does(name, local, raw):
    """The envelope and the To header read an address without the `email` package's
    parser for the shapes a contact's address takes; they must read what it reads."""
    from email.utils import formataddr, parseaddr

    written = formataddr((name, f"{local}@example.com"))
    for value in (written, f"{local}@example.com", raw):
        assert split_address(value) == parseaddr(value), value


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def a_message(subject, name, plain, html, **extra) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=plain,
        from_email="L’Épicerie <news@epicerie.example>",
        to=[email.utils.formataddr((name, "zoe@example.com"))],
        reply_to=["bonjour@epicerie.example"],
        headers={"Message-ID": "<abc@epicerie.example>", **extra},
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message


def same_reading(ours: bytes, djangos: bytes) -> None:
    mine, theirs = parsed(ours), parsed(djangos)
    for header in ("Subject", "From", "To", "Reply-To", "Message-ID", "List-Unsubscribe"):
        # Spaces at either end of a header are not kept by every parser: not compared.
        assert str(mine[header] or "").strip() == str(theirs[header] or "").strip(), header
    for kind in ("plain", "html"):
        part, reference = (m.get_body(preferencelist=(kind,)) for m in (mine, theirs))
        assert (part is None) == (reference is None)
        if part is not None:
            assert part.get_content() == reference.get_content()


@hypothesis_settings(max_examples=150, deadline=None)
@given(subject=header_text, name=names, plain=body_text, html=st.none() | body_text)
def test_the_bytes_read_as_djangos_mime_reads(subject, name, plain, html):
    message = a_message(subject, name, plain, html)
    ours = message_bytes(message)
    same_reading(ours, message.message().as_bytes(linesep="\r\n"))
    assert ours.isascii()  # 7 bits: no relay has a reason to re-encode it
    for line in ours.split(b"\r\n"):
        assert len(line) <= 998
    head = ours.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        # A header line longer than 78 characters holds a single word that cannot fold.
        word = line.strip().split(b": ", 1)[-1]
        assert len(line) <= 78 or b" " not in word


def test_a_long_unsubscribe_header_folds_and_keeps_its_link_whole():
    link = "https://comptoir.example/u/" + "A" * 120 + "/"
    message = a_message("Soldes", "Zoé", "Bonjour", "<p>Bonjour</p>")
    message.extra_headers["List-Unsubscribe"] = f"<{link}>"
    raw = message_bytes(message)
    assert parsed(raw)["List-Unsubscribe"].strip() == f"<{link}>"
    assert f"<{link}>".encode() in raw


def test_a_line_break_in_a_header_is_refused_as_django_refuses_it():
    with pytest.raises(BadHeaderError):
        message_bytes(a_message("Soldes\nBcc: everyone@example.com", "Zoé", "x", None))


def test_a_message_with_an_attachment_takes_djangos_path():
    message = EmailMessage("Facture", "Ci-joint", "news@epicerie.example", ["zoe@example.com"])
    message.attach("facture.txt", "Total : 12 €", "text/plain")
    attachment = next(parsed(message_bytes(message)).iter_attachments())
    assert attachment.get_filename() == "facture.txt"
    assert attachment.get_content() == "Total : 12 €"


# ------------------------------------------------------------------------ DKIM


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("dkim") / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        return record if name == b"shop2026._domainkey.epicerie.example." else None

    return path, dns


@pytest.fixture
def signing(settings, key_pair):
    path, dns = key_pair
    settings.COMPTOIR_DKIM_DOMAIN = "epicerie.example"
    settings.COMPTOIR_DKIM_SELECTOR = "shop2026"
    settings.COMPTOIR_DKIM_KEY_FILE = str(path)
    return dns


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(subject=header_text, name=names, plain=body_text, html=st.none() | body_text)
def test_every_signature_verifies_with_dkimpy(signing, subject, name, plain, html):
    raw = wire_bytes(a_message(subject, name, plain, html, **{"List-Unsubscribe-Post": "x=y"}))
    assert dkim.verify(raw, dnsfunc=signing)


def test_a_changed_body_or_subject_breaks_the_signature(signing):
    raw = wire_bytes(a_message("Soldes d’hiver", "Zoé", "Bonjour Zoé,\n\n-20 %", "<p>-20 %</p>"))
    assert dkim.verify(raw, dnsfunc=signing)
    assert not dkim.verify(raw.replace(b"-20 %", b"-90 %"), dnsfunc=signing)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert not dkim.verify(head + b"\r\nSubject: autre" + b"\r\n\r\n" + body, dnsfunc=signing)


def test_whitespace_a_relay_may_change_does_not_break_it(signing):
    raw = wire_bytes(a_message("Soldes", "Zoé", "Bonjour", None))
    head, _, body = raw.partition(b"\r\n\r\n")
    # relaxed/relaxed: a relay that adds spaces or empty lines at the end changes nothing.
    relayed = head.replace(b"Subject: Soldes", b"Subject:   Soldes ") + b"\r\n\r\n" + body
    assert dkim.verify(relayed + b"\r\n\r\n", dnsfunc=signing)


def test_a_key_that_is_not_rsa_is_refused_clearly(settings, tmp_path):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    path = tmp_path / "ed.pem"
    path.write_bytes(
        ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.COMPTOIR_DKIM_DOMAIN = "epicerie.example"
    settings.COMPTOIR_DKIM_KEY_FILE = str(path)
    with pytest.raises(comptoir_dkim.DkimKeyError, match="not an RSA private key"):
        comptoir_dkim.dkim_sign(b"From: a@epicerie.example\r\n\r\nx\r\n")
