"""Checks on rendered HTML that any page test can reuse.

`unlabelled_fields(html)` lists the form fields a screen reader would announce without a
name: every page with a form should assert that it returns `[]`.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs that are buttons or invisible: their name comes from `value`/`alt`, or they have none.
NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}
# Elements that never have an end tag, so they never enclose text or other elements.
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class _Field:
    tag: str
    attrs: dict[str, str]
    enclosing: "_Element | None"  # the <label> around the field, if any

    def describe(self) -> str:
        shown = " ".join(
            f'{key}="{self.attrs[key]}"' for key in ("type", "name", "id") if key in self.attrs
        )
        return f"<{self.tag} {shown}>" if shown else f"<{self.tag}>"


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """What the element contributes as a label: its text, or its own aria-label."""
        return " ".join("".join(self.text).split()) or self.attrs.get("aria-label", "").strip()


class FormFieldParser(HTMLParser):
    """Collects form fields, labels and every element with an id, with their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[_Field] = []
        self.labels: list[_Element] = []
        self.by_id: dict[str, _Element] = {}
        self._open: list[_Element] = []

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        element = _Element(tag, attributes)
        if "id" in attributes:
            self.by_id.setdefault(attributes["id"], element)
        if tag == "label":
            self.labels.append(element)
        is_field = tag in {"select", "textarea"} or (
            tag == "input" and attributes.get("type", "text").lower() not in NOT_FIELDS
        )
        if is_field:
            enclosing = next((e for e in reversed(self._open) if e.tag == "label"), None)
            self.fields.append(_Field(tag, attributes, enclosing))
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element; a stray end tag closes nothing.
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        for element in self._open:
            # The text of a <select>/<textarea> is its options or value, not a label.
            if element.tag not in {"select", "textarea", "option"}:
                element.text.append(data)


def _has_label(field: _Field, parser: FormFieldParser) -> bool:
    if field.attrs.get("aria-label", "").strip():
        return True
    labelledby = field.attrs.get("aria-labelledby", "").split()
    if labelledby and all(ref in parser.by_id and parser.by_id[ref].name for ref in labelledby):
        return True
    field_id = field.attrs.get("id")
    if field_id and any(
        label.attrs.get("for") == field_id and label.name for label in parser.labels
    ):
        return True
    # A <label> wrapped around the field names it too, when it has text of its own.
    return field.enclosing is not None and bool(field.enclosing.name)


def unlabelled_fields(html: str) -> list[str]:
    """The form fields of `html` that have no accessible name, described for a message.

    A field counts as labelled by a non-empty <label for="its id">, a <label> around it,
    a non-empty aria-label, or an aria-labelledby whose every id exists and has text.
    Hidden inputs and button-like inputs are not fields.
    """
    parser = FormFieldParser()
    parser.feed(html)
    parser.close()
    return [field.describe() for field in parser.fields if not _has_label(field, parser)]
