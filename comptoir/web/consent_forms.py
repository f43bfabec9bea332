"""Forms of the consent, e-mail and GDPR parts of the dashboard (K3, K6, C12).

As in `directory_forms`, a form only parses what was typed: whether a subscription may be
recorded (the explicit-consent confirmation, an address to write to) is decided by
`comptoir.consent.services`, whose refusals the views put back on the field they concern.
"""

from django import forms
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import Workspace
from comptoir.web.directory_forms import ServiceErrorsMixin

MAX_WORDING = 5000


def default_wording(workspace: Workspace) -> str:
    """What staff most often tell a customer, in the language of the business: a starting
    point that the person edits to match what was really said or shown."""
    with translation.override(workspace.language):
        return gettext(
            "I agree to receive news and offers by e-mail from %(business)s. "
            "I can unsubscribe at any time."
        ) % {"business": workspace.name}


class DescribedForm(ServiceErrorsMixin, forms.Form):
    """Ties each field to its help text (`form_fields.html` gives it the id), so that a
    screen reader reads the hint with the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"


class ConsentSubscribeForm(DescribedForm):
    error_fields = {"consent_not_confirmed": "confirmed"}

    # Not `required=True`: the service is the one that refuses a subscription without it
    # (K3), with the message the API gives too. The browser still announces it as required.
    confirmed = forms.BooleanField(
        label=_("The customer explicitly agreed to receive marketing e-mails"),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )
    wording = forms.CharField(
        label=_("Consent wording shown to the customer"),
        required=False,
        max_length=MAX_WORDING,
        help_text=_("Recorded word for word in the consent history, as proof."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        kwargs.setdefault("initial", {"wording": default_wording(workspace)})
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)


class ContactEmailForm(DescribedForm):
    error_fields = {
        "invalid_subject": "subject",
        "invalid_body": "body",
        "invalid_template": "body",
    }

    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Message"),
        help_text=_(
            "Written in Markdown: **bold**, *italics*, [a link](https://example.com). "
            '{{ first_name|default:"there" }} becomes the person’s first name, or “there” '
            "when it is unknown; last_name, full_name and company work the same way."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        # The profile also has the note form, whose field is `body` too.
        kwargs.setdefault("prefix", "email")
        super().__init__(*args, **kwargs)


class SuppressionAddForm(DescribedForm):
    error_fields = {"invalid_reason": "email"}

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    detail = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=500,
        help_text=_("For your records, e.g. “asked by phone on 3 May”."),
    )
