"""What the run-of-show shows of a campaign: from its launch day to its last day, each of its LIVE sessions names it.

Kept to the database layer on purpose: bot/services/run_of_show/plan.py calls `for_session` and nothing here calls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.creators import Campaign, CampaignSession
from bot.db.models import LiveSession
from bot.timefmt import local_date


@dataclass(frozen=True)
class CampaignNote:
    name: str
    launch_day: bool
    handles: list[str]
    codes: list[str]


def for_session(session: Session, live: LiveSession, tz: ZoneInfo) -> list[CampaignNote]:
    """Campaigns that list this session and run on its day (launched that day or earlier, not ended)."""
    day = local_date(live.starts_at, tz)
    stmt = (select(Campaign).join(CampaignSession, CampaignSession.campaign_id == Campaign.id)
            .where(CampaignSession.session_id == live.id, Campaign.starts_on <= day, Campaign.ends_on >= day)
            .order_by(Campaign.starts_on, Campaign.id))
    return [CampaignNote(c.name, c.starts_on == day, [m.creator.handle for m in c.members],
                         [x for x in (c.discount_codes or "").splitlines() if x.strip()])
            for c in session.scalars(stmt)]
