"""The automation page's chart per day, drawn on the server as SVG (no script, no canvas).

Screen readers get the chart's title and summary, and the same figures in a table.
"""

from dataclasses import dataclass

WIDTH, HEIGHT, GAP = 600, 120, 2


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y: float
    height: float
    day: object
    sent: int
    opened: int
    opened_y: float
    opened_height: float


def daily_bars(days: list[dict]) -> dict:
    """Geometry of one bar per day (sent) with the opened part drawn over it."""
    if not days:
        return {"bars": [], "width": WIDTH, "height": HEIGHT, "peak": 0}
    peak = max(max(d["sent"] for d in days), 1)
    step = WIDTH / len(days)
    bars = []
    for index, day in enumerate(days):
        height = HEIGHT * day["sent"] / peak
        opened = HEIGHT * min(day["opened"], day["sent"]) / peak
        bars.append(
            Bar(
                x=round(index * step + GAP / 2, 2),
                width=round(step - GAP, 2),
                y=round(HEIGHT - height, 2),
                height=round(height, 2),
                day=day["day"],
                sent=day["sent"],
                opened=day["opened"],
                opened_y=round(HEIGHT - opened, 2),
                opened_height=round(opened, 2),
            )
        )
    return {"bars": bars, "width": WIDTH, "height": HEIGHT, "peak": peak}
