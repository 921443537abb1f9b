"""The entry host tier: a new host starts at the lowest tier (e.g. Rookie) instead of no tier at all, so the
associate can assign them to entry-level LIVEs at once and promote them later with `/schedule tier`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person
from bot.db.schedule import HostTier, PersonHostTier
from bot.services import audit


def give_entry_tier(session: Session, person: Person, *, actor: str) -> HostTier | None:
    """Set the lowest host tier on a host who has none; a host who already has a tier keeps it."""
    if session.get(PersonHostTier, person.id) is not None:
        return None
    tier = session.scalar(select(HostTier).order_by(HostTier.rank).limit(1))
    if tier is None:
        return None  # no tiers defined: nothing to start at
    session.add(PersonHostTier(person_id=person.id, host_tier_id=tier.id, set_at=clock.now(), set_by=actor))
    session.flush()
    audit.record(session, actor=actor, action="schedule.host_tier_set", entity_type="person", entity_id=person.id,
                 before=None, after={"tier": tier.name}, reason="entry tier for a new host")
    return tier
