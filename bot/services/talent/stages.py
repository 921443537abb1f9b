"""Moving a candidate between stages: one conditional UPDATE, one history row and one audit record."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot import clock
from bot.db.talent import Candidate, CandidateEvent
from bot.services import audit
from bot.services.errors import Conflict


def set_stage(session: Session, cand: Candidate, to: str, *, actor: str, reason: str | None = None) -> bool:
    """Move `cand` to `to`; False when it already is there. Two requests moving it at once: one wins, the
    other is told the candidate moved meanwhile."""
    before = cand.stage
    if before == to:
        return False
    now = clock.now()
    done = session.execute(update(Candidate).where(Candidate.id == cand.id, Candidate.stage == before)
                           .values(stage=to, updated_at=now, reason=reason if to in ("declined", "withdrawn") else None)
                           .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Someone moved this candidate at the same moment; open them again to see where they are now.")
    session.refresh(cand)
    session.add(CandidateEvent(candidate_id=cand.id, at=now, actor=actor, from_stage=before, to_stage=to, reason=reason))
    audit.record(session, actor=actor, action="talent.candidate_moved", entity_type="candidate", entity_id=cand.id,
                 before={"stage": before}, after={"stage": to}, reason=reason)
    session.flush()
    return True
