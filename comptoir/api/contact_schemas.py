"""Input and output shapes of the directory: contacts, notes, tags, segments, timeline."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StrictBool, WithJsonSchema

from comptoir.contacts.models import Segment, Tag
from comptoir.contacts.selectors import BuiltinSegment, ContactFilter, SortKey, segment_count
from comptoir.core.input_types import EMAIL, NO_VALUE, PRINTABLE, JsonInt

Source = Literal[
    "order", "manual", "signup_page", "qr_code", "widget", "contact_form", "import", "pos", "api"
]
MONEY_EXAMPLE = "12.50"
# A row id: larger numbers cannot name a row and would overflow SQLite's integers.
RowId = Annotated[
    JsonInt,
    Field(ge=1, le=2**63 - 1),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 2**63 - 1}),
]
# What the tag services keep (normalize.tag_name): something printable, no comma. The
# services refuse the rest with 422 `invalid_tag`; the schema says so to clients.
TagName = Annotated[
    str,
    Field(max_length=64),
    WithJsonSchema(
        {"type": "string", "maxLength": 64, "pattern": rf"^[^,]*{PRINTABLE[:-1]},][^,]*$"}
    ),
]
# An address, or "" for none (the services validate it, 422 `invalid_email`).
Email = Annotated[str, Field(max_length=254), WithJsonSchema({"anyOf": [EMAIL, NO_VALUE]})]
# A phone has a digit (else 422 `invalid_phone`); "" for none.
PHONE = {"type": "string", "maxLength": 40, "pattern": "[0-9]"}
Phone = Annotated[str, Field(max_length=40), WithJsonSchema({"anyOf": [PHONE, NO_VALUE]})]


def money(value: Decimal) -> str:
    """Money as the contract writes it: a decimal string with two places."""
    return str(Decimal(value).quantize(Decimal("0.01")))


class Address(BaseModel):
    """A pydantic model, not a ninja Schema: a Schema reads any object's attributes, so a
    list or a string would pass for an empty address."""

    name: str | None = Field(None, max_length=200)
    line1: str | None = Field(None, max_length=200)
    line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)


class ContactOut(Schema):
    id: int
    email: str = Field(description='"" for a phone-only contact.')
    phone: str = Field(description="E.164 when the number could be understood.")
    first_name: str
    last_name: str
    company: str
    type: Literal["customer", "prospect"]
    consent: Literal["subscribed", "unsubscribed", "not_subscribed", "pending"]
    tags: list[str]
    total_spent: str = Field(examples=[MONEY_EXAMPLE])
    order_count: int
    average_order_value: str = Field(examples=[MONEY_EXAMPLE])
    last_order_at: datetime | None
    customer_since: datetime | None
    locked: bool = Field(
        description="Details were edited by hand: orders no longer overwrite them (C6)."
    )
    source: Source
    has_account: bool
    created_at: datetime

    @staticmethod
    def resolve_tags(contact) -> list[str]:
        return [tag.name for tag in contact.tags.all()]

    @staticmethod
    def resolve_total_spent(contact) -> str:
        return money(contact.total_spent)

    @staticmethod
    def resolve_average_order_value(contact) -> str:
        return money(contact.average_order_value)


class ContactDetailOut(ContactOut):
    """A contact with what only its own page needs."""

    language: str
    shipping_address: dict[str, str]
    billing_address: dict[str, str]
    updated_at: datetime


class ContactList(Schema):
    items: list[ContactOut]
    next_cursor: str | None


PHONE_HELP = (
    "A real number, as dialled in the workspace's country (its time zone's: `06 12 34 56 78` "
    "in France) or with its country code; stored and returned in E.164. Anything else is "
    "422 `invalid_phone`."
)


class ContactIn(Schema):
    """Only an e-mail address is required — or a phone for a phone-only contact (C11)."""

    # Neither is 422 `email_or_phone_required`.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["email"], "properties": {"email": EMAIL}},
                {"required": ["phone"], "properties": {"phone": PHONE}},
            ]
        }
    )

    email: Email | None = None
    phone: Phone | None = Field(None, description=PHONE_HELP)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    company: str = Field("", max_length=200)
    language: str = Field("", max_length=10)
    has_account: StrictBool = False
    source: Source = Field("api", description="Where the contact comes from; `api` by default.")
    shipping_address: Address | None = None
    billing_address: Address | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    note: str | None = Field(None, max_length=10_000, description="A first internal note.")


class ContactPatch(Schema):
    """Only the fields sent change. Changing details sets `locked` (C6) unless the body
    says `locked: false`; `{"locked": false}` alone releases the lock."""

    email: Email | None = None
    phone: Phone | None = Field(None, description=PHONE_HELP)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    company: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=10)
    has_account: StrictBool | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    locked: StrictBool | None = None


class ContactBulkIn(Schema):
    """Act on many contacts: give `ids` (at most 1000) or a `filter` (the keys of the list
    query: every matching contact, however many), never both.

    - `tag` / `untag`: `tags` names the tags (created as needed, within the 250 limit);
    - `delete`: needs `"confirm": true`.
    """

    # The rules above, for clients generated from the schema.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["ids"], "properties": {"ids": {"type": "array"}}},
                {"required": ["filter"], "properties": {"filter": {"type": "object"}}},
            ],
            "allOf": [
                {
                    "if": {"properties": {"action": {"enum": ["tag", "untag"]}}},
                    "then": {"required": ["tags"], "properties": {"tags": {"minItems": 1}}},
                },
                {
                    "if": {"properties": {"action": {"const": "delete"}}},
                    "then": {"required": ["confirm"], "properties": {"confirm": {"const": True}}},
                },
            ],
        }
    )

    action: Literal["tag", "untag", "delete"]
    ids: list[RowId] | None = Field(None, max_length=1000)
    filter: ContactFilter | None = None
    tags: list[TagName] = Field(default_factory=list, max_length=50)
    confirm: StrictBool = False


class BulkOut(Schema):
    action: str
    matched: int = Field(description="Contacts selected in this workspace.")
    changed: int = Field(description="Contacts the action changed.")


class TagsIn(Schema):
    # One call may bring a whole workspace's worth; the limit that matters is 250 distinct
    # tags per workspace (422 `tag_limit`).
    tags: list[TagName] = Field(min_length=1, max_length=Tag.MAX_PER_WORKSPACE)


class TagOut(Schema):
    name: str
    count: int = Field(description="Contacts carrying the tag.")


class TagList(Schema):
    items: list[TagOut]
    next_cursor: str | None


class TagRenameIn(Schema):
    name: TagName = Field(description="The new name; the name of another tag merges the two.")


class Person(Schema):
    id: int
    name: str
    email: str


# Not blank once control characters are dropped (else 422 `invalid_note`, `invalid_name`).
NOT_BLANK = {"pattern": PRINTABLE}


class NoteIn(Schema):
    body: str = Field(min_length=1, max_length=10_000, json_schema_extra=NOT_BLANK)


class NoteOut(Schema):
    id: int
    contact_id: int
    body: str
    author: Person | None
    created_at: datetime
    updated_at: datetime


class NoteList(Schema):
    items: list[NoteOut]
    next_cursor: str | None


class EventOut(Schema):
    id: int
    kind: str
    data: dict
    actor: Person | None
    created_at: datetime


class EventList(Schema):
    items: list[EventOut]
    next_cursor: str | None


class SegmentOut(Schema):
    id: str = Field(description="A built-in's name (`all_customers`, …) or a saved one's number.")
    name: str
    kind: Literal["builtin", "smart", "static"]
    filter: dict | None = Field(description="A smart segment's saved filter.")
    created_at: datetime | None

    @staticmethod
    def resolve_id(segment) -> str:
        return str(segment.id)

    @staticmethod
    def resolve_kind(segment) -> str:
        return "builtin" if isinstance(segment, BuiltinSegment) else segment.kind

    @staticmethod
    def resolve_filter(segment) -> dict | None:
        if isinstance(segment, Segment) and segment.kind == Segment.Kind.SMART:
            return segment.filter
        return None

    @staticmethod
    def resolve_name(segment) -> str:
        return str(segment.name)

    @staticmethod
    def resolve_created_at(segment) -> datetime | None:
        return getattr(segment, "created_at", None)


class SegmentDetailOut(SegmentOut):
    count: int = Field(description="Contacts in the segment right now.")

    @staticmethod
    def resolve_count(segment, context) -> int:
        workspace = context["request"].auth.workspace
        return segment_count(workspace=workspace, segment_id=str(segment.id))


class SegmentList(Schema):
    items: list[SegmentOut]
    next_cursor: str | None


class SegmentIn(Schema):
    # A static group has no filter (422 `invalid_filter`).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"required": ["kind"], "properties": {"kind": {"const": "static"}}},
            "then": {"properties": {"filter": {"type": "null"}}},
        }
    )

    name: str = Field(min_length=1, max_length=120, json_schema_extra=NOT_BLANK)
    kind: Literal["smart", "static"] = "smart"
    filter: ContactFilter | None = Field(
        None, description="For a smart segment: the keys of the contacts list query."
    )
    contact_ids: list[RowId] = Field(
        default_factory=list, max_length=1000, description="For a static group: its members."
    )


class SegmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120, json_schema_extra=NOT_BLANK)
    filter: ContactFilter | None = None


class SegmentMembersIn(Schema):
    ids: list[RowId] = Field(min_length=1, max_length=1000)


class SegmentMembersOut(Schema):
    changed: int


class SegmentContactsQuery(Schema):
    sort: SortKey | None = Field(
        None, description="As in the contacts list; by default the segment's own sort."
    )
