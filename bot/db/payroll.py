"""Payroll: pay rates with effective dates, meal waivers, timesheet approvals (the lock), attestations, unpaid breaks.

Hours themselves are the time clock's `TimeEntry` rows; nothing here is a second model of time.
A `TimesheetApproval` row with status 'approved' locks that person's entries between `starts_at` and
`ends_at` (the pay period's workday bounds, UTC) against edits, imports and new punches.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime
from bot.db.models import Person, TimeEntry

PAY_ROLES = ("any", "host", "pa")
ATTESTATION_KINDS = ("meal", "second_meal", "rest")


class PayRate(Base):
    """A person's hourly rate from a day on (for one role, or 'any'); contractors are paid by invoice, no overtime."""

    __tablename__ = "pay_rates"
    __table_args__ = (
        UniqueConstraint("person_id", "role", "effective_from"),
        CheckConstraint("role IN ('any','host','pa')", name="role_known"),
        CheckConstraint("rate >= 0", name="rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="any")
    rate: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    effective_from: Mapped[date] = mapped_column(Date)
    contractor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    session_fee: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0), server_default=text("0"))  # flat, per LIVE shift
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()


class PayProfile(Base):
    """Per-person payroll facts that are not rates: the meal waiver on file."""

    __tablename__ = "pay_profiles"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    meal_waiver: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TimesheetApproval(Base):
    """One person's timesheet for one pay period: approved (locked) or unlocked again by an admin, with a reason."""

    __tablename__ = "timesheet_approvals"
    __table_args__ = (
        UniqueConstraint("person_id", "period_start"),
        CheckConstraint("status IN ('approved','unlocked')", name="status_known"),
        Index("ix_timesheet_approvals_person_span", "person_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))
    gross_pay: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # what was approved, for the audit trail
    approved_by: Mapped[str] = mapped_column(String(32))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unlocked_by: Mapped[str | None] = mapped_column(String(32))
    unlocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unlock_reason: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()


class MealAttestation(Base):
    """The person's answer at checkout: was the meal (or second meal, or rest breaks) taken in time?"""

    __tablename__ = "meal_attestations"
    __table_args__ = (
        UniqueConstraint("entry_id", "kind"),
        CheckConstraint("kind IN ('meal','second_meal','rest')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("time_entries.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    taken: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    entry: Mapped[TimeEntry] = relationship()


class EntryBreak(Base):
    """An unpaid break (meal period) inside a time entry, from a timesheet import."""

    __tablename__ = "entry_breaks"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="end_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("time_entries.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EntryReview(Base):
    """An entry the bot closed by itself (forgotten clock-out): shown as "auto-closed, needs review" until reviewed."""

    __tablename__ = "entry_reviews"

    entry_id: Mapped[int] = mapped_column(ForeignKey("time_entries.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(32))


INVOICE_STATUSES = ("submitted", "queried", "approved", "paid")


class Invoice(Base):
    """A contractor's (or agency's) invoice for a pay period. Editing it makes a new `version`; a decision is
    bound to one version, so an edited invoice needs a new decision."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("person_id", "number"),
        CheckConstraint("status IN ('submitted','queried','approved','paid')", name="status_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(60))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    expected: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # approved hours x rate + session fees, at submission
    link: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    submitted_by: Mapped[str] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_by: Mapped[str | None] = mapped_column(String(32))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship()


class InvoiceDecision(Base):
    """Leadership's decision on one exact version of an invoice: approve (maybe with a note) or query (with a note)."""

    __tablename__ = "invoice_decisions"
    __table_args__ = (
        UniqueConstraint("invoice_id", "version"),
        CheckConstraint("decision IN ('approve','query')", name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    decision: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
