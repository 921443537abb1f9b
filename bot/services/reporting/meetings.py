"""Cross-functional meetings: opsbot proposes slots that never clash with an attendee's LIVE shift or time off.

`propose` finds up to three free slots in the window (working hours, team time zone, one per day first),
stores the meeting and DMs every attendee the slots to accept. When every attendee has accepted the same
slot, or the organizer chooses one, the meeting is scheduled: posted to OPS_CHANNEL and DMed; `remind_due`
sends reminders like shift reminders. Answers are unique per (meeting, person, slot): a double click counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import LiveSession, Person, Shift
from bot.db.reporting import Meeting, MeetingAnswer
from bot.db.schedule import TimeOff
from bot.services import audit, notices, people
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.validation import InputError
from bot.timefmt import fmt_day_time, local_to_utc

DAY_START, DAY_END = time(9, 0), time(18, 0)  # working hours, team time zone
STEP = timedelta(minutes=30)
MAX_SLOTS = 3
MAX_WINDOW_DAYS = 21


@dataclass(frozen=True)
class Request:
    title: str
    attendees: tuple[str, ...]  # Slack user IDs
    length_minutes: int
    first_day: date
    last_day: date


def busy(s: Session, user_ids: list[str], start: datetime, end: datetime) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each attendee's LIVE shifts (not cancelled), time off and scheduled meetings overlapping [start, end)."""
    out: dict[str, list[tuple[datetime, datetime]]] = {u: [] for u in user_ids}
    ids = dict(s.execute(select(Person.id, Person.slack_user_id).where(Person.slack_user_id.in_(user_ids))).all())
    for pid, a, b in s.execute(select(Shift.person_id, Shift.starts_at, Shift.ends_at)
                               .join(LiveSession, LiveSession.id == Shift.session_id)
                               .where(Shift.person_id.in_(ids), Shift.cancelled.is_(False), LiveSession.status != "cancelled",
                                      Shift.starts_at < end, Shift.ends_at > start)):
        out[ids[pid]].append((a, b))
    for pid, a, b in s.execute(select(TimeOff.person_id, TimeOff.starts_at, TimeOff.ends_at)
                               .where(TimeOff.person_id.in_(ids), TimeOff.starts_at < end, TimeOff.ends_at > start)):
        out[ids[pid]].append((a, b))
    for m in s.scalars(select(Meeting).where(Meeting.status == "scheduled", Meeting.starts_at < end, Meeting.starts_at >= start - timedelta(days=1))):
        for u in set(m.attendees) & set(user_ids):
            out[u].append((m.starts_at, m.starts_at + timedelta(minutes=m.length_minutes)))
    return out


def free_slots(s: Session, req: Request, tz: ZoneInfo, now: datetime, limit: int = MAX_SLOTS) -> list[datetime]:
    """Up to `limit` starts in working hours, on weekdays, after now, clear of every attendee's busy time;
    the first free slot of each day first, then more from the earliest days."""
    start = local_to_utc(req.first_day, DAY_START, tz)
    end = local_to_utc(req.last_day + timedelta(days=1), DAY_START, tz)
    taken = [iv for ivs in busy(s, list(req.attendees), start, end).values() for iv in ivs]
    length = timedelta(minutes=req.length_minutes)
    per_day: list[list[datetime]] = []
    day = req.first_day
    while day <= req.last_day:
        if day.weekday() < 5:
            options, t = [], local_to_utc(day, DAY_START, tz)
            close = local_to_utc(day, DAY_END, tz)
            while t + length <= close:
                if t > now and not any(a < t + length and b > t for a, b in taken):
                    options.append(t)
                t += STEP
            if options:
                per_day.append(options)
        day += timedelta(days=1)
    picked = [d[0] for d in per_day][:limit]
    for d in per_day:
        for t in d[1:]:
            if len(picked) >= limit:
                break
            if all(abs(t - p) >= length for p in picked):
                picked.append(t)
    return sorted(picked[:limit])


def parse_request(title: str | None, attendees: list[str], length: str | int | None, first: date | None, last: date | None) -> Request:
    title = (title or "").strip()
    if not title:
        raise InputError("Give the meeting a title.", "title")
    if len(title) > 150:
        raise InputError("Keep the title under 150 characters.", "title")
    if not attendees:
        raise InputError("Pick at least one attendee.", "attendees")
    try:
        minutes = int(str(length))
    except ValueError:
        raise InputError("The length is a number of minutes.", "length") from None
    if not 15 <= minutes <= 240:
        raise InputError("A meeting is 15 to 240 minutes long.", "length")
    if first is None or last is None:
        raise InputError("Pick the first and last day the meeting may be on.", "first_day")
    if last < first:
        raise InputError("The last day is before the first day.", "last_day")
    if (last - first).days > MAX_WINDOW_DAYS:
        raise InputError(f"Keep the window within {MAX_WINDOW_DAYS} days.", "last_day")
    return Request(title, tuple(dict.fromkeys(attendees)), minutes, first, last)


def propose(s: Session, organizer: Person, req: Request, tz: ZoneInfo, now: datetime, key: str) -> Meeting:
    """Store the meeting with its free slots and DM every attendee; the same `key` twice returns the first meeting."""
    people.require_role(organizer, people.ADMIN, doing="propose a meeting")
    existing = s.scalar(select(Meeting).where(Meeting.idempotency_key == key))
    if existing is not None:
        return existing
    slots = free_slots(s, req, tz, now)
    if not slots:
        raise Conflict(f"No {req.length_minutes}-minute slot between {req.first_day:%a %b %d} and {req.last_day:%a %b %d} "
                       "(weekdays 9 AM–6 PM) is free of every attendee's LIVE shifts and time off: widen the window or shorten it.")
    m = Meeting(title=req.title, organizer=organizer.slack_user_id, attendees=list(req.attendees), length_minutes=req.length_minutes,
                slots=[t.isoformat() for t in slots], status="proposed", idempotency_key=key, created_at=now)
    s.add(m)
    s.flush()
    for uid in m.attendees:
        notices.dm(s, uid, "reporting.meeting_invite", m, tz, key=f"meeting:{m.id}:invite:{uid}")
    notices.dm(s, organizer.slack_user_id, "reporting.meeting_proposed", m, tz, key=f"meeting:{m.id}:proposed")
    audit.record(s, actor=organizer.slack_user_id, action="meeting.proposed", entity_type="meeting", entity_id=m.id,
                 after={"title": m.title, "attendees": m.attendees, "slots": m.slots})
    return m


def slot_times(m: Meeting) -> list[datetime]:
    return [datetime.fromisoformat(t) for t in m.slots]


def get(s: Session, meeting_id: int) -> Meeting:
    m = s.get(Meeting, meeting_id)
    if m is None:
        raise NotFound("That meeting is gone.")
    return m


def accepted_by(s: Session, m: Meeting) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {i: set() for i in range(len(m.slots))}
    for uid, slot in s.execute(select(MeetingAnswer.user_id, MeetingAnswer.slot).where(MeetingAnswer.meeting_id == m.id)):
        out.setdefault(slot, set()).add(uid)
    return out


def answer(s: Session, user_id: str, meeting_id: int, slot: int, tz: ZoneInfo, now: datetime, ops_channel: str | None) -> tuple[Meeting, bool]:
    """An attendee accepts one slot (idempotent). Returns (meeting, newly recorded). All accept one slot: scheduled."""
    m = get(s, meeting_id)
    if user_id not in m.attendees:
        raise NotAllowed("Only the people invited can answer this meeting.")
    if not 0 <= slot < len(m.slots):
        raise InputError("That slot is not one of the proposed ones.")
    if m.status != "proposed":
        return m, False
    try:
        with s.begin_nested():
            s.add(MeetingAnswer(meeting_id=m.id, user_id=user_id, slot=slot, at=now))
    except IntegrityError:
        return m, False
    audit.record(s, actor=user_id, action="meeting.accepted", entity_type="meeting", entity_id=m.id, after={"slot": slot})
    if accepted_by(s, m).get(slot, set()) >= set(m.attendees):
        _schedule(s, m, slot, "system:meeting", tz, ops_channel)
    return m, True


def choose(s: Session, user_id: str, meeting_id: int, slot: int, tz: ZoneInfo, ops_channel: str | None) -> Meeting:
    """The organizer (or an associate) picks a slot; a second click changes nothing."""
    m = get(s, meeting_id)
    actor = people.get_or_create(s, user_id)
    if user_id != m.organizer and not people.has_role(actor, people.ADMIN):
        raise NotAllowed("Only the organizer or an associate can choose the meeting's slot.")
    if not 0 <= slot < len(m.slots):
        raise InputError("That slot is not one of the proposed ones.")
    if m.status == "proposed":
        _schedule(s, m, slot, user_id, tz, ops_channel)
    return m


def _schedule(s: Session, m: Meeting, slot: int, actor: str, tz: ZoneInfo, ops_channel: str | None) -> None:
    start = slot_times(m)[slot]
    clash = [u for u, ivs in busy(s, m.attendees, start, start + timedelta(minutes=m.length_minutes)).items() if ivs]
    if clash:  # a shift or time off added since the proposal: never book over it
        raise Conflict(f"That slot now clashes with {', '.join(f'<@{u}>' for u in clash)}'s LIVE shift or time off: pick another.")
    m.status, m.starts_at = "scheduled", start
    notices.post(s, ops_channel, "reporting.meeting_scheduled", m, tz, key=f"meeting:{m.id}:scheduled")
    for uid in m.attendees:
        notices.dm(s, uid, "reporting.meeting_scheduled", m, tz, key=f"meeting:{m.id}:scheduled:{uid}")
    audit.record(s, actor=actor, action="meeting.scheduled", entity_type="meeting", entity_id=m.id,
                 after={"starts_at": start.isoformat(), "slot": slot})


def remind_due(s: Session, now: datetime, lead_minutes: int, tz: ZoneInfo) -> int:
    """DM every attendee of a meeting starting within `lead_minutes`, once per meeting."""
    sent = 0
    for m in s.scalars(select(Meeting).where(Meeting.status == "scheduled", Meeting.reminded_at.is_(None),
                                             Meeting.starts_at > now, Meeting.starts_at <= now + timedelta(minutes=lead_minutes))):
        for uid in m.attendees:
            if notices.dm(s, uid, "reporting.meeting_reminder", m, tz, now=now, key=f"meeting:{m.id}:reminder:{uid}") is not None:
                sent += 1
        m.reminded_at = now
    return sent


def describe(m: Meeting, tz: ZoneInfo) -> list[str]:
    return [fmt_day_time(t, tz) for t in slot_times(m)]
