"""The weekly scorecard: numbers, week-over-week change, tables and rule-based insights.

Aggregation happens in SQL (a handful of grouped queries per week, none per session or person),
so a week out of a year of history stays well under a second. Rates are always recomputed from
the raw counts (sums of orders over sums of viewers), never averaged from exported percentages,
and every rate carries its definition (DEFINITIONS) wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.briefs import BriefDecision, BriefVersion
from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.swaps import Swap
from bot.db.models import AuditRecord, LiveSession, Person, Shift, TimeEntry
from bot.db.schedule import HostTier, PersonHostTier
from bot.services.escalations import record
from bot.services.validation import parse_week as parse_iso_week  # noqa: F401  (the one ISO-week parser, re-exported)
from bot.services.validation import week_label as iso_label  # the one ISO-week label
from bot.timefmt import day_bounds, to_local

HOST_ROLES = ("host", "cohost")
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

    @classmethod
    def from_settings(cls, settings: Any) -> ScorecardConfig:
        return cls(tz=settings.tz, hourly_rate_cents=settings.default_hourly_rate_cents,
                   wow_threshold=Decimal(settings.scorecard_wow_threshold_pct) / 100,
                   stockout_days=settings.scorecard_stockout_days, missed_checkins=settings.scorecard_missed_checkins,
                   promotion_weeks=settings.scorecard_promotion_weeks,
                   promotion_bars_cents={k.casefold(): v * 100 for k, v in settings.scorecard_promotion_gmv_per_hour.items()})


# ------------------------------------------------------------------------------ SQL


def _seconds(s: Session, start: Any, end: Any) -> Any:
    """end - start in seconds, as SQL (SQLite stores text instants; PostgreSQL has intervals)."""
    if s.get_bind().dialect.name == "sqlite":  # julianday is a float: round away its last-digit noise
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0)
    return func.extract("epoch", end - start)


def _on_air(s: Session) -> Any:
    """Time on air: the exported duration when known, else the scheduled length."""
    return func.coalesce(SessionMetrics.duration_seconds, _seconds(s, LiveSession.starts_at, LiveSession.ends_at))


def _week_sessions(start: datetime, end: datetime) -> Any:
    return and_(LiveSession.starts_at >= start, LiveSession.starts_at < end, LiveSession.status != "cancelled")


def _num(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def totals(s: Session, start: datetime, end: datetime) -> Totals:
    """One aggregate query over the week's sessions joined to their metrics."""
    m = SessionMetrics
    air = _on_air(s)
    has = m.id.is_not(None)
    row = s.execute(select(
        func.count(LiveSession.id),
        func.count(m.id),
        func.sum(m.gmv_cents), func.sum(m.orders), func.sum(m.units_sold),
        func.sum(case((has, air))),
        func.sum(m.views),
        func.sum(case((m.unique_viewers.is_not(None), m.orders))), func.sum(case((m.orders.is_not(None), m.unique_viewers))),
        func.sum(case((and_(has, m.unique_viewers.is_(None)), 1), else_=0)),
        func.sum(case((m.product_impressions.is_not(None), m.product_clicks))),
        func.sum(case((m.product_clicks.is_not(None), m.product_impressions))),
        func.sum(case((m.product_clicks.is_not(None), m.orders))), func.sum(case((m.orders.is_not(None), m.product_clicks))),
        func.sum(m.avg_view_duration_seconds * m.views), func.sum(case((m.avg_view_duration_seconds.is_not(None), air * m.views))),
        func.sum(case((m.views.is_not(None), m.gmv_cents))),
    ).select_from(LiveSession).outerjoin(m, m.session_id == LiveSession.id).where(_week_sessions(start, end))).one()
    labor = s.scalar(select(func.sum(_seconds(s, TimeEntry.clock_in_at, TimeEntry.clock_out_at))).where(
        TimeEntry.clock_in_at >= start, TimeEntry.clock_in_at < end, TimeEntry.clock_out_at.is_not(None)))
    i = iter(row)
    return Totals(
        sessions=next(i) or 0, sessions_with_metrics=next(i) or 0, gmv_cents=int(next(i) or 0), orders=int(next(i) or 0),
        units=int(next(i) or 0), on_air_seconds=_num(next(i)), views=int(next(i) or 0), orders_with_viewers=int(next(i) or 0),
        unique_viewers=int(next(i) or 0), sessions_without_viewers=int(next(i) or 0), clicks=int(next(i) or 0),
        impressions=int(next(i) or 0), orders_with_clicks=int(next(i) or 0), clicks_with_orders=int(next(i) or 0),
        watch_seconds_weighted=_num(next(i)), air_seconds_weighted=_num(next(i)), gmv_with_views=int(next(i) or 0),
        labor_seconds=_num(labor))


def session_rows(s: Session, start: datetime, end: datetime) -> list[SessionRow]:
    m = SessionMetrics
    rows = s.execute(select(
        LiveSession.id, LiveSession.title, LiveSession.starts_at, LiveSession.ends_at, _on_air(s), m.duration_seconds, m.id,
        m.gmv_cents, m.orders, m.units_sold, m.unique_viewers, m.views, m.avg_view_duration_seconds,
        m.product_impressions, m.product_clicks,
    ).outerjoin(m, m.session_id == LiveSession.id).where(_week_sessions(start, end)).order_by(LiveSession.starts_at, LiveSession.id)).all()
    out = {r[0]: SessionRow(
        id=r[0], title=r[1], starts_at=r[2], ends_at=r[3], on_air_seconds=_num(r[4]), on_air_from_export=r[5] is not None,
        has_metrics=r[6] is not None, gmv_cents=r[7], orders=r[8], units_sold=r[9], unique_viewers=r[10], views=r[11],
        avg_view_duration_seconds=r[12], product_impressions=r[13], product_clicks=r[14]) for r in rows}
    for sid, name, real, uid in s.execute(select(Shift.session_id, Person.display_name, Person.real_name, Person.slack_user_id)
                                          .join(Person, Person.id == Shift.person_id).join(LiveSession, LiveSession.id == Shift.session_id)
                                          .where(_week_sessions(start, end), Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False))
                                          .order_by(Shift.role.desc(), Shift.id)):
        out[sid].hosts.append(name or real or uid)
    return list(out.values())


def _missed_shifts(start: datetime, end: datetime) -> Any:
    """Shifts that ended in the period with nobody checked in against them."""
    return and_(Shift.ends_at >= start, Shift.ends_at < end, Shift.cancelled.is_(False), Shift.person_id.is_not(None),
                LiveSession.status != "cancelled",
                ~select(TimeEntry.id).where(TimeEntry.shift_id == Shift.id).exists())


def host_rows(s: Session, start: datetime, end: datetime, now: datetime) -> list[HostRow]:
    """Per host: sessions hosted (with their GMV and conversion counts), time-clock hours, late and missed check-ins."""
    m = SessionMetrics
    hosted = s.execute(select(
        Shift.person_id, func.count(func.distinct(LiveSession.id)), func.sum(_on_air(s)), func.sum(m.gmv_cents),
        func.sum(case((m.unique_viewers.is_not(None), m.orders))), func.sum(case((m.orders.is_not(None), m.unique_viewers))),
    ).join(LiveSession, LiveSession.id == Shift.session_id).outerjoin(m, m.session_id == LiveSession.id)
        .where(_week_sessions(start, end), Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False), Shift.person_id.is_not(None))
        .group_by(Shift.person_id)).all()
    ids = [r[0] for r in hosted]
    if not ids:
        return []
    people = {r[0]: r for r in s.execute(select(Person.id, Person.display_name, Person.real_name, Person.slack_user_id, HostTier.name)
                                         .outerjoin(PersonHostTier, PersonHostTier.person_id == Person.id)
                                         .outerjoin(HostTier, HostTier.id == PersonHostTier.host_tier_id).where(Person.id.in_(ids)))}
    clock = dict(s.execute(select(TimeEntry.person_id, func.sum(_seconds(s, TimeEntry.clock_in_at, TimeEntry.clock_out_at)))
                           .where(TimeEntry.clock_in_at >= start, TimeEntry.clock_in_at < end, TimeEntry.clock_out_at.is_not(None),
                                  TimeEntry.person_id.in_(ids)).group_by(TimeEntry.person_id)).all())
    late, missed = _punctuality_counts(s, start, end, now, ids)
    out = []
    for pid, n, air, gmv, orders, viewers in hosted:
        p = people[pid]
        out.append(HostRow(person_id=pid, name=p[1] or p[2] or p[3], tier=p[4], sessions=n, on_air_seconds=_num(air),
                           gmv_cents=int(gmv or 0), orders_with_viewers=int(orders or 0), unique_viewers=int(viewers or 0),
                           clock_seconds=_num(clock.get(pid)), late=late.get(pid, 0), missed=missed.get(pid, 0)))
    return sorted(out, key=lambda h: (-(h.gmv_per_host_hour_cents or -1), h.name))


def _punctuality_counts(s: Session, start: datetime, end: datetime, now: datetime,
                        ids: list[int] | None = None) -> tuple[dict[int, int], dict[int, int]]:
    late_q = select(TimeEntry.person_id, func.count()).where(
        TimeEntry.clock_in_at >= start, TimeEntry.clock_in_at < end, TimeEntry.late_minutes > 0).group_by(TimeEntry.person_id)
    missed_q = select(Shift.person_id, func.count()).join(LiveSession, LiveSession.id == Shift.session_id).where(
        _missed_shifts(start, min(end, now))).group_by(Shift.person_id)
    if ids is not None:
        late_q, missed_q = late_q.where(TimeEntry.person_id.in_(ids)), missed_q.where(Shift.person_id.in_(ids))
    return dict(s.execute(late_q).all()), dict(s.execute(missed_q).all())  # type: ignore[arg-type]


def sku_rows(s: Session, start: datetime, end: datetime) -> list[SkuRow]:
    from bot.db.schedule import Product

    k = SkuMetrics
    rows = s.execute(select(
        k.sku, func.max(Product.name), func.count(func.distinct(k.session_id)), func.sum(k.units), func.sum(k.gmv_cents),
        func.sum(_on_air(s)),
    ).join(LiveSession, LiveSession.id == k.session_id).outerjoin(SessionMetrics, SessionMetrics.session_id == LiveSession.id)
        .outerjoin(Product, Product.id == k.product_id).where(_week_sessions(start, end)).group_by(k.sku)).all()
    stock: dict[str, int] = {}
    for sku, left in s.execute(select(k.sku, k.stock_after).join(LiveSession, LiveSession.id == k.session_id)
                               .where(_week_sessions(start, end), k.stock_after.is_not(None)).order_by(LiveSession.starts_at)):
        stock[sku] = left  # the latest session's count wins
    return [SkuRow(sku=r[0], name=r[1], sessions=r[2], units=int(r[3] or 0), gmv_cents=r[4], on_air_seconds=_num(r[5]),
                   stock_after=stock.get(r[0])) for r in rows]


def operations(s: Session, start: datetime, end: datetime, now: datetime) -> Operations:
    ops = Operations()
    late, missed = _punctuality_counts(s, start, end, now)
    ops.late_checkins, ops.missed_checkins = sum(late.values()), sum(missed.values())
    ids = set(late) | set(missed)
    if ids:
        names = {r[0]: r[1] or r[2] or r[3] for r in s.execute(
            select(Person.id, Person.display_name, Person.real_name, Person.slack_user_id).where(Person.id.in_(ids)))}
        ops.punctuality = sorted((Punctuality(names[i], late.get(i, 0), missed.get(i, 0)) for i in ids),
                                 key=lambda p: (-p.missed, -p.late, p.name))
    ops.swaps = s.scalar(select(func.count()).select_from(Swap).where(
        Swap.status == "approved", Swap.decided_at >= start, Swap.decided_at < end)) or 0
    ops.escalations = record.scorecard(s, start, end)
    approved = s.execute(select(BriefVersion.submitted_at, func.max(BriefDecision.at))
                         .join(BriefDecision, BriefDecision.version_id == BriefVersion.id)
                         .where(BriefDecision.decision == "approve", BriefDecision.at >= start, BriefDecision.at < end)
                         .group_by(BriefVersion.id, BriefVersion.submitted_at)).all()
    ops.approvals = len(approved)
    if approved:
        ops.approval_median_hours = Decimal(str(round(median((b - a).total_seconds() / 3600 for a, b in approved), 1)))
    ops.briefs_overdue = s.scalar(select(func.count()).select_from(BriefVersion).where(
        BriefVersion.due_at >= start, BriefVersion.due_at < min(end, now),
        ~select(BriefDecision.id).where(BriefDecision.version_id == BriefVersion.id, BriefDecision.at <= BriefVersion.due_at).exists(),
    )) or 0
    return ops


def day_rows(rows: list[SessionRow], monday: date, tz: ZoneInfo) -> list[DayRow]:
    days = {monday + timedelta(days=i): DayRow(monday + timedelta(days=i), 0, 0, 0) for i in range(7)}
    for r in rows:
        d = days.get(to_local(r.starts_at, tz).date())
        if d is None or not r.has_metrics:
            continue
        d.gmv_cents += r.gmv_cents or 0
        if r.unique_viewers is not None and r.orders is not None:
            d.orders_with_viewers += r.orders
            d.unique_viewers += r.unique_viewers
    return list(days.values())


def promotion_history(s: Session, monday: date, cfg: ScorecardConfig, now: datetime) -> dict[str, tuple[str, list[Decimal | None]]]:
    """GMV per host hour for each host with a promotion bar, for the last `promotion_weeks` weeks (newest first)."""
    history: dict[str, tuple[str, list[Decimal | None]]] = {}
    for back in range(cfg.promotion_weeks):
        start, end = week_bounds(monday - timedelta(weeks=back), cfg.tz)
        seen = set()
        for h in host_rows(s, start, end, now):
            if h.tier is None or h.tier.casefold() not in cfg.promotion_bars_cents:
                continue
            seen.add(h.name)
            tier, series = history.setdefault(h.name, (h.tier, [None] * back))
            series.append(h.gmv_per_host_hour_cents)
        for name, (_, series) in history.items():
            if name not in seen and len(series) == back:
                series.append(None)
    return history


# ------------------------------------------------------------------------------ insights

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


def rule_wow(headline: list[Headline], threshold: Decimal, keep: int = 2) -> list[Insight]:
    """The `keep` headline metrics that moved most, when by more than the threshold week over week."""
    out = []
    moved = sorted((h for h in headline if h.change is not None), key=lambda h: -abs(h.change or 0))
    for h in moved[:keep]:
        c = h.change
        if c is None or abs(c) <= threshold:
            continue
        up = c > 0
        advice = ("find what worked (sessions, hosts, SKUs below) and repeat it" if up
                  else "check the bottom sessions and missing metrics below before acting")
        out.append(Insight("wow", f"{h.label} {'rose' if up else 'fell'} {pct(abs(c), 0)} week over week "
                                  f"({fmt_value(h.kind, h.previous)} → {fmt_value(h.kind, h.value)}): {advice}.",
                           priority=1 if not up else 2))
    return out


def rule_stockout(skus: list[SkuRow], days: int) -> list[Insight]:
    """A SKU whose known stock runs out within `days` at this week's pace."""
    out = []
    for k in sorted(skus, key=lambda k: k.days_of_stock if k.days_of_stock is not None else Decimal(10**9)):
        left = k.days_of_stock
        if left is None or left >= days:
            continue
        out.append(Insight("stockout", f"{k.sku} sold {k.units:,} units ({_vel(k)}/h on air) with {k.stock_after:,} left: "
                                       f"about {left:.1f} days of stock. Reorder or cap it in next week's run-of-show.",
                           priority=0))
    return out


def _vel(k: SkuRow) -> str:
    return "n/a" if k.velocity is None else f"{k.velocity:.1f}"


def rule_promotion(history: dict[str, tuple[str, list[Decimal | None]]], bars_cents: dict[str, int], weeks: int) -> list[Insight]:
    """A host above their tier's promotion bar (GMV per host hour) for `weeks` weeks in a row."""
    out = []
    for name, (tier, series) in sorted(history.items()):
        bar = bars_cents.get(tier.casefold())
        recent = series[:weeks]
        if bar is None or len(recent) < weeks or any(v is None or v < bar for v in recent):
            continue
        shown = ", ".join(dollars(v) for v in reversed(recent))
        out.append(Insight("promotion", f"{name} ({tier}) made {shown} GMV per host hour over the last {weeks} weeks, "
                                        f"above the {tier} bar of {dollars(bar)}: consider promoting them to the next tier.",
                           priority=3))
    return out


def rule_missed_checkins(punctuality: list[Punctuality], limit: int) -> list[Insight]:
    """A person who missed at least `limit` check-ins this week."""
    return [Insight("missed_checkins", f"{p.name} missed {p.missed} check-ins this week (and was late {p.late} times): "
                                       "talk to them before next week's shifts are confirmed.", priority=1)
            for p in punctuality if p.missed >= limit]


def rule_missing_metrics(missing: list[SessionRow], sessions: int) -> list[Insight]:
    """Sessions with no metrics make every total low: say how many, so nobody reads a gap as a slump."""
    if not missing:
        return []
    return [Insight("missing_metrics", f"{len(missing)} of {sessions} sessions have no metrics yet, so totals are incomplete: "
                                       "log them (Log metrics, /metrics or opsbot import metrics).", priority=0)]


def rule_unique_viewers(totals: Totals) -> list[Insight]:
    """Newer exports drop unique viewers; conversion then covers fewer sessions."""
    if not totals.sessions_without_viewers:
        return []
    return [Insight("no_unique_viewers", f"{totals.sessions_without_viewers} of {totals.sessions_with_metrics} sessions with metrics "
                                         "have no unique viewers (spring-2026 exports drop the column), so conversion covers the "
                                         "rest only: add Viewers to the export or log it in /metrics.", priority=4)]


def insights(card: Scorecard, history: dict[str, tuple[str, list[Decimal | None]]], cfg: ScorecardConfig) -> list[Insight]:
    """Every rule's findings, most urgent first, at most five."""
    found = (rule_missing_metrics(card.missing, card.totals.sessions) + rule_stockout(card.skus, cfg.stockout_days)
             + rule_missed_checkins(card.operations.punctuality, cfg.missed_checkins) + rule_wow(card.headline, cfg.wow_threshold)
             + rule_promotion(history, cfg.promotion_bars_cents, cfg.promotion_weeks) + rule_unique_viewers(card.totals))
    return sorted(found, key=lambda i: i.priority)[:5]


# ------------------------------------------------------------------------------ the whole card


def headline(t: Totals, p: Totals) -> list[Headline]:
    return [
        Headline("gmv", "GMV", "money", t.gmv_cents if t.sessions_with_metrics else None, p.gmv_cents if p.sessions_with_metrics else None),
        Headline("orders", "Orders", "count", t.orders if t.sessions_with_metrics else None, p.orders if p.sessions_with_metrics else None),
        Headline("units", "Units sold", "count", t.units if t.sessions_with_metrics else None, p.units if p.sessions_with_metrics else None),
        Headline("hours", "Hours on air", "hours", t.hours if t.sessions_with_metrics else None, p.hours if p.sessions_with_metrics else None),
        Headline("conversion", "Conversion", "pct", t.conversion, p.conversion),
        Headline("retention", "Retention", "pct", t.retention, p.retention),
    ]


def build(s: Session, monday: date, cfg: ScorecardConfig, now: datetime) -> Scorecard:
    start, end = week_bounds(monday, cfg.tz)
    this, prev = totals(s, start, end), totals(s, *week_bounds(monday - timedelta(days=7), cfg.tz))
    rows = session_rows(s, start, end)
    labor = int((this.labor_seconds / 3600 * cfg.hourly_rate_cents).to_integral_value())
    card = Scorecard(week=iso_label(monday), monday=monday, start=start, end=end, totals=this, previous=prev,
                     headline=headline(this, prev), sessions=rows, hosts=host_rows(s, start, end, now),
                     skus=sku_rows(s, start, end), days=day_rows(rows, monday, cfg.tz),
                     operations=operations(s, start, end, now), labor_cost_cents=labor)
    card.insights = insights(card, promotion_history(s, monday, cfg, now), cfg)
    return card


def velocity_leaders(card: Scorecard, n: int = 5) -> tuple[list[SkuRow], list[SkuRow]]:
    ranked = sorted((k for k in card.skus if k.velocity is not None), key=lambda k: (-(k.velocity or 0), k.sku))
    return ranked[:n], list(reversed(ranked[-n:])) if len(ranked) > n else []


def by_severity(card: Scorecard) -> list[tuple[int, int, float | None, float | None]]:
    e = card.operations.escalations
    return [(sev, n, e.minutes_to_ack.get(sev), e.minutes_to_resolve.get(sev)) for sev, n in sorted(e.by_severity.items())]

