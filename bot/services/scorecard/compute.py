"""The weekly scorecard built from the database: `build(session, monday, cfg, now)` returns a `Scorecard`.

Aggregation happens in SQL (a handful of grouped queries per week, none per session or person),
so a week out of a year of history stays well under a second.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.briefs import BriefDecision, BriefVersion
from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.models import LiveSession, Person, Shift, TimeEntry
from bot.db.schedule import HostTier, PersonHostTier
from bot.db.swaps import Swap
from bot.services.creators import clips as creator_clips
from bot.services.escalations import record
from bot.services.scorecard import history, recommend, slots, targets
from bot.services.scorecard.definitions import BY_KEY
from bot.services.scorecard.insights import week_insights
from bot.services.scorecard.model import (
    HOST_ROLES,
    DayRow,
    Headline,
    HostRow,
    Operations,
    Punctuality,
    Scorecard,
    ScorecardConfig,
    SessionRow,
    SkuRow,
    Totals,
    week_bounds,
)
from bot.services.scorecard.sql import in_period, num, on_air, seconds_between
from bot.services.validation import week_label as iso_label  # the one ISO-week label
from bot.timefmt import to_local

# ------------------------------------------------------------------------------ SQL


def totals(s: Session, start: datetime, end: datetime) -> Totals:
    """One aggregate query over the week's sessions joined to their metrics."""
    m = SessionMetrics
    air = on_air(s)
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
        func.sum(case((m.avg_view_duration_seconds.is_not(None), m.views))), func.sum(m.new_followers),
    ).select_from(LiveSession).outerjoin(m, m.session_id == LiveSession.id).where(in_period(start, end))).one()
    labor = s.scalar(select(func.sum(seconds_between(s, TimeEntry.clock_in_at, TimeEntry.clock_out_at))).where(
        TimeEntry.clock_in_at >= start, TimeEntry.clock_in_at < end, TimeEntry.clock_out_at.is_not(None)))
    i = iter(row)
    return Totals(
        sessions=next(i) or 0, sessions_with_metrics=next(i) or 0, gmv_cents=int(next(i) or 0), orders=int(next(i) or 0),
        units=int(next(i) or 0), on_air_seconds=num(next(i)), views=int(next(i) or 0), orders_with_viewers=int(next(i) or 0),
        unique_viewers=int(next(i) or 0), sessions_without_viewers=int(next(i) or 0), clicks=int(next(i) or 0),
        impressions=int(next(i) or 0), orders_with_clicks=int(next(i) or 0), clicks_with_orders=int(next(i) or 0),
        watch_seconds_weighted=num(next(i)), air_seconds_weighted=num(next(i)), gmv_with_views=int(next(i) or 0),
        views_with_duration=int(next(i) or 0), new_followers=_opt_int(next(i)), labor_seconds=num(labor))


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def session_rows(s: Session, start: datetime, end: datetime) -> list[SessionRow]:
    m = SessionMetrics
    rows = s.execute(select(
        LiveSession.id, LiveSession.title, LiveSession.starts_at, LiveSession.ends_at, on_air(s), m.duration_seconds, m.id,
        m.gmv_cents, m.orders, m.units_sold, m.unique_viewers, m.views, m.avg_view_duration_seconds,
        m.product_impressions, m.product_clicks,
    ).outerjoin(m, m.session_id == LiveSession.id).where(in_period(start, end)).order_by(LiveSession.starts_at, LiveSession.id)).all()
    out = {r[0]: SessionRow(
        id=r[0], title=r[1], starts_at=r[2], ends_at=r[3], on_air_seconds=num(r[4]), on_air_from_export=r[5] is not None,
        has_metrics=r[6] is not None, gmv_cents=r[7], orders=r[8], units_sold=r[9], unique_viewers=r[10], views=r[11],
        avg_view_duration_seconds=r[12], product_impressions=r[13], product_clicks=r[14]) for r in rows}
    for sid, name, real, uid in s.execute(select(Shift.session_id, Person.display_name, Person.real_name, Person.slack_user_id)
                                          .join(Person, Person.id == Shift.person_id).join(LiveSession, LiveSession.id == Shift.session_id)
                                          .where(in_period(start, end), Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False))
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
        Shift.person_id, func.count(func.distinct(LiveSession.id)), func.sum(on_air(s)), func.sum(m.gmv_cents),
        func.sum(case((m.unique_viewers.is_not(None), m.orders))), func.sum(case((m.orders.is_not(None), m.unique_viewers))),
    ).join(LiveSession, LiveSession.id == Shift.session_id).outerjoin(m, m.session_id == LiveSession.id)
        .where(in_period(start, end), Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False), Shift.person_id.is_not(None))
        .group_by(Shift.person_id)).all()
    ids = [r[0] for r in hosted]
    if not ids:
        return []
    people = {r[0]: r for r in s.execute(select(Person.id, Person.display_name, Person.real_name, Person.slack_user_id, HostTier.name)
                                         .outerjoin(PersonHostTier, PersonHostTier.person_id == Person.id)
                                         .outerjoin(HostTier, HostTier.id == PersonHostTier.host_tier_id).where(Person.id.in_(ids)))}
    clock = dict(s.execute(select(TimeEntry.person_id, func.sum(seconds_between(s, TimeEntry.clock_in_at, TimeEntry.clock_out_at)))
                           .where(TimeEntry.clock_in_at >= start, TimeEntry.clock_in_at < end, TimeEntry.clock_out_at.is_not(None),
                                  TimeEntry.person_id.in_(ids)).group_by(TimeEntry.person_id)).all())
    late, missed = _punctuality_counts(s, start, end, now, ids)
    out = []
    for pid, n, air, gmv, orders, viewers in hosted:
        p = people[pid]
        out.append(HostRow(person_id=pid, name=p[1] or p[2] or p[3], tier=p[4], sessions=n, on_air_seconds=num(air),
                           gmv_cents=int(gmv or 0), orders_with_viewers=int(orders or 0), unique_viewers=int(viewers or 0),
                           clock_seconds=num(clock.get(pid)), late=late.get(pid, 0), missed=missed.get(pid, 0)))
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
        func.sum(on_air(s)),
    ).join(LiveSession, LiveSession.id == k.session_id).outerjoin(SessionMetrics, SessionMetrics.session_id == LiveSession.id)
        .outerjoin(Product, Product.id == k.product_id).where(in_period(start, end)).group_by(k.sku)).all()
    stock: dict[str, int] = {}
    for sku, left in s.execute(select(k.sku, k.stock_after).join(LiveSession, LiveSession.id == k.session_id)
                               .where(in_period(start, end), k.stock_after.is_not(None)).order_by(LiveSession.starts_at)):
        stock[sku] = left  # the latest session's count wins
    return [SkuRow(sku=r[0], name=r[1], sessions=r[2], units=int(r[3] or 0), gmv_cents=r[4], on_air_seconds=num(r[5]),
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
    ops.checkins = s.scalar(select(func.count()).select_from(TimeEntry).where(
        TimeEntry.clock_in_at >= start, TimeEntry.clock_in_at < end, TimeEntry.shift_id.is_not(None))) or 0
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


def promotion_history(s: Session, monday: date, cfg: ScorecardConfig, now: datetime,
                      this_week: list[HostRow] | None = None) -> dict[str, tuple[str, list[Decimal | None]]]:
    """GMV per host hour for each host with a promotion bar, for the last `promotion_weeks` weeks (newest first);
    `this_week` is the card's own host rows, so the week being built is not read twice."""
    history: dict[str, tuple[str, list[Decimal | None]]] = {}
    for back in range(cfg.promotion_weeks):
        start, end = week_bounds(monday - timedelta(weeks=back), cfg.tz)
        seen = set()
        for h in (this_week if back == 0 and this_week is not None else host_rows(s, start, end, now)):
            if h.tier is None or h.tier.casefold() not in cfg.promotion_bars_cents:
                continue
            seen.add(h.name)
            tier, series = history.setdefault(h.name, (h.tier, [None] * back))
            series.append(h.gmv_per_host_hour_cents)
        for name, (_, series) in history.items():
            if name not in seen and len(series) == back:
                series.append(None)
    return history


# ------------------------------------------------------------------------------ the whole card


def headline(t: Totals, p: Totals) -> list[Headline]:
    """The week's numbers as TikTok Shop names them (definitions.METRICS), each beside last week's."""
    def known(x: Totals, value: Any) -> Any:
        return value if x.sessions_with_metrics else None

    name = lambda key: BY_KEY[key].name  # noqa: E731
    return [
        Headline("gmv", name("gmv"), "money", known(t, t.gmv_cents), known(p, p.gmv_cents)),
        Headline("orders", name("orders"), "count", known(t, t.orders), known(p, p.orders)),
        Headline("units", name("units"), "count", known(t, t.units), known(p, p.units)),
        Headline("hours", name("hours"), "hours", known(t, t.hours), known(p, p.hours)),
        Headline("gmv_per_live_hour", name("gmv_per_live_hour"), "money", t.gmv_per_live_hour_cents, p.gmv_per_live_hour_cents),
        Headline("viewers", name("viewers"), "count", t.viewers, p.viewers),
        Headline("conversion", name("conversion"), "pct", t.conversion, p.conversion),
        Headline("avg_view_duration", name("avg_view_duration"), "duration", t.avg_view_seconds, p.avg_view_seconds),
        Headline("new_followers", name("new_followers"), "count", t.new_followers, p.new_followers),
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
    card.targets = targets.current(s, cfg.targets_file)
    card.history = history.weeks_before(s, start, cfg.tz)
    card.clips = creator_clips.clips_for_week(s, monday, tz=cfg.tz)
    card.slots = slots.slot_rows(s, week_bounds(monday - timedelta(weeks=cfg.slot_weeks - 1), cfg.tz)[0], end, cfg.tz)
    card.insights = week_insights(card, promotion_history(s, monday, cfg, now, card.hosts), cfg)
    card.recommendations = recommend.recommendations(s, card, cfg, now)
    return card


def velocity_leaders(card: Scorecard, n: int = 5) -> tuple[list[SkuRow], list[SkuRow]]:
    ranked = sorted((k for k in card.skus if k.velocity is not None), key=lambda k: (-(k.velocity or 0), k.sku))
    return ranked[:n], list(reversed(ranked[-n:])) if len(ranked) > n else []


def by_severity(card: Scorecard) -> list[tuple[int, int, float | None, float | None]]:
    e = card.operations.escalations
    return [(sev, n, e.minutes_to_ack.get(sev), e.minutes_to_resolve.get(sev)) for sev, n in sorted(e.by_severity.items())]

