"""Country names for the ISO 3166 codes that stores and imports write (FR, BE, DE…).

Django has no list of countries; `phonenumbers`, already a dependency for phone numbers
and kept up to date with each of its releases, carries the name of every region in many
languages (its geocoder's data). A value that is no known code (a name written out,
"France") is shown as it is.
"""

import functools

from phonenumbers.geodata.locale import LOCALE_DATA


@functools.lru_cache(maxsize=2048)
def country_name(code: str, language: str) -> str:
    """`country_name("DE", "fr")` → "Allemagne"; anything but a known code as given."""
    text = (code or "").strip()
    names = LOCALE_DATA.get(text.upper()) if len(text) == 2 else None
    if not names:
        return text
    lang = (language or "en").split("-")[0].lower()
    name = names.get(lang) or names.get("en") or ""
    # The data shares names between languages: "*fr" means "the same as in French".
    seen = set()
    while name.startswith("*") and name not in seen:
        seen.add(name)
        name = names.get(name[1:], "")
    return name or text
