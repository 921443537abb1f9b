"""Recommendations, each with the numbers behind it: where to put LIVEs and hosts, what to fix next week.

Best and worst slots (slots.py, with a minimum session count), which host sells which product tier best,
SKUs that draw clicks but do not sell, LIVEs that started late or ran short (time clock), escalations that
cost airtime, and talk tracks still waiting for legal for next week's sessions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.briefs import Brief
from bot.db.escalations import Escalation
from bot.db.metrics import SessionMetrics, SkuMetrics
from bot.db.models import LiveSession, Person, Shift, TimeEntry
from bot.db.schedule import Product, SessionSku
from bot.services.scorecard import slots
from bot.services.scorecard.definitions import dollars, pct
from bot.services.scorecard.model import (
    HOST_ROLES,
    Insight,
    Scorecard,
    ScorecardConfig,
    ratio,
    week_bounds,
)
from bot.services.scorecard.sql import in_period, num, on_air, seconds_between
from bot.timefmt import fmt_day_time

MIN_CLICKS = 100  # product clicks before "clicks but no orders" is worth saying
SHORT_SHARE = Decimal("0.9")  # on air for less than 90% of the scheduled length: ran short


def rule_slots(card: Scorecard, cfg: ScorecardConfig) -> list[Insight]:
    best, worst = slots.best_and_worst(card.slots, cfg.min_slot_sessions)
    span = f"last {cfg.slot_weeks} weeks"
    if not best:
        busiest = max((r.sessions for r in card.slots), default=0)
        return [Insight("slots_too_few", f"No time slot has {cfg.min_slot_sessions} sessions with metrics yet ({span}; the busiest "
                                         f"has {busiest}), so no best or worst slot is called.", priority=5)]

    def one(r: slots.SlotRow) -> str:
        return (f"{r.label} ({dollars(r.gmv_per_live_hour_cents)} per live hour, conversion {pct(r.conversion, 2)}, "
                f"{r.sessions} sessions)")

    text = f"Best slots ({span}): {'; '.join(one(r) for r in best)}: schedule hero LIVEs there."
    if worst:
        text += f" Weakest: {'; '.join(one(r) for r in worst)}: move or shorten them."
    return [Insight("slots", text, priority=1)]


def rule_host_tiers(s: Session, card: Scorecard, cfg: ScorecardConfig) -> list[Insight]:
    """Per product tier, the host with the best GMV per live hour (over the slot window, min sessions each)."""
    start = week_bounds(card.monday - timedelta(weeks=cfg.slot_weeks - 1), cfg.tz)[0]
    m = SessionMetrics
    rows = s.execute(select(LiveSession.product_tier, Person.display_name, Person.real_name, Person.slack_user_id,
                            func.count(func.distinct(LiveSession.id)), func.sum(m.gmv_cents), func.sum(on_air(s)))
                     .join(Shift, Shift.session_id == LiveSession.id).join(Person, Person.id == Shift.person_id)
                     .join(m, m.session_id == LiveSession.id)
                     .where(in_period(start, card.end), Shift.role.in_(HOST_ROLES), Shift.cancelled.is_(False),
                            LiveSession.product_tier.is_not(None))
                     .group_by(LiveSession.product_tier, Person.id, Person.display_name, Person.real_name, Person.slack_user_id)).all()
    tiers: dict[str, list[tuple[str, int, Decimal]]] = {}
    for tier, disp, real, uid, n, gmv, air in rows:
        per_hour = ratio(int(gmv or 0), num(air) / 3600)
        if n >= cfg.min_slot_sessions and per_hour is not None:
            tiers.setdefault(tier, []).append((disp or real or uid, n, per_hour))
    out = []
    for tier, hosts in sorted(tiers.items()):
        if len(hosts) < 2:
            continue
        hosts.sort(key=lambda h: (-h[2], h[0]))
        (top, n1, v1), (low, n2, v2) = hosts[0], hosts[-1]
        out.append(Insight("host_tier", f"Tier {tier} products: {top} makes {dollars(v1)} per live hour over {n1} sessions vs "
                                        f"{low} {dollars(v2)} over {n2}: put {top} on tier {tier} LIVEs first.", priority=2))
    return out


def rule_clicks_no_orders(s: Session, card: Scorecard) -> list[Insight]:
    """Featured SKUs whose LIVEs drew product clicks but that sold nothing: a price or offer problem."""
    rows = s.execute(select(Product.sku, func.count(func.distinct(LiveSession.id)), func.sum(SessionMetrics.product_clicks),
                            func.sum(func.coalesce(SkuMetrics.units, 0)))
                     .join(SessionSku, SessionSku.product_id == Product.id).join(LiveSession, LiveSession.id == SessionSku.session_id)
                     .join(SessionMetrics, SessionMetrics.session_id == LiveSession.id)
                     .outerjoin(SkuMetrics, (SkuMetrics.session_id == LiveSession.id) & (SkuMetrics.sku == Product.sku))
                     .where(in_period(card.start, card.end), SessionMetrics.product_clicks.is_not(None))
                     .group_by(Product.sku)).all()
    out = []
    for sku, n, clicks, units in sorted(rows, key=lambda r: -(r[2] or 0)):
        if (clicks or 0) >= MIN_CLICKS and not units:
            out.append(Insight("clicks_no_orders", f"{sku} was featured in {n} LIVE{'s' if n > 1 else ''} that drew {int(clicks):,} "
                                                   "product clicks and sold 0 units: check its price and offer before featuring it again.",
                               priority=2))
    return out[:3]


def rule_late_short(s: Session, card: Scorecard, cfg: ScorecardConfig) -> list[Insight]:
    """LIVEs whose host checked in late (time clock) or that were on air well under the scheduled length."""
    late = s.execute(select(LiveSession.title, LiveSession.starts_at, func.max(TimeEntry.late_minutes))
                     .join(Shift, Shift.session_id == LiveSession.id).join(TimeEntry, TimeEntry.shift_id == Shift.id)
                     .where(in_period(card.start, card.end), Shift.role.in_(HOST_ROLES), TimeEntry.late_minutes > 0)
                     .group_by(LiveSession.id, LiveSession.title, LiveSession.starts_at).order_by(LiveSession.starts_at)).all()
    scheduled = seconds_between(s, LiveSession.starts_at, LiveSession.ends_at)
    short = s.execute(select(LiveSession.title, LiveSession.starts_at, SessionMetrics.duration_seconds, scheduled)
                      .join(SessionMetrics, SessionMetrics.session_id == LiveSession.id)
                      .where(in_period(card.start, card.end), SessionMetrics.duration_seconds.is_not(None))
                      .order_by(LiveSession.starts_at)).all()
    short = [r for r in short if num(r[2]) < num(r[3]) * SHORT_SHARE]
    if not late and not short:
        return []
    parts = []
    if late:
        parts.append(f"{len(late)} LIVE{'s' if len(late) > 1 else ''} started with a late host check-in ("
                     + "; ".join(f"{t} {fmt_day_time(at, cfg.tz)}: {m} min" for t, at, m in late[:3]) + ")")
    if short:
        parts.append(f"{len(short)} ran short ("
                     + "; ".join(f"{t} {fmt_day_time(at, cfg.tz)}: {num(d) / 3600:.1f} h on air of {num(sch) / 3600:.1f} h"
                                 for t, at, d, sch in short[:3]) + ")")
    return [Insight("late_short", " and ".join(parts) + ": confirm call times the day before.", priority=2)]


def rule_airtime(s: Session, card: Scorecard) -> list[Insight]:
    """Stream escalations during a LIVE: airtime lost from raised to resolved (or the session's end)."""
    rows = s.execute(select(Escalation.severity, Escalation.summary, Escalation.escalated_at, Escalation.resolved_at,
                            LiveSession.title, LiveSession.starts_at, LiveSession.ends_at, SessionMetrics.gmv_cents, on_air(s))
                     .join(LiveSession, LiveSession.id == Escalation.session_id)
                     .outerjoin(SessionMetrics, SessionMetrics.session_id == LiveSession.id)
                     .where(in_period(card.start, card.end), Escalation.affected == "stream")).all()
    lost = []
    for sev, summary, raised, resolved, title, starts, ends, gmv, air in rows:
        begin, finish = max(raised, starts), min(resolved or ends, ends)
        minutes = max(0, int((finish - begin).total_seconds() // 60))
        if minutes:
            per_hour = ratio(gmv, num(air) / 3600) if gmv else None
            cost = f", about {dollars(per_hour * minutes / 60)} at that LIVE's GMV per live hour" if per_hour else ""
            lost.append((minutes, f"SEV{sev} “{summary}” on {title}: {minutes} min off air{cost}"))
    if not lost:
        return []
    lost.sort(key=lambda x: -x[0])
    total = sum(m for m, _ in lost)
    return [Insight("airtime", f"Escalations cost {total} min of airtime this week ("
                               + "; ".join(t for _, t in lost[:3]) + "): review the causes with the PA team.", priority=1)]


def rule_legal_next_week(s: Session, card: Scorecard, cfg: ScorecardConfig, now: datetime) -> list[Insight]:
    """Talk tracks (and other briefs) for next week's sessions that legal has not approved yet."""
    start, end = week_bounds(card.monday + timedelta(weeks=1), cfg.tz)
    rows = s.execute(select(Brief.title, Brief.kind, LiveSession.title, LiveSession.starts_at)
                     .join(LiveSession, LiveSession.id == Brief.session_id)
                     .where(in_period(start, end), Brief.status.in_(("draft", "pending", "changes_requested")))
                     .order_by(LiveSession.starts_at)).all()
    if not rows:
        return []
    tracks = sum(1 for r in rows if r[1] == "talk_track")
    shown = "; ".join(f"{b} for {t} {fmt_day_time(at, cfg.tz)}" for b, _, t, at in rows[:3])
    return [Insight("legal_next_week", f"{len(rows)} brief{'s' if len(rows) > 1 else ''} ({tracks} talk track"
                                       f"{'s' if tracks != 1 else ''}) for next week's LIVEs still {'waits' if len(rows) == 1 else 'wait'} for legal ({shown}): "
                                       "chase them before the run-of-show goes out.", priority=1)]


def recommendations(s: Session, card: Scorecard, cfg: ScorecardConfig, now: datetime, keep: int = 8) -> list[Insight]:
    found = (rule_slots(card, cfg) + rule_host_tiers(s, card, cfg) + rule_clicks_no_orders(s, card)
             + rule_late_short(s, card, cfg) + rule_airtime(s, card) + rule_legal_next_week(s, card, cfg, now))
    return sorted(found, key=lambda i: i.priority)[:keep]
