"""Personalisation tags in a subject, preheader or body: `{{ first_name|default:"ami" }}`.

Django-template style, but a closed little language: a few fields of the contact and a few
filters, nothing that reaches the template engine, so a merchant's text can never run code.
The older form `{{ first_name | ami }}` (the text after a spaced bar is the fallback) still
works. A tag that does not parse is left as written when rendering; `tag_errors` reports it
so that the composer refuses it at save instead of sending a blank to every inbox.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

KNOWN_TAGS = ("first_name", "last_name", "full_name", "email", "company", "business_name")
# Filters without an argument; `default` takes the fallback text in quotes.
_PLAIN_FILTERS = {
    "upper": str.upper,
    "lower": str.lower,
    "capfirst": lambda value: value[:1].upper() + value[1:],
    "title": str.title,
}
KNOWN_FILTERS = ("default", *_PLAIN_FILTERS)

_BRACES = re.compile(r"\{\{|\}\}")
_NAME = re.compile(r"[A-Za-z_]\w*")
_FILTER = re.compile(r"([A-Za-z_]\w*)(?:\s*:\s*(.*))?", re.DOTALL)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


@dataclass(frozen=True)
class Tag:
    source: str  # as written, braces included
    name: str
    filters: tuple[tuple[str, str], ...]  # (filter, argument)

    def value(self, values: dict[str, str]) -> str:
        found = values.get(self.name) or ""
        for name, argument in self.filters:
            found = (found or argument) if name == "default" else _PLAIN_FILTERS[name](found)
        return found


@dataclass(frozen=True)
class TagError:
    position: int  # offset of the problem in the text
    message: str


def _known(names) -> str:
    return ", ".join(names)


def _closing(text: str, start: int) -> tuple[int, str | None]:
    """Where the `}}` of the tag whose content starts at `start` is, or what went wrong.

    Quotes count only where a fallback text may start (after `:` or `|`), so that an
    apostrophe in `{{ first_name | l'ami }}` is just a letter."""
    quote = None
    previous = "|"
    index = start
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
            elif char == "\n":
                return index, "quote"
        elif text.startswith("}}", index):
            return index, None
        elif text.startswith("{{", index) or char == "\n":
            return index, "braces"
        elif char in "\"'" and previous in ":|":
            quote = char
        if not char.isspace():
            previous = char
        index += 1
    return index, "quote" if quote else "braces"


def _filters(tag_source: str, segments: list[str]) -> tuple[list[tuple[str, str]], str | None]:
    filters = []
    for segment in segments:
        written = segment.strip()
        spaced = segment[:1].isspace()
        call = _FILTER.fullmatch(written)
        if call and (call.group(1) in KNOWN_FILTERS or not spaced):
            name, argument = call.group(1), call.group(2)
            if name not in KNOWN_FILTERS:
                return [], _(
                    "Unknown filter “%(filter)s” in %(tag)s. Known filters: %(known)s. "
                    'For a fallback, write {{ first_name|default:"friend" }}.'
                ) % {"filter": name, "tag": tag_source, "known": _known(KNOWN_FILTERS)}
            if name == "default":
                quoted = _QUOTED.fullmatch((argument or "").strip())
                if quoted is None:
                    return [], _(
                        "The filter “default” in %(tag)s needs its fallback text in quotes, "
                        'as in {{ first_name|default:"friend" }}.'
                    ) % {"tag": tag_source}
                filters.append((name, quoted.group(1) or quoted.group(2) or ""))
            elif argument is not None:
                return [], _("The filter “%(filter)s” in %(tag)s takes no argument.") % {
                    "filter": name,
                    "tag": tag_source,
                }
            else:
                filters.append((name, ""))
        elif not written:
            return [], _("A “|” in %(tag)s is followed by no filter.") % {"tag": tag_source}
        elif spaced or _QUOTED.fullmatch(written):
            # The older form: {{ first_name | cher client }}, quotes optional.
            quoted = _QUOTED.fullmatch(written)
            fallback = (quoted.group(1) or quoted.group(2) or "") if quoted else written
            filters.append(("default", fallback))
        else:
            return [], _("Unknown filter “%(filter)s” in %(tag)s. Known filters: %(known)s.") % {
                "filter": written,
                "tag": tag_source,
                "known": _known(KNOWN_FILTERS),
            }
    return filters, None


def _split(inner: str) -> list[str]:
    """The parts of a tag's content between bars, bars inside quotes included in their text."""
    parts, current, quote, previous = [], [], None, "|"
    for char in inner:
        if quote:
            quote = None if char == quote else quote
        elif char == "|":
            parts.append("".join(current))
            current, previous = [], "|"
            continue
        elif char in "\"'" and previous in ":|":
            quote = char
        current.append(char)
        if not char.isspace():
            previous = char
    parts.append("".join(current))
    return parts


def _tag(source: str, inner: str) -> tuple[Tag | None, str | None]:
    name, *segments = _split(inner)
    name = name.strip()
    if not name:
        return None, _("Empty tag %(tag)s: write one of %(known)s between the braces.") % {
            "tag": source,
            "known": _known(KNOWN_TAGS),
        }
    if name not in KNOWN_TAGS or not _NAME.fullmatch(name):
        return None, _("Unknown tag %(tag)s. Known tags: %(known)s.") % {
            "tag": source,
            "known": _known(KNOWN_TAGS),
        }
    filters, error = _filters(source, segments)
    if error:
        return None, error
    return Tag(source=source, name=name, filters=tuple(filters)), None


def parse(text: str) -> tuple[list[str | Tag], list[TagError]]:
    """The text cut into literal strings and tags, and what is wrong with it."""
    parts: list[str | Tag] = []
    errors: list[TagError] = []
    literal_from = 0
    index = 0
    while found := _BRACES.search(text, index):
        start = found.start()
        if found.group() == "}}":
            shown = text[max(0, start - 20) : start + 2].lstrip()
            errors.append(TagError(start, _("“}}” closes no tag in “%(text)s”.") % {"text": shown}))
            index = start + 2
            continue
        end, problem = _closing(text, start + 2)
        if problem:
            shown = text[start:end].strip()[:40]
            if problem == "quote":
                message = _(
                    "Unbalanced quotes in “%(text)s”: a fallback text opened with a quote "
                    "must close with the same quote before }}."
                )
            else:
                message = _("“%(text)s” opens a tag with {{ but never closes it with }}.")
            errors.append(TagError(start, message % {"text": shown}))
            index = max(end, start + 2)
            continue
        source = text[start : end + 2]
        tag, error = _tag(source, text[start + 2 : end])
        if error:
            errors.append(TagError(start, error))
        else:
            parts.append(text[literal_from:start])
            parts.append(tag)
            literal_from = end + 2
        index = end + 2
    parts.append(text[literal_from:])
    return [part for part in parts if part != ""], errors


def tag_errors(text: str) -> list[TagError]:
    return parse(text)[1]


@lru_cache(maxsize=256)
def _parts(text: str) -> tuple[str | Tag, ...]:
    # A campaign personalises the same subject for every recipient: parsed once. (The
    # errors are not kept: their words are in the language of whoever parsed first.)
    return tuple(parse(text)[0])


def personalise(text: str, values: dict[str, str]) -> str:
    """`text` with each valid tag replaced by the contact's value or its fallback."""
    if "{{" not in text:
        return text
    return "".join(part if isinstance(part, str) else part.value(values) for part in _parts(text))
