"""Phone numbers as staff type and read them, in the workspace's country (C11).

Stored and sent by the API in E.164 ("+33612345678"); shown in the dashboard as the
business would write it ("06 12 34 56 78" in France, a foreign number with its country
code). Staff input is validated; numbers arriving from stores and imported files are kept
leniently (normalize.normalize_phone): a till's odd number is not a reason to lose an order.
"""

import contextlib
import functools
import zoneinfo
from importlib import resources
from pathlib import Path

import phonenumbers

from comptoir.contacts.normalize import DEFAULT_PHONE_REGION, InvalidPhone, clean_line
from comptoir.core.models import Workspace


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Time zone → ISO country code, from the tz database's zone.tab."""
    candidates = [Path(folder) / "zone.tab" for folder in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError):  # the tzdata package, where installed
        candidates.insert(0, Path(str(resources.files("tzdata") / "zoneinfo" / "zone.tab")))
    for path in candidates:
        if path.is_file():
            rows = (line.split("\t") for line in path.read_text().splitlines())
            return {row[2]: row[0] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return {}


def workspace_region(workspace: Workspace) -> str:
    """The country whose numbers staff write without a prefix: the one of the workspace's
    time zone (Europe/Paris → FR), France where the zone names no country (UTC)."""
    return _zone_countries().get(workspace.time_zone, DEFAULT_PHONE_REGION)


def phone_validate(raw: str | None, *, region: str) -> str:
    """E.164 of a number typed by staff, "" for nothing; InvalidPhone unless it is a real
    number of `region` (or of another country, written with its code)."""
    text = clean_line(raw)
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(text) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_shown(phone: str, *, region: str) -> str:
    """How the dashboard shows a stored number: national format for a number of `region`,
    international format for another country's, as stored when it cannot be read."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(number):
        return phone
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def contact_title(contact, workspace: Workspace) -> str:
    """`display_name` as the dashboard shows it: a phone-only contact by its number as the
    business writes it ("06 12 34 56 78"), not in E.164."""
    name = contact.display_name
    if contact.phone and name == contact.phone:
        return phone_shown(contact.phone, region=workspace_region(workspace))
    return name


def phone_example(region: str) -> str:
    """A number of `region` as staff would write it, for error messages."""
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if number is None:
        return "+33 6 12 34 56 78"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
