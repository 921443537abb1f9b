"""The time clock's ORM statements, built once: a person's matching shift and their closed spans.

The punch itself (check-in/out) is plain SQL in bot/services/punch.py; these serve the ORM callers
(App Home, the associate's views). A pre-built select() keeps its cache key and skips rebuilding.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased, contains_eager

from bot.db.models import LiveSession, Shift, TimeEntry

_Taken = aliased(TimeEntry)


def _matching(person_id, shift, live):  # type: ignore[no-untyped-def]
    """The shift that starts within the early window or is in progress, of a live session not cancelled."""
    return (
        shift.person_id == person_id,
        shift.cancelled.is_(False),
        shift.starts_at <= bindparam("window_end", type_=Shift.starts_at.type),
        shift.ends_at > bindparam("now", type_=Shift.ends_at.type),
        or_(live.id.is_(None), live.status != "cancelled"),
    )


# The caller's shift (see _matching, earliest first), its session loaded with it, and whether anyone already
# clocked in against it: one statement.
_SHIFT = (
    select(Shift, exists().where(_Taken.shift_id == Shift.id).correlate(Shift).label("taken"))
    .outerjoin(LiveSession, Shift.session_id == LiveSession.id)
    .options(contains_eager(Shift.session))
    .where(*_matching(bindparam("pid"), Shift, LiveSession))
    .order_by(Shift.starts_at, Shift.id)
    .limit(1)
)


def shift_row(session: Session, person_id: int, now: datetime, window_end: datetime):  # type: ignore[no-untyped-def]
    """(shift, taken) or None: the person's matching shift."""
    return session.execute(_SHIFT, {"pid": person_id, "window_end": window_end, "now": now}).first()


SPANS = select(TimeEntry.clock_in_at, TimeEntry.clock_out_at).where(
    TimeEntry.person_id == bindparam("pid"), TimeEntry.clock_out_at.is_not(None),
    TimeEntry.clock_in_at < bindparam("end", type_=TimeEntry.clock_in_at.type),
    TimeEntry.clock_out_at > bindparam("start", type_=TimeEntry.clock_out_at.type))
