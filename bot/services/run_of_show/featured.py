"""A session's featured SKUs as the run-of-show shows them: the ones set on the session, or else the SKUs
its segments carry (so a planned LIVE never reads "none listed" while its segments sell SKU-001)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.run_of_show import RosSegment
from bot.services.schedule import calendar


@dataclass(frozen=True)
class FeaturedSku:
    sku: str
    name: str | None = None  # the catalogue name, when the SKU is a known product


def featured_skus(session: Session, session_id: int, segs: list[RosSegment], chosen: list | None = None) -> list[FeaturedSku]:
    """The session's featured SKUs; when none are set, the SKUs its segments carry, in plan order.
    `chosen`: the session's featured products when the caller loaded them already (a whole day at once)."""
    chosen = calendar.session_skus(session, session_id) if chosen is None else chosen
    if chosen:
        return [FeaturedSku(p.sku, p.name) for p in chosen]
    out: dict[str, FeaturedSku] = {}
    for seg in segs:
        if seg.sku and seg.sku.upper() not in out:
            out[seg.sku.upper()] = FeaturedSku(seg.sku, seg.product.name if seg.product is not None else None)
    return list(out.values())
