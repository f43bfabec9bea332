"""One row of an import file made into a contact's stored values, or refused with a reason.

Values are normalised exactly as `contacts.services.contact_create` normalises them
(contacts/normalize.py), so that an imported contact is indistinguishable from one created
by hand. Rows without a valid e-mail address are refused: the address is what makes a
second import of the same file update instead of duplicate (C2).
"""

import datetime as dt
import hashlib
import json
import re
import zoneinfo
from typing import NamedTuple

from django.utils.translation import gettext_noop

from comptoir.contacts import normalize
from comptoir.contacts.models import ADDRESS_KEYS, Contact, Tag
from comptoir.transfer.presets import CONSENT_WORDS, NO_WORDS, YES_WORDS, key
from comptoir.transfer.reasons import Reason

# What our export puts before a cell that a spreadsheet would run as a formula
# (EXPORT-COLUMNS.md); the importer takes it off again.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")
_ASCII_LOCAL_PART = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_MAX_LENGTHS = {
    name: Contact._meta.get_field(name).max_length
    for name in ("first_name", "last_name", "company", "language")
}
_TAG_MAX = Tag._meta.get_field("name").max_length
_NOTE_MAX = 10_000  # contacts.services.NOTE_MAX_LENGTH, as a note written by hand
_CUSTOMER_ID_MAX = 100  # transfer.models.StoreCustomerRef.customer_id
_CONSENT_RANK = {"": 0, "subscribed": 1, "unsubscribed": 2, "cleaned": 3}


class RowError(ValueError):
    """Why a row is refused, for the error report: `reason` is stored untranslated."""

    def __init__(self, msgid: str, **params):
        self.reason = Reason(msgid, **params)
        super().__init__(msgid)

    def __str__(self) -> str:
        return str(self.reason)


class StagedRow(NamedTuple):
    """A row as staged: the columns of the staging table, in order."""

    line: int
    email: str
    email_key: str
    email_hash: str
    first_name: str
    last_name: str
    phone: str
    company: str
    language: str
    has_account: bool
    created_at: dt.datetime | None
    shipping: str  # JSON object
    billing: str
    consent: str  # "", subscribed, unsubscribed, cleaned
    tags: str  # JSON list of [key, name]
    name_key: str
    search_text: str
    note: str  # an internal note to add, marked imported ("" for none)
    store_customer_id: str  # Square's id of the customer ("" for none)


def uncell(text: str) -> str:
    return _NEUTRALISED.sub("", text) if text.startswith("'") else text


class EmailNormaliser:
    """`normalize.normalize_email`, with its answer for each domain remembered.

    Validating an address is mostly validating its domain, and a file of a million
    addresses has a few thousand domains. An ASCII dot-atom local part of at most 64
    characters is valid whatever the domain, so for those only the domain is checked (once);
    every other address goes through the full validation.
    """

    MAX_DOMAINS = 50_000

    def __init__(self):
        self._domains: dict[str, bool] = {}

    def __call__(self, raw: str) -> str:
        address = raw.strip()
        local, at, domain = address.rpartition("@")
        if at and len(local) <= 64 and len(address) <= 254 and _ASCII_LOCAL_PART.fullmatch(local):
            domain = domain.lower()
            valid = self._domains.get(domain)
            if valid is None:
                valid = self._domain_valid(domain)
            if valid:
                return f"{local}@{domain}"
        return normalize.normalize_email(address)

    def _domain_valid(self, domain: str) -> bool:
        try:
            normalize.normalize_email(f"a@{domain}")
        except normalize.InvalidEmail:
            valid = False
        else:
            valid = True
        if len(self._domains) < self.MAX_DOMAINS:
            self._domains[domain] = valid
        return valid


class RowParser:
    """Turns the cells of a row into a StagedRow, given which column holds which field."""

    # Answers remembered per distinct value (names, tag cells), up to this many of each.
    MAX_REMEMBERED = 50_000

    def __init__(self, *, header: list[str], mapping: dict[str, str], file_consent: str, tz: str):
        index = {}
        for position, name in enumerate(header):
            index.setdefault(name, position)
        self.columns = {field: index[column] for field, column in mapping.items()}
        self.address_parts = {
            kind: [part for part in ADDRESS_KEYS if f"{kind}_{part}" in self.columns]
            for kind in ("shipping", "billing")
        }
        self.file_consent = file_consent
        self.tz = zoneinfo.ZoneInfo(tz)
        self.email = EmailNormaliser()
        self._folded: dict[str, str] = {}
        self._tag_cells: dict[str, str] = {}

    def _cell(self, cells: list[str], field: str) -> str:
        position = self.columns.get(field)
        if position is None or position >= len(cells):
            return ""
        return uncell(cells[position])

    def _text(self, cells: list[str], field: str) -> str:
        value = normalize.clean_line(self._cell(cells, field))
        limit = _MAX_LENGTHS.get(field)
        if limit and len(value) > limit:
            raise RowError(
                gettext_noop("%(field)s is longer than %(max)d characters."), field=field, max=limit
            )
        return value

    def parse(self, line: int, cells: list[str]) -> StagedRow:
        raw_email = self._cell(cells, "email").strip()
        if not raw_email:
            raise RowError(gettext_noop("No e-mail address."))
        try:
            email = self.email(raw_email)
        except normalize.InvalidEmail:
            raise RowError(
                gettext_noop("“%(email)s” is not a valid e-mail address."), email=raw_email[:254]
            ) from None
        raw_phone = self._cell(cells, "phone").lstrip("'")
        try:
            phone, phone_forms = normalize.phone_with_digit_forms(raw_phone)
        except normalize.InvalidPhone:
            raise RowError(
                gettext_noop("“%(phone)s” is not a phone number."), phone=raw_phone[:50]
            ) from None
        first_name = self._text(cells, "first_name")
        last_name = self._text(cells, "last_name")
        email_key = normalize.email_key(email)
        display = normalize.display_name(
            first_name=first_name, last_name=last_name, email=email, phone=phone
        )
        return StagedRow(
            line=line,
            email=email,
            email_key=email_key,
            email_hash=hashlib.sha256(email_key.encode()).hexdigest(),
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            company=self._text(cells, "company"),
            language=self._text(cells, "language"),
            has_account=self._yes_no(cells, "has_account"),
            created_at=self._date(cells, "created_at"),
            shipping=self._address(cells, "shipping"),
            billing=self._address(cells, "billing"),
            consent=self._consent(cells),
            tags=self._tags(cells),
            name_key=self._fold(display)[:310],
            search_text=self._search_text(first_name, last_name, email, email_key, phone_forms),
            note=self._note(cells),
            store_customer_id=self._customer_id(cells),
        )

    def _note(self, cells: list[str]) -> str:
        if "note" not in self.columns:
            return ""
        note = normalize.clean_text(self._cell(cells, "note"))
        if len(note) > _NOTE_MAX:
            raise RowError(
                gettext_noop("The note is longer than %(max)d characters."), max=_NOTE_MAX
            )
        return note

    def _customer_id(self, cells: list[str]) -> str:
        if "store_customer_id" not in self.columns:
            return ""
        value = normalize.clean_line(self._cell(cells, "store_customer_id").lstrip("'"))
        if len(value) > _CUSTOMER_ID_MAX:
            raise RowError(
                gettext_noop("The customer ID is longer than %(max)d characters."),
                max=_CUSTOMER_ID_MAX,
            )
        return value

    def _fold(self, text: str) -> str:
        """`normalize.fold`, remembered for the names that a file repeats."""
        if text.isascii():
            return text.lower()
        folded = self._folded.get(text)
        if folded is None:
            folded = normalize.fold(text)
            if len(self._folded) < self.MAX_REMEMBERED:
                self._folded[text] = folded
        return folded

    def _search_text(
        self, first_name: str, last_name: str, email: str, email_key: str, phone_forms: list[str]
    ) -> str:
        """`normalize.search_text`, with the names' folding remembered and the phone's digit
        forms already known; an ASCII address folds to its key (its lower case)."""
        folded_email = email_key if email.isascii() else normalize.fold(email)
        parts = [self._fold(first_name), self._fold(last_name), folded_email, *phone_forms]
        return " ".join(part for part in (" ".join(p.split()) for p in parts) if part)

    def _yes_no(self, cells: list[str], field: str) -> bool:
        word = key(self._cell(cells, field))
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise RowError(
            gettext_noop("“%(value)s” is neither yes nor no."), value=self._cell(cells, field)[:50]
        )

    def _consent(self, cells: list[str]) -> str:
        state = self.file_consent
        if "consent" in self.columns:
            raw = self._cell(cells, "consent")
            if key(raw) not in CONSENT_WORDS:
                raise RowError(
                    gettext_noop("“%(value)s” is not a known e-mail subscription status."),
                    value=raw[:50],
                )
            state = CONSENT_WORDS[key(raw)]
        if "unsubscribed" in self.columns and self._yes_no(cells, "unsubscribed"):
            # A file that says both: the safe side wins.
            state = max(state, "unsubscribed", key=_CONSENT_RANK.__getitem__)
        return state

    def _date(self, cells: list[str], field: str) -> dt.datetime | None:
        raw = self._cell(cells, field).strip()
        if not raw:
            return None
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise RowError(
                gettext_noop(
                    "“%(value)s” is not a date (write 2026-11-23 or 2026-11-23T14:30:00+01:00)."
                ),
                value=raw[:50],
            ) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)
        return value

    def _address(self, cells: list[str], kind: str) -> str:
        mapped = self.address_parts[kind]
        if not mapped:
            return "{}"
        parts = {part: normalize.clean_line(self._cell(cells, f"{kind}_{part}")) for part in mapped}
        return json.dumps({part: text for part, text in parts.items() if text}, ensure_ascii=False)

    def _tags(self, cells: list[str]) -> str:
        """The row's tags as staged; a file repeats the same few combinations of tags, so
        each cell's answer is remembered."""
        cell = self._cell(cells, "tags")
        staged = self._tag_cells.get(cell)
        if staged is None:
            staged = self._parse_tags(cell)
            if len(self._tag_cells) < self.MAX_REMEMBERED:
                self._tag_cells[cell] = staged
        return staged

    def _parse_tags(self, cell: str) -> str:
        tags: dict[str, str] = {}
        for piece in cell.split(","):
            # Mailchimp writes its tags quoted: "VIP","Newsletter".
            name = normalize.tag_name(piece.strip().strip('"'))
            if not name:
                continue
            if len(name) > _TAG_MAX:
                raise RowError(
                    gettext_noop("The tag “%(tag)s…” is longer than %(max)d characters."),
                    tag=name[:20],
                    max=_TAG_MAX,
                )
            tags.setdefault(normalize.tag_key(name), name)
        return json.dumps([[tag_key, name] for tag_key, name in tags.items()], ensure_ascii=False)
