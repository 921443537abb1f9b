"""The lock an approved timesheet puts on its hours: edits, imports and new punches inside it are refused.

Kept apart from the rest of payroll (it needs only the approvals table) so the time clock can ask it
without importing the pay engine.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.payroll import TimesheetApproval
from bot.services.errors import Conflict


def lock_over(session: Session, person_id: int, start: datetime, end: datetime | None) -> TimesheetApproval | None:
    """The approval that locks any of [start, end] for this person, if one does."""
    stmt = select(TimesheetApproval).where(
        TimesheetApproval.person_id == person_id, TimesheetApproval.status == "approved",
        TimesheetApproval.ends_at > start, TimesheetApproval.starts_at <= (end or start))
    return session.scalars(stmt.limit(1)).first()


def describe(lock: TimesheetApproval) -> str:
    return _locked_period(lock.period_start, lock.period_end)


def _locked_period(period_start: date, period_end: date) -> str:
    return (f"the timesheet for {period_start:%b} {period_start.day} - {period_end:%b} {period_end.day}, "
            f"{period_end.year} is approved and locked")


def refusal(doing: str, period_start: date, period_end: date) -> str:
    """What a person is told when a change falls inside an approved timesheet."""
    return (f"Can't {doing}: {_locked_period(period_start, period_end)}. An admin can unlock it in /timesheets "
            "(with a reason); nothing was changed.")


def require_unlocked(session: Session, person_id: int, start: datetime, end: datetime | None, *, doing: str) -> None:
    lock = lock_over(session, person_id, start, end)
    if lock is not None:
        raise Conflict(refusal(doing, lock.period_start, lock.period_end))
