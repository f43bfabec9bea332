"""Which column of a file holds which contact field (X1): the fields an import can fill,
the column names that Square, Shopify, Squarespace, Mailchimp and our own export use for
them (see FORMATS.md and EXPORT-COLUMNS.md), and the consent words those files write.

Column names are matched loosely (case, accents, spaces and punctuation ignored), since
the same export comes out of different versions and languages of each tool.
"""

import functools
import re

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.contacts.normalize import fold

ADDRESS_PARTS = {
    "name": _("name"),
    "line1": _("address line 1"),
    "line2": _("address line 2"),
    "city": _("city"),
    "postal_code": _("postal code"),
    "region": _("region"),
    "country": _("country"),
    "phone": _("phone"),
}

# The contact fields a column can fill, in the order the mapping page shows them.
FIELDS = {
    "email": _("E-mail address"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "phone": _("Phone"),
    "company": _("Company"),
    "language": _("Language"),
    "tags": _("Tags"),
    "consent": _("E-mail subscription status"),
    "unsubscribed": _("Unsubscribed (yes/no)"),
    "has_account": _("Has a customer account"),
    "created_at": _("Created at"),
    # Kept as an internal note marked "imported" (C8): Square's Memo, Shopify's Note.
    "note": _("Internal note"),
    # Square's own id of the customer, which its sales exports name instead of the e-mail
    # address: kept so that an orders import of Square finds the contact (transfer.orders).
    "store_customer_id": _("Customer ID in Square (to match its sales exports)"),
    **{
        f"shipping_{part}": format_lazy(_("Shipping address: {part}"), part=label)
        for part, label in ADDRESS_PARTS.items()
    },
    **{
        f"billing_{part}": format_lazy(_("Billing address: {part}"), part=label)
        for part, label in ADDRESS_PARTS.items()
    },
}

PRESETS = ("square", "shopify", "squarespace", "mailchimp", "generic")

# Our own export (EXPORT-COLUMNS.md), then the names people type in spreadsheets.
_GENERIC = {
    "email": ["Email", "E-mail", "Email address", "Adresse e-mail", "Adresse email", "Courriel"],
    "first_name": ["First name", "Prénom", "Firstname", "Given name"],
    "last_name": ["Last name", "Nom", "Nom de famille", "Surname", "Lastname", "Family name"],
    "phone": ["Phone", "Téléphone", "Tel", "Tél", "Phone number", "Mobile", "Portable"],
    "company": ["Company", "Société", "Entreprise", "Company name"],
    "language": ["Language", "Langue"],
    "tags": ["Tags", "Étiquettes", "Etiquettes"],
    "consent": [
        "Email subscription status",
        "Statut d'abonnement",
        "Consentement",
        "Accepts email marketing",
        "Accepts marketing",
        "Newsletter",
    ],
    "has_account": ["Has account", "Compte client"],
    "created_at": ["Created at", "Créé le", "Date de création"],
    "note": ["Note", "Notes", "Remarque", "Remarques", "Commentaire"],
    **{
        f"{kind}_{key}": [f"{kind.title()} {label}"]
        for kind in ("shipping", "billing")
        for key, label in {
            "name": "name",
            "line1": "address 1",
            "line2": "address 2",
            "city": "city",
            "postal_code": "postal code",
            "region": "region",
            "country": "country",
            "phone": "phone",
        }.items()
    },
}

_SQUARESPACE_ADDRESS = {
    "name": ["Name"],
    "line1": ["Address 1", "Address Line 1", "Address"],
    "line2": ["Address 2", "Address Line 2"],
    "city": ["City"],
    "postal_code": ["Zip", "Postal Code", "Zip Code"],
    "region": ["State", "Province", "Region", "State/Province"],
    "country": ["Country"],
    "phone": ["Phone", "Phone Number"],
}

_ALIASES = {
    "square": {
        "email": ["Email Address"],
        "first_name": ["First Name"],
        "last_name": ["Last Name"],
        "phone": ["Phone Number"],
        "company": ["Company Name"],
        "consent": ["Email Subscription Status"],
        "unsubscribed": ["Email Unsubscribed"],
        # Square's customer groups ("VIP, Newsletter") are what tags are here.
        "tags": ["Groups"],
        "note": ["Memo"],
        "store_customer_id": ["Square Customer ID"],
        # A Square customer's one address is their own: the billing one.
        "billing_line1": ["Street Address 1"],
        "billing_line2": ["Street Address 2"],
        "billing_city": ["City"],
        "billing_region": ["State"],
        "billing_postal_code": ["Postal Code"],
    },
    "shopify": {
        "email": ["Email"],
        "first_name": ["First Name"],
        "last_name": ["Last Name"],
        "phone": ["Phone", "Default Address Phone"],
        "company": ["Company", "Default Address Company"],
        "consent": ["Accepts Email Marketing", "Accepts Marketing"],
        "tags": ["Tags"],
        "note": ["Note"],
        # Shopify's default address is where orders are shipped.
        "shipping_line1": ["Address1", "Default Address Address1"],
        "shipping_line2": ["Address2", "Default Address Address2"],
        "shipping_city": ["City", "Default Address City"],
        "shipping_region": ["Province Code", "Province", "Default Address Province Code"],
        "shipping_country": ["Country Code", "Country", "Default Address Country Code"],
        "shipping_postal_code": ["Zip", "Default Address Zip"],
        "shipping_phone": ["Default Address Phone"],
    },
    "squarespace": {
        "email": ["Email", "Email Address"],
        "first_name": ["First Name"],
        "last_name": ["Last Name"],
        "phone": ["Billing Phone", "Billing Phone Number", "Shipping Phone", "Phone"],
        "tags": ["Tags"],
        "consent": ["Accepts Marketing", "Subscribed"],
        **{
            f"{kind}_{key}": [f"{kind.title()} {name}" for name in names]
            for kind in ("shipping", "billing")
            for key, names in _SQUARESPACE_ADDRESS.items()
        },
    },
    "mailchimp": {
        "email": ["Email Address", "Email"],
        "first_name": ["First Name", "FNAME"],
        "last_name": ["Last Name", "LNAME"],
        "phone": ["Phone Number", "PHONE"],
        "company": ["Company", "COMPANY"],
        "tags": ["TAGS"],
        "language": ["LANGUAGE"],
    },
    "generic": _GENERIC,
}

# Words of the consent columns of the tools above, folded (see `key`), and what they mean:
# "subscribed", "unsubscribed", "cleaned" (bounced: suppressed) or "" (no marketing consent).
CONSENT_WORDS = {
    **dict.fromkeys(
        [
            "subscribed",
            "yes",
            "y",
            "true",
            "1",
            "oui",
            "o",
            "x",
            "abonne",
            "abonnee",
            "inscrit",
            "inscrite",
            "opted in",
            "opt in",
            "single opt in",
            "confirmed opt in",
        ],
        "subscribed",
    ),
    **dict.fromkeys(
        [
            "unsubscribed",
            "desabonne",
            "desabonnee",
            "desinscrit",
            "desinscrite",
            "opted out",
            "opt out",
        ],
        "unsubscribed",
    ),
    **dict.fromkeys(["cleaned", "bounced", "hard bounce", "bounce"], "cleaned"),
    **dict.fromkeys(
        [
            "",
            "no",
            "n",
            "false",
            "0",
            "non",
            "not subscribed",
            "never subscribed",
            "pending",
            "transactional",
            "archived",
            "redacted",
            "invalid",
            "unknown",
            "none",
        ],
        "",
    ),
}
YES_WORDS = {"yes", "y", "true", "1", "oui", "o", "x"}
NO_WORDS = {"", "no", "n", "false", "0", "non"}


@functools.lru_cache(maxsize=4096)
def key(text: str) -> str:
    """A column name or a word as compared: "E-mail Address" -> "e mail address"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text or "")).split())


def detect_preset(header: list[str]) -> str:
    """The tool that most likely wrote a file, from its column names."""
    keys = {key(name) for name in header}
    if {"email subscription status", "has account"} <= keys:
        return "generic"  # our own export (EXPORT-COLUMNS.md)
    if keys & {"leid", "euid", "member rating", "optin time"}:
        return "mailchimp"
    if keys & {"square customer id", "reference id"}:
        return "square"
    if keys & {"accepts email marketing", "accepts marketing", "default address address1"}:
        return "shopify"
    if {"total order count", "customer since"} <= keys or "billing name" in keys:
        return "squarespace"
    return "generic"


def guess_mapping(header: list[str], preset: str) -> dict[str, str]:
    """Field -> column for the columns recognised: the preset's names first, then the
    generic ones (a Shopify file may have a column someone added by hand)."""
    columns = {}
    for name in header:
        columns.setdefault(key(name), name)
    mapping = {}
    for aliases in (_ALIASES[preset], _GENERIC):
        for field, names in aliases.items():
            if field in mapping:
                continue
            for name in names:
                if key(name) in columns:
                    mapping[field] = columns[key(name)]
                    break
    return mapping


def file_consent(header: list[str], preset: str) -> str:
    """The consent state of every row of a file whose state is the file itself: Mailchimp
    exports one file per audience status, told apart by their extra columns."""
    if preset != "mailchimp":
        return ""
    keys = {key(name) for name in header}
    if "clean time" in keys:
        return "cleaned"
    if "unsub time" in keys:
        return "unsubscribed"
    return "subscribed"
