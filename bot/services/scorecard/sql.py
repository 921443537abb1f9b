"""SQL pieces every scorecard query shares: time on air, a week's sessions, durations in seconds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.orm import Session

from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession


def seconds_between(s: Session, start: Any, end: Any) -> Any:
    """end - start in seconds, as SQL (SQLite stores text instants; PostgreSQL has intervals)."""
    if s.get_bind().dialect.name == "sqlite":  # julianday is a float: round away its last-digit noise
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0)
    return func.extract("epoch", end - start)


def on_air(s: Session) -> Any:
    """Time on air: the exported duration when known, else the scheduled length."""
    return func.coalesce(SessionMetrics.duration_seconds, seconds_between(s, LiveSession.starts_at, LiveSession.ends_at))


def in_period(start: datetime, end: datetime) -> Any:
    return and_(LiveSession.starts_at >= start, LiveSession.starts_at < end, LiveSession.status != "cancelled")


def num(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)
