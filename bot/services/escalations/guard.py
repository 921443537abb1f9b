"""Guards on changing an open escalation from the Update modal.

Lowering a severity stops SEV1/SEV2 re-escalation, so only responders (ESCALATION_RESPONDER_ROLES)
may lower one; anyone with a role may still raise it. The modal carries the escalation's version
so a double submit posts one update, not two (bot.services.edits).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from bot.db.escalations import Escalation
from bot.db.models import Person
from bot.services import edits, people
from bot.services.errors import Invalid

UPDATE_FIELDS = ["severity", "status", "owner", "last_update"]


def version(esc: Escalation) -> str:
    return edits.version(esc, UPDATE_FIELDS)


def new_severity(esc: Escalation, picked: str | None) -> int:
    return int(picked) if picked in ("1", "2", "3", "4") else esc.severity


def locked_for_update(s: Session, actor: Person, esc_id: int, picked: str | None, seen: str | None,
                      responder_roles: Iterable[str]) -> Escalation:
    """The escalation, locked; refuses a stale form and a non-responder lowering the severity."""
    esc = edits.lock(s, Escalation, esc_id, f"Escalation #{esc_id}")
    edits.require_current(esc, UPDATE_FIELDS, seen, f"Escalation #{esc.id}")
    roles = tuple(responder_roles)
    target = new_severity(esc, picked)
    if target > esc.severity and not people.has_role(actor, *roles):
        who = " or ".join(people.ROLE_LABELS.get(r, r) for r in roles)
        raise Invalid("Only responders can lower a severity.", {
            "severity": f"Only {who} can lower SEV{esc.severity}; it stays SEV{esc.severity} and keeps "
                        "re-escalating until a responder acts. Nothing was posted."})
    return esc
