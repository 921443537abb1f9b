"""The pay engine against worked examples (Labor Code 510, 512, 226.7; DLSE manual ch. 48): table-driven.

Each row: the punches (local Los Angeles wall-clock times; an Out before In is the next day), and the
hours and gross pay a payroll clerk works out by hand. Rate $20.00/h unless the row says otherwise.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.services.payroll import engine
from bot.services.payroll.model import Attestation, NoRate, Punch, Rate, Worker
from bot.services.payroll.periods import PayCalendar, Period
from bot.services.payroll.rules import load_rules

LA = ZoneInfo("America/Los_Angeles")
RULES = load_rules()
CAL = PayCalendar(tz=LA, kind="biweekly", anchor=date(2026, 10, 4))  # Sunday workweeks, workday from 00:00


def at(day: str, hhmm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), tzinfo=LA).astimezone(ZoneInfo("UTC"))


def punch(day: str, span: str, *breaks: str, n: int = 0, **flags) -> Punch:
    """punch("2026-10-05", "09:00-17:30", "13:00-13:30"): times after In but earlier on the clock are the next day."""
    a, b = span.split("-")
    start = at(day, a)

    def later(hhmm: str) -> datetime:
        t = at(day, hhmm)
        return t if t > start else at((date.fromisoformat(day) + timedelta(days=1)).isoformat(), hhmm)

    return Punch(n, start, later(b), tuple((later(x.split("-")[0]), later(x.split("-")[1])) for x in breaks), **flags)


def pay(punches, *, rates=None, waiver=False, attest=(), cal=CAL, period=None):
    worker = Worker("U1", "Hana", list(punches), rates or [Rate(date(2026, 1, 1), Decimal("20.00"))], waiver, list(attest))
    first = min(cal.workday_of(p.start) for p in punches)
    return engine.compute(worker, period or cal.period_of(first), cal, RULES)


def summary(result) -> tuple[str, str, str, str, str, str]:
    return tuple(f"{result.hours(c):.2f}" for c in ("regular", "overtime", "double_time", "meal_premium", "rest_premium")) + (f"{result.gross:.2f}",)


EVERY_RULE_WEEK = [  # Sun Oct 4 .. Sat Oct 10, 2026: a 13 h day, four 10 h days, a 9 h Friday, a 9 h 7th day
    punch("2026-10-04", "06:00-20:00", "10:00-10:30", "15:00-15:30", n=1),  # 13 h: 8 reg, 4 OT, 1 DT
    *[punch(f"2026-10-{d:02d}", "08:00-18:30", "12:00-12:30", n=d) for d in (5, 6, 7, 8)],  # 10 h: 8 reg + 2 OT; 40 reg by Thu
    punch("2026-10-09", "08:00-17:30", "12:00-12:30", n=9),  # 9 h after 40 regular: all 9 OT (1 daily, 8 weekly), not 10
    punch("2026-10-10", "08:00-17:30", "12:00-12:30", n=10),  # 7th consecutive day: first 8 OT, then 1 DT
]

CASES = [
    # name, punches, expected (regular, overtime, double time, meal premium, rest premium, gross)
    ("8 h day with an on-time meal", [punch("2026-10-05", "09:00-17:30", "13:00-13:30")],
     ("8.00", "0.00", "0.00", "0.00", "0.00", "160.00")),
    ("11.5 h day: 3.5 h daily OT", [punch("2026-10-05", "08:00-20:30", "12:00-12:30", "17:00-17:30")],
     ("8.00", "3.50", "0.00", "0.00", "0.00", "265.00")),
    ("14 h day: 8 / 4 / 2", [punch("2026-10-05", "06:00-21:00", "10:00-10:30", "14:30-15:00")],
     ("8.00", "4.00", "2.00", "0.00", "0.00", "360.00")),
    ("5 x 10 h: weekly OT never counts daily OT twice", [punch(f"2026-10-{d:02d}", "08:00-18:30", "12:00-12:30") for d in (5, 6, 7, 8, 9)],
     ("40.00", "10.00", "0.00", "0.00", "0.00", "1100.00")),
    ("6 x 8 h: the 6th day is weekly OT", [punch(f"2026-10-{d:02d}", "09:00-17:30", "13:00-13:30") for d in (5, 6, 7, 8, 9, 10)],
     ("40.00", "8.00", "0.00", "0.00", "0.00", "1040.00")),
    ("a week that hits every rule", EVERY_RULE_WEEK,
     ("40.00", "29.00", "2.00", "0.00", "0.00", "1750.00")),
    ("7 x 8 h: the 7th day is all OT, not weekly OT twice", [punch(f"2026-10-{d:02d}", "09:00-17:30", "13:00-13:30") for d in range(4, 11)],
     ("40.00", "16.00", "0.00", "0.00", "0.00", "1280.00")),
    ("overnight 6 pm - 6 am split at midnight: 5.5 + 5.5, no daily OT",
     [punch("2026-10-05", "18:00-06:00", "22:00-22:30", "02:00-02:30")],
     ("11.00", "0.00", "0.00", "0.00", "0.00", "220.00")),
    ("missed meal: 7 h, no break", [punch("2026-10-05", "09:00-16:00")],
     ("7.00", "0.00", "0.00", "1.00", "0.00", "160.00")),
    ("late meal: starts after 5.5 h of work", [punch("2026-10-05", "09:00-17:30", "14:30-15:00")],
     ("8.00", "0.00", "0.00", "1.00", "0.00", "180.00")),
    ("a meal shorter than 30 minutes is no meal", [punch("2026-10-05", "09:00-17:20", "13:00-13:20")],
     ("8.00", "0.00", "0.00", "1.00", "0.00", "180.00")),
    ("11 h with one meal: the second is missing, one premium", [punch("2026-10-05", "08:00-19:30", "12:00-12:30")],
     ("8.00", "3.00", "0.00", "1.00", "0.00", "270.00")),
    ("two bad shifts in one workday: still one meal premium",
     [punch("2026-10-05", "06:00-12:00", n=1), punch("2026-10-05", "13:00-19:00", n=2)],
     ("8.00", "4.00", "0.00", "1.00", "0.00", "300.00")),
    ("exactly 5 h: no meal due", [punch("2026-10-05", "09:00-14:00")],
     ("5.00", "0.00", "0.00", "0.00", "0.00", "100.00")),
]


@pytest.mark.parametrize("name, punches, expected", CASES, ids=[c[0] for c in CASES])
def test_worked_examples(name, punches, expected):
    assert summary(pay(punches)) == expected


def test_the_every_rule_week_line_by_line():
    result = pay(EVERY_RULE_WEEK)
    days = {d.isoformat(): {k: v / 3600 for k, v in dp.seconds.items() if v} for d, dp in result.days.items()}
    assert days["2026-10-04"] == {"regular": 8, "overtime": 4, "double_time": 1}
    assert days["2026-10-08"] == {"regular": 8, "overtime": 2}
    assert days["2026-10-09"] == {"overtime": 9}
    assert days["2026-10-10"] == {"overtime": 8, "double_time": 1}
    assert result.exceptions == []


def test_workday_start_moves_the_split():
    cal = PayCalendar(tz=LA, kind="biweekly", anchor=date(2026, 10, 4), workday_start=time(6))
    result = pay([punch("2026-10-05", "18:00-06:00", "22:00-22:30", "02:00-02:30")], cal=cal)
    assert summary(result)[:3] == ("8.00", "3.00", "0.00")  # one workday of 11 h


@pytest.mark.parametrize("day, span, hours", [
    ("2026-10-31", "22:00-06:00", "8.50"),  # Nov 1 2026: clocks fall back; the night has 9 real hours, less the meal
    ("2026-03-07", "22:00-06:00", "6.50"),  # Mar 8 2026: clocks spring forward; 7 real hours, less the meal
])
def test_a_dst_night_pays_the_real_hours(day, span, hours):
    cal = PayCalendar(tz=LA, kind="weekly", anchor=date.fromisoformat(day) - timedelta(days=2))
    result = pay([punch(day, span, "01:00-01:30")], cal=cal)
    assert (f"{result.hours('regular'):.2f}", f"{result.hours('overtime'):.2f}") == (hours, "0.00")  # split at midnight: no day over 8


def test_dst_fall_back_split_per_workday():
    cal = PayCalendar(tz=LA, kind="weekly", anchor=date(2026, 10, 28))  # Wed Oct 28 - Tue Nov 3 holds the night
    result = pay([punch("2026-10-31", "22:00-06:00", "01:00-01:30")], cal=cal)
    assert {d.isoformat(): dp.seconds["regular"] / 3600 for d, dp in result.days.items()} == {"2026-10-31": 2, "2026-11-01": 6.5}
    assert summary(result) == ("8.50", "0.00", "0.00", "0.00", "0.00", "170.00")


def test_meal_waiver_only_up_to_six_hours():
    six = [punch("2026-10-05", "09:00-15:00")]
    assert summary(pay(six, waiver=True))[3] == "0.00"
    assert summary(pay(six, waiver=False))[3] == "1.00"
    assert summary(pay([punch("2026-10-05", "09:00-15:30")], waiver=True))[3] == "1.00"


def test_second_meal_waivable_up_to_twelve_hours_when_the_first_was_taken():
    eleven = [punch("2026-10-05", "08:00-19:30", "12:00-12:30")]  # 11 h worked, one meal
    assert summary(pay(eleven, waiver=True))[3] == "0.00"
    assert summary(pay(eleven, waiver=False))[3] == "1.00"
    thirteen = [punch("2026-10-05", "06:00-19:30", "10:00-10:30")]  # 13 h worked: the second can't be waived
    assert summary(pay(thirteen, waiver=True))[3] == "1.00"


def test_rate_change_mid_period_uses_each_days_rate():
    rates = [Rate(date(2026, 1, 1), Decimal("20.00")), Rate(date(2026, 10, 7), Decimal("25.00"))]
    result = pay([punch("2026-10-05", "09:00-17:30", "13:00-13:30"), punch("2026-10-08", "09:00-17:30", "13:00-13:30")], rates=rates)
    assert [(ln.category, ln.rate, f"{ln.hours}") for ln in result.lines] == [
        ("regular", Decimal("20.00"), "8.00"), ("regular", Decimal("25.00"), "8.00")]
    assert result.gross == Decimal("360.00")


def test_role_rate_beats_any_role_rate():
    rates = [Rate(date(2026, 1, 1), Decimal("20.00")), Rate(date(2026, 1, 1), Decimal("30.00"), role="host")]
    p = punch("2026-10-05", "09:00-13:00", role="host")
    assert pay([p], rates=rates).gross == Decimal("120.00")


def test_contractor_gets_no_overtime_or_premiums():
    rates = [Rate(date(2026, 1, 1), Decimal("30.00"), contractor=True)]
    result = pay([punch("2026-10-05", "06:00-20:00")], rates=rates)
    assert summary(result) == ("14.00", "0.00", "0.00", "0.00", "0.00", "420.00")
    assert result.contractor and result.exceptions == []


def test_attested_no_records_premiums_and_exceptions():
    p = punch("2026-10-05", "09:00-17:30", "13:00-13:30")
    result = pay([p], attest=[Attestation(date(2026, 10, 5), "meal", False), Attestation(date(2026, 10, 5), "rest", False)])
    assert summary(result) == ("8.00", "0.00", "0.00", "1.00", "1.00", "200.00")
    assert [e.kind for e in result.exceptions] == ["missed_meal", "missed_rest"]
    yes = pay([p], attest=[Attestation(date(2026, 10, 5), "meal", True), Attestation(date(2026, 10, 5), "rest", True)])
    assert yes.gross == Decimal("160.00") and yes.exceptions == []


def test_exceptions_from_entry_flags_and_short_rest_gap():
    result = pay([punch("2026-10-05", "14:00-23:30", "18:00-18:30", n=1, late_minutes=12, unscheduled=True),
                  punch("2026-10-06", "06:00-10:00", n=2, auto_closed=True, early_minutes=30),
                  Punch(3, at("2026-10-07", "09:00"), None)])
    assert [(e.day.isoformat(), e.kind) for e in result.exceptions] == [
        ("2026-10-05", "late_arrival"), ("2026-10-05", "unscheduled_work"),
        ("2026-10-06", "auto_closed"), ("2026-10-06", "early_departure"), ("2026-10-06", "short_rest"),
        ("2026-10-07", "missing_clock_out")]


def test_weekly_overtime_counts_days_before_the_period():
    cal = PayCalendar(tz=LA, kind="semimonthly")  # Oct 16 (Fri) starts a period inside the Sunday workweek
    week = [punch(f"2026-10-{d:02d}", "08:00-18:30", "12:00-12:30") for d in (11, 12, 13, 14, 15, 16)]
    result = pay(week, cal=cal, period=Period(date(2026, 10, 16), date(2026, 10, 31)))
    assert summary(result)[:3] == ("0.00", "10.00", "0.00")  # Friday: 40 regular already worked Sun-Thu


def test_no_rate_is_a_plain_sentence():
    with pytest.raises(NoRate, match="has no pay rate on 2026-10-05"):
        pay([punch("2026-10-05", "09:00-10:00")], rates=[Rate(date(2026, 11, 1), Decimal("20.00"))])


def test_money_is_decimal_and_rounded_once_per_line():
    result = pay([punch("2026-10-05", "09:00-09:20")], rates=[Rate(date(2026, 1, 1), Decimal("20.01"))])
    assert result.lines[0].hours == Decimal("0.33") and result.gross == Decimal("6.60")
    assert all(isinstance(ln.amount, Decimal) for ln in result.lines)
