"""Dashboard forms of the Sign-ups section: the page's settings and the poster's text."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.collect.models import SignupSettings


class SignupSettingsForm(forms.ModelForm):
    class Meta:
        model = SignupSettings
        fields = [
            "consent_wording",
            "double_opt_in",
            "loyalty_enabled",
            "loyalty_tag",
            "allowed_origins",
        ]
        widgets = {
            "consent_wording": forms.Textarea(attrs={"rows": 4}),
            "allowed_origins": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "consent_wording": _(
                "Shown beside the consent box and kept in the consent history. Leave empty "
                "for the default text, in the visitor's language, that says what you send, "
                "that opens and clicks are recorded and that one can unsubscribe at any time."
            ),
            "double_opt_in": _(
                "New sign-ups receive an e-mail and are subscribed only once they confirm."
            ),
            "allowed_origins": _(
                "One address a line, such as https://shop.example: the sites where the "
                "widget and the contact form may be used."
            ),
        }


class PosterForm(forms.ModelForm):
    class Meta:
        model = SignupSettings
        fields = ["slogan", "discount_offer", "coupon_code", "poster_size"]
        help_texts = {
            "discount_offer": _("For example “10 euros off your next visit”; empty for none."),
            "coupon_code": _(
                "Given to each new subscriber with the offer, on the thank-you page (or "
                "after confirming, with double opt-in)."
            ),
        }
