"""The calendar's own tables: tiers (data, not code), products, availability, and published-week snapshots.

Sessions and shifts themselves live in bot/db/models.py because the time clock reads them too.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime
from bot.db.models import Person


class HostTier(Base):
    """A host performance level; `rank` orders them (higher rank = more senior)."""

    __tablename__ = "host_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)


class ProductTier(Base):
    """How important a product line is (A hero, B core, C long-tail) and the least senior host who may sell it."""

    __tablename__ = "product_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    min_host_tier_id: Mapped[int] = mapped_column(ForeignKey("host_tiers.id"))

    min_host_tier: Mapped[HostTier] = relationship(lazy="joined")


class Product(Base):
    """One SKU, in a product tier."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    product_tier_id: Mapped[int] = mapped_column(ForeignKey("product_tiers.id"))

    tier: Mapped[ProductTier] = relationship(lazy="joined")


class PersonHostTier(Base):
    """A host's current tier (one row per person; history is in the audit log)."""

    __tablename__ = "person_host_tiers"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    host_tier_id: Mapped[int] = mapped_column(ForeignKey("host_tiers.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by: Mapped[str] = mapped_column(String(64))

    tier: Mapped[HostTier] = relationship(lazy="joined")
    person: Mapped[Person] = relationship()


class SessionSku(Base):
    """A SKU featured in a LIVE session."""

    __tablename__ = "session_skus"
    __table_args__ = (UniqueConstraint("session_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))

    product: Mapped[Product] = relationship(lazy="joined")


class AvailabilityWindow(Base):
    """A recurring weekly window in the team time zone: weekday 0 = Monday, minutes after local midnight.

    Wall-clock, not UTC, so '9:00–17:00 on Mondays' still means 9 to 5 after a DST change.
    """

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute", name="minutes_ordered"),
        Index("ix_availability_windows_person", "person_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class TimeOff(Base):
    """One-off unavailability (UTC instants)."""

    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_time_off_person_start", "person_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SchedulePublication(Base):
    """What a week looked like when it was published; the next publish diffs against the latest one.

    The unique (week_start, version) pair makes a double-clicked Publish one publication.
    """

    __tablename__ = "schedule_publications"
    __table_args__ = (UniqueConstraint("week_start", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
