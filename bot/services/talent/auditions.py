"""Auditions: a slot on the studio calendar (never on top of a LIVE in the same room), reviewers told by DM
and reminded the day before, and a blind scorecard: five criteria 1-5 with notes per reviewer; a reviewer
sees the others' scores, the average and the spread only once they have submitted their own."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import LiveSession, Person
from bot.db.talent import CRITERIA, CRITERION_LABEL, Audition, AuditionScore, Candidate
from bot.services import audit, notices
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.talent.access import clean_text, is_talent, require_talent
from bot.services.talent.stages import set_stage
from bot.services.validation import InputError, parse_int
from bot.timefmt import day_bounds

MAX_REVIEWERS = 8
MAX_LENGTH = timedelta(hours=4)
SCHEDULABLE = ("sourced", "screened", "audition_scheduled", "auditioned")


@dataclass(frozen=True)
class Scorecard:
    audition: Audition
    submitted: int
    expected: int
    blind: bool  # True: the viewer has not submitted yet, so no scores are shown
    mine: AuditionScore | None
    scores: list[AuditionScore]  # empty when blind
    averages: dict[str, float]
    spreads: dict[str, int]
    overall: float | None
    overall_spread: float | None


def _clash(session: Session, room: str | None, start: datetime, end: datetime, besides: int | None = None) -> str | None:
    if not room:
        return None
    live = session.scalars(select(LiveSession).where(func.lower(LiveSession.room) == room.lower(),
                                                     LiveSession.status != "cancelled",
                                                     LiveSession.starts_at < end, LiveSession.ends_at > start).limit(1)).first()
    if live is not None:
        return f"the LIVE '{live.title}' (#{live.id})"
    other = session.scalars(select(Audition).where(func.lower(Audition.room) == room.lower(), Audition.cancelled.is_(False),
                                                   Audition.starts_at < end, Audition.ends_at > start,
                                                   Audition.id != (besides or 0)).limit(1)).first()
    return f"another audition ({other.candidate.name})" if other else None


def schedule(session: Session, actor: Person, candidate_id: int, starts_at: datetime, ends_at: datetime,
             room: str | None, reviewers: list[str], tz: ZoneInfo) -> tuple[Audition, bool]:
    """Book an audition and DM each reviewer; the same candidate and start time again is the same audition."""
    who = require_talent(actor, "schedule auditions")
    cand = session.get(Candidate, candidate_id)
    if cand is None:
        raise NotFound(f"There is no candidate #{candidate_id}.")
    if cand.stage not in SCHEDULABLE:
        raise Conflict(f"{cand.name} is {cand.stage.replace('_', ' ')}: auditions are for candidates before an offer.")
    room = clean_text(room, field="room", label="The room", limit=100)
    reviewers = list(dict.fromkeys(reviewers))
    if not reviewers:
        raise Invalid("Pick at least one reviewer.", {"reviewers": "Pick at least one reviewer."})
    if len(reviewers) > MAX_REVIEWERS:
        raise Invalid(f"Pick at most {MAX_REVIEWERS} reviewers.", {"reviewers": f"At most {MAX_REVIEWERS} reviewers."})
    if ends_at <= starts_at:
        raise InputError("The audition must end after it starts.", "end")
    if ends_at - starts_at > MAX_LENGTH:
        raise InputError("An audition can last at most 4 hours.", "end")
    if starts_at < clock.now():
        raise InputError("That time has passed; pick a slot in the future.", "start")
    same = session.scalars(select(Audition).where(Audition.candidate_id == cand.id, Audition.starts_at == starts_at,
                                                  Audition.cancelled.is_(False))).first()
    if same is not None:
        return same, False
    clash = _clash(session, room, starts_at, ends_at)
    if clash:
        raise Conflict(f"{room} is taken then by {clash}. Pick another slot or room.")
    aud = Audition(candidate_id=cand.id, starts_at=starts_at, ends_at=ends_at, room=room, reviewers=reviewers,
                   created_by=who, created_at=clock.now())
    session.add(aud)
    session.flush()
    if cand.stage in ("sourced", "screened"):
        set_stage(session, cand, "audition_scheduled", actor=who, reason=f"audition #{aud.id}")
    audit.record(session, actor=who, action="talent.audition_scheduled", entity_type="audition", entity_id=aud.id,
                 after={"candidate": cand.id, "starts_at": starts_at, "room": room, "reviewers": reviewers})
    for uid in reviewers:
        notices.dm(session, uid, "talent.audition_invite", aud, tz=tz, key=f"aud-invite:{aud.id}:{uid}")
    return aud, True


def cancel(session: Session, actor: Person, audition_id: int, tz: ZoneInfo) -> Audition:
    """Call an audition off: reviewers are told; a candidate with no other audition goes back to screened."""
    who = require_talent(actor, "cancel auditions")
    aud = session.get(Audition, audition_id)
    if aud is None:
        raise NotFound("That audition doesn't exist.")
    if aud.cancelled:
        return aud  # a double click
    if aud.scores:
        raise Conflict("Reviewers have already scored this audition; it stays on the record.")
    aud.cancelled = True
    session.flush()
    audit.record(session, actor=who, action="talent.audition_cancelled", entity_type="audition", entity_id=aud.id,
                 before={"starts_at": aud.starts_at, "room": aud.room})
    cand = aud.candidate
    if cand.stage == "audition_scheduled" and not for_candidate(session, cand.id):
        set_stage(session, cand, "screened", actor=who, reason=f"audition #{aud.id} cancelled")
    for uid in aud.reviewers or []:
        notices.dm(session, uid, "talent.audition_cancelled", aud, tz=tz, key=f"aud-cancel:{aud.id}:{uid}")
    return aud


def _audition(session: Session, audition_id: int) -> Audition:
    aud = session.get(Audition, audition_id)
    if aud is None or aud.cancelled:
        raise NotFound("That audition doesn't exist any more.")
    return aud


def _may_score(person: Person, aud: Audition) -> bool:
    return person.slack_user_id in (aud.reviewers or []) or is_talent(person)


def submit(session: Session, reviewer: Person, audition_id: int, scores: dict[str, object], notes: str | None) -> AuditionScore:
    """A reviewer's scorecard, once; a second submission is refused (the first stands)."""
    aud = _audition(session, audition_id)
    if not _may_score(reviewer, aud):
        raise NotAllowed("Only this audition's reviewers, the associate and leadership can score it.")
    values = {c: parse_int(scores.get(c), field=c, label=CRITERION_LABEL[c], minimum=1, maximum=5) for c in CRITERIA}
    notes = clean_text(notes, field="notes", label="The notes", limit=2000)
    if _mine(session, aud, reviewer) is not None:
        raise Conflict("You have already scored this audition; your scorecard stands as submitted.")
    row = AuditionScore(audition_id=aud.id, reviewer=reviewer.slack_user_id, notes=notes, submitted_at=clock.now(), **values)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict("You have already scored this audition; your scorecard stands as submitted.") from None
    if aud.candidate.stage == "audition_scheduled":
        set_stage(session, aud.candidate, "auditioned", actor=reviewer.slack_user_id, reason=f"audition #{aud.id} scored")
    audit.record(session, actor=reviewer.slack_user_id, action="talent.audition_scored", entity_type="audition",
                 entity_id=aud.id, after=values)
    session.flush()
    return row


def _mine(session: Session, aud: Audition, person: Person) -> AuditionScore | None:
    return session.scalars(select(AuditionScore).where(AuditionScore.audition_id == aud.id,
                                                       AuditionScore.reviewer == person.slack_user_id)).first()


def scorecard(session: Session, viewer: Person, audition_id: int) -> Scorecard:
    """What `viewer` may see: a reviewer who has not submitted sees only how many have (blind)."""
    aud = _audition(session, audition_id)
    if not _may_score(viewer, aud):
        raise NotAllowed("Only this audition's reviewers, the associate and leadership can see its scorecard.")
    mine = _mine(session, aud, viewer)
    all_scores = list(session.scalars(select(AuditionScore).where(AuditionScore.audition_id == aud.id)
                                      .order_by(AuditionScore.id)))
    blind = mine is None and viewer.slack_user_id in (aud.reviewers or [])
    shown = [] if blind else all_scores
    averages = {c: round(statistics.fmean(getattr(s, c) for s in shown), 2) for c in CRITERIA} if shown else {}
    spreads = {c: max(getattr(s, c) for s in shown) - min(getattr(s, c) for s in shown) for c in CRITERIA} if shown else {}
    totals = [s.total for s in shown]
    return Scorecard(aud, len(all_scores), len(aud.reviewers or []), blind, mine, shown, averages, spreads,
                     round(statistics.fmean(totals), 2) if totals else None,
                     round(max(totals) - min(totals), 2) if totals else None)


def booked(session: Session, now: datetime, days: int = 14) -> list[tuple[datetime, datetime, str | None, str]]:
    """What the studio calendar already holds (LIVEs and auditions), to pick an audition slot around."""
    end = now + timedelta(days=days)
    out = [(live.starts_at, live.ends_at, live.room, f"LIVE {live.title}") for live in session.scalars(
        select(LiveSession).where(LiveSession.status != "cancelled", LiveSession.ends_at > now, LiveSession.starts_at < end))]
    out += [(a.starts_at, a.ends_at, a.room, f"audition: {a.candidate.name}") for a in upcoming(session, now, 200)
            if a.starts_at < end]
    return sorted(out, key=lambda x: x[0])


def upcoming(session: Session, now: datetime, limit: int = 50) -> list[Audition]:
    return list(session.scalars(select(Audition).where(Audition.cancelled.is_(False), Audition.ends_at > now)
                                .order_by(Audition.starts_at).limit(limit)))


def for_candidate(session: Session, candidate_id: int) -> list[Audition]:
    return list(session.scalars(select(Audition).where(Audition.candidate_id == candidate_id, Audition.cancelled.is_(False))
                                .order_by(Audition.starts_at)))


def remind_tomorrow(session: Session, today: date, tz: ZoneInfo) -> int:
    """DM every reviewer of tomorrow's auditions who has not scored; the key makes it once per reviewer."""
    start, end = day_bounds(today + timedelta(days=1), tz)
    sent = 0
    for aud in session.scalars(select(Audition).where(Audition.cancelled.is_(False), Audition.starts_at >= start,
                                                      Audition.starts_at < end)):
        scored = {s.reviewer for s in aud.scores}
        for uid in aud.reviewers or []:
            if uid in scored:
                continue
            if notices.dm(session, uid, "talent.audition_reminder", aud, tz=tz, key=f"aud-remind:{aud.id}:{uid}"):
                sent += 1
    return sent
