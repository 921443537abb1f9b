"""One definition per metric, and how numbers are shown (money, percentages, counts, hours).

Every rate shown anywhere (Slack post, text, workbook) takes its wording from DEFINITIONS here.
"""

from __future__ import annotations

from decimal import Decimal

DEFINITIONS = {
    "conversion": "Conversion = orders / unique viewers",
    "ctr": "CTR = product clicks / product impressions",
    "ctor": "CTOR = orders / product clicks",
    "watch_gpm": "Watch GPM = GMV per 1,000 views",
    "retention": "Retention = avg. viewing duration / time on air (weekly: weighted by views)",
    "velocity": "SKU velocity = units sold per hour on air",
    "gmv_per_live_hour": "GMV per live hour = GMV / hours on air",
    "gmv_per_host_hour": "GMV per host hour = GMV of the sessions hosted / the host's time-clock hours",
    "labor_cost": "Labor cost = time-clock hours x DEFAULT_HOURLY_RATE_CENTS",
    "gmv_per_labor_dollar": "GMV per labor dollar = GMV / labor cost",
}
# Swaps are recorded by the shift-swap feature (built separately) as audit actions starting with this.

Money = int | Decimal


def dollars(cents: Money | None) -> str:
    if cents is None:
        return "n/a"
    return f"${Decimal(cents) / 100:,.0f}" if abs(cents) >= 100_000 else f"${Decimal(cents) / 100:,.2f}"


def pct(value: Decimal | None, places: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{places}f}%"


def fmt_value(kind: str, value: Decimal | int | None) -> str:
    if value is None:
        return "n/a"
    if kind == "money":
        return dollars(value)
    if kind == "pct":
        return pct(Decimal(value), 2)
    if kind == "hours":
        return f"{Decimal(value):.1f} h"
    return f"{int(value):,}"

