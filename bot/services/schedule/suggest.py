"""Suggest hosts for open host slots, and say why each person was picked.

Candidates are hosts who pass every hard check (tier, time off, overlap) and every warning
(availability, rest gap, overtime): a suggestion never needs "assign anyway". Among them the pick
spreads hours (fewest scheduled hours in the week first); for A-tier sessions (the highest product
tiers, whose minimum is the top host tier) the highest host tier wins before hours. People who
stated no weekly availability are not suggested: a suggestion should rest on what they told us.
Everything is checked in memory against facts loaded once, so a month of slots is fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from bot.db.models import LiveSession, Shift
from bot.services.schedule import calendar, catalog, planner
from bot.services.schedule.rules import Busy, Rules, assess, load_facts, week_bounds, week_start
from bot.timefmt import fmt_duration, fmt_span, to_local


@dataclass
class Pick:
    session: LiveSession
    shift: Shift
    person_slack_id: str | None
    person_name: str | None
    why: str


def suggest(session: Session, actor: planner.Actor, first_monday: date, rules: Rules, *, weeks: int = 1,
            apply: bool = False) -> list[Pick]:
    """Pick a host for each open host slot in `weeks` weeks from `first_monday`; assign them when `apply`."""
    planner.actor_id(actor)
    start, _ = week_bounds(first_monday, rules.tz)
    _, end = week_bounds(first_monday + timedelta(days=7 * (weeks - 1)), rules.tz)
    sessions = [s for w in range(weeks) for s in calendar.week_sessions(session, first_monday + timedelta(days=7 * w), rules)]
    tiers = {t.code: t for t in catalog.product_tiers(session)}
    top_rank = max((t.rank for t in catalog.host_tiers(session)), default=0)
    facts = {pid: f for pid, f in load_facts(session, start, end).items() if "host" in f.roles and f.windows}
    open_slots: list[tuple[LiveSession, Shift]] = []
    for live in sessions:
        sh = calendar.slot(live, "host")
        if sh is not None and (sh.person_id is None or sh.needs_cover) and live.status not in ("live", "done"):
            open_slots.append((live, sh))
    # Hardest slots first: the most senior product tier, then by time.
    open_slots.sort(key=lambda p: (-(tiers[p[0].product_tier].min_host_tier.rank if p[0].product_tier in tiers else 0),
                                   p[1].starts_at))
    week_hours: dict[tuple[int, date], timedelta] = {}

    def hours(pid: int, monday: date) -> timedelta:
        key = (pid, monday)
        if key not in week_hours:
            ws, we = week_bounds(monday, rules.tz)
            week_hours[key] = sum(((min(b.ends_at, we) - max(b.starts_at, ws)) for b in facts[pid].shifts
                                   if b.starts_at < we and b.ends_at > ws), timedelta())
        return week_hours[key]

    picks: list[Pick] = []
    for live, sh in open_slots:
        tier = tiers.get(live.product_tier or "")
        min_tier = tier.min_host_tier if tier else None
        hero = min_tier is not None and min_tier.rank == top_rank
        monday = week_start(to_local(sh.starts_at, rules.tz).date())
        exclude = {sh.id}
        eligible = [f for f in facts.values() if f.person.id != sh.person_id
                    and not assess(f, "host", sh.starts_at, sh.ends_at, min_tier, rules, exclude)]
        if not eligible:
            picks.append(Pick(live, sh, None, None, "nobody is available, eligible and under the hour limits"))
            continue

        def rank(f):  # type: ignore[no-untyped-def]
            tier_rank = f.tier.rank if f.tier else 0
            return ((-tier_rank if hero else 0), hours(f.person.id, monday), f.person.id)

        eligible.sort(key=rank)
        best = eligible[0]
        had = hours(best.person.id, monday)
        reasons = [f"available {fmt_span(sh.starts_at, sh.ends_at, rules.tz)}",
                   f"{best.tier.name if best.tier else 'untiered'} tier" + (" (highest tier preferred for this product tier)" if hero else ""),
                   f"{fmt_duration(had)} scheduled that week before this, the fewest"
                   + (" among the top tier" if hero else "") + f" of {len(eligible)} eligible"]
        picks.append(Pick(live, sh, best.person.slack_user_id, best.person.name, "; ".join(reasons)))
        best.add(Busy(sh.id, sh.starts_at, sh.ends_at, f"Host on {live.title}"))
        week_hours[(best.person.id, monday)] = had + (sh.ends_at - sh.starts_at)
    if apply:
        for p in picks:
            if p.person_slack_id:
                calendar.assign(session, actor, p.session.id, {"host": p.person_slack_id}, rules)
    return picks
