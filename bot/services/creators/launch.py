"""What the run-of-show shows of a campaign: from its launch day to its last day, each of its LIVE sessions names it.

Kept to the database layer on purpose: bot/services/run_of_show/plan.py calls `for_session(s)` and nothing here calls back.
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
    return for_sessions(session, [live], tz).get(live.id, [])


def for_sessions(session: Session, lives: list[LiveSession], tz: ZoneInfo) -> dict[int, list[CampaignNote]]:
    """`for_session` for a day's sessions in one statement (a run-of-show of 40 LIVEs asked 40 times)."""
    days = {live.id: local_date(live.starts_at, tz) for live in lives}
    out: dict[int, list[CampaignNote]] = {}
    if not days:
        return out
    stmt = (select(CampaignSession.session_id, Campaign).join(CampaignSession, CampaignSession.campaign_id == Campaign.id)
            .where(CampaignSession.session_id.in_(days), Campaign.starts_on <= max(days.values()),
                   Campaign.ends_on >= min(days.values()))
            .order_by(Campaign.starts_on, Campaign.id))
    for session_id, c in session.execute(stmt):
        day = days[session_id]
        if c.starts_on <= day <= c.ends_on:
            out.setdefault(session_id, []).append(
                CampaignNote(c.name, c.starts_on == day, [m.creator.handle for m in c.members],
                             [x for x in (c.discount_codes or "").splitlines() if x.strip()]))
    return out
