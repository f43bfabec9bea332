"""Reads the campaign pages need beyond `comptoir.campaigns.selectors`: list rows with
their headline figures, the composer's choices, the preview, and the geometry of the
opens/clicks chart. Each one only combines selectors."""

from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from comptoir.campaigns import selectors
from comptoir.campaigns.models import Campaign
from comptoir.commerce.models import Product
from comptoir.commerce.selectors import products_for_sale
from comptoir.contacts.models import Contact
from comptoir.core.models import Workspace
from comptoir.core.services import ServiceError
from comptoir.mail.rendering import Rendered, render_preview
from comptoir.web.directory_reads import segments_with_counts

# The product picker lists a small shop's catalogue, not a warehouse's.
CATALOGUE_SHOWN = 200
# Why contacts of the audience get nothing now, in the order the audience box lists them.
LEFT_OUT = (
    ("unsubscribed", _("unsubscribed")),
    ("never_subscribed", _("never subscribed")),
    ("pending", _("waiting for double opt-in confirmation")),
    ("suppressed", _("bounced, complained or erased")),
    ("no_email", _("no e-mail address")),
)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass
class CampaignRow:
    campaign: Campaign
    stats: dict
    open_rate: Decimal | None
    click_rate: Decimal | None


def campaign_rows(campaigns) -> list[CampaignRow]:
    rows = []
    for campaign in campaigns:
        stats = selectors.campaign_stats(campaign=campaign)
        rows.append(
            CampaignRow(
                campaign=campaign,
                stats=stats,
                open_rate=percent(stats["opened"], stats["sent"]),
                click_rate=percent(stats["clicked"], stats["sent"]),
            )
        )
    return rows


def segment_choices(*, workspace: Workspace) -> list[tuple[str, str]]:
    """Built-in segments first, then the saved ones, each with its live count."""
    builtins, saved = segments_with_counts(workspace=workspace)
    return [(row.id, f"{row.name} ({row.count})") for row in [*builtins, *saved]]


def catalogue(*, workspace: Workspace) -> list[Product]:
    return list(products_for_sale(workspace=workspace)[:CATALOGUE_SHOWN])


@dataclass
class Audience:
    recipients: int
    total: int
    left_out: list[tuple[str, int]]


def audience(*, workspace: Workspace, segment_ids: list[str]) -> Audience | None:
    """E2: who would receive it now and who is left out, or None before segments are chosen
    (or when one no longer exists: the form says so)."""
    if not segment_ids:
        return None
    try:
        counts = selectors.audience_breakdown(workspace=workspace, segment_ids=segment_ids)
    except (Http404, ServiceError):  # a deleted or cyclic segment: nothing to count
        return None
    left_out = [(label, counts[key]) for key, label in LEFT_OUT if counts[key]]
    return Audience(recipients=counts["recipients"], total=counts["total"], left_out=left_out)


@dataclass
class Preview:
    contact: Contact
    rendered: Rendered | None
    error: str | None = None


def preview(*, campaign: Campaign) -> Preview:
    """The message as a real person of the audience would get it (E1); the unsubscribe
    link leads nowhere, since nobody is unsubscribed from a preview."""
    contact = selectors.sample_contact(campaign=campaign)
    try:
        rendered = render_preview(
            workspace=campaign.workspace,
            contact=contact,
            subject=campaign.subject,
            body_markdown=campaign.body_markdown,
            preheader=campaign.preheader,
        )
    except Exception as error:  # noqa: BLE001 - a preview never takes the composer down
        return Preview(contact=contact, rendered=None, error=str(error))
    return Preview(contact=contact, rendered=rendered)


# The chart: one group of two bars (opens, clicks) per hour, in an SVG of this size.
CHART_WIDTH = 720
CHART_HEIGHT = 180
CHART_LEFT = 36  # room for the scale
CHART_BOTTOM = 24  # room for the hours
LABEL_EVERY = 6


@dataclass
class Bar:
    hour: object
    opens: int
    clicks: int
    x: float
    open_y: float
    open_height: float
    click_x: float
    click_y: float
    click_height: float
    label: bool


@dataclass
class Chart:
    bars: list[Bar]
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    baseline: int = CHART_HEIGHT - CHART_BOTTOM
    bar_width: float = 0


def hourly_chart(*, campaign: Campaign) -> Chart | None:
    hours = selectors.campaign_hourly(campaign=campaign)
    if not hours:
        return None
    peak = max(max(h["opens"], h["clicks"]) for h in hours) or 1
    plot = CHART_HEIGHT - CHART_BOTTOM - 8
    step = (CHART_WIDTH - CHART_LEFT) / len(hours)
    bar_width = round(step * 0.4, 2)
    baseline = CHART_HEIGHT - CHART_BOTTOM

    def height(value: int) -> float:
        return round(plot * value / peak, 2)

    bars = []
    for index, hour in enumerate(hours):
        x = round(CHART_LEFT + index * step + step * 0.1, 2)
        opens, clicks = height(hour["opens"]), height(hour["clicks"])
        bars.append(
            Bar(
                hour=hour["hour"],
                opens=hour["opens"],
                clicks=hour["clicks"],
                x=x,
                open_y=round(baseline - opens, 2),
                open_height=opens,
                click_x=round(x + bar_width, 2),
                click_y=round(baseline - clicks, 2),
                click_height=clicks,
                label=index % LABEL_EVERY == 0,
            )
        )
    return Chart(bars=bars, peak=peak, bar_width=bar_width)
