"""What the whole calendar shares: who may plan it, the fields an audit records, the current week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal


from bot import clock
from bot.db.models import Person
from bot.services import people
from bot.services.errors import Invalid
from bot.services.schedule.rules import Rules, week_start
from bot.timefmt import to_local


Actor = Person | Literal["cli"]
SESSION_FIELDS = ["title", "starts_at", "ends_at", "room", "product_tier", "status", "notes"]
SHIFT_FIELDS = ["person_id", "role", "starts_at", "ends_at", "state", "needs_cover", "cancelled"]
OPEN_SLOTS = ("host", "pa")
MAX_TITLE, MAX_ROOM, MAX_NOTES, MAX_REASON = 200, 100, 2000, 500
MAX_SESSION = timedelta(hours=16)


class NeedsOverride(Invalid):
    """Only warnings stand in the way: the associate may confirm with 'assign anyway'."""


def actor_id(actor: Actor, doing: str = "plan the calendar") -> str:
    """The associate (or the server operator's CLI) may plan; everyone else is refused."""
    if actor == "cli":
        return "cli"
    assert isinstance(actor, Person)
    people.require_role(actor, people.ADMIN, doing=doing)
    return actor.slack_user_id


# -- weeks -------------------------------------------------------------------------------------

def current_week(rules: Rules) -> date:
    return week_start(to_local(clock.now(), rules.tz).date())




