"""A host's numbers over a window, from the calendar, the time clock, metrics, escalations and briefs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.briefs import Brief
from bot.db.escalations import Escalation
from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession, Person, Shift, TimeEntry

NUMBER_LABEL = {"sessions": "Sessions hosted", "gmv_per_live_hour": "GMV per live hour ($)", "conversion": "Conversion",
                "avg_view_seconds": "Avg view duration (s)", "late": "Late check-ins", "no_shows": "No-shows",
                "compliance_incidents": "Compliance incidents"}
LATE_MINUTES = 5


def host_numbers(session: Session, person: Person, start: datetime, end: datetime) -> dict[str, Any]:
    shifts = list(session.scalars(
        select(Shift).join(LiveSession).where(Shift.person_id == person.id, Shift.role.in_(("host", "cohost")),
                                              Shift.cancelled.is_(False), LiveSession.status != "cancelled",
                                              LiveSession.status != "draft",
                                              Shift.starts_at >= start, Shift.starts_at < end, Shift.ends_at <= end)))
    session_ids = [sh.session_id for sh in shifts if sh.session_id]
    metrics = list(session.scalars(select(SessionMetrics).where(SessionMetrics.session_id.in_(session_ids)))) if session_ids else []
    lives = {live.id: live for live in session.scalars(select(LiveSession).where(LiveSession.id.in_(session_ids)))} if session_ids else {}
    hours = 0.0
    gmv = 0
    orders = viewers = 0
    durations = []
    for m in metrics:
        live = lives.get(m.session_id)
        secs = float(m.duration_seconds) if m.duration_seconds else (
            (live.ends_at - live.starts_at).total_seconds() if live else 0.0)
        if m.gmv_cents is not None and secs:
            hours += secs / 3600
            gmv += m.gmv_cents
        if m.orders is not None and m.unique_viewers:
            orders += m.orders
            viewers += m.unique_viewers
        if m.avg_view_duration_seconds is not None:
            durations.append(float(m.avg_view_duration_seconds))
    entries = list(session.scalars(select(TimeEntry).where(TimeEntry.person_id == person.id,
                                                           TimeEntry.clock_in_at >= start - timedelta(hours=12),
                                                           TimeEntry.clock_in_at < end + timedelta(hours=12))))
    late = sum(1 for e in entries if e.shift_id in {sh.id for sh in shifts} and (e.late_minutes or 0) > LATE_MINUTES)
    no_shows = 0
    for sh in shifts:
        came = any(e.shift_id == sh.id or (sh.starts_at - timedelta(hours=2) <= e.clock_in_at < sh.ends_at) for e in entries)
        no_shows += 0 if came else 1
    incidents = 0
    if session_ids:
        incidents += len(session.scalars(select(Escalation.id).where(Escalation.session_id.in_(session_ids),
                                                                     Escalation.needs_legal.is_(True))).all())
    incidents += len(session.scalars(select(Brief.id).where(Brief.submitter == person.slack_user_id, Brief.status == "rejected",
                                                            Brief.updated_at >= start, Brief.updated_at < end)).all())
    return {
        "sessions": len(shifts),
        "gmv_per_live_hour": round(gmv / 100 / hours, 2) if hours else None,
        "conversion": round(orders / viewers, 4) if viewers else None,
        "avg_view_seconds": round(sum(durations) / len(durations), 1) if durations else None,
        "late": late,
        "no_shows": no_shows,
        "compliance_incidents": incidents,
    }
