"""Forms of Settings → Store."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.commerce.models import StoreConnection


class StoreConnectForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=StoreConnection.Platform.choices)
    secret = forms.CharField(
        label=_("Secret (optional)"),
        max_length=255,
        required=False,
        strip=True,
        help_text=_(
            "Shopify: the signing key it shows below its webhooks, which you may paste later. "
            "WooCommerce: leave it empty and Comptoir makes one, shown once."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class StoreSecretForm(forms.Form):
    secret = forms.CharField(
        label=_("Secret"),
        max_length=255,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, connection: StoreConnection, **kwargs):
        super().__init__(*args, prefix=f"connection-{connection.pk}", **kwargs)
        if connection.platform == StoreConnection.Platform.SHOPIFY:
            self.fields["secret"].label = _("Signing key shown by Shopify")
        else:
            self.fields["secret"].label = _("Secret typed into the WooCommerce webhooks")
