"""The public forms: sign-up (S1, S3) and contact (S4). Strict: every field has a size
limit, names and messages refuse markup, addresses and phones are checked (S6)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from comptoir.contacts import normalize

NO_MARKUP = "<>"


def _plain(value: str) -> str:
    value = normalize.clean_line(value)
    if any(char in value for char in NO_MARKUP):
        raise ValidationError(_("Use letters, not < or >."))
    return value


class PublicForm(forms.Form):
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_email(self):
        try:
            return normalize.normalize_email(self.cleaned_data["email"])
        except normalize.InvalidEmail:
            raise ValidationError(_("Enter a valid e-mail address.")) from None

    def clean_phone(self):
        try:
            return normalize.normalize_phone(self.cleaned_data.get("phone"))
        except normalize.InvalidPhone:
            raise ValidationError(_("Enter a valid phone number.")) from None

    def __init__(self, *args, **kwargs):
        # Ids of their own: the widget's form lands in pages whose ids we do not know.
        kwargs.setdefault("auto_id", "comptoir_%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class SignupForm(PublicForm):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your e-mail address.")},
    )
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the box to agree to receive our e-mails.")},
    )
    loyalty = forms.BooleanField(label=_("I join the loyalty programme"), required=False)

    def __init__(self, *args, wording: str, loyalty: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = wording
        if not loyalty:
            del self.fields["loyalty"]
        self.order_fields(["email", "first_name", "phone", "consent", "loyalty", "website"])

    def clean_first_name(self):
        return _plain(self.cleaned_data.get("first_name", ""))


class ContactForm(PublicForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your e-mail address.")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "email", "phone", "message", "website"])

    def clean_name(self):
        return _plain(self.cleaned_data.get("name", ""))

    def clean_message(self):
        message = normalize.clean_text(self.cleaned_data.get("message", ""))
        if "<" in message:
            raise ValidationError(_("Write the message as plain text, without < or >."))
        return message


def signup_form(settings, data=None) -> SignupForm:
    """The sign-up form of a workspace: its wording beside the box, its loyalty offer."""
    from comptoir.collect.services import consent_wording

    return SignupForm(data, wording=consent_wording(settings), loyalty=settings.loyalty_enabled)
