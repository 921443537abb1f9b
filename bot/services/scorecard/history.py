"""The program's earlier weeks, for the trailing 4-week average and the best week so far.

One query reads the sessions with metrics of the year before the scorecard's week; they are summed per
local ISO week in Python (a year is a few thousand rows), the same way `compute.totals` sums one week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession
from bot.services.scorecard.model import ratio
from bot.services.scorecard.sql import on_air
from bot.services.validation import week_label
from bot.timefmt import to_local

LOOKBACK = timedelta(weeks=52)


@dataclass
class WeekFigures:
    monday: date
    sessions: int = 0
    gmv_cents: int = 0
    on_air_seconds: Decimal = Decimal(0)
    orders_with_viewers: int = 0
    unique_viewers: int = 0
    watch_seconds_weighted: Decimal = Decimal(0)
    views_with_duration: int = 0

    @property
    def week(self) -> str:
        return week_label(self.monday)

    @property
    def gmv_per_live_hour_cents(self) -> Decimal | None:
        return ratio(self.gmv_cents, self.on_air_seconds / 3600)

    @property
    def conversion(self) -> Decimal | None:
        return ratio(self.orders_with_viewers, self.unique_viewers)

    @property
    def avg_view_seconds(self) -> Decimal | None:
        return ratio(self.watch_seconds_weighted, self.views_with_duration)


def _dec(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def weeks_before(s: Session, start: datetime, tz: ZoneInfo, lookback: timedelta = LOOKBACK) -> list[WeekFigures]:
    """Every week with metrics in the year before `start`, oldest first."""
    m = SessionMetrics
    rows = s.execute(select(LiveSession.starts_at, m.gmv_cents, on_air(s), m.orders, m.unique_viewers,
                            m.avg_view_duration_seconds, m.views)
                     .join(m, m.session_id == LiveSession.id)
                     .where(LiveSession.starts_at >= start - lookback, LiveSession.starts_at < start,
                            LiveSession.status != "cancelled")).all()
    weeks: dict[date, WeekFigures] = {}
    for starts_at, gmv, air, orders, viewers, avg, views in rows:
        day = to_local(starts_at, tz).date()
        w = weeks.setdefault(day - timedelta(days=day.weekday()), WeekFigures(day - timedelta(days=day.weekday())))
        w.sessions += 1
        w.gmv_cents += gmv or 0
        w.on_air_seconds += _dec(air)
        if orders is not None and viewers is not None:
            w.orders_with_viewers += orders
            w.unique_viewers += viewers
        if avg is not None and views:
            w.watch_seconds_weighted += _dec(avg) * views
            w.views_with_duration += views
    return [weeks[k] for k in sorted(weeks)]
