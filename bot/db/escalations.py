"""Escalations raised on set, and their append-only timeline of events.

The re-escalation clock lives in these columns (`escalated_at`, `last_notified_at`,
`escalation_level`, `snoozed_until`), so one periodic job can decide what is due after any restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime
from bot.db.models import LiveSession

STATUSES = ("open", "acknowledged", "resolved")
AFFECTED = ("stream", "product", "host", "pricing", "compliance", "other")
CAUSES = ("tech", "product", "pricing", "host", "compliance", "platform", "stock", "other")
EVENT_KINDS = ("raised", "notified", "acknowledged", "updated", "escalated", "snoozed", "resolved", "reopened")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({','.join(repr(v) for v in values)})"


class Escalation(Base):
    """A problem on set that needs an owner now."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 4", name="severity_known"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint(_in("affected", AFFECTED), name="affected_known"),
        CheckConstraint(f"cause IS NULL OR {_in('cause', CAUSES)}", name="cause_known"),
        Index("ix_escalations_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    summary: Mapped[str] = mapped_column(String(150))
    severity: Mapped[int] = mapped_column(Integer)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id", ondelete="SET NULL"), index=True)
    affected: Mapped[str] = mapped_column(String(20))
    details: Mapped[str | None] = mapped_column(Text)
    needs_legal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    reporter: Mapped[str] = mapped_column(String(32))  # Slack user ID
    owner: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(String(20))
    last_update: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)

    session: Mapped[LiveSession | None] = relationship()


class EscalationEvent(Base):
    """One step in an escalation's life. Rows are only ever inserted."""

    __tablename__ = "escalation_events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind_known"),
        Index("ix_escalation_events_escalation_at", "escalation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(64))  # Slack user ID or "system:escalations"
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
