"""Briefs sent to legal: the brief (a working copy), its immutable submitted versions, and legal's decisions.

A version is never edited after submission: its text, hash and claim findings are what legal saw.
A decision names the version it decides; UNIQUE(version, decider) makes a double click one decision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime
from bot.db.models import LiveSession

BRIEF_KINDS = ("creative_brief", "talk_track", "bundle_sheet", "promo", "other")
KIND_LABEL = {"creative_brief": "Creative brief", "talk_track": "Talk track", "bundle_sheet": "Bundle sheet",
              "promo": "Promo/offer", "other": "Other"}  # how people call each kind (messages, exports)
STATUS_LABEL = {"draft": "draft", "pending": "waiting for legal", "changes_requested": "changes requested",
                "approved": "approved", "rejected": "rejected"}
BRIEF_STATUSES = ("draft", "pending", "changes_requested", "approved", "rejected")
DECISIONS = ("approve", "request_changes", "reject")


class Brief(Base):
    """What the submitter is working on. The `draft_*` fields are the editable copy; versions are the record."""

    __tablename__ = "briefs"
    __table_args__ = (
        CheckConstraint("kind IN ('creative_brief','talk_track','bundle_sheet','promo','other')", name="kind_known"),
        CheckConstraint("status IN ('draft','pending','changes_requested','approved','rejected')", name="status_known"),
        CheckConstraint("approvals_required >= 1", name="approvals_positive"),
        Index("ix_briefs_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    skus: Mapped[str | None] = mapped_column(Text)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id", ondelete="SET NULL"), index=True)
    campaign: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note_to_legal: Mapped[str | None] = mapped_column(Text)
    draft_text: Mapped[str] = mapped_column(Text, default="")
    draft_link: Mapped[str | None] = mapped_column(String(1000))
    submitter: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    approvals_required: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[LiveSession | None] = relationship()
    versions: Mapped[list[BriefVersion]] = relationship(back_populates="brief", order_by="BriefVersion.number",
                                                        cascade="all, delete-orphan")


class BriefVersion(Base):
    """One submission, stored in full and never changed."""

    __tablename__ = "brief_versions"
    __table_args__ = (UniqueConstraint("brief_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1000))
    text_sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)

    brief: Mapped[Brief] = relationship(back_populates="versions")
    decisions: Mapped[list[BriefDecision]] = relationship(back_populates="version", order_by="BriefDecision.at",
                                                          lazy="selectin")


class BriefDecision(Base):
    """One legal reviewer's decision on one version (at most one per reviewer and version)."""

    __tablename__ = "brief_decisions"
    __table_args__ = (
        UniqueConstraint("version_id", "decider"),
        CheckConstraint("decision IN ('approve','request_changes','reject')", name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("brief_versions.id", ondelete="CASCADE"), index=True)
    decider: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    version: Mapped[BriefVersion] = relationship(back_populates="decisions")
