"""Who may use the talent side: the associate and leadership; a host sees only their own records."""

from __future__ import annotations

from bot.db.models import Person
from bot.services import people

TALENT_ROLES = ("associate", "leadership")


def require_talent(person: Person | str, doing: str) -> str:
    """The actor's Slack ID when they are the associate or leadership ("cli" for the server operator's command
    line); refused with a reason otherwise."""
    if person == "cli":
        return "cli"
    assert isinstance(person, Person)
    people.require_role(person, *TALENT_ROLES, doing=doing)
    return person.slack_user_id


def is_talent(person: Person | None) -> bool:
    return people.has_role(person, *TALENT_ROLES)


def clean_text(value: object, *, field: str, label: str, limit: int, required: bool = False) -> str | None:
    """Trimmed text without NUL bytes, refused when over `limit` characters (or missing when required)."""
    from bot.services.validation import InputError

    text = "" if value is None else str(value).replace("\x00", "").strip()
    if not text:
        if required:
            raise InputError(f"{label} is missing.", field)
        return None
    if len(text) > limit:
        raise InputError(f"{label} is too long: at most {limit:,} characters (this has {len(text):,}).", field)
    return text
