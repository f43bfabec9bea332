from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.core.models import WorkspaceScoped


class Campaign(WorkspaceScoped):
    """A marketing e-mail to one or more segments (E1–E5).

    Its content is edited here until it is sent; sending copies it into a `mail.Mailing`,
    whose deliveries are the frozen audience and carry every result.
    """

    # A context of their own: in French a campaign is feminine ("envoyée", "annulée").
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("campaign", "Draft")
        SCHEDULED = "scheduled", pgettext_lazy("campaign", "Scheduled")
        SENDING = "sending", pgettext_lazy("campaign", "Sending")
        SENT = "sent", pgettext_lazy("campaign", "Sent")
        CANCELED = "canceled", pgettext_lazy("campaign", "Canceled")
        FAILED = "failed", pgettext_lazy("campaign", "Failed")

    name = models.CharField(_("name"), max_length=120)
    subject = models.CharField(_("subject"), max_length=300)
    preheader = models.CharField(_("preheader"), max_length=300, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=120, blank=True)
    body_markdown = models.TextField(_("message"))
    # Ids of saved segments ("12") and of built-in ones ("subscribers"): the audience.
    segment_ids = models.JSONField(default=list, blank=True)
    coupon_code = models.CharField(_("coupon code"), max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    mailing = models.OneToOneField(
        "mail.Mailing", null=True, blank=True, on_delete=models.SET_NULL, related_name="campaign"
    )
    failure = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="campaign_by_workspace"),
            models.Index(fields=["status", "send_at"], name="campaign_due"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)
