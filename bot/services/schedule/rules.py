"""Who may work which shift: the checks shared by assignment, copy-week, import and suggestions.

Hard refusals (nothing is assigned): wrong role, host tier below the product tier's minimum, time
off, an overlapping shift. Warnings (the associate may tick "assign anyway"): rest gap below
MIN_REST_HOURS, projected hours over OVERTIME_DAILY_HOURS / OVERTIME_WEEKLY_HOURS, outside the
person's stated weekly availability. The checks run on facts loaded once into memory so a whole
month of suggestions costs a few queries, not one per candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import LiveSession, Person, PersonRole, Shift
from bot.db.schedule import AvailabilityWindow, HostTier, PersonHostTier, TimeOff
from bot.timefmt import day_bounds, fmt_duration, fmt_span, fmt_time, to_local

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ROLE_NEEDS = {"host": "host", "cohost": "host", "pa": "pa"}
ROLE_LABEL = {"host": "Host", "cohost": "Co-host", "pa": "PA"}


@dataclass(frozen=True)
class Rules:
    """The limits that come from settings."""

    tz: ZoneInfo
    min_rest: timedelta = timedelta(hours=10)
    weekly_limit: timedelta = timedelta(hours=40)
    daily_limit: timedelta = timedelta(hours=8)

    @classmethod
    def from_settings(cls, settings) -> Rules:  # type: ignore[no-untyped-def]
        return cls(tz=settings.tz, min_rest=timedelta(hours=settings.min_rest_hours),
                   weekly_limit=timedelta(hours=settings.overtime_weekly_hours),
                   daily_limit=timedelta(hours=settings.overtime_daily_hours))


@dataclass(frozen=True)
class Issue:
    code: str  # role | tier | time_off | overlap | rest | overtime_week | overtime_day | availability
    message: str
    hard: bool


@dataclass
class Busy:
    shift_id: int
    starts_at: datetime
    ends_at: datetime
    label: str


@dataclass
class PersonFacts:
    person: Person
    roles: set[str]
    tier: HostTier | None
    shifts: list[Busy] = field(default_factory=list)
    time_off: list[tuple[datetime, datetime]] = field(default_factory=list)
    windows: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def add(self, busy: Busy) -> None:
        self.shifts.append(busy)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants a Monday-to-Sunday local week starts and ends (167 or 169 hours in DST weeks)."""
    return day_bounds(monday, tz)[0], day_bounds(monday + timedelta(days=6), tz)[1]


def load_facts(session: Session, start: datetime, end: datetime, person_ids: list[int] | None = None) -> dict[int, PersonFacts]:
    """Everything the checks need about people, for commitments near [start, end) (a week either side)."""
    lo, hi = start - timedelta(days=8), end + timedelta(days=8)
    stmt = select(Person).where(Person.active.is_(True))
    if person_ids is not None:
        stmt = stmt.where(Person.id.in_(person_ids))
    people = list(session.scalars(stmt))
    ids = [p.id for p in people]
    facts = {p.id: PersonFacts(person=p, roles=set(), tier=None) for p in people}
    if not ids:
        return facts
    for pid, role in session.execute(select(PersonRole.person_id, PersonRole.role).where(PersonRole.person_id.in_(ids))):
        facts[pid].roles.add(role)
    for pht in session.scalars(select(PersonHostTier).where(PersonHostTier.person_id.in_(ids))):
        facts[pht.person_id].tier = pht.tier
    rows = session.execute(
        select(Shift.id, Shift.person_id, Shift.starts_at, Shift.ends_at, Shift.role, LiveSession.title)
        .outerjoin(LiveSession, Shift.session_id == LiveSession.id)
        .where(Shift.person_id.in_(ids), Shift.cancelled.is_(False), Shift.state != "declined",
               Shift.starts_at < hi, Shift.ends_at > lo,
               or_(LiveSession.id.is_(None), LiveSession.status != "cancelled")))
    for sid, pid, s_at, e_at, role, title in rows:
        facts[pid].add(Busy(sid, s_at, e_at, f"{ROLE_LABEL.get(role, role)} on {title or 'a shift'}"))
    for off in session.scalars(select(TimeOff).where(TimeOff.person_id.in_(ids), TimeOff.starts_at < hi, TimeOff.ends_at > lo)):
        facts[off.person_id].time_off.append((off.starts_at, off.ends_at))
    for w in session.scalars(select(AvailabilityWindow).where(AvailabilityWindow.person_id.in_(ids))
                             .order_by(AvailabilityWindow.start_minute)):
        facts[w.person_id].windows.setdefault(w.weekday, []).append((w.start_minute, w.end_minute))
    return facts


def local_segments(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[date, int, int, timedelta]]:
    """A span cut at local midnights: (local day, start minute, end minute, real elapsed time)."""
    out = []
    day = to_local(start, tz).date()
    while True:
        d_start, d_end = day_bounds(day, tz)
        seg_start, seg_end = max(start, d_start), min(end, d_end)
        if seg_start >= end:
            break
        if seg_end > seg_start:
            ls, le = to_local(seg_start, tz), to_local(seg_end, tz)
            end_min = 1440 if seg_end == d_end else le.hour * 60 + le.minute
            out.append((day, ls.hour * 60 + ls.minute, end_min, seg_end - seg_start))
        day += timedelta(days=1)
    return out


def _merged(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(windows):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def fmt_minutes(minute: int) -> str:
    return fmt_time_of_day(time(minute // 60, minute % 60)) if minute < 1440 else "midnight"


def fmt_time_of_day(t: time) -> str:
    return datetime.combine(date(2000, 1, 1), t).strftime("%I:%M %p").lstrip("0")


def describe_windows(windows: dict[int, list[tuple[int, int]]]) -> str:
    parts = []
    for wd in range(7):
        if windows.get(wd):
            spans = ", ".join(f"{fmt_minutes(s)}–{fmt_minutes(e)}" for s, e in _merged(windows[wd]))
            parts.append(f"{WEEKDAYS[wd]} {spans}")
    return "; ".join(parts) or "no recurring availability stated"


def within_availability(f: PersonFacts, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """True when the person stated no weekly availability at all, or every local part of the span is inside it."""
    if not f.windows:
        return True
    for day, s_min, e_min, _ in local_segments(start, end, tz):
        if not any(ws <= s_min and we >= e_min for ws, we in _merged(f.windows.get(day.weekday(), []))):
            return False
    return True


def hours_between(f: PersonFacts, start: datetime, end: datetime, exclude: set[int]) -> timedelta:
    total = timedelta()
    for b in f.shifts:
        if b.shift_id in exclude:
            continue
        s, e = max(b.starts_at, start), min(b.ends_at, end)
        if e > s:
            total += e - s
    return total


def assess(f: PersonFacts, role: str, start: datetime, end: datetime, min_tier: HostTier | None, rules: Rules,
           exclude: set[int] | None = None) -> list[Issue]:
    """Every reason `f.person` should not (hard) or might not (warning) work this span in this role."""
    exclude = exclude or set()
    name = f.person.name
    tz = rules.tz
    issues: list[Issue] = []
    needed = ROLE_NEEDS[role]
    if needed not in f.roles:
        issues.append(Issue("role", f"{name} isn't a {ROLE_LABEL[needed]} in opsbot (the associate can add the role with "
                                    f"`/ops role add @{name} {needed}`).", True))
    if role in ("host", "cohost") and min_tier is not None and (f.tier is None or f.tier.rank < min_tier.rank):
        have = f.tier.name if f.tier else "no host tier"
        issues.append(Issue("tier", f"{name} is {have}; this product tier needs {min_tier.name} or above (the associate "
                                    f"can set it with `/schedule tier @{name} {min_tier.name}`).", True))
    for off_s, off_e in f.time_off:
        if off_s < end and off_e > start:
            issues.append(Issue("time_off", f"{name} has time off {fmt_span(off_s, off_e, tz)} (if that changed, "
                                            f"`/availability @{name}` edits it).", True))
            break
    mine = [b for b in f.shifts if b.shift_id not in exclude]
    for b in mine:
        if b.starts_at < end and b.ends_at > start:
            issues.append(Issue("overlap", f"{name} is already on {b.label} ({fmt_span(b.starts_at, b.ends_at, tz)}).", True))
            break
    before = [b for b in mine if b.ends_at <= start]
    after = [b for b in mine if b.starts_at >= end]
    if before:
        prev = max(before, key=lambda b: b.ends_at)
        if start - prev.ends_at < rules.min_rest:
            issues.append(Issue("rest", f"only {fmt_duration(start - prev.ends_at)} rest after {prev.label} "
                                        f"(ends {fmt_time(prev.ends_at, tz)}); the minimum is {fmt_duration(rules.min_rest)}.", False))
    if after:
        nxt = min(after, key=lambda b: b.starts_at)
        if nxt.starts_at - end < rules.min_rest:
            issues.append(Issue("rest", f"only {fmt_duration(nxt.starts_at - end)} rest before {nxt.label} "
                                        f"(starts {fmt_time(nxt.starts_at, tz)}); the minimum is {fmt_duration(rules.min_rest)}.", False))
    weeks = sorted({week_start(d) for d, *_ in local_segments(start, end, tz)})
    for monday in weeks:
        ws, we = week_bounds(monday, tz)
        projected = hours_between(f, ws, we, exclude) + (min(end, we) - max(start, ws))
        if projected > rules.weekly_limit:
            issues.append(Issue("overtime_week", f"{name} would have {fmt_duration(projected)} scheduled in the week of "
                                                 f"{monday:%b} {monday.day}, over {fmt_duration(rules.weekly_limit)} (overtime).", False))
    for day, _, _, elapsed in local_segments(start, end, tz):
        ds, de = day_bounds(day, tz)
        projected = hours_between(f, ds, de, exclude) + elapsed
        if projected > rules.daily_limit:
            issues.append(Issue("overtime_day", f"{name} would have {fmt_duration(projected)} scheduled on "
                                                f"{day:%a %b} {day.day}, over {fmt_duration(rules.daily_limit)} (daily overtime).", False))
    if not within_availability(f, start, end, tz):
        issues.append(Issue("availability", f"that is outside {name}'s weekly availability ({describe_windows(f.windows)}).", False))
    return issues
