"""The checkout attestation (meal and rest breaks) and the auto-close of forgotten clock-outs.

Attestation: after a shift over 5 h the person answers at /checkout whether a 30-minute meal started before
the end of the 5th hour (and a second before the end of the 10th, over 10 h) and whether rest breaks were
taken. "No" becomes a premium and an exception in the pay engine. The first answer per question stands.

Auto-close: an entry still open AUTO_CLOSE_MINUTES after its shift's scheduled end is closed at that end,
marked "auto-closed, needs review" (an `EntryReview` row), and the person and the associate are told once.
Someone who answered "I'm still working" to the forgotten check-out DM (bot/services/attendance.py) is left open:
that flow keeps asking them, and their time past the scheduled end is real.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from bot.db.models import Person, Shift, TimeEntry
from bot.db.payroll import ATTESTATION_KINDS, EntryReview, MealAttestation
from bot.db.run_of_show import CheckoutNag
from bot.services import audit, notices, outbox
from bot.services.attendance import associates
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.payroll import locks
from bot.services.payroll.config import PayrollConfig
from bot.timefmt import ensure_utc, local_date

LABEL = {"meal": "30-minute meal before the end of hour 5", "second_meal": "second meal before the end of hour 10",
         "rest": "rest breaks"}


def questions(worked: timedelta, rules) -> list[str]:  # type: ignore[no-untyped-def]
    """Which questions /checkout asks for a shift of `worked` length (none up to 5 h)."""
    if worked.total_seconds() <= rules.meal_first_after:
        return []
    asked = ["meal"]
    if worked.total_seconds() > rules.meal_second_after:
        asked.append("second_meal")
    return [*asked, "rest"]


def attest(session: Session, person: Person, entry_id: int, kind: str, taken: bool, now: datetime) -> tuple[MealAttestation, bool]:
    """Record the person's answer; (answer, changed). A repeat of the same answer changes nothing; a different one is refused."""
    if kind not in ATTESTATION_KINDS:
        raise Invalid("That question isn't one opsbot asks.")
    entry = session.get(TimeEntry, entry_id)
    if entry is None:
        raise NotFound("That time entry no longer exists.")
    if entry.person_id != person.id:
        raise NotAllowed("That isn't your time entry; only its owner can answer this.")
    if entry.clock_out_at is None:
        raise Conflict("Answer this after you check out.")
    locks.require_unlocked(session, person.id, entry.clock_in_at, entry.clock_out_at, doing="record that answer")
    found = session.scalar(select(MealAttestation).where(MealAttestation.entry_id == entry_id, MealAttestation.kind == kind))
    if found is None:
        found = MealAttestation(entry_id=entry_id, kind=kind, taken=taken, created_at=now)
        try:
            with session.begin_nested():
                session.add(found)
        except IntegrityError:  # a concurrent double tap
            found = session.scalar(select(MealAttestation).where(MealAttestation.entry_id == entry_id, MealAttestation.kind == kind))
            assert found is not None
        else:
            audit.record(session, actor=person.slack_user_id, action="payroll.attested", entity_type="time_entry",
                         entity_id=entry_id, after={"kind": kind, "taken": taken})
            return found, True
    if found.taken != taken:
        raise Conflict(f"You already answered {'yes' if found.taken else 'no'} about {LABEL[kind]}; "
                       "ask the associate if that was wrong.")
    return found, False


def auto_close(session: Session, now: datetime, cfg: PayrollConfig) -> int:
    """Close entries still open `auto_close_after` past their shift's end at that end; tell the person and the associate once."""
    entries = session.scalars(
        select(TimeEntry).join(Shift, TimeEntry.shift_id == Shift.id)
        .options(joinedload(TimeEntry.person), joinedload(TimeEntry.shift).joinedload(Shift.session))
        .where(TimeEntry.clock_out_at.is_(None), Shift.ends_at <= now - cfg.auto_close_after, Shift.ends_at > TimeEntry.clock_in_at)
        .order_by(TimeEntry.id)).unique().all()
    closed = 0
    for entry in entries:
        assert entry.shift is not None
        nag = session.get(CheckoutNag, entry.id)
        if nag is not None and nag.snoozes > 0:
            continue  # they answered "I'm still working" to the forgotten check-out DM: their time past the end is real

        end = ensure_utc(entry.shift.ends_at)
        before = audit.snapshot(entry, ["clock_in_at", "clock_out_at"])
        res = session.execute(update(TimeEntry).where(TimeEntry.id == entry.id, TimeEntry.clock_out_at.is_(None))
                              .values(clock_out_at=end, note_out="auto-closed at the scheduled end, needs review")
                              .execution_options(synchronize_session="fetch"))
        if res.rowcount == 0:
            continue
        session.refresh(entry)
        session.add(EntryReview(entry_id=entry.id, reason="auto_closed", created_at=now))
        session.flush()
        audit.record(session, actor="system:auto-close", action="timeclock.auto_closed", entity_type="time_entry",
                     entity_id=entry.id, before=before, after=audit.snapshot(entry, ["clock_in_at", "clock_out_at"]),
                     reason=f"still open {int(cfg.auto_close_after.total_seconds() // 60)} min after the shift's end")
        notices.dm(session, entry.person.slack_user_id, "payroll.auto_closed", entry, cfg.cal.tz, key=f"auto-close:{entry.id}")
        notices.post(session, cfg.ops_channel, "payroll.auto_closed_flag", entry, associates(session), cfg.cal.tz,
                     key=f"auto-close-flag:{entry.id}")
        for day in {local_date(entry.clock_in_at, cfg.cal.tz), local_date(end, cfg.cal.tz)}:
            outbox.refresh_board(session, "onset", day)
        closed += 1
    return closed
