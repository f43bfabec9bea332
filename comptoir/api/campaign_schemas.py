"""Input and output shapes of the campaigns API (CONTRACT: campaigns)."""

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from comptoir.api.commerce_schemas import StoreTime

SegmentId = int | str
SEGMENTS = Field(
    description='Saved segment ids (`12`) or built-in ones (`"subscribers"`); the audience is '
    "their union, each contact once.",
    max_length=50,
)


# Something to read: not empty, not only spaces (else 422 `invalid_<field>`).
WRITTEN = r"\S"


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=120, pattern=WRITTEN)
    subject: str = Field(
        min_length=1,
        max_length=300,
        pattern=WRITTEN,
        description='May hold `{{ first_name|default:"ami" }}`.',
    )
    body_markdown: str = Field(min_length=1, max_length=100_000, pattern=WRITTEN)
    segment_ids: list[SegmentId] = SEGMENTS
    preheader: str = Field("", max_length=300)
    sender_name: str = Field("", max_length=120)
    coupon_code: str | None = Field(None, max_length=100)


class CampaignPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120, pattern=WRITTEN)
    subject: str | None = Field(None, min_length=1, max_length=300, pattern=WRITTEN)
    body_markdown: str | None = Field(None, min_length=1, max_length=100_000, pattern=WRITTEN)
    segment_ids: list[SegmentId] | None = Field(None, max_length=50)
    preheader: str | None = Field(None, max_length=300)
    sender_name: str | None = Field(None, max_length=120)
    coupon_code: str | None = Field(None, max_length=100)


class ScheduleIn(Schema):
    send_at: StoreTime = Field(description="ISO 8601 with offset.")


class TestIn(Schema):
    emails: list[str] = Field(min_length=1, max_length=10)


class TestOut(Schema):
    emails: list[str]


class StatsOut(Schema):
    recipients: int
    sent: int
    failed: int
    bounced: int
    opened: int = Field(description="Unique human opens.")
    clicked: int = Field(description="Unique human clicks.")
    unsubscribed: int
    coupon_orders: int
    coupon_revenue: Decimal
    complaints: int
    unknown: int = Field(description="Claimed by a worker that stopped mid-send: never resent.")
    queued: int
    skipped: int = Field(description="Left out at send time: no consent any more.")
    proxy_opens: int = Field(description="Fetched by a privacy proxy (Apple Mail), not opened.")
    machine_clicks: int = Field(description="Messages whose links only a scanner followed.")


class CampaignOut(Schema):
    id: int
    name: str
    subject: str
    preheader: str
    sender_name: str
    body_markdown: str
    segment_ids: list[str]
    coupon_code: str
    status: str = Field(description="draft, scheduled, sending, sent, canceled or failed.")
    send_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    failure: str
    created_at: dt.datetime
    updated_at: dt.datetime
    stats: StatsOut


class CampaignSummary(Schema):
    id: int
    name: str
    subject: str
    status: str
    send_at: dt.datetime | None
    created_at: dt.datetime


class CampaignList(Schema):
    items: list[CampaignSummary]
    next_cursor: str | None


class AudienceOut(Schema):
    recipients: int = Field(description="Would receive it now.")
    total: int = Field(description="Everybody in the segments.")
    unsubscribed: int
    never_subscribed: int
    pending: int = Field(description="Waiting for their double opt-in confirmation.")
    suppressed: int = Field(description="Bounced or complained.")
    no_email: int


class LinkOut(Schema):
    url: str
    unique: int = Field(description="People who clicked it.")
    total: int = Field(description="Clicks by people, repeats included.")
    scanners: int = Field(description="Messages in which a link scanner followed it.")


class HourOut(Schema):
    hour: dt.datetime
    opens: int
    clicks: int


class ResultsOut(Schema):
    stats: StatsOut
    links: list[LinkOut]
    hourly: list[HourOut]
