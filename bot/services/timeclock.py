"""The time clock: check-in, check-out, the on-set board's data, and the associate's corrections.

The punch itself (rules and statements) is bot/services/punch.py; `check_in`/`check_out` here run it
inside an ORM session, for callers that already hold one. One open entry per person is guaranteed by
a partial unique index, so double taps and concurrent requests cannot clock anyone in twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from bot.db.models import LiveSession, Person, Shift, TimeEntry
from bot.db.session import RawTransaction
from bot.services import audit, clock_queries, edits, notices, outbox, punch
from bot.services.errors import Invalid, NotFound
from bot.services.payroll import locks
from bot.services.people import ADMIN, get, require_role
from bot.services.punch import ENTRY_FIELDS, CheckIn, CheckOut, Policy, lateness
from bot.services.validation import ENTRY_CORRECTION, InputError, check_near
from bot.timefmt import day_bounds, fmt_span, local_date

MAX_REASON = 500
EDIT_FIELDS = ["clock_in_at", "clock_out_at"]  # what the correction modal shows and changes


def open_entry(session: Session, person: Person) -> TimeEntry | None:
    return session.scalar(select(TimeEntry).where(TimeEntry.person_id == person.id, TimeEntry.clock_out_at.is_(None)))


def matching_shift(session: Session, person: Person, now: datetime, policy: Policy) -> Shift | None:
    """The caller's shift that starts within the early window or is in progress (earliest first)."""
    row = clock_queries.shift_row(session, person.id, now, now + policy.early_window)
    return None if row is None else row[0]


def check_in(session: Session, person: Person, note: str | None, now: datetime, policy: Policy) -> CheckIn:
    """The punch (bot/services/punch.py) in the session's transaction."""
    return _punch(session, punch.check_in, person, note, now, policy)


def check_out(session: Session, person: Person, note: str | None, now: datetime, policy: Policy) -> CheckOut:
    return _punch(session, punch.check_out, person, note, now, policy)


def _punch(session: Session, act, person: Person, note: str | None, now: datetime, policy: Policy):  # type: ignore[no-untyped-def]
    tx = RawTransaction.within(session)
    done = act(tx, person.slack_user_id, note, now, policy)
    if tx.outbox_written:
        session.info["outbox_written"] = True  # wakes the notifier after commit
    session.expire_all()  # the session may hold the entry the punch just wrote
    return done


def worked_on_day(session: Session, person: Person, day: date, tz: ZoneInfo) -> timedelta:
    """Closed time inside one local day (an overnight entry is split at midnight)."""
    return worked_between(session, person, *day_bounds(day, tz))


def worked_between(session: Session, person: Person, start: datetime, end: datetime) -> timedelta:
    """Closed time that falls between two instants; entries straddling the edges are cut there."""
    spans = session.execute(clock_queries.SPANS, {"pid": person.id, "start": start, "end": end}).all()
    total = timedelta()
    for clock_in_at, clock_out_at in spans:
        total += min(clock_out_at, end) - max(clock_in_at, start)
    return total


@dataclass(frozen=True)
class Who:
    """Someone on the board: the board only mentions them."""

    slack_user_id: str


@dataclass
class BoardRow:
    person: Who
    entry: punch.Entry | None = None
    shift: punch.ShiftSlot | None = None
    worked: timedelta = timedelta()


@dataclass
class OnSetBoard:
    """Who is on set now, who has finished, and who is expected but not in, for one local day."""

    day: date
    on_set: list[BoardRow] = field(default_factory=list)
    finished: list[BoardRow] = field(default_factory=list)
    expected: list[BoardRow] = field(default_factory=list)


def _at(name: str):  # type: ignore[no-untyped-def]
    return bindparam(name, type_=TimeEntry.clock_in_at.type)


# The board is re-rendered on every edit, from plain rows (no ORM objects: a busy day has hundreds of entries).
_BOARD_ENTRIES = (
    select(TimeEntry.id, TimeEntry.person_id, TimeEntry.shift_id, TimeEntry.clock_in_at, TimeEntry.clock_out_at,
           TimeEntry.late_minutes, TimeEntry.unscheduled, Person.slack_user_id,
           Shift.role, Shift.starts_at, Shift.ends_at, LiveSession.id, LiveSession.title)
    .join(Person, Person.id == TimeEntry.person_id)
    .outerjoin(Shift, Shift.id == TimeEntry.shift_id)
    .outerjoin(LiveSession, LiveSession.id == Shift.session_id)
    .where(or_(and_(TimeEntry.clock_in_at >= _at("start"), TimeEntry.clock_in_at < _at("end")),
               and_(TimeEntry.clock_out_at.is_(None), TimeEntry.clock_in_at < _at("end"))))
    .order_by(TimeEntry.clock_in_at, TimeEntry.id)
)
_BOARD_SHIFTS = (
    select(Shift.id, Shift.person_id, Shift.role, Shift.starts_at, Shift.ends_at, Person.slack_user_id,
           LiveSession.id, LiveSession.title)
    .join(Person, Person.id == Shift.person_id)
    .outerjoin(LiveSession, Shift.session_id == LiveSession.id)
    .where(Shift.starts_at >= _at("start"), Shift.starts_at < _at("end"), Shift.cancelled.is_(False),
           or_(LiveSession.id.is_(None), LiveSession.status != "cancelled"))
    .order_by(Shift.starts_at, Shift.id)
)


def _slot(shift_id, role, starts_at, ends_at, live_id, title) -> punch.ShiftSlot | None:  # type: ignore[no-untyped-def]
    if shift_id is None:
        return None
    return punch.ShiftSlot(id=shift_id, role=role, starts_at=starts_at, ends_at=ends_at,
                           session=punch.LiveTitle(title) if live_id is not None else None)


def on_set_board(session: Session, day: date, tz: ZoneInfo, now: datetime) -> OnSetBoard:
    start, end = day_bounds(day, tz)
    board = OnSetBoard(day=day)
    finished: dict[int, BoardRow] = {}
    present: set[int] = set()
    seen_shifts: set[int] = set()
    window = {"start": start, "end": end}
    conn = session.connection()  # Core rows: no ORM loading machinery
    for (eid, pid, sid, clock_in_at, clock_out_at, late, unscheduled, uid,
         role, s_start, s_end, live_id, title) in conn.execute(_BOARD_ENTRIES, window):
        entry = punch.Entry(id=eid, person_id=pid, shift_id=sid, clock_in_at=clock_in_at, clock_out_at=clock_out_at,
                            note_in=None, note_out=None, late_minutes=late, unscheduled=bool(unscheduled))
        shift = _slot(sid, role, s_start, s_end, live_id, title)
        if sid is not None:
            seen_shifts.add(sid)
        if clock_out_at is None:
            board.on_set.append(BoardRow(person=Who(uid), entry=entry, shift=shift))
            present.add(pid)
        else:
            row = finished.setdefault(pid, BoardRow(person=Who(uid), entry=entry, shift=shift))
            row.worked += clock_out_at - clock_in_at
            row.entry = entry
    board.finished = [r for pid, r in finished.items() if pid not in present]
    for sid, pid, role, s_start, s_end, uid, live_id, title in conn.execute(_BOARD_SHIFTS, window):
        if sid not in seen_shifts and pid not in present and s_end > now:
            board.expected.append(BoardRow(person=Who(uid), shift=_slot(sid, role, s_start, s_end, live_id, title)))
    return board


def recent_entries(session: Session, person: Person, now: datetime, days: int = 14, limit: int = 20) -> list[TimeEntry]:
    stmt = (
        select(TimeEntry).options(joinedload(TimeEntry.shift))
        .where(TimeEntry.person_id == person.id, TimeEntry.clock_in_at >= now - timedelta(days=days))
        .order_by(TimeEntry.clock_in_at.desc()).limit(limit)
    )
    return list(session.scalars(stmt).unique())


def entry_version(entry: TimeEntry) -> str:
    return edits.version(entry, EDIT_FIELDS)


def get_entry(session: Session, entry_id: int) -> TimeEntry:
    entry = session.get(TimeEntry, entry_id, options=[joinedload(TimeEntry.person)])
    if entry is None:
        raise NotFound("That time entry no longer exists.")
    return entry


def edit_entry(
    session: Session,
    actor: Person,
    entry_id: int,
    *,
    clock_in_at: datetime,
    clock_out_at: datetime | None,
    reason: str,
    now: datetime,
    policy: Policy,
    seen: str | None = None,
) -> TimeEntry:
    """The associate corrects an entry. A reason is required; the person is told what changed.

    `seen` is the entry's version when the form was drawn: a form submitted twice, or after another
    change, is refused (see bot.services.edits)."""
    require_role(actor, ADMIN, doing="edit time entries")
    entry = edits.lock(session, TimeEntry, entry_id, "That time entry")
    edits.require_current(entry, EDIT_FIELDS, seen, "This time entry")
    locks.require_unlocked(session, entry.person_id, entry.clock_in_at, entry.clock_out_at, doing="change this entry")
    locks.require_unlocked(session, entry.person_id, clock_in_at, clock_out_at, doing="move this entry there")
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Say why you are changing this entry; it goes in the audit log."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"Keep the reason under {MAX_REASON} characters."
    for name, value, what in (("clock_in", clock_in_at, "The clock-in"), ("clock_out", clock_out_at, "The clock-out")):
        try:
            if value is not None:
                check_near(value, entry.clock_in_at, ENTRY_CORRECTION, label=what,
                           anchor_name=f"the recorded clock-in ({local_date(entry.clock_in_at, policy.tz):%b %d})")
        except InputError as exc:
            errors[name] = exc.message
    if errors.keys() & {"clock_in", "clock_out"}:
        raise Invalid("Some fields need fixing.", errors)
    if clock_in_at > now:
        errors["clock_in"] = "Clock-in can't be in the future."
    if clock_out_at is not None:
        if clock_out_at <= clock_in_at:
            errors["clock_out"] = "Clock-out must be after clock-in (for an overnight shift, pick the next day's date)."
        elif clock_out_at - clock_in_at > policy.max_entry:
            errors["clock_out"] = f"That is longer than {int(policy.max_entry.total_seconds() // 3600)} hours; check the dates."
        elif clock_out_at > now:
            errors["clock_out"] = "Clock-out can't be in the future."
    elif entry.clock_out_at is not None:
        errors["clock_out"] = "Enter a clock-out date and time; a closed entry can't be reopened."
    if not errors:
        upper = clock_out_at or now
        clash = session.scalar(select(TimeEntry).where(
            TimeEntry.person_id == entry.person_id, TimeEntry.id != entry.id,
            TimeEntry.clock_in_at < upper,
            or_(TimeEntry.clock_out_at.is_(None), TimeEntry.clock_out_at > clock_in_at)).limit(1))
        if clash is not None:
            errors["clock_in"] = f"That overlaps another entry ({fmt_span(clash.clock_in_at, clash.clock_out_at, policy.tz)})."
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    before = audit.snapshot(entry, ENTRY_FIELDS)
    if entry.clock_in_at == clock_in_at and entry.clock_out_at == clock_out_at:
        raise Invalid("Nothing changed.", {"clock_in": "These are the times already recorded."})
    days = {local_date(entry.clock_in_at, policy.tz), local_date(clock_in_at, policy.tz)}
    entry.clock_in_at = clock_in_at
    entry.clock_out_at = clock_out_at
    entry.edited = True
    if entry.shift is not None and entry.late_minutes is not None:
        entry.late_minutes = lateness(entry.shift, clock_in_at, policy)
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="timeclock.entry_edited", entity_type="time_entry",
                 entity_id=entry.id, before=before, after=audit.snapshot(entry, ENTRY_FIELDS), reason=reason)
    for day in days:
        outbox.refresh_board(session, "onset", day)
    notices.dm(session, entry.person.slack_user_id, "timeclock.entry_corrected", entry, before, reason, actor, policy.tz)
    return entry


def entries_for_review(session: Session, actor: Person, target_user_id: str, now: datetime) -> tuple[Person, list[TimeEntry]]:
    """The associate's timesheet view of one person (refused for everyone else)."""
    require_role(actor, ADMIN, doing="review timesheets")
    target = get(session, target_user_id)
    if target is None:
        raise NotFound("That person has never clocked in with opsbot.")
    return target, recent_entries(session, target, now)
