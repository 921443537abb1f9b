"""Pay rates with effective dates (per role or for any role), contractors, and the meal waiver on file.

Only the associate (or the operator's CLI) sets them; every change is audited. A second identical
`pay rate` changes nothing (idempotent); a different rate from the same day replaces that day's rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Person
from bot.db.payroll import PayProfile, PayRate
from bot.services import audit, people
from bot.services.errors import Invalid, NotFound
from bot.services.schedule.xlsx import PersonIndex
from bot.services.validation import InputError, parse_decimal
from bot.slack_ids import USER_ID_RE

Actor = Person | Literal["cli"]
MAX_RATE = Decimal("10000.00")


def actor_id(actor: Actor, doing: str) -> str:
    if actor == "cli":
        return "cli"
    assert isinstance(actor, Person)
    people.require_role(actor, people.ADMIN, doing=doing)
    return actor.slack_user_id


def find_person(session: Session, ref: str) -> Person:
    """A Slack user ID or mention, an email, or an exact display or real name, as in the schedule import."""
    ref = (ref or "").strip()
    if ref.startswith("<@") or USER_ID_RE.match(ref):
        return people.get_or_create(session, people.parse_user_ref(session, ref), actor="cli")
    try:
        return PersonIndex(session).find(ref)
    except ValueError as exc:
        raise NotFound(f"{str(exc)[0].upper()}{str(exc)[1:]}: use their Slack user ID, email or exact display name. "
                       "Nothing was changed.") from None


def parse_rate(text: str, *, label: str = "The rate", maximum: Decimal = MAX_RATE, field: str | None = None) -> Decimal:
    """Dollars with at most 2 decimals, up to `maximum` (a long number is refused before Decimal sees it)."""
    text = str(text or "").strip().lstrip("$").replace(",", "")
    if len(text) > 14:
        raise InputError(f"{label} is too large: the most is {maximum:,.2f}.", field)
    return parse_decimal(text, field=field, label=label, places=2, minimum=Decimal(0), maximum=maximum)


@dataclass
class RateChange:
    person: Person
    rate: PayRate
    changed: bool


def set_rate(session: Session, actor: Actor, person_ref: str, rate_text: str, *, role: str | None = None,
             effective_from: date, contractor: bool = False, now: datetime) -> RateChange:
    who = actor_id(actor, "set pay rates")
    rate = parse_rate(rate_text)
    role = (role or "any").strip().lower()
    if role not in ("any", "host", "pa"):
        raise Invalid(f"'{role[:20]}' is not a role for pay rates: use host or pa (or leave it out for any role).")
    person = find_person(session, person_ref)
    row = session.scalar(select(PayRate).where(PayRate.person_id == person.id, PayRate.role == role,
                                               PayRate.effective_from == effective_from))
    fields = ["rate", "contractor", "role", "effective_from"]
    if row is not None and Decimal(row.rate) == rate and row.contractor == contractor:
        return RateChange(person, row, False)
    before = audit.snapshot(row, fields) if row is not None else None
    if row is None:
        row = PayRate(person_id=person.id, role=role, effective_from=effective_from, created_by=who, created_at=now, rate=rate,
                      contractor=contractor)
        session.add(row)
    else:
        row.rate, row.contractor, row.created_by, row.created_at = rate, contractor, who, now
    session.flush()
    audit.record(session, actor=who, action="payroll.rate_set", entity_type="person", entity_id=person.id,
                 before=before, after={k: str(v) if isinstance(v, Decimal) else v for k, v in audit.snapshot(row, fields).items()})
    return RateChange(person, row, True)


def rates_of(session: Session, person: Person) -> list[PayRate]:
    return list(session.scalars(select(PayRate).where(PayRate.person_id == person.id)
                                .order_by(PayRate.effective_from, PayRate.role)))


def set_waiver(session: Session, actor: Actor, person_ref: str, on: bool, now: datetime) -> tuple[Person, bool]:
    """Record (or withdraw) the person's meal waiver on file; (person, changed)."""
    who = actor_id(actor, "record meal waivers")
    person = find_person(session, person_ref)
    profile = session.get(PayProfile, person.id)
    if profile is not None and profile.meal_waiver == on:
        return person, False
    if profile is None:
        profile = PayProfile(person_id=person.id, meal_waiver=on, updated_by=who, updated_at=now)
        session.add(profile)
    else:
        profile.meal_waiver, profile.updated_by, profile.updated_at = on, who, now
    session.flush()
    audit.record(session, actor=who, action="payroll.meal_waiver_set", entity_type="person", entity_id=person.id,
                 after={"meal_waiver": on})
    return person, True


def describe_change(change: RateChange) -> str:
    r = change.rate
    what = f"${Decimal(r.rate):.2f}/h" + ("" if r.role == "any" else f" as {r.role}") + (" (contractor, 1099)" if r.contractor else "")
    if not change.changed:
        return f"{change.person.name} already has {what} from {r.effective_from.isoformat()}; nothing changed."
    return f"{change.person.name}: {what} from {r.effective_from.isoformat()}."
