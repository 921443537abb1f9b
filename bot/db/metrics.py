"""LIVE metrics: one row of totals per session, and units/GMV per SKU per session.

Every metric column is nullable: NULL means "not reported" (exports are customisable and the
spring-2026 files dropped unique and peak viewers), which is never the same as zero.
Money is integer cents; durations are seconds as Numeric (exports give 18.28s).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime
from bot.db.models import LiveSession
from bot.db.schedule import Product

METRIC_SOURCES = ("modal", "import", "demo")


class SessionMetrics(Base):
    """A LIVE session's totals, from the Log metrics modal or a Seller Center export."""

    __tablename__ = "session_metrics"
    __table_args__ = (CheckConstraint("source IN ('modal','import','demo')", name="source_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), unique=True)
    gmv_cents: Mapped[int | None] = mapped_column(BigInteger)
    direct_gmv_cents: Mapped[int | None] = mapped_column(BigInteger)
    orders: Mapped[int | None] = mapped_column(Integer)
    units_sold: Mapped[int | None] = mapped_column(Integer)
    buyers: Mapped[int | None] = mapped_column(Integer)
    unique_viewers: Mapped[int | None] = mapped_column(Integer)
    views: Mapped[int | None] = mapped_column(Integer)
    avg_view_duration_seconds: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    peak_viewers: Mapped[int | None] = mapped_column(Integer)
    product_impressions: Mapped[int | None] = mapped_column(BigInteger)
    product_clicks: Mapped[int | None] = mapped_column(Integer)
    new_followers: Mapped[int | None] = mapped_column(Integer)
    likes: Mapped[int | None] = mapped_column(BigInteger)
    comments: Mapped[int | None] = mapped_column(Integer)
    shares: Mapped[int | None] = mapped_column(Integer)
    # Time on air as exported; when unknown the scheduled length stands in (and the scorecard says so).
    duration_seconds: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # Rates as exported, kept for reference only: opsbot always recomputes rates from the counts.
    exported_ctr: Mapped[Decimal | None] = mapped_column(Numeric(10, 6))
    exported_ctor: Mapped[Decimal | None] = mapped_column(Numeric(10, 6))
    exported_conversion: Mapped[Decimal | None] = mapped_column(Numeric(10, 6))
    source: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))

    session: Mapped[LiveSession] = relationship()


class SkuMetrics(Base):
    """Units and GMV of one SKU in one session; linked to the product when the SKU code is known."""

    __tablename__ = "sku_metrics"
    __table_args__ = (
        UniqueConstraint("session_id", "sku"),
        CheckConstraint("units >= 0", name="units_not_negative"),
        CheckConstraint("gmv_cents >= 0", name="gmv_not_negative"),
        Index("ix_sku_metrics_sku", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    units: Mapped[int] = mapped_column(Integer)
    gmv_cents: Mapped[int | None] = mapped_column(BigInteger)
    stock_after: Mapped[int | None] = mapped_column(Integer)  # units left in stock after the session, when known
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))

    product: Mapped[Product | None] = relationship()
