"""One definition per metric, named as TikTok Shop's LIVE dashboards name them, and how numbers are shown.

Every metric shown anywhere (Slack post, `/scorecard help`, text, workbook) takes its name and wording
from METRICS here; DEFINITIONS is the same wording keyed for the footer lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Metric:
    key: str
    name: str  # as TikTok Shop's LIVE dashboard names it
    definition: str
    kind: str  # money | count | pct | duration | hours | dec


METRICS: tuple[Metric, ...] = (
    Metric("gmv", "GMV", "gross merchandise value: the value of the LIVE's orders", "money"),
    Metric("orders", "Orders", "orders placed during the LIVE", "count"),
    Metric("units", "Items sold", "units sold during the LIVE", "count"),
    Metric("viewers", "Viewers", "unique viewers (each account counted once per LIVE)", "count"),
    Metric("conversion", "Conversion", "orders / unique viewers", "pct"),
    Metric("ctor", "CTOR", "click-to-order rate: orders / product clicks (sessions with clicks only)", "pct"),
    Metric("ctr", "CTR", "product clicks / product impressions", "pct"),
    Metric("gmv_per_live_hour", "GMV per live hour", "GMV / hours on air", "money"),
    Metric("avg_view_duration", "Avg. viewing duration",
           "total viewing time / views, in minutes and seconds, e.g. 1m 12s (weekly: weighted by views)", "duration"),
    Metric("new_followers", "New followers", "accounts that followed during the LIVE", "count"),
    Metric("watch_gpm", "Watch GPM", "GMV per 1,000 views", "money"),
    Metric("velocity", "SKU velocity", "units sold per hour on air of the sessions that featured the SKU", "dec"),
    Metric("hours", "Hours on air", "time on air from the export, else the scheduled length", "hours"),
    Metric("punctuality", "On-time check-ins", "check-ins not late / (check-ins + missed check-ins)", "pct"),
    Metric("gmv_per_host_hour", "GMV per host hour", "GMV of the sessions hosted / the host's time-clock hours", "money"),
    Metric("labor_cost", "Labor cost", "time-clock hours x DEFAULT_HOURLY_RATE_CENTS", "money"),
    Metric("gmv_per_labor_dollar", "GMV per labor dollar", "GMV / labor cost", "dec"),
)
BY_KEY = {m.key: m for m in METRICS}
DEFINITIONS = {m.key: f"{m.name} = {m.definition}" for m in METRICS}
DEFINITIONS["retention"] = DEFINITIONS["avg_view_duration"]  # the older key, same single definition
FOOTER_KEYS = ("conversion", "ctor", "avg_view_duration", "gmv_per_live_hour", "velocity")

Money = int | Decimal


def dollars(cents: Money | None) -> str:
    if cents is None:
        return "n/a"
    return f"${Decimal(cents) / 100:,.0f}" if abs(cents) >= 100_000 else f"${Decimal(cents) / 100:,.2f}"


def pct(value: Decimal | None, places: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{places}f}%"


def duration(seconds: Decimal | int | float | None) -> str:
    """Seconds as minutes and seconds, never mistaken for a clock time: 65 -> '1m 05s', 20 -> '20s', 3725 -> '1h 02m 05s'."""
    if seconds is None:
        return "n/a"
    total = int(Decimal(str(seconds)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign, total = ("-" if total < 0 else ""), abs(total)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{sign}{h}h {m:02d}m {s:02d}s"
    return f"{sign}{m}m {s:02d}s" if m else f"{sign}{s}s"


def fmt_value(kind: str, value: Decimal | int | None) -> str:
    if value is None:
        return "n/a"
    if kind == "money":
        return dollars(value)
    if kind == "pct":
        return pct(Decimal(value), 2)
    if kind == "hours":
        return f"{Decimal(value):.1f} h"
    if kind == "duration":
        return duration(value)
    if kind == "dec":
        return f"{Decimal(value):.2f}"
    return f"{int(value):,}"


def help_lines() -> list[str]:
    """`/scorecard help`: every metric with its one definition."""
    return [f"{m.name}: {m.definition}" for m in METRICS]
