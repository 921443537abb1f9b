"""People and roles. Who may do what is decided here, not by which buttons a person sees."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import ROLES, Person, PersonRole
from bot.services import audit
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.host_tiers import give_entry_tier
from bot.slack_ids import USER_ID_RE

ADMIN = "associate"
ROLE_ALIASES = {"admin": "associate", "associate": "associate", "host": "host", "pa": "pa",
                "legal": "legal", "compliance": "legal", "leadership": "leadership", "lead": "leadership"}
ROLE_LABELS = {"host": "Host", "pa": "PA", "associate": "Associate (admin)", "legal": "Legal", "leadership": "Leadership"}
_MENTION_RE = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


_BY_SLACK_ID = select(Person).where(Person.slack_user_id == bindparam("uid"))  # built once: it runs on most requests


def get(session: Session, slack_user_id: str) -> Person | None:
    return session.scalar(_BY_SLACK_ID, {"uid": slack_user_id})


def get_or_create(session: Session, slack_user_id: str, *, actor: str | None = None) -> Person:
    """The person for a Slack user, created on first contact (the profile is filled later from users.info).

    `actor` is who caused the record (default: the person themself, on first contact)."""
    person = get(session, slack_user_id)
    if person is not None:
        return person
    return create_if_absent(session, slack_user_id, actor=actor)[0]


def create_if_absent(session: Session, slack_user_id: str, *, actor: str | None = None) -> tuple[Person, bool]:
    """Create the person for a Slack user the caller just looked up and did not find: (person, created).
    `created` is False when a concurrent request created them first (then they are returned as found)."""
    if not isinstance(slack_user_id, str) or not USER_ID_RE.match(slack_user_id):
        raise Invalid(f"'{str(slack_user_id)[:40]}' is not a Slack user (user IDs look like U012ABCDEF). Nothing was changed.")
    person = Person(slack_user_id=slack_user_id, created_at=clock.now(), active=True)
    try:
        with session.begin_nested():
            session.add(person)
    except IntegrityError:  # created by a concurrent request
        found = get(session, slack_user_id)
        assert found is not None
        return found, False
    audit.record(session, actor=actor or slack_user_id, action="person.created", entity_type="person",
                 entity_id=person.id, after={"slack_user_id": slack_user_id})
    return person, True


def needs_profile(person: Person) -> bool:
    return person.profile_synced_at is None


def apply_profile(session: Session, person: Person, user: dict[str, Any]) -> None:
    """Copy name, email and time zone from a users.info `user` object."""
    profile = user.get("profile") or {}
    before = audit.snapshot(person, ["real_name", "display_name", "email", "tz"])
    person.real_name = (profile.get("real_name") or user.get("real_name") or None)
    person.display_name = (profile.get("display_name") or None)
    person.email = profile.get("email") or None
    person.tz = user.get("tz") or None
    person.profile_synced_at = clock.now()
    after = audit.snapshot(person, ["real_name", "display_name", "email", "tz"])
    if before != after:
        audit.record(session, actor="system:profile", action="person.profile_synced", entity_type="person",
                     entity_id=person.id, before=before, after=after)


def has_role(person: Person | None, *roles: str) -> bool:
    return person is not None and bool(person.role_names.intersection(roles))


def require_role(person: Person, *roles: str, doing: str) -> None:
    """Refuse unless the person holds one of `roles`."""
    if not has_role(person, *roles):
        who = " or ".join(ROLE_LABELS.get(r, r) for r in roles)
        raise NotAllowed(f"Only {who} can {doing}. If you need access, the associate can add it with "
                         f"`/ops role add @{person.name} {roles[0]}`.")


def normalize_role(text: str) -> str:
    role = ROLE_ALIASES.get(text.strip().lower())
    if role is None:
        raise Invalid(f"'{text}' is not a role. Roles: {', '.join(ROLES)}.")
    return role


def parse_user_ref(session: Session, text: str) -> str:
    """A Slack user ID from `<@U123|name>`, `<@U123>`, `U123` or `@display name` of a known person."""
    text = text.strip()
    m = _MENTION_RE.match(text)
    candidate = m.group(1) if m else text if re.match(r"^[UW][A-Z0-9]+$", text) else None
    if candidate is not None:
        if not USER_ID_RE.match(candidate):
            raise Invalid(f"'{text[:40]}' is not a Slack user (user IDs look like U012ABCDEF). Mention them, like @name.")
        return candidate
    name = text.lstrip("@").strip().lower()
    if name:
        for person in session.scalars(select(Person)):
            if name in {(person.display_name or "").lower(), (person.real_name or "").lower()}:
                return person.slack_user_id
    raise Invalid(f"I can't tell who '{text}' is. Mention them, like @name.")


def grant(session: Session, person: Person, role: str, *, actor: str, reason: str | None = None) -> bool:
    """Give a role; False when the person already had it (so repeating is harmless)."""
    if role in person.role_names:
        return False
    session.add(PersonRole(person_id=person.id, role=role, granted_at=clock.now(), granted_by=actor))
    session.flush()
    session.refresh(person, ["roles"])
    audit.record(session, actor=actor, action="role.granted", entity_type="person", entity_id=person.id,
                 after={"role": role}, reason=reason)
    if role == "host":
        give_entry_tier(session, person, actor=actor)
    return True


def add_role(session: Session, actor: Person, target_user_id: str, role: str) -> tuple[Person, bool]:
    require_role(actor, ADMIN, doing="change roles")
    target = get_or_create(session, target_user_id, actor=actor.slack_user_id)
    return target, grant(session, target, role, actor=actor.slack_user_id)


def remove_role(session: Session, actor: Person, target_user_id: str, role: str) -> tuple[Person, bool]:
    require_role(actor, ADMIN, doing="change roles")
    target = get(session, target_user_id)
    if target is None:
        raise NotFound("That person has not used opsbot yet, so they hold no roles.")
    link = next((r for r in target.roles if r.role == role), None)
    if link is None:
        return target, False
    if role == ADMIN:
        admins = session.scalars(select(PersonRole).where(PersonRole.role == ADMIN)).all()
        if len(admins) <= 1:
            raise Conflict("That is the last associate; add another associate first with `/ops role add @name associate` "
                           "so someone can still run opsbot.")
    target.roles.remove(link)
    session.flush()
    audit.record(session, actor=actor.slack_user_id, action="role.revoked", entity_type="person",
                 entity_id=target.id, before={"role": role})
    return target, True


def bootstrap_roles(session: Session, assignments: dict[str, Iterable[str]]) -> int:
    """Grant the roles named in the environment lists (a floor, re-applied at every start)."""
    granted = 0
    for role, user_ids in assignments.items():
        for uid in user_ids:
            person = get_or_create(session, uid, actor="config")
            if grant(session, person, role, actor="config", reason="bootstrap from environment"):
                granted += 1
    return granted


def everyone(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.id)))


def with_role(session: Session, role: str) -> list[Person]:
    stmt = select(Person).join(PersonRole).where(PersonRole.role == role, Person.active.is_(True)).order_by(Person.id)
    return list(session.scalars(stmt))
