"""Creators and affiliates, their campaigns and deliverables, and highlight clips cut from LIVEs.

A deliverable moves forward one step at a time (a conditional UPDATE on the old status, so a double click
is one step): planned -> sample_shipped -> sample_delivered -> draft_received -> approved -> posted -> paid.
A clip: requested -> cut -> in_legal (only with claims) -> published | rejected.
Claims in a deliverable's draft or a clip go through brief approval: `brief_id` links the brief legal decides.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime
from bot.db.briefs import Brief
from bot.db.models import LiveSession
from bot.db.schedule import Product

CREATOR_STATUSES = ("prospect", "active", "paused", "ended")
DELIVERABLE_KINDS = ("video", "live", "cohost", "post")
KIND_LABEL = {"video": "Video", "live": "LIVE appearance", "cohost": "Co-host slot", "post": "Post"}
DELIVERABLE_STATUSES = ("planned", "sample_shipped", "sample_delivered", "draft_received", "approved", "posted", "paid")
STATUS_LABEL = {"planned": "planned", "sample_shipped": "sample shipped", "sample_delivered": "sample delivered",
                "draft_received": "draft received", "approved": "approved", "posted": "posted", "paid": "paid"}
CLIP_STATUSES = ("requested", "cut", "in_legal", "published", "rejected")
CLIP_LABEL = {"requested": "requested", "cut": "cut", "in_legal": "with legal", "published": "published",
              "rejected": "rejected"}
PLACEMENTS = ("paid", "organic")


def _in(values: tuple[str, ...]) -> str:
    return ",".join(f"'{v}'" for v in values)


class Creator(Base):
    """An outside creator or affiliate. `handle` is stored lower-case without the @, unique."""

    __tablename__ = "creators"
    __table_args__ = (CheckConstraint(f"status IN ({_in(CREATOR_STATUSES)})", name="status_known"),
                      CheckConstraint("commission_pct IS NULL OR (commission_pct >= 0 AND commission_pct <= 100)",
                                      name="commission_pct_range"),
                      CheckConstraint("flat_fee_cents IS NULL OR flat_fee_cents >= 0", name="flat_fee_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    contact: Mapped[str | None] = mapped_column(String(300))
    agency: Mapped[str | None] = mapped_column(String(200))
    commission_pct: Mapped[Any | None] = mapped_column(Numeric(5, 2))
    flat_fee_cents: Mapped[int | None] = mapped_column(Integer)
    audience_notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="prospect")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
                      CheckConstraint("budget_cents IS NULL OR budget_cents >= 0", name="budget_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    budget_cents: Mapped[int | None] = mapped_column(Integer)
    discount_codes: Mapped[str | None] = mapped_column(Text)  # one code per line
    owner: Mapped[str] = mapped_column(String(32))  # Slack user ID of the associate who runs it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    products: Mapped[list[CampaignProduct]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    members: Mapped[list[CampaignCreator]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    briefs: Mapped[list[CampaignBrief]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    sessions: Mapped[list[CampaignSession]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    deliverables: Mapped[list[Deliverable]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                                           order_by="Deliverable.id", lazy="selectin")


class CampaignProduct(Base):
    __tablename__ = "campaign_products"
    __table_args__ = (UniqueConstraint("campaign_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))

    product: Mapped[Product] = relationship(lazy="selectin")


class CampaignCreator(Base):
    """A creator on a campaign; `confirmed` once they said yes to the dates and terms."""

    __tablename__ = "campaign_creators"
    __table_args__ = (UniqueConstraint("campaign_id", "creator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id"))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by: Mapped[str | None] = mapped_column(String(32))

    creator: Mapped[Creator] = relationship(lazy="selectin")


class CampaignBrief(Base):
    """A brief (from brief approvals) the campaign runs on."""

    __tablename__ = "campaign_briefs"
    __table_args__ = (UniqueConstraint("campaign_id", "brief_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    brief_id: Mapped[int] = mapped_column(ForeignKey("briefs.id", ondelete="CASCADE"))

    brief: Mapped[Brief] = relationship(lazy="selectin")


class CampaignSession(Base):
    """A LIVE session of the campaign (co-hosted LIVEs); its run-of-show shows the campaign on launch day."""

    __tablename__ = "campaign_sessions"
    __table_args__ = (UniqueConstraint("campaign_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)

    session: Mapped[LiveSession] = relationship(lazy="selectin")


class Deliverable(Base):
    __tablename__ = "deliverables"
    __table_args__ = (CheckConstraint(f"kind IN ({_in(DELIVERABLE_KINDS)})", name="kind_known"),
                      CheckConstraint(f"status IN ({_in(DELIVERABLE_STATUSES)})", name="status_known"),
                      Index("ix_deliverables_status_due", "status", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking: Mapped[str | None] = mapped_column(String(100))
    links: Mapped[list[Any] | None] = mapped_column(JSONType)  # draft and posted links, newest last
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("briefs.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    # when each step happened (status -> ISO instant) and who did it, for the digest and the audit
    steps: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_approved_by: Mapped[str | None] = mapped_column(String(32))
    payment_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship(back_populates="deliverables")
    creator: Mapped[Creator] = relationship(lazy="selectin")
    brief: Mapped[Brief | None] = relationship(lazy="selectin")


class Clip(Base):
    """A highlight clip asked for from a LIVE: where in the stream, what, why, and where it ran."""

    __tablename__ = "clips"
    __table_args__ = (CheckConstraint(f"status IN ({_in(CLIP_STATUSES)})", name="status_known"),
                      CheckConstraint("offset_seconds >= 0", name="offset_not_negative"),
                      CheckConstraint("placement IS NULL OR placement IN ('paid','organic')", name="placement_known"),
                      CheckConstraint("views IS NULL OR views >= 0", name="views_not_negative"),
                      Index("ix_clips_status", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    offset_seconds: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(32))
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="requested")
    cut_link: Mapped[str | None] = mapped_column(String(1000))
    cut_by: Mapped[str | None] = mapped_column(String(32))
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("briefs.id", ondelete="SET NULL"))
    placement: Mapped[str | None] = mapped_column(String(10))
    link: Mapped[str | None] = mapped_column(String(1000))
    views: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[LiveSession] = relationship(lazy="selectin")
    brief: Mapped[Brief | None] = relationship(lazy="selectin")
