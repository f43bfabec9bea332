"""Input and output shapes of the automations API (CONTRACT: automations)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool

from comptoir.core.input_types import JsonInt

MINUTES = (
    "Whole minutes, 1 to 43,200 (30 days); otherwise 422 `invalid_delay` or "
    "`invalid_reminder_after`."
)
DEFAULT = "Blank for the default text (in each contact's language); left out: unchanged."


# Checked by the service, so that a bad delay has its own code; the schema says the range.
DELAY = Field(description=MINUTES, json_schema_extra={"minimum": 1, "maximum": 43_200})


class AbandonedCartIn(Schema):
    enabled: StrictBool
    delay_minutes: JsonInt = DELAY
    reminder_enabled: StrictBool
    reminder_after_minutes: JsonInt = DELAY
    subject: str | None = Field(None, max_length=300, description=DEFAULT)
    body_markdown: str | None = Field(None, max_length=100_000, description=DEFAULT)


class WelcomeIn(Schema):
    enabled: StrictBool
    trigger: Literal["signup", "first_order", "both"]
    subject: str | None = Field(None, max_length=300, description=DEFAULT)
    body_markdown: str | None = Field(None, max_length=100_000, description=DEFAULT)
    coupon_code: str | None = Field(None, max_length=100)


class AutomationStats(Schema):
    sent: int
    opened: int = Field(description="Unique opens.")
    clicked: int = Field(description="Unique clicks.")
    skipped: int = Field(description="Left out at send time: no consent, or nothing to send.")
    recovered: int = Field(
        description="Orders from the same person within 7 days of one of its e-mails, or "
        "with its coupon (carts recovered, for the reminder)."
    )
    recovered_revenue: Decimal
    waiting: int = Field(description="Sends scheduled and not due yet.")


class AbandonedCartOut(Schema):
    enabled: bool
    activated_at: dt.datetime | None
    delay_minutes: int
    reminder_enabled: bool
    reminder_after_minutes: int
    subject: str
    body_markdown: str
    stats: AutomationStats


class WelcomeOut(Schema):
    enabled: bool
    activated_at: dt.datetime | None
    trigger: str
    subject: str
    body_markdown: str
    coupon_code: str
    stats: AutomationStats
