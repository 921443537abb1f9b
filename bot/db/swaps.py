"""Shift swaps: one row per offer, from the host's request to the associate's decision.

`status` moves forward only, each step a conditional UPDATE on the old status, so two takers, a
double click or a Slack retry can never both win:
open -> accepted -> approved | denied;  open -> declined | cancelled | expired;  accepted -> cancelled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, JSONType, UTCDateTime
from bot.db.models import Person, Shift

SWAP_KINDS = ("direct", "trade", "open")
SWAP_STATUSES = ("open", "accepted", "approved", "denied", "declined", "cancelled", "expired")
ACTIVE = ("open", "accepted")


class Swap(Base):
    __tablename__ = "swaps"
    __table_args__ = (
        CheckConstraint("kind IN ('direct','trade','open')", name="kind_known"),
        CheckConstraint("status IN ('open','accepted','approved','denied','declined','cancelled','expired')",
                        name="status_known"),
        # One live offer per shift: a double-submitted /swap is one offer.
        Index("uq_swaps_one_active_per_shift", "shift_id", unique=True,
              sqlite_where=text("status IN ('open','accepted')"),
              postgresql_where=text("status IN ('open','accepted')")),
        Index("ix_swaps_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="open")
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # The person a direct offer or trade is made to (None for an open offer).
    target_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # The target's shift the requester takes in return (trades only).
    return_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    taker_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # Overtime the taker would reach: such a swap always waits for the associate, who sees these lines.
    overtime: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    warnings: Mapped[list[Any] | None] = mapped_column(JSONType)
    # Keys of the remembered messages about this swap (ops card, DMs), edited in place as it moves on.
    posts: Mapped[list[Any] | None] = mapped_column(JSONType)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)

    shift: Mapped[Shift] = relationship(foreign_keys=[shift_id])
    return_shift: Mapped[Shift | None] = relationship(foreign_keys=[return_shift_id])
    requester: Mapped[Person] = relationship(foreign_keys=[requester_id])
    target: Mapped[Person | None] = relationship(foreign_keys=[target_id])
    taker: Mapped[Person | None] = relationship(foreign_keys=[taker_id])
