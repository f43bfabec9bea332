"""Forms of the import pages (X1, X2, issue 15): they parse what was chosen; whether the file,
the mapping and the consent can be used is for `comptoir.transfer.imports` to say."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.transfer.presets import FIELDS
from comptoir.web.consent_forms import DescribedForm

PRESET_CHOICES = [
    ("", _("Detect from the columns")),
    ("square", "Square"),
    ("shopify", "Shopify"),
    ("squarespace", "Squarespace"),
    ("mailchimp", "Mailchimp"),
    ("generic", _("Other spreadsheet, or a Comptoir export")),
]


class ImportUploadForm(DescribedForm):
    error_fields = {
        "invalid_file": "file",
        "file_too_large": "file",
        "email_column_required": "file",
        "invalid_preset": "preset",
    }

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Comma, semicolon or tab separated; UTF-8 or Windows-1252 (Excel), detected "
            "automatically."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )
    preset = forms.ChoiceField(label=_("Exported from"), choices=PRESET_CHOICES, required=False)


class ImportStartForm(DescribedForm):
    """One select per contact field, then the consent confirmation and the dry run."""

    error_fields = {"email_column_required": "email", "invalid_mapping": None}

    consent_confirmed = forms.BooleanField(
        label=_(
            "I confirm that the people this file marks as subscribed explicitly agreed to "
            "receive marketing e-mails from this business, and that I can prove it"
        ),
        help_text=_(
            "Without this confirmation nobody is subscribed; unsubscribed and bounced "
            "addresses are recorded either way."
        ),
        required=False,
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and count what would change, without importing"),
        required=False,
    )

    def __init__(self, *args, header: list[str] | None = None, mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mapped = []
        if header is None:
            return
        choices = [("", _("— not imported —"))] + [(name, name) for name in header if name]
        for field, label in FIELDS.items():
            self.fields[f"map_{field}"] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=(mapping or {}).get(field, "")
            )
            self.mapped.append(f"map_{field}")
        # The mapping selects come first on the page.
        self.order_fields(self.mapped)

    def mapping(self) -> dict[str, str | None]:
        return {
            name.removeprefix("map_"): self.cleaned_data.get(name) or None for name in self.mapped
        }

    def mapping_fields(self):
        return [self[name] for name in self.mapped]

    def option_fields(self):
        return [self["consent_confirmed"], self["dry_run"]]


class OrderImportUploadForm(DescribedForm):
    """The orders export of Shopify or Square: its columns are fixed, nothing to map."""

    error_fields = {
        "invalid_file": "file",
        "file_too_large": "file",
        "not_an_orders_export": "file",
    }

    file = forms.FileField(
        label=_("Orders export (CSV)"),
        help_text=_(
            "Shopify: Orders → Export → “All orders”, as CSV for Excel or plain CSV. "
            "Square: Reports → Item sales → Export → “Item detail” (or the transactions "
            "export)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )
