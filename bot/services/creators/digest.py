"""The weekly creator digest for OPS_CHANNEL: deliverables due this week, late ones (and how late), posted ones
with their links, and samples not delivered yet. Plain data here; bot/blocks/creators_notes.py words it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.creators import DELIVERABLE_STATUSES, Campaign, Deliverable
from bot.services import notices
from bot.services.creators.common import CreatorPolicy
from bot.services.creators.deliverables import link_of, rank


@dataclass
class Digest:
    monday: date
    today: date
    due: list[Deliverable] = field(default_factory=list)
    late: list[tuple[Deliverable, int]] = field(default_factory=list)  # with days late
    posted: list[tuple[Deliverable, str | None]] = field(default_factory=list)  # with the posted link
    samples: list[Deliverable] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.due or self.late or self.posted or self.samples)


def build(session: Session, today: date, now: datetime) -> Digest:
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    not_posted = DELIVERABLE_STATUSES[:rank("posted")]
    base = select(Deliverable).join(Campaign, Campaign.id == Deliverable.campaign_id).order_by(Deliverable.due_on, Deliverable.id)
    out = Digest(monday, today)
    open_rows = list(session.scalars(base.where(Deliverable.status.in_(not_posted))))
    out.due = [d for d in open_rows if today <= d.due_on <= sunday]
    out.late = [(d, (today - d.due_on).days) for d in open_rows if d.due_on < today]
    out.samples = [d for d in open_rows if d.status in ("planned", "sample_shipped") and d.campaign.ends_on >= today]
    week_ago = now - timedelta(days=7)
    posted = session.scalars(base.where(Deliverable.posted_at.is_not(None), Deliverable.posted_at >= week_ago))
    out.posted = [(d, link_of(d, "posted")) for d in posted]
    return out


def post(session: Session, today: date, now: datetime, policy: CreatorPolicy, run_key: str) -> Digest | None:
    """Queue the digest in OPS_CHANNEL (keyed by the job's run, so one per week unless forced); None without a channel."""
    if not policy.ops_channel:
        return None
    digest = build(session, today, now)
    notices.post(session, policy.ops_channel, "creators.digest", digest, policy.tz, key=f"creator-digest:{run_key}")
    return digest
