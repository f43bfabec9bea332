"""The customer directory: contacts, tags, notes, the activity timeline and segments (C1–C11)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.contacts import normalize
from comptoir.core.models import Workspace, WorkspaceScoped

# Contacts that never ordered sort after every other one, whichever the direction: sorting
# on these coalesced values keeps keyset pagination on non-null keys (api/pagination.py).
NEVER_ORDERED_ASC = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
NEVER_ORDERED_DESC = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def last_order_sort(descending: bool) -> Coalesce:
    sentinel = NEVER_ORDERED_DESC if descending else NEVER_ORDERED_ASC
    return Coalesce(F("last_order_at"), Value(sentinel), output_field=models.DateTimeField())


ADDRESS_KEYS = ("name", "line1", "line2", "city", "postal_code", "region", "country", "phone")


class Contact(WorkspaceScoped):
    """One person the business knows; the e-mail address is its fixed point (C2)."""

    # Every index of the table begins with the workspace, so a one-column index of it only
    # cost each write (an import of a million contacts pays ~16 index insertions a row).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Source(models.TextChoices):
        ORDER = "order", _("Order")
        MANUAL = "manual", _("Added by hand")
        SIGNUP_PAGE = "signup_page", _("Sign-up page")
        QR_CODE = "qr_code", _("QR code")
        WIDGET = "widget", _("Sign-up widget")
        CONTACT_FORM = "contact_form", _("Contact form")
        IMPORT = "import", _("Import")
        POS = "pos", _("Point of sale")
        API = "api", _("API")

    class Type(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        PROSPECT = "prospect", _("Prospect")

    class Consent(models.TextChoices):
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        NOT_SUBSCRIBED = "not_subscribed", _("Not subscribed")
        PENDING = "pending", _("Pending confirmation")

    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    # As typed, trimmed, domain lower-cased (normalize.normalize_email); "" for phone-only.
    email = models.CharField(_("e-mail address"), max_length=254, blank=True)
    # The identity of the address: fully lower-cased, unique per workspace when not empty.
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.PROSPECT)
    # Maintained by the consent ledger (K1); read and filtered here, never changed here.
    consent = models.CharField(
        _("marketing consent"),
        max_length=16,
        choices=Consent.choices,
        default=Consent.NOT_SUBSCRIBED,
    )
    has_account = models.BooleanField(_("has a customer account"), default=False)

    # Order figures kept on the contact (maintained by commerce, C5) so that lists and
    # filters never aggregate orders at read time.
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    total_spent = models.DecimalField(
        _("total spent"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    average_order_value = models.DecimalField(
        _("average order value"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True)
    customer_since = models.DateTimeField(_("customer since"), null=True, blank=True)

    shipping_address = models.JSONField(_("last shipping address"), default=dict, blank=True)
    billing_address = models.JSONField(_("last billing address"), default=dict, blank=True)

    # C6: set by a manual edit; orders then stop overwriting the details.
    locked = models.BooleanField(_("details locked"), default=False)

    # Derived columns, kept by refresh_derived_fields() on every save.
    name_key = models.CharField(max_length=310, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    # Not auto_now_add: imports keep the date a contact was first known elsewhere.
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tags = models.ManyToManyField("Tag", through="ContactTag", related_name="contacts", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email_key"],
                condition=~Q(email_key=""),
                name="contact_one_per_email",
            ),
        ]
        # One (workspace, sort key, id) index per sort of the list (C9), so that every
        # page is a range scan of an index whatever the depth; range filters on the same
        # columns use them too. The trigram and prefix-search indexes are PostgreSQL-only
        # and live in migrations (see comptoir/contacts/postgres.py).
        indexes = [
            models.Index(fields=["workspace", "name_key", "id"], name="contact_sort_name"),
            models.Index(fields=["workspace", "email_key", "id"], name="contact_sort_email"),
            models.Index(
                fields=["workspace", "order_count", "id"], name="contact_sort_order_count"
            ),
            models.Index(
                fields=["workspace", "total_spent", "id"], name="contact_sort_total_spent"
            ),
            models.Index(fields=["workspace", "created_at", "id"], name="contact_sort_created"),
            models.Index(
                F("workspace"),
                last_order_sort(descending=False),
                F("id"),
                name="contact_sort_last_order_asc",
            ),
            models.Index(
                F("workspace"),
                last_order_sort(descending=True),
                F("id"),
                name="contact_sort_last_order_desc",
            ),
            # The last-order filters: their counts are index-only scans of this one (23-33 ms
            # at a million contacts), where the coalesced sort indexes above would have to
            # read the table (310-440 ms): bench/results/contacts_import-findings-2026-12-03.
            models.Index(fields=["workspace", "last_order_at"], name="contact_last_order"),
            # A consent state alone reads the start of the next one (no index of its own).
            # Measured on a million contacts (bench/results/contacts_list-findings-*.md): a
            # consent state with a total-spent range, sorted by total spent, reads only the
            # matching entries in order, and its count is an index-only scan instead of a
            # read of the whole table (660 ms -> 100 ms).
            models.Index(
                fields=["workspace", "consent", "total_spent", "id"],
                name="contact_consent_spent",
            ),
            # The built-in segments' counts as index-only scans instead of reading the
            # table: customers / prospects (and new customers, by customer_since), sign-ups.
            models.Index(fields=["workspace", "type", "customer_since"], name="contact_type_since"),
            models.Index(fields=["workspace", "source"], name="contact_source"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return normalize.display_name(
            first_name=self.first_name, last_name=self.last_name, email=self.email, phone=self.phone
        )

    def refresh_derived_fields(self) -> None:
        """Recompute email_key, name_key and search_text from the details."""
        self.email_key = normalize.email_key(self.email)
        self.name_key = normalize.fold(self.display_name)[:310]
        self.search_text = normalize.search_text(
            first_name=self.first_name, last_name=self.last_name, email=self.email, phone=self.phone
        )

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "email_key",
                "name_key",
                "search_text",
                "updated_at",
            }
        super().save(*args, **kwargs)


class Tag(WorkspaceScoped):
    """A free-form internal label (C7); "VIP" and "vip" are one tag."""

    MAX_PER_WORKSPACE = 250

    name = models.CharField(_("name"), max_length=64)
    key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="tag_unique_per_workspace")
        ]
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class ContactTag(models.Model):
    # No one-column index of either key: the unique (contact, tag) and the (tag, contact)
    # indexes below begin with them.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="contact_links", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact", "tag"], name="contact_tag_once")]
        # The unique index serves "tags of a contact" and the tag filter's EXISTS;
        # this one serves tag counts and "contacts with this tag".
        indexes = [models.Index(fields=["tag", "contact"], name="contact_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.contact_id}"


class Note(WorkspaceScoped):
    """An internal note (C8): never shown to customers, never exported."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"))
    # Brought by a customer import (Square's Memo, Shopify's Note): nobody here wrote it.
    imported = models.BooleanField(_("imported"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "created_at", "id"], name="note_by_contact")]

    def __str__(self) -> str:
        return self.body[:50]


class ContactEvent(WorkspaceScoped):
    """One entry of a contact's activity timeline (C4). Append-only: never edited."""

    # `kind` has no `choices`: each app names its own kinds in its events.py (contacts.events,
    # commerce.events, …), so that adding one needs no migration here.
    # event_by_contact (contact, created_at, id) serves every lookup by contact.
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "created_at", "id"], name="event_by_contact")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.contact_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("contact events are append-only")
        super().save(*args, **kwargs)


class Segment(WorkspaceScoped):
    """A saved smart filter, evaluated live, or a hand-picked static group (C10)."""

    class Kind(models.TextChoices):
        SMART = "smart", _("Smart group")
        STATIC = "static", _("Static group")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SMART)
    # The keys of the contacts list query (selectors.ContactFilter), as JSON.
    filter = models.JSONField(default=dict, blank=True)
    contacts = models.ManyToManyField(
        Contact, through="SegmentContact", related_name="static_segments", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(F("workspace"), Lower("name"), name="segment_unique_name")
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SegmentContact(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "contact"], name="segment_contact_once")
        ]
        indexes = [models.Index(fields=["contact"], name="segment_contact_by_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.segment_id}"
