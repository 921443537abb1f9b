"""Run-of-show segments of a LIVE session, and the state of the forgotten check-out nag.

A segment's SKU links to the products table when it names a known SKU (`product_id`); otherwise the
text is kept as typed (`sku_text`), so a plan can mention a SKU before it is in the catalogue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime
from bot.db.schedule import Product

SEGMENT_KINDS = ("hook", "product", "flash_deal", "giveaway", "qa", "close", "other")
LEAD_ROLES = ("host", "cohost")


class RosSegment(Base):
    """One block of a session's run-of-show: minutes after the LIVE starts, how long, what and who."""

    __tablename__ = "ros_segments"
    __table_args__ = (
        CheckConstraint("offset_min >= 0", name="offset_not_negative"),
        CheckConstraint("duration_min > 0", name="duration_positive"),
        CheckConstraint("kind IN ('hook','product','flash_deal','giveaway','qa','close','other')", name="kind_known"),
        CheckConstraint("lead_role IS NULL OR lead_role IN ('host','cohost')", name="lead_known"),
        Index("ix_ros_segments_session_offset", "session_id", "offset_min"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(200))
    offset_min: Mapped[int] = mapped_column(Integer)
    duration_min: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    sku_text: Mapped[str | None] = mapped_column(String(64))
    offer: Mapped[str | None] = mapped_column(String(300))
    talking_points: Mapped[str | None] = mapped_column(Text)
    lead_role: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    product: Mapped[Product | None] = relationship(lazy="joined")

    @property
    def sku(self) -> str | None:
        return self.product.sku if self.product is not None else self.sku_text


class CheckoutNag(Base):
    """A forgotten check-out we asked about: how often the person said 'still working', and until when to wait."""

    __tablename__ = "checkout_nags"

    entry_id: Mapped[int] = mapped_column(ForeignKey("time_entries.id", ondelete="CASCADE"), primary_key=True)
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
