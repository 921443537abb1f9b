"""Which Slack workspace opsbot is installed in, remembered so it holds while Slack is unreachable.

auth.test names the installation's team (and Enterprise Grid org). It is recorded in the audit log
(entity "installation") when first learned or when it changes, so a process that starts during a
Slack outage still knows whose requests to serve.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRecord
from bot.services import audit

ENTITY = "installation"


@dataclass(frozen=True)
class Workspace:
    team_id: str
    enterprise_id: str | None = None
    enterprise_known: bool = True  # False when only SLACK_TEAM_ID is known (auth.test has not answered)

    def admits(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """True for a request from this workspace (a request naming no team or org is not refused here)."""
        if team_id and team_id != self.team_id:
            return False
        return not (self.enterprise_known and enterprise_id and enterprise_id != self.enterprise_id)


def remembered(session: Session) -> Workspace | None:
    """The workspace last learned from auth.test, if any."""
    rec = session.scalar(select(AuditRecord).where(AuditRecord.entity_type == ENTITY)
                         .order_by(AuditRecord.id.desc()).limit(1))
    team = (rec.after or {}).get("team_id") if rec is not None else None
    return Workspace(team, (rec.after or {}).get("enterprise_id")) if team else None


def remember(session: Session, workspace: Workspace) -> bool:
    """Record the workspace unless it is already the remembered one; True when recorded."""
    known = remembered(session)
    if known == workspace:
        return False
    audit.record(session, actor="system:auth.test", action="installation.identified", entity_type=ENTITY,
                 entity_id=workspace.team_id,
                 before={"team_id": known.team_id, "enterprise_id": known.enterprise_id} if known else None,
                 after={"team_id": workspace.team_id, "enterprise_id": workspace.enterprise_id})
    return True
