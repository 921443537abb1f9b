"""The program's earlier weeks, for the trailing 4-week average and the best week so far.

One query sums the sessions with metrics of the year before the scorecard's week per local ISO week, the
same sums `compute.totals` makes for one week (a studio ten times today's size has 15,000 LIVEs a year:
reading them into Python took half the weekly scorecard job's time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession
from bot.services.scorecard.model import ratio
from bot.services.scorecard.sql import num, on_air
from bot.services.validation import week_label
from bot.timefmt import day_bounds, to_local

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


def weeks_before(s: Session, start: datetime, tz: ZoneInfo, lookback: timedelta = LOOKBACK) -> list[WeekFigures]:
    """Every week with metrics in the year before `start`, oldest first.

    Summed by the database, one row per week: the week is found by comparing the start with each local
    Monday's midnight as a UTC instant (so DST and LIVEs just after midnight land in their local week)."""
    m = SessionMetrics
    first = to_local(start - lookback, tz).date()
    mondays = [first - timedelta(days=first.weekday())]
    while day_bounds(mondays[-1] + timedelta(weeks=1), tz)[0] <= start:
        mondays.append(mondays[-1] + timedelta(weeks=1))
    # week i: a start before the next Monday's local midnight (the last week takes the rest)
    week = case(*((LiveSession.starts_at < day_bounds(after, tz)[0], i) for i, after in enumerate(mondays[1:])),
                else_=len(mondays) - 1)
    with_viewers = m.orders.is_not(None) & m.unique_viewers.is_not(None)
    with_duration = m.avg_view_duration_seconds.is_not(None) & (func.coalesce(m.views, 0) != 0)
    rows = (select(week.label("week"), func.coalesce(m.gmv_cents, 0).label("gmv"), on_air(s).label("air"),
                   case((with_viewers, m.orders), else_=0).label("orders"),
                   case((with_viewers, m.unique_viewers), else_=0).label("viewers"),
                   case((with_duration, m.avg_view_duration_seconds * m.views), else_=0).label("watch"),
                   case((with_duration, m.views), else_=0).label("views"))
            .join(m, m.session_id == LiveSession.id)
            .where(LiveSession.starts_at >= start - lookback, LiveSession.starts_at < start,
                   LiveSession.status != "cancelled")).subquery()
    out = []
    for i, n, gmv, air, orders, viewers, watch, views in s.execute(
            select(rows.c.week, func.count(), func.sum(rows.c.gmv), func.sum(rows.c.air), func.sum(rows.c.orders),
                   func.sum(rows.c.viewers), func.sum(rows.c.watch), func.sum(rows.c.views))
            .group_by(rows.c.week).order_by(rows.c.week)):
        out.append(WeekFigures(mondays[i], sessions=n, gmv_cents=int(gmv or 0), on_air_seconds=num(air),
                               orders_with_viewers=int(orders or 0), unique_viewers=int(viewers or 0),
                               watch_seconds_weighted=num(watch), views_with_duration=int(views or 0)))
    return out
