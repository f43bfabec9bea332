"""How contact details are normalised and made searchable (C1, C2, C9).

Everything that writes a contact (the services here, order ingestion, imports) goes through
these functions, so that one address is one contact and search behaves the same on SQLite and
PostgreSQL, whose own case- and accent-folding differ.
"""

import functools
import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# The region assumed for numbers written without an international prefix ("06 12 34 56 78").
# Workspaces have no country yet; the merchants Comptoir is written for are French.
DEFAULT_PHONE_REGION = "FR"

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d"})
_PHONE_LIKE = re.compile(r"^[\d\s+().\-/]+$")
# A French number written the usual ways ("06 12 34 56 78", "+33 6.12.34.56.78"), once its
# spaces and dots are taken out: the national significant number is the 9 digits.
_FRENCH_NUMBER = re.compile(r"(?:\+33|0)([1-9]\d{8})")


class InvalidEmail(ValueError):
    pass


class InvalidPhone(ValueError):
    pass


def clean_line(text: str | None) -> str:
    """One line of text as stored: control characters dropped (PostgreSQL refuses NUL in
    text), runs of white space collapsed, trimmed."""
    text = text or ""
    if not text.isprintable():  # printable text, nearly every line, has no control character
        text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(text.split())


def clean_text(text: str | None) -> str:
    """Multi-line text (a note): line breaks and tabs kept, other control characters
    dropped, trimmed."""
    keep = {"\n", "\t"}
    text = (text or "").replace("\r\n", "\n")
    return "".join(c for c in text if c in keep or unicodedata.category(c) != "Cc").strip()


def fold(text: str) -> str:
    """Lower-cased, accents stripped: "Zoé ÉLOÏSE" -> "zoe eloise"."""
    if text.isascii():
        # Nothing to decompose or strip (casefold is lower for ASCII): most addresses, and
        # most names in a file of a million.
        return text.lower()
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_email(raw: str | None) -> str:
    """The stored form of an address: trimmed, domain lower-cased, local part kept as typed.

    Returns "" for an empty value; raises InvalidEmail for something that is not an address.
    """
    address = (raw or "").strip()
    if not address:
        return ""
    if address != clean_line(address):
        raise InvalidEmail(address)
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail(address)
    address = f"{local}@{domain.lower()}"
    error = _address_error(address)
    if error is not None:
        raise InvalidEmail(error)
    return address


@functools.lru_cache(maxsize=8192)
def _address_error(address: str) -> str | None:
    """Why email_validator refuses `address` (no DNS look-up: the answer never changes), or
    None. Cached: a shop's orders name the same people again and again (a batch of orders,
    an import), and the check cost more than the rest of an order's cleaning."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def email_key(email: str) -> str:
    """What makes two addresses the same contact: the whole address, lower-cased.

    RFC 5321 lets the local part be case-sensitive, but no real mailbox is, and merchants
    expect "Zoe@Example.com" and "zoe@example.com" to be one customer.
    """
    return email.strip().lower()


def normalize_phone(raw: str | None, region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164 ("+33612345678") when the number can be understood, else the trimmed text.

    Numbers from tills and old spreadsheets are kept even when they are not valid for any
    country; text with no digit at all is refused.
    """
    text = clean_line(raw)
    if not text:
        return ""
    if not any(char.isdigit() for char in text):
        raise InvalidPhone(text)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text[:32]
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text[:32]


def phone_with_digit_forms(
    raw: str | None, region: str = DEFAULT_PHONE_REGION
) -> tuple[str, list[str]]:
    """`normalize_phone(raw)` and the `phone_digit_forms` of what it returns, in one go.

    The same answers (tests/contacts/test_normalize_phone_forms.py holds them side by side
    over generated numbers), for a fraction of the cost where an import reads a million
    numbers: a French number written the usual way needs no parsing at all (every French
    national number is 9 digits after the 0 or +33, written 0 + those 9 digits nationally),
    and any other number is parsed once instead of twice.
    """
    text = clean_line(raw)
    if not text:
        return "", []
    if region == "FR":
        french = _FRENCH_NUMBER.fullmatch(text.replace(" ", "").replace(".", ""))
        if french:
            national = french[1]
            return f"+33{national}", [f"33{national}", f"0{national}"]
    if not any(char.isdigit() for char in text):
        raise InvalidPhone(text)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        return text[:32], phone_digit_forms(text[:32], region)
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension or number.italian_leading_zero:
        # E.164 drops the extension, and may not keep a run of leading zeros as parsed
        # ("0098000000": four, read back as three): the stored number is what search reads
        # back, so its forms come from it.
        return stored, phone_digit_forms(stored, region)
    return stored, _digit_forms(stored, number)


def phone_digit_forms(phone: str, region: str = DEFAULT_PHONE_REGION) -> list[str]:
    """The digit strings a person may type to find this number: international and national."""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        number = None
    return _digit_forms(phone, number)


def _digit_forms(phone: str, number: phonenumbers.PhoneNumber | None) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    forms = [digits] if digits else []
    if number is None:
        return forms
    national = re.sub(
        r"\D", "", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    )
    if national and national not in forms:
        forms.append(national)
    return forms


def display_name(*, first_name: str, last_name: str, email: str, phone: str) -> str:
    """What the directory shows for a contact, and what "sort by name" sorts on."""
    return " ".join(f"{first_name} {last_name}".split()) or email or phone


def search_text(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    phone_forms: list[str] | None = None,
) -> str:
    """The folded text that `q` searches: names, address and the phone's digit forms
    (`phone_forms` when the caller has them already, from `phone_with_digit_forms`)."""
    if phone_forms is None:
        phone_forms = phone_digit_forms(phone)
    parts = [fold(first_name), fold(last_name), fold(email), *phone_forms]
    return " ".join(part for part in (" ".join(p.split()) for p in parts) if part)


def search_terms(query: str) -> list[str]:
    """The folded terms of a search box entry; every one must appear in `search_text`.

    Any part of an address is a term like a name ("camille.mar", "zoe@ex", "gmail.com",
    "@page.example"): the trigram index finds a substring anywhere as fast as a prefix
    (bench/results/contacts_list-domain-search-*.md). A phone number typed with spaces or
    dots is one term of digits.
    """
    query = clean_line(query)
    if not query:
        return []
    if _PHONE_LIKE.match(query) and any(char.isdigit() for char in query):
        return [re.sub(r"\D", "", query)]
    return fold(query).split()


def tag_name(raw: str) -> str:
    """A tag as displayed: trimmed, inner runs of spaces collapsed."""
    return clean_line(raw)


def tag_key(name: str) -> str:
    """What makes two tags the same: "VIP" and "vip" are one tag."""
    return tag_name(name).lower()
