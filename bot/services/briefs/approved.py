"""Which briefs legal approved for a LIVE: read by the run-of-show and the check-in reminder.

Kept apart from decisions.py (which refreshes a posted run-of-show when a brief is
approved) so the two read each other without an import circle.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.briefs import Brief, BriefVersion

RUN_OF_SHOW_KINDS = ("talk_track", "bundle_sheet")


def approved_for_session(session: Session, session_id: int, kinds: tuple[str, ...] = RUN_OF_SHOW_KINDS
                         ) -> list[tuple[Brief, BriefVersion]]:
    """Approved talk tracks and bundle sheets for a LIVE, with the exact version legal approved."""
    stmt = (select(Brief, BriefVersion)
            .join(BriefVersion, (BriefVersion.brief_id == Brief.id) & (BriefVersion.number == Brief.current_version))
            .where(Brief.session_id == session_id, Brief.status == "approved", Brief.kind.in_(kinds))
            .order_by(Brief.kind, Brief.title, Brief.id))
    return [(b, v) for b, v in session.execute(stmt).all()]
