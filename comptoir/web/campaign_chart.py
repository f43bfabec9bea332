"""The geometry of a campaign's opens/clicks chart (T1): a presenter of
`campaigns.selectors.campaign_hourly`, drawn as SVG by the results page."""

from dataclasses import dataclass

from comptoir.campaigns import selectors
from comptoir.campaigns.models import Campaign

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
