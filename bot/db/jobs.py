"""Scheduler bookkeeping: one row per (job, period) so a post goes out once however many processes run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class JobRun(Base):
    """A run of a periodic post (run-of-show for 2026-11-25, scorecard for 2026-W47...).

    The unique (job, period) is the guard that holds even if two scheduler leaders overlap.
    A forced re-run gets its own period key (`<period>#forced-<n>`).
    """

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(80))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed | missed
    forced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str | None] = mapped_column(Text)


class JobTick(Base):
    """The last run of a job that ticks every minute (reminders, escalations); its effects are keyed per item."""

    __tablename__ = "job_ticks"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str] = mapped_column(String(16))
    last_result: Mapped[str | None] = mapped_column(Text)


class JobHistory(Base):
    """When this database first knew a scheduled job: posts due before then were never owed, so never "missed"."""

    __tablename__ = "job_history"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
