"""From the database to the pay engine and back: one pay period's pay for everyone who worked in it.

`period_pay` loads every entry of the period (and of its first workweek's earlier days, which count toward
weekly overtime), the rates, waivers, breaks, attestations and reviews in a handful of queries, and runs
`engine.compute` per person. `as_json` is the exact shape `opsbot payroll compute --json` prints.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.db.models import AuditRecord, Person, TimeEntry
from bot.db.payroll import (
    EntryBreak,
    EntryReview,
    MealAttestation,
    PayProfile,
    PayRate,
    TimesheetApproval,
)
from bot.services.payroll import engine
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.model import (
    CENT,
    Attestation,
    Exception_,
    NoRate,
    PersonPay,
    Punch,
    Rate,
    Worker,
    hours_text,
)
from bot.services.payroll.periods import Period
from bot.timefmt import ensure_utc


@dataclass
class PersonPeriod:
    person: Person
    pay: PersonPay
    entries: list[TimeEntry]
    approval: TimesheetApproval | None

    @property
    def approved(self) -> bool:
        return self.approval is not None and self.approval.status == "approved"


@dataclass
class PeriodPay:
    period: Period
    people: list[PersonPeriod]

    @property
    def approved(self) -> bool:
        return bool(self.people) and all(p.approved for p in self.people)

    def of(self, slack_user_id: str) -> PersonPeriod | None:
        return next((p for p in self.people if p.person.slack_user_id == slack_user_id), None)


def _role(entry: TimeEntry) -> str | None:
    if entry.shift is not None:
        return entry.shift.role if entry.shift.role in ("host", "pa") else None
    roles = entry.person.role_names & {"host", "pa"}
    return next(iter(roles)) if len(roles) == 1 else None


def rates_by_person(session: Session, person_ids: list[int] | None = None) -> dict[int, list[Rate]]:
    stmt = select(PayRate)
    if person_ids is not None:
        stmt = stmt.where(PayRate.person_id.in_(person_ids))
    out: dict[int, list[Rate]] = defaultdict(list)
    for r in session.scalars(stmt):
        out[r.person_id].append(Rate(r.effective_from, Decimal(r.rate).quantize(CENT), None if r.role == "any" else r.role,
                                     r.contractor))
    return out


def period_pay(session: Session, day: date, cfg: PayrollConfig, *, only: Person | None = None) -> PeriodPay:
    """Pay for the period holding workday `day` (everyone, or `only` one person)."""
    period = cfg.cal.period_of(day)
    start, end = cfg.cal.period_bounds(period)
    load_from = cfg.cal.workday_start_at(cfg.cal.week_start(period.start))
    stmt = (select(TimeEntry).options(joinedload(TimeEntry.person).selectinload(Person.roles), joinedload(TimeEntry.shift))
            .where(TimeEntry.clock_in_at >= load_from, TimeEntry.clock_in_at < end).order_by(TimeEntry.clock_in_at))
    if only is not None:
        stmt = stmt.where(TimeEntry.person_id == only.id)
    entries = list(session.scalars(stmt).unique())
    ids = [e.id for e in entries]
    person_ids = sorted({e.person_id for e in entries})
    breaks: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    attest: dict[int, list[MealAttestation]] = defaultdict(list)
    reviews: set[int] = set()
    edited_at: dict[int, datetime] = {}
    for chunk in _chunks(ids):
        for b in session.scalars(select(EntryBreak).where(EntryBreak.entry_id.in_(chunk))):
            breaks[b.entry_id].append((ensure_utc(b.starts_at), ensure_utc(b.ends_at)))
        for a in session.scalars(select(MealAttestation).where(MealAttestation.entry_id.in_(chunk))):
            attest[a.entry_id].append(a)
        reviews |= set(session.scalars(select(EntryReview.entry_id).where(
            EntryReview.entry_id.in_(chunk), EntryReview.reviewed_by.is_(None))))
        for rec in session.scalars(select(AuditRecord).where(
                AuditRecord.entity_type == "time_entry", AuditRecord.action == "timeclock.entry_edited",
                AuditRecord.entity_id.in_([str(i) for i in chunk]))):
            when = ensure_utc(rec.at)
            edited_at[int(rec.entity_id)] = max(edited_at.get(int(rec.entity_id), when), when)
    rates = rates_by_person(session, person_ids)
    waivers = {p.person_id: p.meal_waiver for p in session.scalars(select(PayProfile).where(PayProfile.person_id.in_(person_ids)))}
    approvals = {a.person_id: a for a in session.scalars(select(TimesheetApproval).where(
        TimesheetApproval.period_start == period.start, TimesheetApproval.person_id.in_(person_ids)))}
    by_person: dict[int, list[TimeEntry]] = defaultdict(list)
    for e in entries:
        by_person[e.person_id].append(e)
    people = []
    for pid, mine in by_person.items():
        person = mine[0].person
        approval = approvals.get(pid)
        punches = [_punch(e, breaks[e.id], e.id in reviews, _edited_after(edited_at.get(e.id), approval), cfg) for e in mine]
        atts = [Attestation(cfg.cal.workday_of(ensure_utc(e.clock_in_at)), a.kind, a.taken) for e in mine for a in attest[e.id]]
        worker = Worker(person.slack_user_id, person.name, punches, rates.get(pid, []), waivers.get(pid, False), atts)
        try:
            pay = engine.compute(worker, period, cfg.cal, cfg.rules)
        except NoRate as exc:  # shown as an exception that blocks approval and export, never as $0
            first = min(cfg.cal.workday_of(p.start) for p in punches)
            pay = PersonPay(person.slack_user_id, person.name, False, [], {}, [Exception_(max(first, period.start), "no_rate", exc.message)])
        in_period = [e for e in mine if ensure_utc(e.clock_in_at) >= start]
        if in_period:
            people.append(PersonPeriod(person, pay, in_period, approval))
    people.sort(key=lambda p: (p.person.name.lower(), p.person.slack_user_id))
    return PeriodPay(period, people)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)] or [[]]


def _edited_after(edited: datetime | None, approval: TimesheetApproval | None) -> bool:
    return edited is not None and approval is not None and ensure_utc(edited) > ensure_utc(approval.approved_at)


def _punch(e: TimeEntry, breaks: list[tuple[datetime, datetime]], auto_closed: bool, edited_after: bool, cfg: PayrollConfig) -> Punch:
    start = ensure_utc(e.clock_in_at)
    end = ensure_utc(e.clock_out_at) if e.clock_out_at is not None else None
    early = 0
    if e.shift is not None and end is not None and not auto_closed:
        gap = ensure_utc(e.shift.ends_at) - end
        if gap > cfg.late_grace:
            early = int(gap.total_seconds() // 60)
    return Punch(e.id, start, end, tuple(sorted(breaks)), _role(e), bool(e.unscheduled), e.late_minutes or 0, early,
                 auto_closed, edited_after)


def person_json(pp: PersonPeriod) -> dict[str, Any]:
    pay = pp.pay
    return {
        "person": pp.person.slack_user_id,
        "name": pp.person.name,
        "regular_hours": hours_text(pay.hours("regular")),
        "overtime_hours": hours_text(pay.hours("overtime")),
        "double_time_hours": hours_text(pay.hours("double_time")),
        "meal_premium_hours": hours_text(pay.hours("meal_premium")),
        "rest_premium_hours": hours_text(pay.hours("rest_premium")),
        "gross_pay": f"{pay.gross:.2f}",
        "exceptions": [{"date": x.day.isoformat(), "kind": x.kind, "detail": x.detail} for x in pay.exceptions],
    }


def as_json(pp: PeriodPay) -> dict[str, Any]:
    return {"period": {"start": pp.period.start.isoformat(), "end": pp.period.end.isoformat()},
            "approved": pp.approved, "people": [person_json(p) for p in pp.people]}
