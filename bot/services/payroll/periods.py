"""Pay periods, workdays and workweeks from settings (PAY_PERIOD, PAY_PERIOD_ANCHOR, WORKWEEK_START, WORKDAY_START).

A workday is the 24 hours (23 or 25 on a DST day) from WORKDAY_START on one local date to the next;
hours are split there. A pay period is a run of whole workdays, named by its first and last date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import Invalid
from bot.timefmt import local_to_utc, to_local

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def label(self) -> str:
        return f"{self.start:%b} {self.start.day} - {self.end:%b} {self.end.day}, {self.end.year}"


@dataclass(frozen=True)
class PayCalendar:
    tz: ZoneInfo
    kind: str = "biweekly"
    anchor: date | None = None
    workweek_start: int = 6  # date.weekday(): 6 = Sunday
    workday_start: time = time(0)

    @classmethod
    def from_settings(cls, settings) -> PayCalendar:  # type: ignore[no-untyped-def]
        hour, minute = settings.workday_start.split(":")
        return cls(tz=settings.tz, kind=settings.pay_period, anchor=settings.pay_period_anchor,
                   workweek_start=WEEKDAYS.index(settings.workweek_start), workday_start=time(int(hour), int(minute)))

    def period_of(self, day: date) -> Period:
        """The pay period holding workday `day`."""
        if self.kind == "semimonthly":
            if day.day <= 15:
                return Period(day.replace(day=1), day.replace(day=15))
            return Period(day.replace(day=16), day.replace(day=calendar.monthrange(day.year, day.month)[1]))
        if self.anchor is None:
            raise Invalid(f"PAY_PERIOD is {self.kind} but PAY_PERIOD_ANCHOR is not set: set it to the first day of "
                          "any pay period (YYYY-MM-DD) so opsbot knows where periods start.")
        length = 7 if self.kind == "weekly" else 14
        start = self.anchor + timedelta(days=((day - self.anchor).days // length) * length)
        return Period(start, start + timedelta(days=length - 1))

    def workday_start_at(self, day: date) -> datetime:
        return local_to_utc(day, self.workday_start, self.tz)

    def workday_bounds(self, day: date) -> tuple[datetime, datetime]:
        return self.workday_start_at(day), self.workday_start_at(day + timedelta(days=1))

    def workday_of(self, instant: datetime) -> date:
        local = to_local(instant, self.tz)
        day = local.date()
        if instant < self.workday_start_at(day):
            day -= timedelta(days=1)
        return day

    def period_bounds(self, period: Period) -> tuple[datetime, datetime]:
        return self.workday_start_at(period.start), self.workday_start_at(period.end + timedelta(days=1))

    def week_start(self, day: date) -> date:
        return day - timedelta(days=(day.weekday() - self.workweek_start) % 7)
