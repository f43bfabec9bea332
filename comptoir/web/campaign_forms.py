"""The campaign forms of the dashboard (E1–E3): the composer, a test send and a schedule.

They only parse what staff typed into what `comptoir.campaigns.services` takes; the
services judge it (a broken personalisation tag, an unknown segment, a time in the past)
and their refusal is put back on the field it concerns.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns.services import MAX_BODY, MAX_TEST_ADDRESSES
from comptoir.web.directory_forms import ServiceErrorsMixin

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CampaignForm(ServiceErrorsMixin, forms.Form):
    error_fields = {
        "invalid_name": "name",
        "invalid_subject": "subject",
        "invalid_preheader": "preheader",
        "invalid_sender_name": "sender_name",
        "invalid_coupon_code": "coupon_code",
        "invalid_body": "body_markdown",
        "invalid_template": "body_markdown",
        "unknown_segment": "segment_ids",
        "segment_cycle": "segment_ids",
        "no_audience": "segment_ids",
    }

    name = forms.CharField(
        label=_("Campaign name"),
        max_length=120,
        help_text=_("For you only: recipients never see it."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    preheader = forms.CharField(
        label=_("Preheader"),
        max_length=300,
        required=False,
        help_text=_("The line most inboxes show after the subject."),
    )
    sender_name = forms.CharField(
        label=_("Sender name"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to use the name in the settings."),
    )
    body_markdown = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(
            attrs={"rows": 16, "aria-describedby": "body-help", "spellcheck": "true"}
        ),
    )
    segment_ids = forms.MultipleChoiceField(
        label=_("Send to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone in any of the ticked segments, once each."),
    )
    coupon_code = forms.CharField(
        label=_("Coupon code"),
        max_length=100,
        required=False,
        help_text=_("Orders using this code within 30 days count in the campaign’s revenue."),
    )

    def __init__(self, *args, segments: list[tuple[str, str]], **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["segment_ids"].choices = segments
        for name in ("preheader", "sender_name", "coupon_code", "name"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def disable(self) -> None:
        for field in self.fields.values():
            field.disabled = True


class TestSendForm(forms.Form):
    emails = forms.CharField(
        label=_("Send a test to"),
        max_length=2000,
        help_text=format_lazy(_("Up to {n} addresses, separated by commas."), n=MAX_TEST_ADDRESSES),
        widget=forms.TextInput(
            attrs={"aria-describedby": "id_emails_helptext", "autocomplete": "email"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def addresses(self) -> list[str]:
        raw = self.cleaned_data["emails"].replace(";", ",").replace("\n", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]


class ScheduleForm(forms.Form):
    # A datetime-local input has no zone: it is read in the workspace's, which the
    # dashboard's views activate (web.access), and shown back in it.
    send_at = forms.DateTimeField(
        label=_("Send on"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["send_at"].help_text = _("In the time zone of the business (%(zone)s).") % {
            "zone": time_zone
        }
        self.fields["send_at"].widget.attrs["aria-describedby"] = "id_send_at_helptext"


# What the composer's help lists. Written here, not in the template, where "{{" would be
# read as a template variable.
PERSONAL_TAGS = [
    "{{ " + name + " }}"
    for name in ("first_name", "last_name", "full_name", "email", "company", "business_name")
]
FALLBACK_EXAMPLE = '{{ first_name|default:"ami" }}'
