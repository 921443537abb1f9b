"""Month and quarter views: `/scorecard 2026-11`, `/scorecard 2026-Q4` and the monthly post.

The period against the one before it and the same period a year earlier (when there is data), per host and
per SKU, with the three largest changes explained in numbers. Sums come from the same queries as the week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.services.scorecard import compute
from bot.services.scorecard.definitions import dollars, pct
from bot.services.scorecard.model import (
    Headline,
    HostRow,
    ScorecardConfig,
    SkuRow,
    Totals,
    change,
)
from bot.services.validation import InputError
from bot.timefmt import day_bounds

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    first: date  # first day
    months: int  # 1 (month) or 3 (quarter)

    @property
    def label(self) -> str:
        return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}" if self.months == 3 else f"{self.first:%Y-%m}"

    @property
    def name(self) -> str:
        return self.label if self.months == 3 else f"{self.first:%B %Y}"

    @property
    def after(self) -> date:
        return shift(self.first, self.months)

    def previous(self) -> Period:
        return Period(shift(self.first, -self.months), self.months)

    def year_before(self) -> Period:
        return Period(self.first.replace(year=self.first.year - 1), self.months)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        return day_bounds(self.first, tz)[0], day_bounds(self.after, tz)[0]


def shift(first: date, months: int) -> date:
    n = first.year * 12 + first.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


def parse_period(text: str) -> Period | None:
    """'2026-11' (a month) or '2026-Q4' (a quarter); None when the text is neither (a week, say)."""
    text = text.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise InputError(f"`{text}` is not a month: use YYYY-MM, like 2026-11.")
        return Period(date(year, month, 1), 1)
    if m := _QUARTER.match(text):
        year = int(m[1])
        if not 2000 <= year <= 2100:
            raise InputError(f"`{text}` is not a quarter: use YYYY-Qn, like 2026-Q4.")
        return Period(date(year, (int(m[2]) - 1) * 3 + 1, 1), 3)
    return None


def month_of(day: date) -> Period:
    return Period(day.replace(day=1), 1)


@dataclass
class Change:
    text: str
    size: Decimal  # absolute GMV change in cents, to rank by


@dataclass
class PeriodCard:
    period: Period
    totals: Totals
    previous: Totals
    year_ago: Totals | None
    headline: list[Headline]
    hosts: list[HostRow]
    skus: list[SkuRow]
    previous_hosts: dict[int, HostRow] = field(default_factory=dict)
    previous_skus: dict[str, SkuRow] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


def _changes(card: PeriodCard) -> list[Change]:
    """The three largest GMV moves against the previous period: the total, a host or a SKU, each explained."""
    prev_name = card.period.previous().name
    found: list[Change] = []
    t, p = card.totals, card.previous
    if p.sessions_with_metrics and t.sessions_with_metrics:
        d = t.gmv_cents - p.gmv_cents
        found.append(Change(f"GMV {'+' if d >= 0 else '−'}{dollars(abs(d))} ({pct(change(t.gmv_cents, p.gmv_cents), 0)}) vs "
                            f"{prev_name}: {t.sessions_with_metrics} sessions with metrics vs {p.sessions_with_metrics}, "
                            f"{dollars(t.gmv_per_live_hour_cents)} per live hour vs {dollars(p.gmv_per_live_hour_cents)}, "
                            f"conversion {pct(t.conversion, 2)} vs {pct(p.conversion, 2)}.", Decimal(abs(d))))
    for h in card.hosts:
        before = card.previous_hosts.get(h.person_id)
        gmv0, n0 = (before.gmv_cents, before.sessions) if before else (0, 0)
        d = h.gmv_cents - gmv0
        if d:
            found.append(Change(f"{h.name}: GMV of sessions hosted {'+' if d >= 0 else '−'}{dollars(abs(d))} "
                                f"({dollars(gmv0)} → {dollars(h.gmv_cents)}), {n0} → {h.sessions} sessions.", Decimal(abs(d))))
    for k in card.skus:
        before = card.previous_skus.get(k.sku)
        gmv0, u0 = ((before.gmv_cents or 0), before.units) if before else (0, 0)
        d = (k.gmv_cents or 0) - gmv0
        if d:
            found.append(Change(f"{k.sku}: GMV {'+' if d >= 0 else '−'}{dollars(abs(d))} ({dollars(gmv0)} → {dollars(k.gmv_cents)}), "
                                f"{u0:,} → {k.units:,} units.", Decimal(abs(d))))
    return sorted(found, key=lambda c: -c.size)[:3]


def build_period(s: Session, period: Period, cfg: ScorecardConfig, now: datetime) -> PeriodCard:
    start, end = period.bounds(cfg.tz)
    prev_start, prev_end = period.previous().bounds(cfg.tz)
    this, prev = compute.totals(s, start, end), compute.totals(s, prev_start, prev_end)
    year_ago = compute.totals(s, *period.year_before().bounds(cfg.tz))
    card = PeriodCard(period=period, totals=this, previous=prev, year_ago=year_ago if year_ago.sessions_with_metrics else None,
                      headline=compute.headline(this, prev), hosts=compute.host_rows(s, start, end, now),
                      skus=sorted(compute.sku_rows(s, start, end), key=lambda k: -(k.gmv_cents or 0)))
    card.previous_hosts = {h.person_id: h for h in compute.host_rows(s, prev_start, prev_end, now)}
    card.previous_skus = {k.sku: k for k in compute.sku_rows(s, prev_start, prev_end)}
    card.changes = _changes(card)
    return card
