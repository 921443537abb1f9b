"""The pay engine: pure functions from one person's punches, rates and attestations to pay lines.

No database and no Slack: the same function runs in `opsbot payroll compute`, the exports, /timesheets,
the bench and the table-driven tests (tests/test_payroll_engine.py). Everything is exact:
time is counted in whole seconds, hours and money are `Decimal`, each line is rounded to the cent once.

How hours are classified (thresholds from the rules file, California by default):
- worked time (punch minus unpaid breaks) is split into workdays at WORKDAY_START;
- inside a workday, in the order worked: up to 8 h regular, 8-12 h overtime, over 12 h double time;
- regular hours beyond 40 in the workweek become overtime (daily overtime never counts toward the 40);
- on the 7th consecutive day worked in the workweek: the first 8 h overtime, the rest double time;
- contractors (1099) get every hour at their rate: no overtime, no premiums.
Overtime is paid on the rate of the hours it falls on; a workweek worked at two rates (two roles, or a rate
change mid-week) is not averaged into one "regular rate of pay" (LC 510 would use the weighted average).
Meal and rest premiums and the per-day exceptions are in `meals.py`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.services.payroll import meals
from bot.services.payroll.model import (
    CATEGORIES,
    DayPay,
    Line,
    NoRate,
    PersonPay,
    Punch,
    Rate,
    Worker,
    rate_on,
)
from bot.services.payroll.periods import PayCalendar, Period
from bot.services.payroll.rules import PayRules


def worked_intervals(p: Punch) -> list[tuple[datetime, datetime]]:
    """The punch minus its unpaid breaks (breaks clipped to the punch)."""
    assert p.end is not None
    pieces = [(p.start, p.end)]
    for b_start, b_end in sorted(p.breaks):
        nxt = []
        for s, e in pieces:
            if b_end <= s or b_start >= e:
                nxt.append((s, e))
                continue
            if s < b_start:
                nxt.append((s, b_start))
            if b_end < e:
                nxt.append((b_end, e))
        pieces = nxt
    return pieces


def split_by_workday(intervals: list[tuple[datetime, datetime]], cal: PayCalendar) -> list[tuple[date, datetime, datetime]]:
    out = []
    for s, e in intervals:
        while s < e:
            day = cal.workday_of(s)
            boundary = cal.workday_start_at(day + timedelta(days=1))
            cut = min(e, boundary)
            out.append((day, s, cut))
            s = cut
    return out


@dataclass
class _Segment:
    day: date
    start: datetime
    seconds: int
    rate: Rate


def _segments(worker: Worker, cal: PayCalendar, period: Period) -> list[_Segment]:
    segs = []
    for p in worker.punches:
        if p.end is None:
            continue
        for day, s, e in split_by_workday(worked_intervals(p), cal):
            secs = int((e - s).total_seconds())
            if secs <= 0:
                continue
            try:
                rate = rate_on(worker.rates, day, p.role, worker.name)
            except NoRate:
                if day >= period.start:
                    raise
                rate = Rate(day, Decimal(0))  # an earlier period's day: it only counts toward the workweek
            segs.append(_Segment(day, s, secs, rate))
    segs.sort(key=lambda g: g.start)
    return segs


def _classify_day(segs: list[_Segment], seventh: bool, weekly_reg: int, rules: PayRules
                  ) -> tuple[list[tuple[_Segment, str, int]], int]:
    """Split one workday's segments (in the order worked) into (segment, category, seconds); returns the new weekly count."""
    out: list[tuple[_Segment, str, int]] = []
    position = 0  # seconds already worked this workday (non-contractor time)
    for seg in segs:
        left = seg.seconds
        if seg.rate.contractor:
            out.append((seg, "regular", left))
            continue
        while left > 0:
            if seventh:
                cat, room = ("overtime", rules.seventh_day_ot_first - position) if position < rules.seventh_day_ot_first \
                    else ("double_time", left)
            elif position < rules.daily_ot_after:
                room = rules.daily_ot_after - position
                if weekly_reg >= rules.weekly_ot_after:
                    cat = "overtime"
                else:
                    cat, room = "regular", min(room, rules.weekly_ot_after - weekly_reg)
            elif position < rules.daily_dt_after:
                cat, room = "overtime", rules.daily_dt_after - position
            else:
                cat, room = "double_time", left
            take = min(left, room)
            out.append((seg, cat, take))
            if cat == "regular":
                weekly_reg += take
            position += take
            left -= take
    return out, weekly_reg


def compute(worker: Worker, period: Period, cal: PayCalendar, rules: PayRules) -> PersonPay:
    """Pay for one person for one period. Punches may start before the period (its first workweek's earlier days
    count toward weekly overtime and the 7th day but are paid in their own period)."""
    by_day: dict[date, list[_Segment]] = defaultdict(list)
    for seg in _segments(worker, cal, period):
        by_day[seg.day].append(seg)
    lines: dict[tuple[str, Decimal, Decimal], Line] = {}
    days: dict[date, DayPay] = {}
    multipliers = {"regular": Decimal(1), "overtime": rules.ot_multiplier, "double_time": rules.dt_multiplier}
    weeks = sorted({cal.week_start(d) for d in by_day if d <= period.end})
    for week in weeks:
        week_days = [week + timedelta(days=i) for i in range(7)]
        worked_days = [d for d in week_days if any(not g.rate.contractor for g in by_day.get(d, []))]
        weekly_reg = 0
        for i, day in enumerate(week_days):
            if day not in by_day:
                continue
            seventh = rules.seventh_day and i == 6 and len(worked_days) == 7
            pieces, weekly_reg = _classify_day(by_day[day], seventh, weekly_reg, rules)
            if not period.start <= day <= period.end:
                continue
            dp = days.setdefault(day, DayPay(day))
            for seg, cat, secs in pieces:
                mult = Decimal(1) if seg.rate.contractor else multipliers[cat]
                line = lines.setdefault((cat, seg.rate.rate, mult), Line(cat, seg.rate.rate, mult))
                line.seconds += secs
                dp.seconds[cat] += secs
    exceptions = meals.exceptions_and_premiums(worker, period, cal, rules, days, lines)
    ordered = sorted(lines.values(), key=lambda ln: (CATEGORIES.index(ln.category), ln.rate))
    contractor = bool(worker.rates) and all(r.contractor for r in worker.rates)
    return PersonPay(worker.key, worker.name, contractor, ordered, dict(sorted(days.items())), exceptions)


