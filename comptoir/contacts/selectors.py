"""Every read of the directory that is more than a `get` (house rule 1).

`ContactFilter` is the ONE filter of the directory: the API's `GET /contacts` query, the
dashboard list and saved smart segments all evaluate it through `contacts_filter()`.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, field_validator

from comptoir.contacts import normalize
from comptoir.contacts.models import (
    Contact,
    ContactEvent,
    ContactTag,
    Note,
    Segment,
    SegmentContact,
    Tag,
    last_order_sort,
)
from comptoir.core.input_types import FilterInstant, Flag, money_input
from comptoir.core.models import Workspace
from comptoir.core.scoping import get_scoped, scoped
from comptoir.core.services import ServiceError

SortKey = Literal[
    "name",
    "-name",
    "email",
    "-email",
    "last_order_at",
    "-last_order_at",
    "order_count",
    "-order_count",
    "total_spent",
    "-total_spent",
    "created_at",
    "-created_at",
]
DEFAULT_SORT = "-created_at"
# What Contact.total_spent holds (14 digits, 2 of them decimals).
Money = money_input(integer_digits=12, maximum=Decimal("999999999999.99"))


class ContactFilter(BaseModel):
    """The query of the contacts list (CONTRACT `GET /api/v1/contacts`, SPEC C9).

    Every key is optional and they combine with AND. Naive date-times are read in the
    workspace's time zone.
    """

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(
        None,
        max_length=200,
        description="Search by name, e-mail or phone; case- and accent-insensitive. Any part "
        "of an address matches: its start (`zoe@ex`), its domain (`gmail.com`), a piece "
        "of it (`.martin@`).",
    )
    type: Literal["customer", "prospect"] | None = None
    consent: Literal["subscribed", "unsubscribed", "not_subscribed", "pending"] | None = None
    tag: list[str] = Field(
        default_factory=list, max_length=50, description="Repeatable; every tag must match."
    )
    min_total_spent: Money | None = None
    max_total_spent: Money | None = None
    min_orders: int | None = Field(None, ge=0, le=2_000_000_000)
    last_order_after: FilterInstant | None = Field(
        None, description="Last order at or after this instant (or date)."
    )
    last_order_before: FilterInstant | None = Field(
        None, description="Last order strictly before this instant (or date)."
    )
    segment: str | None = Field(
        None, max_length=40, description="A saved segment's id or a built-in segment's id."
    )
    source: list[
        Literal[
            "order",
            "manual",
            "signup_page",
            "qr_code",
            "widget",
            "contact_form",
            "import",
            "pos",
            "api",
        ]
    ] = Field(default_factory=list, max_length=9, description="Repeatable; any may match.")
    has_account: Flag | None = None
    sort: SortKey | None = Field(
        None, description="Default `-created_at`; ties are broken by id in the same direction."
    )

    @field_validator("tag")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        return [name for name in (normalize.tag_name(v) for v in value) if name]

    @field_validator("q", "segment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return normalize.clean_line(value) or None

    def stored(self) -> dict:
        """The JSON kept in a smart segment: only the keys that filter something."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


@dataclass(frozen=True)
class BuiltinSegment:
    id: str
    name: str


# C10's built-in segments: fixed definitions with stable ids, not rows.
BUILTIN_SEGMENTS = {
    segment.id: segment
    for segment in (
        BuiltinSegment("all_customers", _("All customers")),
        BuiltinSegment("prospects", _("Prospects")),
        BuiltinSegment("new_customers", _("New customers (first order in the last 30 days)")),
        BuiltinSegment("repeat_customers", _("Repeat customers (2+ orders)")),
        BuiltinSegment("subscribers", _("E-mail subscribers")),
        BuiltinSegment("signups", _("Collected e-mail addresses (sign-ups)")),
        BuiltinSegment("unsubscribed", _("Unsubscribed")),
    )
}
SIGNUP_SOURCES = (Contact.Source.SIGNUP_PAGE, Contact.Source.QR_CODE, Contact.Source.WIDGET)
# The timeline kind `collect` writes for every sign-up: a contact first known from an order or
# an import that later signs up is a collected address too.
SIGNED_UP_EVENT = "signed_up"
NEW_CUSTOMER_DAYS = 30
MAX_SEGMENT_DEPTH = 5


def _builtin_condition(segment_id: str) -> Q:
    if segment_id == "all_customers":
        return Q(type=Contact.Type.CUSTOMER)
    if segment_id == "prospects":
        return Q(type=Contact.Type.PROSPECT)
    if segment_id == "new_customers":
        since = timezone.now() - datetime.timedelta(days=NEW_CUSTOMER_DAYS)
        return Q(type=Contact.Type.CUSTOMER, customer_since__gte=since)
    if segment_id == "repeat_customers":
        return Q(order_count__gte=2)
    if segment_id == "subscribers":
        return Q(consent=Contact.Consent.SUBSCRIBED)
    if segment_id == "signups":
        signed_up = ContactEvent.objects.filter(contact=OuterRef("pk"), kind=SIGNED_UP_EVENT)
        return Q(source__in=SIGNUP_SOURCES) | Q(Exists(signed_up))
    if segment_id == "unsubscribed":
        return Q(consent=Contact.Consent.UNSUBSCRIBED)
    raise KeyError(segment_id)


def segment_get(*, workspace: Workspace, segment_id: str) -> BuiltinSegment | Segment:
    """A built-in definition or a saved segment of this workspace; Http404 otherwise."""
    if segment_id in BUILTIN_SEGMENTS:
        return BUILTIN_SEGMENTS[segment_id]
    if not segment_id.isdigit():
        raise Http404
    return get_scoped(Segment, workspace, pk=int(segment_id))


def _aware(value: datetime.datetime, workspace: Workspace) -> datetime.datetime:
    """An instant in UTC; a naive value is read in the workspace's time zone."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zoneinfo.ZoneInfo(workspace.time_zone))
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by the offset
        edge = datetime.datetime.min if value.year == 1 else datetime.datetime.max
        return edge.replace(tzinfo=datetime.UTC)


def _segment_condition(workspace: Workspace, segment_id: str, seen: tuple[str, ...]) -> Q:
    if segment_id in seen or len(seen) >= MAX_SEGMENT_DEPTH:
        raise ServiceError(
            gettext("A segment cannot include itself, even through other segments."),
            code="segment_cycle",
        )
    segment = segment_get(workspace=workspace, segment_id=segment_id)
    if isinstance(segment, BuiltinSegment):
        return _builtin_condition(segment.id)
    if segment.kind == Segment.Kind.STATIC:
        members = SegmentContact.objects.filter(segment=segment, contact=OuterRef("pk"))
        return Q(Exists(members))
    saved = ContactFilter.model_validate(segment.filter)
    return _conditions(workspace, saved, (*seen, segment_id))


def _conditions(workspace: Workspace, flt: ContactFilter, seen: tuple[str, ...] = ()) -> Q:
    condition = Q()
    if flt.q:
        for term in normalize.search_terms(flt.q):
            condition &= Q(search_text__contains=term)
    if flt.type:
        condition &= Q(type=flt.type)
    if flt.consent:
        condition &= Q(consent=flt.consent)
    if flt.tag:
        keys = {normalize.tag_key(name) for name in flt.tag}
        tag_ids = list(scoped(Tag, workspace).filter(key__in=keys).values_list("pk", flat=True))
        if len(tag_ids) < len(keys):
            return Q(pk__in=[])  # a tag nobody has: nobody matches every tag
        # One EXISTS per tag rather than joins: "all must match" without multiplying rows.
        for tag_id in tag_ids:
            links = ContactTag.objects.filter(contact=OuterRef("pk"), tag_id=tag_id)
            condition &= Q(Exists(links))
    if flt.min_total_spent is not None:
        condition &= Q(total_spent__gte=flt.min_total_spent)
    if flt.max_total_spent is not None:
        condition &= Q(total_spent__lte=flt.max_total_spent)
    if flt.min_orders is not None:
        condition &= Q(order_count__gte=flt.min_orders)
    if flt.last_order_after is not None:
        condition &= Q(last_order_at__gte=_aware(flt.last_order_after, workspace))
    if flt.last_order_before is not None:
        condition &= Q(last_order_at__lt=_aware(flt.last_order_before, workspace))
    if flt.source:
        condition &= Q(source__in=flt.source)
    if flt.has_account is not None:
        condition &= Q(has_account=flt.has_account)
    if flt.segment:
        condition &= _segment_condition(workspace, flt.segment, seen)
    return condition


def contacts_filter(*, workspace: Workspace, filter: ContactFilter) -> QuerySet[Contact]:
    """This workspace's contacts matching `filter`, unordered (sorting is `contacts_sorted`).

    A `segment` that is not this workspace's raises Http404.
    """
    return scoped(Contact, workspace).filter(_conditions(workspace, filter))


def segments_condition(*, workspace: Workspace, segment_ids: list[str]) -> Q:
    """Membership of any of several segments (a campaign's audience, E2), as one condition
    on contacts: each contact once, however many of the segments hold it.

    An id that is not one of this workspace's segments raises Http404.
    """
    condition = Q(pk__in=[])
    for segment_id in segment_ids:
        condition |= _segment_condition(workspace, str(segment_id), ())
    return condition


def contacts_in_segments(*, workspace: Workspace, segment_ids: list[str]) -> QuerySet[Contact]:
    """The union of several segments."""
    return scoped(Contact, workspace).filter(
        segments_condition(workspace=workspace, segment_ids=segment_ids)
    )


def contact_ordering(sort: str | None) -> tuple[dict, list[str]]:
    """(annotations, order_by) of a sort key; every ordering ends with the primary key."""
    sort = sort or DEFAULT_SORT
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    annotations = {}
    if field == "name":
        column = "name_key"
    elif field == "email":
        column = "email_key"
    elif field == "last_order_at":
        # Nullable: sort on the coalesced value, which the two expression indexes hold.
        column = "last_order_sort"
        annotations[column] = last_order_sort(descending)
    else:
        column = field
    sign = "-" if descending else ""
    return annotations, [f"{sign}{column}", f"{sign}id"]


def contacts_sorted(*, workspace: Workspace, filter: ContactFilter) -> tuple[QuerySet, list[str]]:
    """The filtered contacts, annotated for their sort, and the ordering to paginate on."""
    annotations, ordering = contact_ordering(filter.sort)
    queryset = contacts_filter(workspace=workspace, filter=filter).annotate(**annotations)
    return with_tags(queryset, workspace), ordering


def with_tags(queryset: QuerySet[Contact], workspace: Workspace) -> QuerySet[Contact]:
    return queryset.prefetch_related(
        Prefetch("tags", queryset=scoped(Tag, workspace).order_by("key"))
    )


def contact_list_page(
    *,
    workspace: Workspace,
    filter: ContactFilter,
    limit: int = 50,
    cursor: str | None = None,
):
    """One keyset page of the list: `Page(items, next_cursor)`."""
    from comptoir.api.pagination import PageParams, paginate

    queryset, ordering = contacts_sorted(workspace=workspace, filter=filter)
    return paginate(queryset, PageParams(limit=limit, cursor=cursor), ordering)


def contact_get(*, workspace: Workspace, contact_id: int) -> Contact:
    return get_scoped(with_tags(scoped(Contact, workspace), workspace), workspace, pk=contact_id)


def segment_count(*, workspace: Workspace, segment_id: str) -> int:
    return contacts_filter(workspace=workspace, filter=ContactFilter(segment=segment_id)).count()


def segments_saved(*, workspace: Workspace) -> QuerySet[Segment]:
    return scoped(Segment, workspace)


def segments_using_tag(*, workspace: Workspace, name: str) -> list[Segment]:
    """The smart segments whose saved filter names this tag (any case), by name."""
    key = normalize.tag_key(name)
    saved = scoped(Segment, workspace).filter(kind=Segment.Kind.SMART, filter__has_key="tag")
    return [
        segment
        for segment in saved
        if any(normalize.tag_key(other) == key for other in segment.filter.get("tag") or ())
    ]


def tag_counts(*, workspace: Workspace) -> QuerySet[Tag]:
    """Every tag of the workspace with `count`, the number of contacts that carry it."""
    return scoped(Tag, workspace).annotate(count=Count("contact_links")).order_by("key")


def contact_notes(*, workspace: Workspace, contact: Contact) -> QuerySet[Note]:
    """Newest first (C8)."""
    return scoped(Note, workspace).filter(contact=contact).select_related("author")


def note_get(*, workspace: Workspace, note_id: int) -> Note:
    return get_scoped(
        scoped(Note, workspace).select_related("author", "contact"), workspace, pk=note_id
    )


def contact_events(*, workspace: Workspace, contact: Contact) -> QuerySet[ContactEvent]:
    """The timeline, newest first (C4)."""
    return scoped(ContactEvent, workspace).filter(contact=contact).select_related("actor")
