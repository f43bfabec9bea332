"""Collecting sign-ups (S1–S6): each workspace's public sign-up page and what it gathered.

`SignupSettings` is one row per workspace: the secret of its public URL and how its page,
poster, widget and double opt-in behave. `Signup` is one row per form submitted: where it
came from and, for a poster with a discount, the coupon code owed to the new subscriber.
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import Workspace, WorkspaceScoped

TOKEN_BYTES = 24  # 32 URL-safe characters: as unguessable as a session key


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class SignupSettings(models.Model):
    class PosterSize(models.TextChoices):
        A4 = "a4", "A4"
        A5 = "a5", "A5"

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="signup_settings"
    )
    # The secret part of the public URLs; drawing a new one retires every old link and QR.
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # Empty: the default wording, in the visitor's language. Otherwise shown word for word.
    consent_wording = models.TextField(_("consent wording"), blank=True, max_length=1000)
    double_opt_in = models.BooleanField(_("double opt-in"), default=False)
    loyalty_enabled = models.BooleanField(_("offer the loyalty programme"), default=False)
    loyalty_tag = models.CharField(_("loyalty tag"), max_length=64, default="loyalty")
    # One origin a line (https://shop.example): the sites whose pages may embed the widget.
    allowed_origins = models.TextField(_("sites allowed to embed the widget"), blank=True)
    slogan = models.CharField(_("slogan"), max_length=120, blank=True)
    discount_offer = models.CharField(_("discount offer"), max_length=120, blank=True)
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    poster_size = models.CharField(
        _("poster size"), max_length=2, choices=PosterSize.choices, default=PosterSize.A4
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"sign-up settings of {self.workspace_id}"

    @property
    def origins(self) -> list[str]:
        return [line.strip().rstrip("/") for line in self.allowed_origins.split() if line.strip()]


class Signup(WorkspaceScoped):
    class Source(models.TextChoices):
        SIGNUP_PAGE = "signup_page", _("Sign-up page")
        QR_CODE = "qr_code", _("QR code")
        WIDGET = "widget", _("Sign-up widget")

    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        PENDING = "pending", _("Pending confirmation")
        # Submitted by someone already subscribed: nothing new was recorded.
        ALREADY = "already", _("Already subscribed")

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    loyalty = models.BooleanField(default=False)
    # The poster's offer, owed once the address is confirmed (until the welcome e-mail of
    # the automations sends it, the thank-you page and the confirmation page show it).
    coupon_code = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at"], name="signup_by_date")]

    def __str__(self) -> str:
        return f"{self.source} sign-up of {self.contact_id}"
