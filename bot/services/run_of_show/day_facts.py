"""What a day's run-of-show reads about each of its sessions, loaded for all of them at once.

A studio with 40 LIVEs a day made `run_of_show.day_plan` ask the same five questions 40 times
(segments, featured SKUs, approved and waiting briefs, tiers): here each is one statement for the day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.db.briefs import Brief, BriefVersion
from bot.db.models import LiveSession
from bot.db.run_of_show import RosSegment
from bot.db.schedule import PersonHostTier, Product, ProductTier, SessionSku
from bot.services.briefs.approved import RUN_OF_SHOW_KINDS
from bot.services.creators import launch
from bot.services.creators.launch import CampaignNote


@dataclass
class DayFacts:
    segments: dict[int, list[RosSegment]] = field(default_factory=lambda: defaultdict(list))
    skus: dict[int, list[Product]] = field(default_factory=lambda: defaultdict(list))
    approved: dict[int, list[tuple[Brief, BriefVersion]]] = field(default_factory=lambda: defaultdict(list))
    waiting: dict[int, list[Brief]] = field(default_factory=lambda: defaultdict(list))
    product_tiers: dict[str, ProductTier] = field(default_factory=dict)
    host_tiers: list[PersonHostTier] = field(default_factory=list)  # held: the identity map keeps only what is referenced
    campaigns: dict[int, list[CampaignNote]] | None = None  # loaded when a time zone places the sessions' days

    @classmethod
    def load(cls, session: Session, lives: list[LiveSession], tz: ZoneInfo | None = None) -> DayFacts:
        """Everything for `lives` in six statements (seven with `tz`: the campaigns running on each session's
        day); the same answers the per-session queries give."""
        facts = cls()
        ids = [live.id for live in lives]
        if not ids:
            return facts
        if tz is not None:
            facts.campaigns = launch.for_sessions(session, lives, tz)
        for seg in session.scalars(select(RosSegment).where(RosSegment.session_id.in_(ids))
                                   .order_by(RosSegment.offset_min, RosSegment.id)):
            facts.segments[seg.session_id].append(seg)
        for row in session.scalars(select(SessionSku).where(SessionSku.session_id.in_(ids)).order_by(SessionSku.id)):
            facts.skus[row.session_id].append(row.product)
        approved = (select(Brief, BriefVersion)
                    .join(BriefVersion, (BriefVersion.brief_id == Brief.id) & (BriefVersion.number == Brief.current_version))
                    .where(Brief.session_id.in_(ids), Brief.status == "approved", Brief.kind.in_(RUN_OF_SHOW_KINDS))
                    .order_by(Brief.kind, Brief.title, Brief.id))
        for brief, version in session.execute(approved):
            facts.approved[brief.session_id].append((brief, version))
        for brief in session.scalars(select(Brief).where(Brief.session_id.in_(ids), Brief.kind.in_(RUN_OF_SHOW_KINDS),
                                                         Brief.status != "approved").order_by(Brief.id)):
            facts.waiting[brief.session_id].append(brief)
        facts.product_tiers = {t.code: t for t in session.scalars(
            select(ProductTier).options(joinedload(ProductTier.min_host_tier)))}
        people = {sh.person_id for live in lives for sh in live.shifts if sh.person_id is not None}
        if people:  # into the identity map: schedule.host_tier_of then finds each without a query
            facts.host_tiers = list(session.scalars(select(PersonHostTier).options(joinedload(PersonHostTier.tier))
                                 .where(PersonHostTier.person_id.in_(people))))
        return facts
