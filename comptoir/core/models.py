import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.core.roles import Role

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))
currency_code = RegexValidator(r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 code."))


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).strip(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of a merchant's staff; one login, possibly in several workspaces."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django's flag: may use the admin site
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    def __str__(self) -> str:
        return self.name or self.email


class Workspace(models.Model):
    """One business (W1) and the identity shown in every e-mail it sends (W2)."""

    class Language(models.TextChoices):
        FR = "fr", _("French")
        EN = "en", _("English")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("business name"), max_length=120)
    postal_address = models.TextField(_("postal address"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    brand_color = models.CharField(
        _("brand colour"), max_length=7, default="#1f4e79", validators=[hex_colour]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default="#e07a1f", validators=[hex_colour]
    )
    sender_name = models.CharField(_("sender name"), max_length=120, blank=True)
    sender_email = models.EmailField(_("sender address"), blank=True)
    language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_code]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Paris", validators=[validate_time_zone]
    )
    # E4: a small SMTP relay blocks senders that go faster than it allows.
    send_rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"),
        default=3000,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text=_("The most marketing e-mails sent in one minute, for your mail server."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def from_email(self) -> str:
        """The From header of this business's e-mails."""
        from email.utils import formataddr

        from django.conf import settings

        address = self.sender_email or self.contact_email
        if not address:
            return settings.DEFAULT_FROM_EMAIL
        return formataddr((self.sender_name or self.name, address))


class Membership(models.Model):
    """A staff member's role in one workspace (W3)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.workspace}"


class ApiToken(models.Model):
    """A bearer token for one workspace (W4). Only a SHA-256 of the secret is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.ADMIN)
    # The first characters of the token, shown so staff can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WorkspaceScoped(models.Model):
    """Base of every model that holds customer data: it belongs to exactly one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class RateLimitWindow(models.Model):
    """How often something keyed (a login for an account, an IP …) happened in one window.

    In the database rather than in a process's memory: gunicorn runs several processes, and
    a limit each of them counted alone would be several times the documented one."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_window_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.hits}"


class TaskLease(models.Model):
    """Which worker runs a task of the database backend, and when it last said it still does
    (core.leases). One row per running task, keyed by django-tasks-db's result id; the row
    goes when the task ends, or when another worker takes the task back from a lost one."""

    task_id = models.UUIDField(primary_key=True)
    holder = models.CharField(max_length=64)
    claimed_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.task_id} held by {self.holder}"


class AuditEntry(WorkspaceScoped):
    """One line of the workspace's activity log (Settings → Activity): an action of staff that
    cannot be undone or that changes who may do what (a contact or a segment deleted, a store
    disconnected, a campaign sent, a staff member removed …). Append-only.

    It names no customer: a deleted or erased contact is "contact #id", so that the log
    never keeps the personal data an erasure removed. `action` has no choices, like the
    timeline's `kind`: each app names its own actions in its events.py."""

    action = models.CharField(max_length=60)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who it was, as shown when it happened: still readable once the account is gone.
    actor_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="audit_by_workspace")
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or '-'}"
