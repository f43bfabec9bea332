"""What the dashboard's export controls send: a file format, and the ticked contacts."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The dashboard's one `format` key: (file format, delimiter) of transfer.downloads.
EXPORT_FORMATS = {
    "csv": ("csv", "comma"),
    "csv-semicolon": ("csv", "semicolon"),
    "xlsx": ("xlsx", "comma"),
}
FORMAT_CHOICES = [
    ("csv", _("CSV")),
    ("csv-semicolon", _("CSV with semicolons (Excel in French)")),
    ("xlsx", _("Excel (XLSX)")),
]


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(label=_("File format"), choices=FORMAT_CHOICES, required=False)

    def file_format(self) -> tuple[str, str] | None:
        """(file format, delimiter); CSV when none is asked, None for an unknown one."""
        if not self.is_valid():
            return None
        return EXPORT_FORMATS[self.cleaned_data["format"] or "csv"]


class BulkExportForm(ExportFormatForm):
    """The list's bulk bar, posted to the export: the ticked rows and the format."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        # Any id is accepted here; the export keeps only this workspace's contacts.
        self.fields["ids"].choices = [
            (value, value) for value in data.getlist("ids") if value.isdigit() and len(value) < 19
        ]
