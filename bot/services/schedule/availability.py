"""Availability: recurring weekly windows (team time zone) and one-off time off.

A host or PA edits only their own; the associate may edit anyone's. Time off is a hard stop for
assignment; working outside the weekly windows is only a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import LiveSession, Person, Shift
from bot.db.schedule import AvailabilityWindow, TimeOff
from bot.services import audit, edits, people
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.schedule.rules import Rules, describe_windows
from bot.timefmt import day_bounds

_SPAN_RE = re.compile(r"^([0-9]{1,2})(?::([0-9]{2}))?\s*[-–]\s*([0-9]{1,2})(?::([0-9]{2}))?$")  # ASCII digits only
MAX_TIME_OFF_DAYS = 366
MAX_REASON = 500

Windows = dict[int, list[tuple[int, int]]]


def _may_edit(actor: Person, target: Person) -> None:
    if actor.id != target.id and not people.has_role(actor, people.ADMIN):
        raise NotAllowed("You can only change your own availability.")


def parse_day(text: str | None) -> list[tuple[int, int]]:
    """'9:00-17:00, 18:30-22:00' -> [(540, 1020), (1110, 1320)]; 24:00 ends at midnight."""
    spans: list[tuple[int, int]] = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        m = _SPAN_RE.match(part)
        if not m:
            raise ValueError(f"'{part}' isn't a time range; write it like 9:00-17:00.")
        sh, sm, eh, em = int(m.group(1)), int(m.group(2) or 0), int(m.group(3)), int(m.group(4) or 0)
        if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em):
            raise ValueError(f"'{part}' has a time that doesn't exist.")
        start, end = sh * 60 + sm, eh * 60 + em
        if end <= start:
            raise ValueError(f"'{part}' ends before it starts; split a night into two days (e.g. 20:00-24:00 and 0:00-2:00).")
        spans.append((start, end))
    return spans


def format_day(spans: list[tuple[int, int]]) -> str:
    return ", ".join(f"{s // 60}:{s % 60:02d}-{e // 60}:{e % 60:02d}" for s, e in spans)


def weekly(session: Session, person: Person) -> Windows:
    out: Windows = {}
    for w in session.scalars(select(AvailabilityWindow).where(AvailabilityWindow.person_id == person.id)
                             .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)):
        out.setdefault(w.weekday, []).append((w.start_minute, w.end_minute))
    return out


def lock_for_edit(session: Session, target: Person, seen: str | None) -> None:
    """Lock the person (the parent of their windows and time off) and refuse a stale availability form."""
    edits.lock(session, Person, target.id, "That person")
    edits.require_version(version(session, target), seen, "This availability")


def version(session: Session, target: Person) -> str:
    """What the availability form shows: the weekly windows and the latest time off."""
    offs = session.execute(select(func.max(TimeOff.id), func.count(TimeOff.id)).where(TimeOff.person_id == target.id)).one()
    return edits.fingerprint([sorted(weekly(session, target).items()), list(offs)])


def set_weekly(session: Session, actor: Person, target: Person, windows: Windows) -> bool:
    """Replace the person's weekly windows; False when nothing changed."""
    _may_edit(actor, target)
    before = weekly(session, target)
    cleaned = {wd: sorted(spans) for wd, spans in windows.items() if spans}
    if before == cleaned:
        return False
    session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.person_id == target.id))
    for wd, spans in cleaned.items():
        for s, e in spans:
            session.add(AvailabilityWindow(person_id=target.id, weekday=wd, start_minute=s, end_minute=e))
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="availability.weekly_set", entity_type="person",
                 entity_id=target.id, before={"windows": describe_windows(before)}, after={"windows": describe_windows(cleaned)})
    return True


@dataclass
class TimeOffAdded:
    time_off: TimeOff
    clashes: list[Shift]


def upcoming_time_off(session: Session, person: Person, now: datetime) -> list[TimeOff]:
    return list(session.scalars(select(TimeOff).where(TimeOff.person_id == person.id, TimeOff.ends_at > now)
                                .order_by(TimeOff.starts_at)))


def add_time_off(session: Session, actor: Person, target: Person, first: date, last: date, reason: str | None,
                 rules: Rules) -> TimeOffAdded:
    """Whole local days off, first to last inclusive. Shifts already assigned in that time are reported, not dropped."""
    _may_edit(actor, target)
    reason = (reason or "").strip() or None
    if last < first:
        raise Invalid("The last day is before the first.", {"off_last": "Pick a last day on or after the first day."})
    if (last - first).days >= MAX_TIME_OFF_DAYS:
        raise Invalid("That is more than a year.", {"off_last": "Time off can be at most a year at a time."})
    if reason and len(reason) > MAX_REASON:
        raise Invalid("Reason too long.", {"off_reason": f"Keep it under {MAX_REASON} characters."})
    start, end = day_bounds(first, rules.tz)[0], day_bounds(last, rules.tz)[1]
    if end <= clock.now():
        raise Invalid("That time off is in the past.", {"off_first": "Pick days from today on."})
    off = TimeOff(person_id=target.id, starts_at=start, ends_at=end, reason=reason, created_at=clock.now())
    session.add(off)
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="availability.time_off_added", entity_type="time_off",
                 entity_id=off.id, after={"person_id": target.id, "first": first, "last": last, "reason": reason})
    clashes = list(session.scalars(
        select(Shift).join(LiveSession, Shift.session_id == LiveSession.id)
        .where(Shift.person_id == target.id, Shift.cancelled.is_(False), Shift.state != "declined",
               LiveSession.status != "cancelled", Shift.starts_at < end, Shift.ends_at > start)))
    return TimeOffAdded(off, clashes)


def remove_time_off(session: Session, actor: Person, time_off_id: int) -> TimeOff:
    off = session.get(TimeOff, time_off_id)
    if off is None:
        raise NotFound("That time off was already removed.")
    target = session.get(Person, off.person_id)
    assert target is not None
    _may_edit(actor, target)
    audit.record(session, actor=actor.slack_user_id, action="availability.time_off_removed", entity_type="time_off",
                 entity_id=off.id, before={"person_id": off.person_id, "starts_at": off.starts_at, "ends_at": off.ends_at})
    session.delete(off)
    session.flush()
    return off


def summary(windows: Windows) -> str:
    return describe_windows(windows)

