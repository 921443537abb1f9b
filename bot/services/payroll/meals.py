"""Meal and rest premiums and the per-day exceptions, from punches, breaks and attestations (pure).

A shift (one punch) over 5 h of work needs an unpaid break of 30 minutes or more starting before the end
of the 5th hour of work, waivable only when the shift is 6 h or less and the person's waiver is on file; a
shift over 10 h needs a second one before the end of the 10th hour (waivable, with the waiver on file, up to
12 h when the first was taken). A missing or late meal, or "No" at the
checkout attestation, is one hour of premium pay at the regular rate: at most one meal premium per
workday. A rest premium (one per workday) comes only from the attestation. Contractors get no premiums.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.services.payroll.model import DayPay, Exception_, Line, Punch, Worker, rate_on
from bot.services.payroll.periods import PayCalendar, Period
from bot.services.payroll.rules import PayRules


def _hours(seconds: int) -> str:
    h, m = divmod(seconds // 60, 60)
    return f"{h}:{m:02d}"


def _work_before(p: Punch, instant: datetime) -> int:
    """Seconds worked in the punch before `instant` (earlier breaks don't count)."""
    assert p.end is not None
    total = int((min(instant, p.end) - p.start).total_seconds())
    for b_start, b_end in p.breaks:
        if b_start < instant:
            total -= int((min(b_end, instant) - b_start).total_seconds())
    return max(total, 0)


def meal_problem(p: Punch, rules: PayRules, waiver: bool) -> tuple[str, str] | None:
    """(kind, detail) when the punch's meal periods break the rules, else None."""
    if p.end is None:
        return None
    worked = _work_before(p, p.end)
    if worked <= rules.meal_first_after:
        return None
    meals = sorted((b for b in p.breaks if (b[1] - b[0]).total_seconds() >= rules.meal_minimum), key=lambda b: b[0])
    offsets = [_work_before(p, b[0]) for b in meals]
    on_time = [o for o in offsets if o <= rules.meal_first_after]
    need = rules.meal_minimum // 60
    if not on_time:
        if waiver and worked <= rules.meal_waivable_up_to:
            return None
        if offsets:
            return "late_meal", (f"{_hours(worked)} worked; the first {need}-minute meal started after "
                                 f"{_hours(offsets[0])} of work (due before the end of hour {rules.meal_first_after // 3600})")
        return "missed_meal", (f"{_hours(worked)} worked with no {need}-minute meal "
                               f"(due before the end of hour {rules.meal_first_after // 3600})")
    if worked > rules.meal_second_after and not (waiver and worked <= rules.meal_second_waivable_up_to):
        second = [o for o in offsets if o > on_time[0]]
        if not second:
            return "missed_meal", f"{_hours(worked)} worked with one meal; a second was due before the end of hour {rules.meal_second_after // 3600}"
        if second[0] > rules.meal_second_after:
            return "late_meal", f"{_hours(worked)} worked; the second meal started after {_hours(second[0])} of work"
    return None


def _premium(lines: dict, category: str, rate: Decimal, hours: Decimal) -> None:
    line = lines.setdefault((category, rate, Decimal(1)), Line(category, rate, Decimal(1)))
    line.premium_hours += hours


def exceptions_and_premiums(worker: Worker, period: Period, cal: PayCalendar, rules: PayRules,
                            days: dict[date, DayPay], lines: dict) -> list[Exception_]:
    out: list[Exception_] = []
    in_period = [p for p in sorted(worker.punches, key=lambda p: p.start) if period.start <= cal.workday_of(p.start) <= period.end]
    meal_days: dict[date, tuple[Punch, str]] = {}
    for p in in_period:
        day = cal.workday_of(p.start)
        if p.end is None:
            out.append(Exception_(day, "missing_clock_out", "clocked in, never clocked out"))
        if p.auto_closed:
            out.append(Exception_(day, "auto_closed", "closed at the scheduled end (forgotten clock-out): needs review"))
        if p.unscheduled:
            out.append(Exception_(day, "unscheduled_work", "worked without a scheduled shift"))
        if p.late_minutes > 0:
            out.append(Exception_(day, "late_arrival", f"{p.late_minutes} min after call time"))
        if p.early_minutes > 0:
            out.append(Exception_(day, "early_departure", f"left {p.early_minutes} min before the shift's end"))
        if p.edited_after_approval:
            out.append(Exception_(day, "edited_after_approval", "changed after the timesheet was approved"))
        rate = rate_on(worker.rates, day, p.role, worker.name)
        if rate.contractor:
            continue
        problem = meal_problem(p, rules, worker.meal_waiver)
        if problem is not None:
            out.append(Exception_(day, *problem))
            meal_days.setdefault(day, (p, problem[0]))
    rest_days: set[date] = set()
    for a in worker.attestations:
        if a.taken or not period.start <= a.day <= period.end:
            continue
        punch = next((p for p in in_period if cal.workday_of(p.start) == a.day), None)
        if punch is None or rate_on(worker.rates, a.day, punch.role, worker.name).contractor:
            continue
        if a.kind == "rest":
            out.append(Exception_(a.day, "missed_rest", "said rest breaks were not taken"))
            rest_days.add(a.day)
        elif a.day not in meal_days:
            out.append(Exception_(a.day, "missed_meal", "said the meal period was not taken in time"))
            meal_days[a.day] = (punch, "missed_meal")
    for day, (p, _kind) in meal_days.items():
        _premium(lines, "meal_premium", rate_on(worker.rates, day, p.role, worker.name).rate, rules.meal_premium_hours)
        days.setdefault(day, DayPay(day)).meal_premium = True
    for day in rest_days:
        p = next(p for p in in_period if cal.workday_of(p.start) == day)
        _premium(lines, "rest_premium", rate_on(worker.rates, day, p.role, worker.name).rate, rules.rest_premium_hours)
        days.setdefault(day, DayPay(day)).rest_premium = True
    out.extend(_short_gaps(worker.punches, period, cal, rules))
    return sorted(out, key=lambda e: (e.day, e.kind))


def _short_gaps(punches: list[Punch], period: Period, cal: PayCalendar, rules: PayRules) -> list[Exception_]:
    """Less than the rules' rest gap between the last punch of one workday and the first of another."""
    out = []
    closed = sorted((p for p in punches if p.end is not None), key=lambda p: p.start)
    for prev, nxt in itertools.pairwise(closed):
        assert prev.end is not None
        day = cal.workday_of(nxt.start)
        gap = nxt.start - prev.end
        if day != cal.workday_of(prev.start) and gap < timedelta(seconds=rules.rest_min_gap) and period.start <= day <= period.end:
            out.append(Exception_(day, "short_rest", f"only {_hours(int(gap.total_seconds()))} off since the previous shift "
                                                      f"(less than {rules.rest_min_gap // 3600} h)"))
    return out
