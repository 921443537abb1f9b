"""Legal's feedback on the claim checker: phrases cleared as 'Not a problem', and spans it missed.

UNIQUE constraints make a double click or a Slack retry one record, not two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime

CLAIM_CATEGORIES = ("health", "guarantee", "superlative", "price_scarcity", "earnings", "before_after", "disclosure")
_CATS_SQL = ",".join(f"'{c}'" for c in CLAIM_CATEGORIES)


class ClaimAllow(Base):
    """A phrase legal cleared for one category, for one product (`product` = the brief's SKUs) or everywhere ('')."""

    __tablename__ = "claim_allow"
    __table_args__ = (
        UniqueConstraint("phrase_key", "category", "product"),
        CheckConstraint(f"category IN ({_CATS_SQL})", name="category_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(300))
    phrase_key: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20))
    product: Mapped[str] = mapped_column(String(300), default="")
    why: Mapped[str] = mapped_column(Text)
    context: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("brief_versions.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClaimMiss(Base):
    """A span of a submitted version that legal says the checker should have flagged."""

    __tablename__ = "claim_misses"
    __table_args__ = (
        UniqueConstraint("version_id", "start", "end", "category"),
        CheckConstraint(f"category IN ({_CATS_SQL})", name="category_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("brief_versions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(500))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    context: Mapped[str] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
