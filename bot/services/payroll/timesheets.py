"""Pay-period timesheets: who sees what, Approve (per person or all without exceptions), Unlock.

Approving locks the person's hours for the period (see locks.py); approving and unlocking are separate
permissions (TIMESHEET_APPROVE_ROLES, TIMESHEET_UNLOCK_ROLES); an unlock needs a reason. Every change is
audited; a second click on Approve or Unlock changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Person
from bot.db.payroll import TimesheetApproval
from bot.services import audit, people
from bot.services.errors import Conflict, Invalid, NotFound
from bot.services.payroll.compute import PeriodPay, PersonPeriod, period_pay
from bot.services.payroll.config import PayrollConfig
from bot.services.payroll.periods import Period

Actor = Person | Literal["cli"]
MAX_REASON = 500


def _who(actor: Actor, roles: tuple[str, ...], doing: str) -> str:
    if actor == "cli":
        return "cli"
    assert isinstance(actor, Person)
    people.require_role(actor, *roles, doing=doing)
    return actor.slack_user_id


def may_approve(actor: Person, cfg: PayrollConfig) -> bool:
    return people.has_role(actor, *cfg.approve_roles)


def may_unlock(actor: Person, cfg: PayrollConfig) -> bool:
    return people.has_role(actor, *cfg.unlock_roles)


def view(session: Session, actor: Person, day: date, cfg: PayrollConfig) -> PeriodPay:
    """The approver sees everyone in the period; anyone else only their own hours and entries."""
    if may_approve(actor, cfg) or may_unlock(actor, cfg):
        return period_pay(session, day, cfg)
    return period_pay(session, day, cfg, only=actor)


@dataclass
class Approved:
    done: list[PersonPeriod] = field(default_factory=list)
    already: list[PersonPeriod] = field(default_factory=list)
    held: list[PersonPeriod] = field(default_factory=list)  # "all without exceptions" left these for review


def _approve_one(session: Session, who: str, pp: PersonPeriod, period: Period, cfg: PayrollConfig, now: datetime) -> bool:
    start, end = cfg.cal.period_bounds(period)
    row = pp.approval
    if row is not None and row.status == "approved":
        return False
    no_rate = next((x for x in pp.pay.exceptions if x.kind == "no_rate"), None)
    if no_rate is not None:
        raise Conflict(f"{no_rate.detail} Nothing was approved.")
    if any(e.clock_out_at is None for e in pp.entries):
        raise Conflict(f"{pp.person.name} is still clocked in (or never clocked out) in this period; close or correct "
                       "that entry with /ops timesheet before approving. Nothing was approved.")
    if row is None:
        row = TimesheetApproval(person_id=pp.person.id, period_start=period.start, period_end=period.end,
                                starts_at=start, ends_at=end, status="approved", gross_pay=pp.pay.gross,
                                approved_by=who, approved_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # a concurrent click approved it a moment ago
            return False
    else:
        row.status, row.gross_pay, row.approved_by, row.approved_at = "approved", pp.pay.gross, who, now
        row.unlocked_by = row.unlocked_at = row.unlock_reason = None
    session.flush()
    pp.approval = row
    audit.record(session, actor=who, action="payroll.timesheet_approved", entity_type="timesheet", entity_id=row.id,
                 after={"person": pp.person.slack_user_id, "period_start": period.start.isoformat(),
                        "period_end": period.end.isoformat(), "gross_pay": f"{pp.pay.gross:.2f}",
                        "exceptions": len(pp.pay.exceptions)})
    return True


def approve(session: Session, actor: Actor, target_user_id: str, day: date, cfg: PayrollConfig, now: datetime) -> Approved:
    """Approve one person's timesheet for the period holding `day` (locks it)."""
    who = _who(actor, cfg.approve_roles, "approve timesheets")
    target = people.get(session, target_user_id)
    found = period_pay(session, day, cfg, only=target) if target is not None else None
    pp = found.of(target_user_id) if found is not None else None
    if found is None or pp is None:
        raise NotFound("That person has no hours in this pay period, so there is nothing to approve.")
    result = Approved()
    (result.done if _approve_one(session, who, pp, found.period, cfg, now) else result.already).append(pp)
    return result


def approve_all_clean(session: Session, actor: Actor, day: date, cfg: PayrollConfig, now: datetime) -> Approved:
    """Approve everyone in the period whose timesheet has no exceptions; the rest stay for review."""
    who = _who(actor, cfg.approve_roles, "approve timesheets")
    result = Approved()
    found = period_pay(session, day, cfg)
    for pp in found.people:
        if pp.approved:
            result.already.append(pp)
        elif pp.pay.exceptions:
            result.held.append(pp)
        elif _approve_one(session, who, pp, found.period, cfg, now):
            result.done.append(pp)
    return result


def unlock(session: Session, actor: Actor, target_user_id: str, day: date, reason: str, cfg: PayrollConfig,
           now: datetime) -> tuple[TimesheetApproval, bool]:
    """Unlock an approved timesheet so it can be corrected; (approval, changed)."""
    who = _who(actor, cfg.unlock_roles, "unlock approved timesheets")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say why you are unlocking this timesheet; it goes in the audit log.", {"reason": "A reason is required."})
    if len(reason) > MAX_REASON:
        raise Invalid(f"Keep the reason under {MAX_REASON} characters.", {"reason": f"Under {MAX_REASON} characters."})
    target = people.get(session, target_user_id)
    period = cfg.cal.period_of(day)
    row = session.scalar(select(TimesheetApproval).where(
        TimesheetApproval.person_id == target.id, TimesheetApproval.period_start == period.start)) if target else None
    if row is None:
        raise Conflict("That timesheet isn't approved, so there is nothing to unlock.")
    if row.status == "unlocked":
        return row, False
    row.status, row.unlocked_by, row.unlocked_at, row.unlock_reason = "unlocked", who, now, reason
    session.flush()
    audit.record(session, actor=who, action="payroll.timesheet_unlocked", entity_type="timesheet", entity_id=row.id,
                 before={"status": "approved"}, after={"status": "unlocked"}, reason=reason)
    return row, True
