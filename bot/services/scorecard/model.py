"""The scorecard's shapes: rows per session, host, SKU and day, the week's totals, and the settings it reads.

Rates are properties recomputed from raw counts (sums of orders over sums of viewers), never averaged
from exported percentages; an unknown rate is None, never a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.escalations import record
from bot.timefmt import day_bounds

HOST_ROLES = ("host", "cohost")


def ratio(num: int | Decimal | None, den: int | Decimal | None) -> Decimal | None:
    """num / den, or None when either is unknown or the denominator is zero (never a made-up zero)."""
    if num is None or den is None or den == 0:
        return None
    return Decimal(num) / Decimal(den)


def change(now: Decimal | int | None, before: Decimal | int | None) -> Decimal | None:
    """Relative change as a fraction (0.12 = +12%); None when last week is unknown or zero."""
    r = ratio(now, before)
    return None if r is None else r - 1


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return day_bounds(monday, tz)[0], day_bounds(monday + timedelta(days=7), tz)[0]


# ------------------------------------------------------------------------------ data


@dataclass
class SessionRow:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    on_air_seconds: Decimal
    on_air_from_export: bool
    has_metrics: bool
    gmv_cents: int | None = None
    orders: int | None = None
    units_sold: int | None = None
    unique_viewers: int | None = None
    views: int | None = None
    avg_view_duration_seconds: Decimal | None = None
    product_impressions: int | None = None
    product_clicks: int | None = None
    hosts: list[str] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return self.on_air_seconds / 3600

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.orders, self.unique_viewers)

    @property
    def ctr(self) -> Decimal | None:
        return ratio(self.product_clicks, self.product_impressions)

    @property
    def ctor(self) -> Decimal | None:
        return ratio(self.orders, self.product_clicks)

    @property
    def retention(self) -> Decimal | None:
        return ratio(self.avg_view_duration_seconds, self.on_air_seconds)

    @property
    def gmv_per_hour_cents(self) -> Decimal | None:
        return ratio(self.gmv_cents, self.hours)

    @property
    def watch_gpm_cents(self) -> Decimal | None:
        r = ratio(self.gmv_cents, self.views)
        return None if r is None else r * 1000


@dataclass
class Totals:
    """Sums over the week's sessions with metrics; each rate's numerator and denominator cover the same sessions."""

    sessions: int = 0
    sessions_with_metrics: int = 0
    gmv_cents: int = 0
    orders: int = 0
    units: int = 0
    on_air_seconds: Decimal = Decimal(0)
    views: int = 0
    orders_with_viewers: int = 0
    unique_viewers: int = 0
    sessions_without_viewers: int = 0
    clicks: int = 0
    impressions: int = 0
    orders_with_clicks: int = 0
    clicks_with_orders: int = 0
    watch_seconds_weighted: Decimal = Decimal(0)  # sum(avg view duration x views)
    air_seconds_weighted: Decimal = Decimal(0)  # sum(time on air x views), same sessions
    gmv_with_views: int = 0
    labor_seconds: Decimal = Decimal(0)
    views_with_duration: int = 0  # views of the sessions with an average viewing duration
    new_followers: int | None = None

    @property
    def avg_view_seconds(self) -> Decimal | None:
        """Average viewing duration, weighted by views: sum(avg duration x views) / sum(views), same sessions."""
        return ratio(self.watch_seconds_weighted, self.views_with_duration)

    @property
    def viewers(self) -> int | None:
        return self.unique_viewers if self.sessions_with_metrics and self.unique_viewers else None

    @property
    def hours(self) -> Decimal:
        return self.on_air_seconds / 3600

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.orders_with_viewers, self.unique_viewers)

    @property
    def ctr(self) -> Decimal | None:
        return ratio(self.clicks, self.impressions)

    @property
    def ctor(self) -> Decimal | None:
        return ratio(self.orders_with_clicks, self.clicks_with_orders)

    @property
    def retention(self) -> Decimal | None:
        return ratio(self.watch_seconds_weighted, self.air_seconds_weighted)

    @property
    def watch_gpm_cents(self) -> Decimal | None:
        r = ratio(self.gmv_with_views, self.views)
        return None if r is None else r * 1000

    @property
    def gmv_per_live_hour_cents(self) -> Decimal | None:
        return ratio(self.gmv_cents, self.hours) if self.sessions_with_metrics else None


@dataclass
class Headline:
    key: str
    label: str
    kind: str  # money | count | hours | pct
    value: Decimal | int | None
    previous: Decimal | int | None

    @property
    def change(self) -> Decimal | None:
        return change(self.value, self.previous)


@dataclass
class HostRow:
    person_id: int
    name: str
    tier: str | None
    sessions: int = 0
    on_air_seconds: Decimal = Decimal(0)
    gmv_cents: int = 0
    orders_with_viewers: int = 0
    unique_viewers: int = 0
    clock_seconds: Decimal = Decimal(0)
    late: int = 0
    missed: int = 0

    @property
    def clock_hours(self) -> Decimal:
        return self.clock_seconds / 3600

    @property
    def gmv_per_host_hour_cents(self) -> Decimal | None:
        return ratio(self.gmv_cents, self.clock_hours) if self.clock_seconds else None

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.orders_with_viewers, self.unique_viewers)


@dataclass
class SkuRow:
    sku: str
    name: str | None
    sessions: int
    units: int
    gmv_cents: int | None
    on_air_seconds: Decimal
    stock_after: int | None = None

    @property
    def velocity(self) -> Decimal | None:
        return ratio(self.units, self.on_air_seconds / 3600)

    @property
    def days_of_stock(self) -> Decimal | None:
        """At this week's pace (units per day over 7 days), how many days the known stock lasts."""
        if self.stock_after is None:
            return None
        return ratio(self.stock_after, Decimal(self.units) / 7) if self.units else None


@dataclass
class Punctuality:
    name: str
    late: int
    missed: int


@dataclass
class Operations:
    late_checkins: int = 0
    missed_checkins: int = 0
    punctuality: list[Punctuality] = field(default_factory=list)
    swaps: int = 0
    escalations: record.Scorecard = field(default_factory=record.Scorecard)
    approvals: int = 0
    approval_median_hours: Decimal | None = None
    briefs_overdue: int = 0
    checkins: int = 0  # time entries attached to a shift, clocked in this week

    @property
    def on_time(self) -> Decimal | None:
        """On-time check-ins: check-ins not late / (check-ins + missed check-ins)."""
        return ratio(self.checkins - self.late_checkins, self.checkins + self.missed_checkins)


@dataclass
class Insight:
    rule: str
    text: str
    priority: int  # lower first


@dataclass
class DayRow:
    day: date
    gmv_cents: int
    orders_with_viewers: int
    unique_viewers: int

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.orders_with_viewers, self.unique_viewers)


@dataclass
class Scorecard:
    week: str
    monday: date
    start: datetime
    end: datetime
    totals: Totals
    previous: Totals
    headline: list[Headline]
    sessions: list[SessionRow]
    hosts: list[HostRow]
    skus: list[SkuRow]
    days: list[DayRow]
    operations: Operations
    labor_cost_cents: int
    insights: list[Insight] = field(default_factory=list)
    recommendations: list[Insight] = field(default_factory=list)
    slots: list[Any] = field(default_factory=list)  # slots.SlotRow over the last cfg.slot_weeks weeks (see slots.py)
    targets: Any = None  # targets.Targets in force for the week
    history: list[Any] = field(default_factory=list)  # history.WeekFigures of earlier weeks with data, oldest first
    clips: list[dict] = field(default_factory=list)  # the week's highlight clips, plain dicts (creators.clips.clips_for_week)

    @property
    def missing(self) -> list[SessionRow]:
        return [r for r in self.sessions if not r.has_metrics]

    @property
    def ranked(self) -> list[SessionRow]:
        """Sessions with GMV, best GMV per live hour first."""
        return sorted((r for r in self.sessions if r.gmv_per_hour_cents is not None),
                      key=lambda r: (-(r.gmv_per_hour_cents or 0), r.starts_at))

    @property
    def gmv_per_labor_dollar(self) -> Decimal | None:
        return ratio(self.totals.gmv_cents, self.labor_cost_cents) if self.totals.sessions_with_metrics else None


@dataclass(frozen=True)
class ScorecardConfig:
    tz: ZoneInfo
    hourly_rate_cents: int = 2500
    wow_threshold: Decimal = Decimal("0.15")
    stockout_days: int = 7
    missed_checkins: int = 2
    promotion_weeks: int = 3
    promotion_bars_cents: dict[str, int] = field(default_factory=dict)  # tier name -> GMV per host hour in cents
    min_slot_sessions: int = 3  # a day x hour slot needs this many sessions before it is called best or worst
    slot_weeks: int = 8  # slots are judged over this many weeks up to the scorecard's week
    min_sessions_for_trends: int = 3  # fewer sessions with metrics than this: "too little data"
    targets_file: str | None = None  # SCORECARD_TARGETS_FILE; `/scorecard targets` values override it

    @classmethod
    def from_settings(cls, settings: Any) -> ScorecardConfig:
        return cls(tz=settings.tz, hourly_rate_cents=settings.default_hourly_rate_cents,
                   wow_threshold=Decimal(settings.scorecard_wow_threshold_pct) / 100,
                   stockout_days=settings.scorecard_stockout_days, missed_checkins=settings.scorecard_missed_checkins,
                   promotion_weeks=settings.scorecard_promotion_weeks,
                   min_slot_sessions=settings.scorecard_slot_min_sessions, targets_file=settings.scorecard_targets_file,
                   promotion_bars_cents={k.casefold(): v * 100 for k, v in settings.scorecard_promotion_gmv_per_hour.items()})

