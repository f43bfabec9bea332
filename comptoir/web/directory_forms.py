"""Forms of the directory pages: the list's filters, a contact's details, tags, notes, segments.

The forms only parse what a person typed; the rules (normalisation, duplicates, the tag
limit, who may change a note) stay in `comptoir.contacts.services`, whose errors the views
put back on the field they concern.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from comptoir.contacts.models import ADDRESS_KEYS, Contact
from comptoir.contacts.selectors import BUILTIN_SEGMENTS, ContactFilter
from comptoir.core.services import ServiceError
from comptoir.web.templatetags.comptoir_format import money

ANY = ("", _("Any"))
MAX_MONEY_DIGITS = 14
SORT_KEYS = [
    key
    for field in ("name", "email", "last_order_at", "order_count", "total_spent", "created_at")
    for key in (field, f"-{field}")
]


def _describe(form: forms.Form, prefix: str) -> None:
    """Point every widget at the element that shows its errors, for screen readers."""
    for name, field in form.fields.items():
        field.widget.attrs.setdefault("aria-describedby", f"{prefix}-{name}")


class ContactFilterForm(forms.Form):
    """The GET form of the list; its keys are those of `ContactFilter`, so a dashboard URL
    reads like the API query that returns the same contacts."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, e-mail or phone")}),
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[ANY, *Contact.Type.choices])
    consent = forms.ChoiceField(
        label=_("Consent"), required=False, choices=[ANY, *Contact.Consent.choices]
    )
    tag = forms.MultipleChoiceField(
        label=_("Tags (all must match)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    min_total_spent = forms.DecimalField(
        label=_("Total spent, at least"),
        required=False,
        min_value=0,
        max_digits=MAX_MONEY_DIGITS,
        decimal_places=2,
    )
    max_total_spent = forms.DecimalField(
        label=_("Total spent, at most"),
        required=False,
        min_value=0,
        max_digits=MAX_MONEY_DIGITS,
        decimal_places=2,
    )
    min_orders = forms.IntegerField(
        label=_("Orders, at least"), required=False, min_value=0, max_value=2_000_000_000
    )
    last_order_after = forms.DateField(
        label=_("Last order on or after"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_order_before = forms.DateField(
        label=_("Last order before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source = forms.MultipleChoiceField(
        label=_("Source (any may match)"),
        required=False,
        choices=Contact.Source.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    has_account = forms.ChoiceField(
        label=_("Customer account"),
        required=False,
        choices=[ANY, ("true", _("Has an account")), ("false", _("No account"))],
    )
    # Set by the column headers, not shown among the filters.
    sort = forms.ChoiceField(required=False, choices=[("", ""), *((k, k) for k in SORT_KEYS)])

    def __init__(self, data, *, tag_names: list[str], segments, **kwargs):
        super().__init__(data, label_suffix="", **kwargs)
        # A bookmarked tag that was since renamed stays ticked (and matches nobody) rather
        # than failing the whole form.
        asked = [name for name in data.getlist("tag") if name not in tag_names]
        self.fields["tag"].choices = [(name, name) for name in [*tag_names, *asked]]
        self.fields["segment"].choices = [
            ("", _("All contacts")),
            (_("Built in"), [(s.id, s.name) for s in BUILTIN_SEGMENTS.values()]),
            *([(_("Saved"), [(str(s.pk), s.name) for s in segments])] if segments else []),
        ]
        _describe(self, "filter-errors")

    def visible_filters(self):
        return [self[name] for name in self.fields if name != "sort"]

    def to_filter(self) -> ContactFilter | None:
        """The `ContactFilter` of a valid form; None (with the reason on the form) otherwise."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        values = {
            "q": data["q"] or None,
            "segment": data["segment"] or None,
            "type": data["type"] or None,
            "consent": data["consent"] or None,
            "tag": data["tag"],
            "min_total_spent": data["min_total_spent"],
            "max_total_spent": data["max_total_spent"],
            "min_orders": data["min_orders"],
            # Dates without a time are read in the workspace's time zone by the filter.
            "last_order_after": _midnight(data["last_order_after"]),
            "last_order_before": _midnight(data["last_order_before"]),
            "source": data["source"],
            "has_account": {"true": True, "false": False}.get(data["has_account"]),
            "sort": data["sort"] or None,
        }
        try:
            return ContactFilter(**values)
        except PydanticValidationError as error:
            for problem in error.errors():
                field = str(problem["loc"][0]) if problem["loc"] else None
                self.add_error(field if field in self.fields else None, problem["msg"])
            return None

    def summary(self, currency: str) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, to show what a segment will keep."""
        shown = []
        for bound, value in self._in_use():
            values = value if isinstance(value, list) else [value]
            text = ", ".join(_shown(bound.field, one, currency) for one in values)
            shown.append((str(bound.label), text))
        return shown

    def in_use(self, currency: str) -> list["FilterInUse"]:
        """Each filter in use, one per ticked value of a multiple choice, so that the list
        can offer to drop each of them."""
        return [
            FilterInUse(
                key=bound.name,
                value=one if isinstance(value, list) else None,
                label=str(bound.label),
                text=_shown(bound.field, one, currency),
            )
            for bound, value in self._in_use()
            for one in (value if isinstance(value, list) else [value])
            if one != ""
        ]

    def _in_use(self):
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        for bound in self.visible_filters():
            value = self.cleaned_data.get(bound.name)
            if value not in (None, "", []):
                yield bound, value


@dataclass(frozen=True)
class FilterInUse:
    key: str  # the URL's key
    value: str | None  # the value to drop from a key that holds several, None for the key
    label: str
    text: str


def _shown(field, value, currency: str) -> str:
    choices = dict(_flat_choices(field))
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, Decimal):
        return money(value, currency)
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _flat_choices(field) -> list[tuple]:
    flat = []
    for value, label in getattr(field, "choices", []):
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


def _midnight(day: datetime.date | None) -> datetime.datetime | None:
    return datetime.datetime.combine(day, datetime.time.min) if day else None


class ServiceErrorsMixin:
    """Put a service's refusal on the field it concerns, or above the form."""

    error_fields: dict[str, str] = {}

    def add_service_error(self, error: ServiceError) -> None:
        field = self.error_fields.get(error.code)
        self.add_error(field if field in self.fields else None, error.message)


class ContactDetailsForm(ServiceErrorsMixin, forms.Form):
    error_fields = {
        "duplicate_email": "email",
        "invalid_email": "email",
        "invalid_phone": "phone",
        "tag_limit": "tags",
        "invalid_tag": "tags",
        "invalid_note": "note",
    }

    # Plain text fields: the service is the one judge of what an address or a number is.
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("Required, unless you give a phone number."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    company = forms.CharField(label=_("Company"), required=False, max_length=200)
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=10,
        help_text=_("A language code such as fr or en, for the e-mails this person receives."),
    )
    has_account = forms.BooleanField(label=_("Has a customer account"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("email", "phone"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"


class ContactCreateForm(ContactDetailsForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas, e.g. vip, market"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


def split_tags(text: str) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


class AddressForm(forms.Form):
    """One postal address (last shipping or billing); a prefix tells the two apart."""

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    line1 = forms.CharField(label=_("Address line 1"), required=False, max_length=200)
    line2 = forms.CharField(label=_("Address line 2"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    country = forms.CharField(label=_("Country"), required=False, max_length=100)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)

    def address(self) -> dict:
        return {key: self.cleaned_data[key] for key in ADDRESS_KEYS if self.cleaned_data[key]}


class TagAddForm(ServiceErrorsMixin, forms.Form):
    error_fields = {"tag_limit": "tags", "invalid_tag": "tags"}

    tags = forms.CharField(
        label=_("Add tags"),
        max_length=2000,
        help_text=_("Separated by commas"),
        widget=forms.TextInput(
            attrs={"list": "known-tags", "aria-describedby": "id_tags_helptext"}
        ),
    )

    def tag_names(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])


class NoteForm(ServiceErrorsMixin, forms.Form):
    error_fields = {"invalid_note": "body"}

    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class NewNoteForm(NoteForm):
    body = forms.CharField(label=_("New note"), widget=forms.Textarea(attrs={"rows": 3}))


class TagRenameForm(ServiceErrorsMixin, forms.Form):
    error_fields = {"invalid_tag": "name", "tag_limit": "name"}

    name = forms.CharField(label=_("New name"), max_length=64)


class SegmentNameForm(ServiceErrorsMixin, forms.Form):
    error_fields = {"invalid_name": "name", "duplicate_segment": "name"}

    name = forms.CharField(label=_("Name"), max_length=120)


class BulkForm(forms.Form):
    """What the list's bulk bar posts: the ticked rows, the action and what it needs."""

    ACTIONS = ("tag", "untag", "group", "ungroup", "unsubscribe", "delete")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    tag = forms.CharField(required=False, max_length=64)
    group = forms.CharField(required=False, max_length=20)
    confirm = forms.BooleanField(required=False)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        # Any id is accepted here; the services ignore ids of other workspaces.
        self.fields["ids"].choices = [
            (value, value) for value in data.getlist("ids") if value.isdigit() and len(value) < 19
        ]
