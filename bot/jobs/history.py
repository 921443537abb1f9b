"""Where a scheduled job's history starts: the first time this database saw the job (the scheduler starting,
`opsbot jobs list` or a run). A post due before then was never owed, so it is never reported as missed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.jobs import JobHistory
from bot.timefmt import ensure_utc


def register(session: Session, names: Iterable[str], now: datetime) -> dict[str, datetime]:
    """Each job's history start, recording `now` for jobs seen for the first time."""
    names = list(names)
    known = {row.job: ensure_utc(row.since) for row in session.scalars(select(JobHistory).where(JobHistory.job.in_(names)))}
    for name in names:
        if name in known:
            continue
        try:
            with session.begin_nested():
                session.add(JobHistory(job=name, since=now))
            known[name] = now
        except IntegrityError:  # another process registered it at the same moment
            known[name] = ensure_utc(session.get(JobHistory, name).since)  # type: ignore[union-attr]
    return known
