"""The foundation's tables: people and roles, the calendar's sessions and shifts, the time clock,
and the plumbing every feature shares (audit log, outbox, posted messages, idempotency keys).

Later areas add their own model modules and import them in `bot/db/all_models.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime

ROLES = ("host", "pa", "associate", "legal", "leadership")
SHIFT_ROLES = ("host", "cohost", "pa")
SESSION_STATUSES = ("draft", "published", "live", "done", "cancelled")
SHIFT_STATES = ("pending", "confirmed", "declined")


class Person(Base):
    """Anyone who has talked to the bot; filled from Slack's users.info."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    real_name: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    tz: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    profile_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    roles: Mapped[list[PersonRole]] = relationship(back_populates="person", cascade="all, delete-orphan")

    @property
    def name(self) -> str:
        return self.display_name or self.real_name or self.slack_user_id

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}


class PersonRole(Base):
    __tablename__ = "person_roles"
    __table_args__ = (
        UniqueConstraint("person_id", "role"),
        CheckConstraint("role IN ('host','pa','associate','legal','leadership')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_by: Mapped[str | None] = mapped_column(String(32))

    person: Mapped[Person] = relationship(back_populates="roles")


class LiveSession(Base):
    """One scheduled LIVE. The calendar issue fills these in; the time clock reads them."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("status IN ('draft','published','live','done','cancelled')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room: Mapped[str | None] = mapped_column(String(100))
    product_tier: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    shifts: Mapped[list[Shift]] = relationship(back_populates="session")


class Shift(Base):
    """A person in a role on a session, with its own call time (it may start before and end after the LIVE)."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("role IN ('host','cohost','pa')", name="role_known"),
        CheckConstraint("state IN ('pending','confirmed','declined')", name="state_known"),
        Index("ix_shifts_person_start", "person_id", "starts_at"),
        # A day's or a week's shifts whoever works them: the on-set board (starts_at), the scorecard's missed
        # check-ins (ends_at). Without them PostgreSQL scanned every shift of the year (migration 0016).
        Index("ix_shifts_starts_at", "starts_at"),
        Index("ix_shifts_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The person's answer to the published shift; reset to pending whenever the person or times change.
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # Set when the assigned person can't make it: the slot is open for a swap or a new assignment.
    needs_cover: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    session: Mapped[LiveSession | None] = relationship(back_populates="shifts")
    person: Mapped[Person | None] = relationship()


class TimeEntry(Base):
    """One clock-in to clock-out. At most one open entry per person, enforced by a partial unique index."""

    __tablename__ = "time_entries"
    __table_args__ = (
        CheckConstraint("clock_out_at IS NULL OR clock_out_at > clock_in_at", name="out_after_in"),
        Index(
            "uq_time_entries_one_open_per_person",
            "person_id",
            unique=True,
            sqlite_where=text("clock_out_at IS NULL"),
            postgresql_where=text("clock_out_at IS NULL"),
        ),
        Index("ix_time_entries_person_in", "person_id", "clock_in_at"),
        Index("ix_time_entries_clock_in_at", "clock_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"), index=True)
    clock_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    clock_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note_in: Mapped[str | None] = mapped_column(Text)
    note_out: Mapped[str | None] = mapped_column(Text)
    late_minutes: Mapped[int | None] = mapped_column(Integer)
    unscheduled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    source: Mapped[str] = mapped_column(String(20), default="slack", server_default="slack")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()
    shift: Mapped[Shift | None] = relationship()


class AuditRecord(Base):
    """Append-only: who did what to which record, when, with the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # Slack user ID, or "system:<job>" / "cli"
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """A Slack message owed to someone, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending','sending','sent','failed')", name="status_known"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_chain", "chain", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # post | dm | update | ephemeral | board | upload
    channel: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_ts: Mapped[str | None] = mapped_column(String(32))
    # The remembered message this one posts, edits or threads on: a chain goes out in id order.
    chain: Mapped[str | None] = mapped_column(String(200))
    # Retry until then (default: created_at + OUTBOX_RETRY_HORIZON_HOURS; `opsbot outbox --retry` renews it).
    give_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PostedMessage(Base):
    """Where a message that is edited in place lives (channel + ts), by a stable key such as 'onset:2026-11-25'."""

    __tablename__ = "posted_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedRequest(Base):
    """Idempotency keys: a Slack retry or double submission finds its key here and changes nothing."""

    __tablename__ = "processed_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
