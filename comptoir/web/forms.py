from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from comptoir.core.identity_choices import currency_choices, time_zone_choices
from comptoir.core.models import Workspace
from comptoir.core.roles import TOKEN_ROLES, Role
from comptoir.core.services import WORKSPACE_FIELDS

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = list(WORKSPACE_FIELDS)
        widgets = {
            "postal_address": forms.Textarea(attrs={"rows": 3}),
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "logo": forms.ClearableFileInput(
                attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
            ),
        }
        help_texts = {
            "postal_address": _("Printed in the footer of every e-mail, as the law requires."),
            "sender_email": _("The From address of your e-mails; your contact e-mail if empty."),
            "time_zone": _("Dates on the dashboard and in your e-mails are in this time zone."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Lists, not free text (the model keeps its columns; the choices live here).
        for name, choices, unknown in (
            (
                "currency",
                currency_choices(self.instance.currency),
                _("Comptoir does not show money in “%(value)s”: choose a currency of the list."),
            ),
            (
                "time_zone",
                time_zone_choices(self.instance.time_zone),
                _("Unknown time zone: %(value)s"),
            ),
        ):
            model_field = self.fields[name]
            self.fields[name] = forms.ChoiceField(
                label=model_field.label,
                help_text=model_field.help_text,
                choices=choices,
                error_messages={"invalid_choice": unknown},
            )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        # Only a freshly uploaded file has an `image` attribute set by ImageField's check.
        if logo and hasattr(logo, "image"):
            if logo.size > LOGO_MAX_BYTES:
                raise ValidationError(_("The logo must be 2 MB or smaller."))
            if logo.image.format not in LOGO_FORMATS:
                raise ValidationError(_("The logo must be a PNG, JPEG, GIF or WebP image."))
        return logo


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Autofocus would jump keyboard and screen-reader users past the skip link and the
        # page's heading; the field is one Tab away.
        self.fields["username"].widget.attrs.pop("autofocus", None)

    # Set by the login view when the attempt is throttled: refused before the password is
    # even checked, so a guess that happens to be right teaches the guesser nothing.
    throttle_message: str | None = None

    def clean(self):
        if self.throttle_message:
            raise forms.ValidationError(self.throttle_message, code="throttled")
        return super().clean()


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MARKETER)
    password = forms.CharField(
        label=_("Your password (only to add an owner)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(required=False, widget=forms.PasswordInput)


class OwnerConfirmForm(forms.Form):
    """The acting owner's password, asked before a change that touches an owner."""

    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in TOKEN_ROLES],
        initial=Role.ADMIN,
    )
