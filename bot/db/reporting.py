"""Leadership reporting: scorecard targets set in Slack, and meetings opsbot proposes around LIVE shifts.

A meeting moves proposed -> scheduled (a slot chosen) or cancelled; each attendee's answer to a proposed
slot is one row, unique per (meeting, person, slot), so a double click or a retry records it once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, JSONType, UTCDateTime

TARGET_KEYS = ("gmv_week", "gmv_per_live_hour", "conversion", "avg_view_duration", "punctuality")
MEETING_STATUSES = ("proposed", "scheduled", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ScorecardTarget(Base):
    """One leadership target (money in cents, rates as fractions, durations in seconds)."""

    __tablename__ = "scorecard_targets"
    __table_args__ = (CheckConstraint(_in("key", TARGET_KEYS), name="key_known"),)

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint(_in("status", MEETING_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    organizer: Mapped[str] = mapped_column(String(32))  # Slack user ID
    attendees: Mapped[list[Any]] = mapped_column(JSONType)  # Slack user IDs
    length_minutes: Mapped[int] = mapped_column(Integer)
    slots: Mapped[list[Any]] = mapped_column(JSONType)  # proposed starts, ISO UTC
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingAnswer(Base):
    __tablename__ = "meeting_answers"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    slot: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
