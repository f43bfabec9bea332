"""The consent ledger (K1) and the suppression list (K6).

A contact's marketing state is the status of its latest ConsentEvent (K2: the latest explicit
choice wins); `Contact.consent` is that state copied for fast lists and segments, written in
the same transaction as the event. Rows of both tables are never edited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import WorkspaceScoped

# The actor label of a change the person made themselves (a sign-up, a confirmation, an
# unsubscribe link): the dashboard shows it as "The customer".
CUSTOMER_LABEL = "customer"


class ConsentEvent(WorkspaceScoped):
    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        PENDING = "pending", _("Pending confirmation")

    class Source(models.TextChoices):
        DASHBOARD = "dashboard", _("Dashboard")
        POS = "pos", _("Point of sale")
        SIGNUP_PAGE = "signup_page", _("Sign-up page")
        QR_CODE = "qr_code", _("QR code")
        WIDGET = "widget", _("Sign-up widget")
        IMPORT = "import", _("Import")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
        ONE_CLICK = "one_click", _("One-click unsubscribe")
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        API = "api", _("API")
        DOUBLE_OPT_IN = "double_opt_in", _("Confirmation e-mail")
        STORE = "store", _("Online store")

    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="consent_events"
    )
    channel = models.CharField(max_length=10, default="email")
    status = models.CharField(max_length=14, choices=Status.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    # Who acted: a staff member, or a description ("customer", "API token Shopify").
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=200, blank=True)
    # Where the customer acted themselves (sign-up, unsubscribe link): proof of consent.
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # The consent wording shown when the customer agreed, word for word.
    wording = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["contact", "id"], name="consent_event_contact")]

    def __str__(self) -> str:
        return f"{self.status} via {self.source}"


class Suppression(WorkspaceScoped):
    """An address no marketing may reach, whatever its consent says (K6)."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        ERASED = "erased", _("Erased on request")
        MANUAL = "manual", _("Added by staff")

    # SHA-256 of the lower-cased address: an erased person leaves only this behind, yet a
    # later import or order with the same address is still recognised.
    email_hash = models.CharField(max_length=64)
    # Kept for the suppression export (X4); empty once the person is erased.
    email = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email_hash"], name="one_suppression_per_address"
            )
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email or self.email_hash[:12]} ({self.reason})"
