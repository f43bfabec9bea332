"""Automations (A1–A7): their settings per workspace, and the sends they schedule.

A scheduled send is a row (`due_at`, `status`), not a job held by a broker for hours:
moving it is an update, cancelling it a status change (ARCHITECTURE, "delayed sends").
When it is due, the dispatcher hands it to the one send pipeline (mail.pipeline) as a
delivery of a mailing; that delivery then carries every result (sent, opened, clicked).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import WorkspaceScoped


class Automation(WorkspaceScoped):
    """One automation of a workspace: the abandoned-cart reminder or the welcome e-mail.

    A blank subject or body means "the default", written in the language of each contact.
    """

    class Kind(models.TextChoices):
        ABANDONED_CART = "abandoned_cart", _("Abandoned-cart reminder")
        WELCOME = "welcome", _("Welcome e-mail")

    class Trigger(models.TextChoices):
        SIGNUP = "signup", _("On sign-up")
        FIRST_ORDER = "first_order", _("On the first order")
        BOTH = "both", _("On sign-up and on the first order")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    enabled = models.BooleanField(_("active"), default=False)
    # A3: only what happens after this instant triggers anything; set at each activation.
    activated_at = models.DateTimeField(null=True, blank=True)
    delay_minutes = models.PositiveIntegerField(_("delay (minutes)"), default=60)
    reminder_enabled = models.BooleanField(_("second reminder"), default=False)
    reminder_after_minutes = models.PositiveIntegerField(
        _("second reminder after (minutes)"), default=1440
    )
    trigger = models.CharField(
        _("trigger"), max_length=12, choices=Trigger.choices, default=Trigger.SIGNUP
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_markdown = models.TextField(_("message"), blank=True)
    coupon_code = models.CharField(_("coupon code"), max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind"], name="one_automation_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class ScheduledSend(WorkspaceScoped):
    """One e-mail an automation will send when `due_at` comes, unless canceled first.

    WAITING until due; SENT once handed to the send pipeline (its `delivery` tells what
    became of the message); CANCELED when the cart converted, emptied or the automation was
    deactivated (A5); SKIPPED when, at its time, there was nobody or nothing to send to.
    """

    class Kind(models.TextChoices):
        FIRST_REMINDER = "first_reminder", _("First reminder")
        SECOND_REMINDER = "second_reminder", _("Second reminder")
        WELCOME = "welcome", _("Welcome e-mail")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SENT = "sent", _("Sent")
        CANCELED = "canceled", _("Canceled")
        SKIPPED = "skipped", _("Skipped")

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="sends")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    due_at = models.DateTimeField()
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="scheduled_sends"
    )
    cart = models.ForeignKey(
        "commerce.Cart", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The first reminder a second one follows (A2: only if that one was not opened).
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    delivery = models.OneToOneField(
        "mail.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scheduled_send",
    )
    reason = models.CharField(max_length=200, blank=True)
    # A welcome's own code, when the sign-up came with one (the poster's discount, S5);
    # otherwise the automation's.
    coupon_code = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # What the dispatcher claims: waiting and due.
            models.Index(
                fields=["due_at"], condition=Q(status="waiting"), name="scheduled_send_due"
            ),
            models.Index(fields=["automation", "status"], name="scheduled_send_by_status"),
            models.Index(fields=["cart", "kind"], name="scheduled_send_by_cart"),
        ]
        constraints = [
            # "Not twice": one live reminder of each kind per cart, whatever runs twice.
            models.UniqueConstraint(
                fields=["cart", "kind"],
                condition=Q(cart__isnull=False) & Q(status__in=["waiting", "sent"]),
                name="one_live_send_per_cart_kind",
            ),
            # A6: one welcome per contact, ever (a skipped or canceled one does not count).
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(kind="welcome") & Q(status__in=["waiting", "sent"]),
                name="one_welcome_per_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → contact {self.contact_id} at {self.due_at:%Y-%m-%d %H:%M}"
