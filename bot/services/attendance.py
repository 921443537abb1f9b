"""Attendance nudges, computed from the database on every tick: shift reminders, missed check-ins, forgotten check-outs.

Each message carries an outbox dedupe key, so a tick that runs twice (two processes, a restart)
sends nothing twice:
- reminder: `remind:{shift}:{person}:{start}`: a moved shift (new start) or a new person is reminded again;
- missed check-in: `missed:{shift}:{person}:{start}` for both the ops alert and the DM;
- forgotten check-out: `checkout-nag:{entry}:{n}`, where n counts "I'm still working" answers; each
  answer snoozes the nag for STILL_WORKING_SNOOZE, then it asks again. The associate is flagged once
  per entry (`checkout-flag:{entry}`).
Only entries attached to a shift are nagged: an unscheduled check-in has no scheduled end to compare with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.db.models import LiveSession, Person, Shift, TimeEntry
from bot.db.run_of_show import CheckoutNag
from bot.services import audit, notices, outbox, people
from bot.services.briefs.approved import approved_for_session
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.run_of_show.segments import segments
from bot.services.punch import ENTRY_FIELDS
from bot.timefmt import local_date

STILL_WORKING_SNOOZE = timedelta(hours=1)


@dataclass(frozen=True)
class Attendance:
    tz: ZoneInfo
    ops_channel: str | None
    lead: timedelta = timedelta(minutes=60)
    missed_after: timedelta = timedelta(minutes=10)
    forgotten_after: timedelta = timedelta(hours=2)

    @classmethod
    def from_settings(cls, settings) -> Attendance:  # type: ignore[no-untyped-def]
        return cls(tz=settings.tz, ops_channel=settings.ops_channel,
                   lead=timedelta(minutes=settings.reminder_lead_minutes),
                   missed_after=timedelta(minutes=settings.missed_checkin_minutes),
                   forgotten_after=timedelta(hours=settings.forgotten_checkout_hours))


def _expected_shifts(session: Session, *where) -> list[Shift]:  # type: ignore[no-untyped-def]
    """Shifts someone is expected to work: assigned, not cancelled or declined, on a published or running LIVE."""
    stmt = (select(Shift).join(LiveSession, Shift.session_id == LiveSession.id)
            .options(joinedload(Shift.person), joinedload(Shift.session))
            .where(Shift.person_id.is_not(None), Shift.cancelled.is_(False), Shift.state != "declined",
                   LiveSession.status.in_(("published", "live")), *where)
            .order_by(Shift.starts_at, Shift.id))
    return list(session.scalars(stmt).unique())


def send_reminders(session: Session, now: datetime, cfg: Attendance) -> int:
    """DM everyone whose shift starts within the lead time; once per (shift, person, start)."""
    sent = 0
    for sh in _expected_shifts(session, Shift.starts_at > now, Shift.starts_at <= now + cfg.lead):
        assert sh.person is not None and sh.session is not None
        led = [seg for seg in segments(session, sh.session.id) if seg.lead_role == sh.role]
        if notices.dm(session, sh.person.slack_user_id, "run_of_show.reminder", sh, led,
                      approved_for_session(session, sh.session.id), cfg.tz,
                      key=f"remind:{sh.id}:{sh.person_id}:{sh.starts_at.isoformat()}") is not None:
            sent += 1
    return sent


def alert_missed_checkins(session: Session, now: datetime, cfg: Attendance) -> int:
    """Alert the ops channel and DM the person when a shift started `missed_after` ago without a check-in; once."""
    sent = 0
    shifts = _expected_shifts(session, Shift.starts_at <= now - cfg.missed_after, Shift.ends_at > now,
                              Shift.starts_at > now - timedelta(days=1))
    for sh in shifts:
        assert sh.person is not None
        checked_in = session.scalar(select(TimeEntry.id).where(
            TimeEntry.person_id == sh.person_id,
            or_(TimeEntry.shift_id == sh.id, TimeEntry.clock_out_at.is_(None),
                TimeEntry.clock_out_at > sh.starts_at)).limit(1))
        if checked_in is not None:
            continue
        key = f"missed:{sh.id}:{sh.person_id}:{sh.starts_at.isoformat()}"
        alert_text, alert_blocks, dm_text, dm_blocks = notices.render("run_of_show.missed_checkin", sh, associates(session), cfg.tz)
        if outbox.post(session, cfg.ops_channel, alert_text, alert_blocks, key=f"{key}:ops",
                       notice="run_of_show.missed_checkin") is not None:
            sent += 1
        if outbox.dm(session, sh.person.slack_user_id, dm_text, dm_blocks, key=f"{key}:dm",
                     notice="run_of_show.missed_checkin") is not None:
            sent += 1
    return sent


def nag_forgotten_checkouts(session: Session, now: datetime, cfg: Attendance) -> int:
    """Ask people whose entry is still open `forgotten_after` past their shift's end to clock out; flag it once."""
    entries = session.scalars(
        select(TimeEntry).join(Shift, TimeEntry.shift_id == Shift.id)
        .options(joinedload(TimeEntry.person), joinedload(TimeEntry.shift).joinedload(Shift.session))
        .where(TimeEntry.clock_out_at.is_(None), Shift.ends_at <= now - cfg.forgotten_after)
        .order_by(TimeEntry.id)).unique().all()
    sent = 0
    for entry in entries:
        nag = session.get(CheckoutNag, entry.id)
        if nag is not None and nag.snoozed_until is not None and nag.snoozed_until > now:
            continue
        round_ = nag.snoozes if nag else 0
        if notices.dm(session, entry.person.slack_user_id, "run_of_show.forgotten_checkout", entry, cfg.tz,
                      key=f"checkout-nag:{entry.id}:{round_}") is not None:
            sent += 1
        if notices.post(session, cfg.ops_channel, "run_of_show.forgotten_checkout_flag", entry, associates(session), cfg.tz,
                        key=f"checkout-flag:{entry.id}") is not None:
            sent += 1
    return sent


def _own_open_entry(session: Session, person: Person, entry_id: int) -> TimeEntry | None:
    """The caller's own entry; None when it is already closed (a second click), refusals otherwise."""
    entry = session.get(TimeEntry, entry_id, options=[joinedload(TimeEntry.shift)])
    if entry is None:
        raise NotFound("That time entry no longer exists.")
    if entry.person_id != person.id:
        raise NotAllowed("That isn't your time entry; only its owner can answer this.")
    return entry if entry.clock_out_at is None else None


def clock_out_at_shift_end(session: Session, person: Person, entry_id: int, tz: ZoneInfo) -> tuple[TimeEntry, bool]:
    """Close the caller's forgotten entry at the shift's scheduled end; (entry, False) when it was already closed."""
    entry = _own_open_entry(session, person, entry_id)
    if entry is None:
        return session.get(TimeEntry, entry_id), False  # type: ignore[return-value]
    if entry.shift is None:
        raise Conflict("This entry has no scheduled shift; use /checkout.")
    end = entry.shift.ends_at
    if end <= entry.clock_in_at:
        raise Conflict("You clocked in after the scheduled end; use /checkout, or ask the associate to fix the entry.")
    before = audit.snapshot(entry, ENTRY_FIELDS)
    res = session.execute(update(TimeEntry).where(TimeEntry.id == entry.id, TimeEntry.clock_out_at.is_(None))
                          .values(clock_out_at=end, note_out="clocked out at the scheduled end (forgotten check-out)")
                          .execution_options(synchronize_session="fetch"))
    if res.rowcount == 0:
        return entry, False
    session.refresh(entry)
    audit.record(session, actor=person.slack_user_id, action="timeclock.check_out_at_scheduled_end", entity_type="time_entry",
                 entity_id=entry.id, before=before, after=audit.snapshot(entry, ENTRY_FIELDS),
                 reason="forgotten check-out: the person chose the scheduled end")
    for day in {local_date(entry.clock_in_at, tz), local_date(end, tz)}:
        outbox.refresh_board(session, "onset", day)
    return entry, True


def still_working(session: Session, person: Person, entry_id: int, now: datetime) -> tuple[datetime | None, bool]:
    """Snooze the check-out nag for STILL_WORKING_SNOOZE; (until, False) when already snoozed (a double click)."""
    entry = _own_open_entry(session, person, entry_id)
    if entry is None:
        raise Conflict("You're already clocked out for that shift.")
    until = now + STILL_WORKING_SNOOZE
    res = session.execute(update(CheckoutNag).where(
        CheckoutNag.entry_id == entry.id, or_(CheckoutNag.snoozed_until.is_(None), CheckoutNag.snoozed_until <= now))
        .values(snoozes=CheckoutNag.snoozes + 1, snoozed_until=until))
    if res.rowcount == 0:
        existing = session.get(CheckoutNag, entry.id)
        if existing is not None:
            return existing.snoozed_until, False
        try:
            with session.begin_nested():
                session.add(CheckoutNag(entry_id=entry.id, snoozes=1, snoozed_until=until))
        except IntegrityError:
            return until, False
    audit.record(session, actor=person.slack_user_id, action="timeclock.still_working", entity_type="time_entry",
                 entity_id=entry.id, after={"snoozed_until": until})
    return until, True


def associates(session: Session) -> list[str]:
    return [p.slack_user_id for p in people.with_role(session, people.ADMIN)]
