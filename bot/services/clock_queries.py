"""The time clock's hot path, as statements built once: who is clocking (one SELECT), their shift, the entry.

`bot/services/timeclock.py` holds the rules and is the module to open first; this one only says how the
check-in path reads and writes in as few statements as possible (building a select() costs more CPU than
running it on SQLite, and a pre-built statement keeps its cache key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import Session, aliased, contains_eager, make_transient_to_detached

from bot.db.models import LiveSession, Person, PersonRole, Shift, TimeEntry
from bot.db.payroll import TimesheetApproval


@dataclass(frozen=True)
class ClockSubject:
    """Who is clocking, loaded in one statement: the person, their open entry, whether they are rostered,
    and the shift a check-in at `now` would attach to (with its session), and whether anyone is already
    clocked in against that shift."""

    person: Person
    open_entry: TimeEntry | None
    rostered: bool  # holds the host or PA role
    shift: Shift | None = None
    shift_taken: bool = False
    locked: bool = False  # an approved timesheet covers `now` (payroll's lock; the refusal names it)


_LOCKED = exists().where(
    TimesheetApproval.person_id == Person.id, TimesheetApproval.status == "approved",
    TimesheetApproval.ends_at > bindparam("now", type_=TimesheetApproval.ends_at.type),
    TimesheetApproval.starts_at <= bindparam("now", type_=TimesheetApproval.starts_at.type)).correlate(Person)
_ROSTERED = exists().where(PersonRole.person_id == Person.id, PersonRole.role.in_(("host", "pa"))).correlate(Person)
_Taken = aliased(TimeEntry)
_MatchShift, _MatchSession = aliased(Shift), aliased(LiveSession)


def _matching(person_id, shift, live):  # type: ignore[no-untyped-def]
    """The shift that starts within the early window or is in progress, of a live session not cancelled."""
    return (
        shift.person_id == person_id,
        shift.cancelled.is_(False),
        shift.starts_at <= bindparam("window_end", type_=Shift.starts_at.type),
        shift.ends_at > bindparam("now", type_=Shift.ends_at.type),
        or_(live.id.is_(None), live.status != "cancelled"),
    )


_MATCH_ID = (
    select(_MatchShift.id).outerjoin(_MatchSession, _MatchShift.session_id == _MatchSession.id)
    .where(*_matching(Person.id, _MatchShift, _MatchSession))
    .order_by(_MatchShift.starts_at, _MatchShift.id).limit(1).correlate(Person).scalar_subquery()
)
_SUBJECT = (
    select(Person, TimeEntry, Shift, _ROSTERED.label("rostered"),
           exists().where(_Taken.shift_id == Shift.id).correlate(Shift).label("taken"), _LOCKED.label("locked"))
    .outerjoin(TimeEntry, and_(TimeEntry.person_id == Person.id, TimeEntry.clock_out_at.is_(None)))
    .outerjoin(Shift, Shift.id == _MATCH_ID)
    .outerjoin(LiveSession, Shift.session_id == LiveSession.id)
    .options(contains_eager(Shift.session))
    .where(Person.slack_user_id == bindparam("uid")).limit(1)
)



def load_subject(session: Session, slack_user_id: str, now: datetime, window_end: datetime) -> ClockSubject | None:
    """The person with this Slack ID, their open entry, clock role and the shift a check-in at `now` would
    attach to (starting by `window_end` or in progress); None if the bot has never seen them."""
    row = session.execute(_SUBJECT, {"uid": slack_user_id, "window_end": window_end, "now": now}).first()
    if row is None:
        return None
    return ClockSubject(person=row[0], open_entry=row[1], rostered=bool(row[3]), shift=row[2],
                        shift_taken=bool(row[4]) if row[2] is not None else False, locked=bool(row[5]))


# The caller's shift (see _matching, earliest first), its session loaded with it, and whether anyone already
# clocked in against it: one statement (used when no ClockSubject was loaded).
_SHIFT = (
    select(Shift, exists().where(_Taken.shift_id == Shift.id).correlate(Shift).label("taken"))
    .outerjoin(LiveSession, Shift.session_id == LiveSession.id)
    .options(contains_eager(Shift.session))
    .where(*_matching(bindparam("pid"), Shift, LiveSession))
    .order_by(Shift.starts_at, Shift.id)
    .limit(1)
)



def shift_row(session: Session, person_id: int, now: datetime, window_end: datetime):  # type: ignore[no-untyped-def]
    """(shift, taken) or None: the matching shift without the person (when no ClockSubject was loaded)."""
    return session.execute(_SHIFT, {"pid": person_id, "window_end": window_end, "now": now}).first()


INSERT_ENTRY = insert(TimeEntry.__table__)
CLOSE_ENTRY = (update(TimeEntry.__table__).where(TimeEntry.__table__.c.id == bindparam("eid"))
                .values(clock_out_at=bindparam("clock_out_at"), note_out=bindparam("note_out")))


def attached(session: Session, entry: TimeEntry) -> TimeEntry:
    """A row just inserted with a plain INSERT, made a persistent object of the session without SQL."""
    make_transient_to_detached(entry)
    session.add(entry)
    return entry



SPANS = select(TimeEntry.clock_in_at, TimeEntry.clock_out_at).where(
    TimeEntry.person_id == bindparam("pid"), TimeEntry.clock_out_at.is_not(None),
    TimeEntry.clock_in_at < bindparam("end", type_=TimeEntry.clock_in_at.type),
    TimeEntry.clock_out_at > bindparam("start", type_=TimeEntry.clock_out_at.type))
