"""The automations' forms: every field labelled; the services are the one judge of values."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from comptoir.automations.models import Automation
from comptoir.automations.services import MAX_MINUTES
from comptoir.web.directory_forms import ServiceErrorsMixin

DEFAULT_HELP = _("Leave blank to use the default text, written in each customer’s language.")
TAGS_HELP = _(
    "Blank for the default text, in each customer’s language. You may use {{ first_name }} "
    'or {{ first_name|default:"there" }} (with a fallback) and {{ business_name }}.'
)


def _minutes(label, help_text=""):
    return forms.IntegerField(label=label, min_value=1, max_value=MAX_MINUTES, help_text=help_text)


class AbandonedCartForm(ServiceErrorsMixin, forms.Form):
    error_fields = {
        "invalid_delay": "delay_minutes",
        "invalid_reminder_after": "reminder_after_minutes",
        "invalid_subject": "subject",
        "invalid_body": "body_markdown",
        "invalid_template": "body_markdown",
    }

    delay_minutes = _minutes(
        _("Send the reminder this many minutes after the cart’s last change"),
        _("60 is one hour, 1440 one day."),
    )
    reminder_enabled = forms.BooleanField(
        label=_("Send a second reminder to those who did not open the first"), required=False
    )
    reminder_after_minutes = _minutes(_("Second reminder, minutes after the first"))
    subject = forms.CharField(
        label=_("Subject"), max_length=300, required=False, help_text=DEFAULT_HELP
    )
    body_markdown = forms.CharField(
        label=_("Message (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        # format_lazy: a "+" here would translate once, at import, in the default language.
        help_text=format_lazy(
            "{} {}",
            _("The items of the cart, its total and a button back to it follow this text."),
            TAGS_HELP,
        ),
    )


class WelcomeForm(ServiceErrorsMixin, forms.Form):
    error_fields = {
        "invalid_trigger": "trigger",
        "invalid_subject": "subject",
        "invalid_body": "body_markdown",
        "invalid_template": "body_markdown",
        "invalid_coupon_code": "coupon_code",
    }

    trigger = forms.ChoiceField(label=_("Send it"), choices=Automation.Trigger.choices)
    subject = forms.CharField(
        label=_("Subject"), max_length=300, required=False, help_text=DEFAULT_HELP
    )
    body_markdown = forms.CharField(
        label=_("Message (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=TAGS_HELP,
    )
    coupon_code = forms.CharField(
        label=_("Coupon code (optional)"),
        max_length=100,
        required=False,
        help_text=_("Shown in the e-mail; orders that use it count in this automation’s revenue."),
    )
