"""What the pay engine reads and writes: punches, rates, attestations in; pay lines, days and exceptions out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.services.errors import Invalid

CENT = Decimal("0.01")
HOUR = 3600
CATEGORIES = ("regular", "overtime", "double_time", "meal_premium", "rest_premium")


@dataclass(frozen=True)
class Punch:
    """One time entry as the engine sees it (built from a TimeEntry, or written by hand in tests)."""

    entry_id: int
    start: datetime
    end: datetime | None  # None: no clock-out yet (not paid; an exception)
    breaks: tuple[tuple[datetime, datetime], ...] = ()
    role: str | None = None
    unscheduled: bool = False
    late_minutes: int = 0
    early_minutes: int = 0
    auto_closed: bool = False
    edited_after_approval: bool = False


@dataclass(frozen=True)
class Rate:
    effective_from: date
    rate: Decimal
    role: str | None = None  # None: any role
    contractor: bool = False


@dataclass(frozen=True)
class Attestation:
    day: date  # the workday
    kind: str  # "meal", "second_meal" or "rest"
    taken: bool


@dataclass
class Worker:
    key: str  # Slack user ID
    name: str
    punches: list[Punch]
    rates: list[Rate]
    meal_waiver: bool = False
    attestations: list[Attestation] = field(default_factory=list)


@dataclass(frozen=True)
class Exception_:
    day: date
    kind: str
    detail: str


@dataclass
class Line:
    category: str
    rate: Decimal
    multiplier: Decimal
    seconds: int = 0
    premium_hours: Decimal = Decimal(0)

    @property
    def hours(self) -> Decimal:
        if self.category.endswith("_premium"):
            return self.premium_hours.quantize(CENT, ROUND_HALF_UP)
        return (Decimal(self.seconds) / HOUR).quantize(CENT, ROUND_HALF_UP)

    @property
    def amount(self) -> Decimal:
        return (self.hours * self.rate * self.multiplier).quantize(CENT, ROUND_HALF_UP)


@dataclass
class DayPay:
    day: date
    seconds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    meal_premium: bool = False
    rest_premium: bool = False


@dataclass
class PersonPay:
    key: str
    name: str
    contractor: bool
    lines: list[Line]
    days: dict[date, DayPay]
    exceptions: list[Exception_]

    def hours(self, category: str) -> Decimal:
        return sum((ln.hours for ln in self.lines if ln.category == category), Decimal("0.00"))

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))

    def day_exceptions(self, day: date) -> list[Exception_]:
        return [e for e in self.exceptions if e.day == day]


class NoRate(Invalid):
    def __init__(self, name: str, day: date) -> None:
        super().__init__(f"{name} has no pay rate on {day:%Y-%m-%d}: set one with `opsbot pay rate` "
                         f"(or `/ops pay rate @person 25.00`) from that day or earlier.")


def rate_on(rates: list[Rate], day: date, role: str | None, name: str = "This person") -> Rate:
    """The rate in effect on `day` for `role`: the newest one from that day or earlier, a role's own before 'any role'."""
    best: Rate | None = None
    for r in rates:
        if r.effective_from > day or (r.role is not None and r.role != role):
            continue
        if best is None or (r.effective_from, r.role is not None) > (best.effective_from, best.role is not None):
            best = r
    if best is None:
        raise NoRate(name, day)
    return best


def hours_text(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):.2f}"
