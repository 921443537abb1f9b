"""Talent: candidates through the casting pipeline, their auditions and scorecards, onboarding checklists,
coaching feedback, and host tier proposals and changes.

A candidate's `stage` moves along STAGES (or to declined / withdrawn); every move is a CandidateEvent row
(who, when, why). Handle and email are unique, so a duplicate can never slip in between two requests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime
from bot.db.models import LiveSession, Person

STAGES = ("sourced", "screened", "audition_scheduled", "auditioned", "offer", "onboarding", "active")
CLOSED = ("declined", "withdrawn")
ALL_STAGES = STAGES + CLOSED
STAGE_LABEL = {"sourced": "Sourced", "screened": "Screened", "audition_scheduled": "Audition scheduled",
               "auditioned": "Auditioned", "offer": "Offer", "onboarding": "Onboarding", "active": "Active",
               "declined": "Declined", "withdrawn": "Withdrawn"}
SOURCES = ("referral", "agency", "inbound", "creator_marketplace", "other")
SOURCE_LABEL = {"referral": "Referral", "agency": "Agency", "inbound": "Inbound",
                "creator_marketplace": "Creator marketplace", "other": "Other"}
CRITERIA = ("energy", "product", "selling", "compliance", "reliability")
CRITERION_LABEL = {"energy": "On-camera energy", "product": "Product knowledge", "selling": "Selling and calls to action",
                   "compliance": "Compliance awareness", "reliability": "Reliability"}
PROPOSAL_KINDS = ("promote", "hold", "review")
PROPOSAL_STATUSES = ("pending", "approved", "declined", "noted")

_STAGE_SQL = ",".join(f"'{s}'" for s in ALL_STAGES)


class Candidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (CheckConstraint(f"stage IN ({_STAGE_SQL})", name="stage_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(64), unique=True)  # TikTok handle, lower case, no @
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # lower case
    source: Mapped[str] = mapped_column(String(32))
    link: Mapped[str | None] = mapped_column(String(500))  # reel or audition link
    languages: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(24), default="sourced")
    reason: Mapped[str | None] = mapped_column(Text)  # why declined / withdrawn
    start_on: Mapped[date | None] = mapped_column(Date)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person | None] = relationship()
    events: Mapped[list[CandidateEvent]] = relationship(back_populates="candidate", order_by="CandidateEvent.id",
                                                         cascade="all, delete-orphan")


class CandidateEvent(Base):
    """One move of a candidate: from which stage to which, by whom, when and why."""

    __tablename__ = "candidate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    from_stage: Mapped[str | None] = mapped_column(String(24))
    to_stage: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(Text)

    candidate: Mapped[Candidate] = relationship(back_populates="events")


class Audition(Base):
    __tablename__ = "auditions"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),
                      Index("ix_auditions_starts_at", "starts_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    room: Mapped[str | None] = mapped_column(String(100))
    reviewers: Mapped[list[Any]] = mapped_column(JSONType)  # Slack user IDs
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    candidate: Mapped[Candidate] = relationship()
    scores: Mapped[list[AuditionScore]] = relationship(back_populates="audition", order_by="AuditionScore.id")


class AuditionScore(Base):
    """One reviewer's scorecard: five criteria 1-5 and notes; one per reviewer per audition."""

    __tablename__ = "audition_scores"
    __table_args__ = (UniqueConstraint("audition_id", "reviewer"),
                      *(CheckConstraint(f"{c} BETWEEN 1 AND 5", name=f"{c}_1_to_5") for c in CRITERIA))

    id: Mapped[int] = mapped_column(primary_key=True)
    audition_id: Mapped[int] = mapped_column(ForeignKey("auditions.id", ondelete="CASCADE"))
    reviewer: Mapped[str] = mapped_column(String(32))
    energy: Mapped[int] = mapped_column(Integer)
    product: Mapped[int] = mapped_column(Integer)
    selling: Mapped[int] = mapped_column(Integer)
    compliance: Mapped[int] = mapped_column(Integer)
    reliability: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    audition: Mapped[Audition] = relationship(back_populates="scores")

    @property
    def total(self) -> float:
        return sum(getattr(self, c) for c in CRITERIA) / len(CRITERIA)


class OnboardingTemplateItem(Base):
    """One line of the onboarding checklist template the associate edits; `owner` is 'host' or 'associate'."""

    __tablename__ = "onboarding_template"
    __table_args__ = (CheckConstraint("owner IN ('host','associate')", name="owner_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(16))
    due_days: Mapped[int] = mapped_column(Integer)  # days after the start date (negative: before it)
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class OnboardingItem(Base):
    """One checklist item of one new host, copied from the template when onboarding starts."""

    __tablename__ = "onboarding_items"
    __table_args__ = (UniqueConstraint("person_id", "key"), CheckConstraint("owner IN ('host','associate')", name="owner_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))
    last_nudged_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()


class Feedback(Base):
    """Coaching feedback for a host, optionally about one session; private to the host, associate and leadership."""

    __tablename__ = "coaching_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id", ondelete="SET NULL"))
    went_well: Mapped[str] = mapped_column(Text)
    improve: Mapped[str] = mapped_column(Text)
    clip_at: Mapped[str | None] = mapped_column(String(16))  # a timestamp in the session recording, e.g. 00:42:10
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # a double submission is one feedback
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()
    session: Mapped[LiveSession | None] = relationship()


class TierProposal(Base):
    """The weekly evaluation's proposal for one host: promote, hold or review, with the numbers that decided it."""

    __tablename__ = "tier_proposals"
    __table_args__ = (UniqueConstraint("person_id", "week"),
                      CheckConstraint("kind IN ('promote','hold','review')", name="kind_known"),
                      CheckConstraint("status IN ('pending','approved','declined','noted')", name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    from_tier: Mapped[str | None] = mapped_column(String(40))
    to_tier: Mapped[str | None] = mapped_column(String(40))
    numbers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    reasons: Mapped[list[Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()


class TierChange(Base):
    """A host's tier history: each change, who made it and why, and the Monday it takes effect from."""

    __tablename__ = "tier_changes"
    __table_args__ = (Index("ix_tier_changes_person", "person_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    from_tier: Mapped[str | None] = mapped_column(String(40))
    to_tier: Mapped[str] = mapped_column(String(40))
    effective_on: Mapped[date] = mapped_column(Date)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("tier_proposals.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
