"""Coaching feedback: the associate or leadership writes what went well and what to improve (with an optional
clip timestamp) for a host, usually about one session and its metrics. It is private to that host, the
associate and leadership; everyone else, other hosts included, is refused. The host gets a DM with
Acknowledge."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession, Person, Shift
from bot.db.talent import Feedback
from bot.services import audit, notices, people
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.talent.access import clean_text, is_talent, require_talent
from bot.services.validation import InputError

_CLIP_RE = re.compile(r"(?:(\d{1,2}):)?([0-5]?\d):([0-5]\d)")
PRIVATE = "Coaching feedback is private to the host, the associate and leadership."


@dataclass(frozen=True)
class FeedbackInput:
    host_user_id: str
    went_well: str | None
    improve: str | None
    clip_at: str | None = None
    session_id: int | None = None


def parse_clip(value: object) -> str | None:
    text = clean_text(value, field="clip", label="The clip timestamp", limit=16)
    if text is None:
        return None
    m = _CLIP_RE.fullmatch(text)
    if not m:
        raise InputError("The clip timestamp must look like 42:10 or 1:42:10 (into the recording).", "clip")
    return f"{int(m.group(1) or 0)}:{int(m.group(2)):02d}:{m.group(3)}"


def can_see(viewer: Person, host: Person) -> bool:
    return viewer.id == host.id or is_talent(viewer)


def add(session: Session, actor: Person, data: FeedbackInput, *, request_key: str | None = None) -> tuple[Feedback, bool]:
    """Save feedback and DM the host; the same request key again (a double submit) is the same feedback."""
    who = require_talent(actor, "give coaching feedback")
    if request_key:
        found = session.scalars(select(Feedback).where(Feedback.request_key == request_key)).first()
        if found is not None:
            return found, False
    host = people.get(session, data.host_user_id)
    if host is None or "host" not in host.role_names:
        raise Invalid("Feedback is for hosts; pick a host.", {"host": "Pick a host."})
    went_well = clean_text(data.went_well, field="well", label="What went well", limit=2900, required=True)
    improve = clean_text(data.improve, field="improve", label="What to improve", limit=2900, required=True)
    clip = parse_clip(data.clip_at)
    live = None
    if data.session_id is not None:
        live = session.get(LiveSession, data.session_id)
        if live is None:
            raise Invalid("That session doesn't exist.", {"session": "Pick a session again."})
    fb = Feedback(person_id=host.id, author=who, session_id=live.id if live else None, went_well=went_well,
                  improve=improve, clip_at=clip, request_key=request_key, created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(fb)
    except IntegrityError:
        found = session.scalars(select(Feedback).where(Feedback.request_key == request_key)).first()
        if found is None:
            raise Conflict("That feedback was just saved.") from None
        return found, False
    audit.record(session, actor=who, action="talent.feedback_given", entity_type="feedback", entity_id=fb.id,
                 after={"host": host.slack_user_id, "session": fb.session_id, "clip": clip})
    notices.dm(session, host.slack_user_id, "talent.feedback", fb, metrics=metrics_of(session, fb.session_id),
               key=f"feedback:{fb.id}", remember_as=f"feedback:{fb.id}")
    return fb, True


def acknowledge(session: Session, actor: Person, feedback_id: int) -> Feedback:
    fb = session.get(Feedback, feedback_id)
    if fb is None:
        raise NotFound("That feedback no longer exists.")
    if fb.person_id != actor.id:
        raise NotAllowed("Only the host it is for can acknowledge feedback. " + PRIVATE)
    if fb.acknowledged_at is None:
        now = clock.now()
        if session.execute(update(Feedback).where(Feedback.id == fb.id, Feedback.acknowledged_at.is_(None))
                           .values(acknowledged_at=now).execution_options(synchronize_session=False)).rowcount:  # type: ignore[attr-defined]
            audit.record(session, actor=actor.slack_user_id, action="talent.feedback_acknowledged", entity_type="feedback",
                         entity_id=fb.id)
            session.refresh(fb)
            notices.update(session, f"feedback:{fb.id}", "talent.feedback", fb, metrics=metrics_of(session, fb.session_id))
    return fb


def history(session: Session, viewer: Person, host: Person, limit: int = 50) -> list[Feedback]:
    if not can_see(viewer, host):
        raise NotAllowed(PRIVATE + " You can see your own.")
    return list(session.scalars(select(Feedback).where(Feedback.person_id == host.id)
                                .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit)))


def get(session: Session, viewer: Person, feedback_id: int) -> Feedback:
    fb = session.get(Feedback, feedback_id)
    if fb is None:
        raise NotFound("That feedback no longer exists.")
    if not can_see(viewer, fb.person):
        raise NotAllowed(PRIVATE)
    return fb


def metrics_of(session: Session, session_id: int | None) -> SessionMetrics | None:
    if session_id is None:
        return None
    return session.scalars(select(SessionMetrics).where(SessionMetrics.session_id == session_id)).first()


def host_of_session(session: Session, session_id: int) -> Person | None:
    """The host on a session (for feedback opened from the session's message)."""
    sh = session.scalars(select(Shift).where(Shift.session_id == session_id, Shift.role == "host",
                                             Shift.person_id.isnot(None), Shift.cancelled.is_(False))).first()
    return sh.person if sh else None


def recent_sessions(session: Session, limit: int = 25) -> list[LiveSession]:
    now = clock.now()
    return list(session.scalars(select(LiveSession).where(LiveSession.starts_at <= now, LiveSession.status != "cancelled")
                                .order_by(LiveSession.starts_at.desc()).limit(limit)))


def session_of_message(session: Session, channel: str | None, ts: str | None, blocks: list[dict] | None) -> int | None:
    """The LIVE session a bot message is about: a run-of-show session post (remembered by channel and ts), or a
    message whose buttons or blocks carry the session (Log metrics, the planning list)."""
    from bot.db.models import PostedMessage

    if channel and ts:
        posted = session.scalars(select(PostedMessage).where(PostedMessage.channel == channel, PostedMessage.ts == ts)).first()
        if posted is not None:
            m = re.fullmatch(r"ros:\d{4}-\d{2}-\d{2}:s(\d{1,9})", posted.key)
            if m:
                return int(m.group(1))
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        m = re.fullmatch(r"session_(\d{1,9})", str(block.get("block_id", "")))
        if m:
            return int(m.group(1))
        for el in [block.get("accessory") or {}, *(block.get("elements") or [])]:
            if isinstance(el, dict) and el.get("action_id") in ("metrics_log", "ros_add") and str(el.get("value", "")).isdigit():
                return int(el["value"])
    return None
