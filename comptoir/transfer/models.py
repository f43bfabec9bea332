"""Imports (X1, X2): one ImportJob per uploaded file — a contact file, or an orders export
of Shopify or Square (issue 15) — and the rows it refused.

Exports (X3, X4) keep no state: they stream straight from the directory.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comptoir.core.models import WorkspaceScoped
from comptoir.transfer.reasons import in_words


class ImportJob(WorkspaceScoped):
    """An uploaded contact file, how its columns map to contact fields, and what importing it
    did. The worker runs it (transfer.import_tasks); the API and the dashboard read it."""

    class Status(models.TextChoices):
        # Uploaded from the dashboard, columns not yet confirmed; the API never shows these.
        DRAFT = "draft", _("Waiting for the column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    class Phase(models.TextChoices):
        READING = "reading", _("Reading the file")
        MERGING = "merging", _("Saving the contacts")

    class StopReason(models.TextChoices):
        """Why a job that was not at fault failed: it can be run again as it is."""

        CANCELLED = "cancelled", _("Cancelled")
        WORKER_LOST = "worker_lost", _("Its worker stopped")

    class Kind(models.TextChoices):
        CONTACTS = "contacts", _("Contacts")
        # An orders export (Shopify, Square): its orders go through the order backfill.
        ORDERS = "orders", _("Orders")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CONTACTS)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    # The file under VAR_DIR/imports/: the worker runs in another process and reads it there.
    stored_name = models.CharField(max_length=64)
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1)
    preset = models.CharField(max_length=12)
    # Contact field -> column name of the file (presets.FIELDS).
    mapping = models.JSONField(default=dict)
    # The consent of every row of a file that has no consent column but is itself a state
    # (Mailchimp's subscribed / unsubscribed / cleaned files): "" when the file says nothing.
    file_consent = models.CharField(max_length=12, blank=True)
    consent_confirmed = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)

    # Counters: rows of the file (header excluded), rows read so far, and the outcome. An
    # orders import counts orders instead of rows (an order is one row per line item).
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    bytes_read = models.BigIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # A later row of an address unsubscribed the contact its first row made or updated.
    unsubscribed_by_later_row = models.PositiveIntegerField(default=0)
    errors_total = models.PositiveIntegerField(default=0)
    # Why the whole import failed (a file-level problem), as transfer.reasons stores it.
    failure = models.TextField(blank=True)
    stop_reason = models.CharField(max_length=12, choices=StopReason.choices, blank=True)
    # Set by "Cancel" while the job runs: the job stops at its next chunk.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    # Seconds spent in each phase, for the benchmark and for support.
    timings = models.JSONField(default=dict, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="import_job_recent")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def progress(self) -> float:
        """How far the job is, 0–1: reading is most of the work, merging the last tenth."""
        if self.status == self.Status.COMPLETED:
            return 1.0
        if self.phase == self.Phase.MERGING:
            return 0.9
        if self.phase == self.Phase.READING and self.size:
            return min(0.9, 0.9 * self.bytes_read / self.size)
        return 0.0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.FAILED)

    @property
    def failure_message(self) -> str:
        """`failure`, in the reader's language when the job stopped through no fault of its
        file."""
        if self.stop_reason and self.kind == self.Kind.ORDERS and not self.dry_run:
            # Orders are saved 1,000 at a time: those saved stay, and run again they are
            # found unchanged.
            return gettext(
                "Stopped before the end of the file: the orders saved until then are kept. "
                "Run it again to import the rest; the orders already saved are left as they are."
            )
        if self.stop_reason == self.StopReason.CANCELLED:
            return gettext("Cancelled; nothing was imported. You can run it again.")
        if self.stop_reason == self.StopReason.WORKER_LOST:
            return gettext(
                "The worker running this import stopped before it finished (it was restarted, "
                "or ran out of memory); nothing was imported. You can run it again."
            )
        return in_words(self.failure)


class ImportRowError(models.Model):
    """One refused row: its line in the file (the header is line 1) and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    email = models.CharField(max_length=254, blank=True)
    # Stored untranslated (transfer.reasons); `reason` puts it in the reader's language.
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["job", "line"], name="import_error_by_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"

    @property
    def reason(self) -> str:
        return in_words(self.message)


class StoreCustomerRef(WorkspaceScoped):
    """A store's own id of a customer, seen in a customer import, and the contact it is.

    Square's sales exports name the customer by its Square id, never by e-mail address: the
    customer directory export (its "Square Customer ID" column) is what ties the two, so an
    orders import of Square finds the contact of each sale here."""

    platform = models.CharField(max_length=12)
    customer_id = models.CharField(max_length=100)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "platform", "customer_id"], name="store_customer_ref_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.customer_id}"
