"""Host tier advancement: criteria as data (bot/data/talent/tiers.toml, or TALENT_TIERS_FILE), a weekly
evaluation that proposes a promotion, a hold or a review for every host with the numbers that decided it,
and leadership's decision. An approved change takes effect from the next schedule week (the Monday after
the decision) and is kept as tier history; the host is told."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person, PersonRole
from bot.db.schedule import HostTier, PersonHostTier
from bot.db.talent import TierChange, TierProposal
from bot.services import audit, notices, people
from bot.services.errors import Conflict, Invalid, NotFound
from bot.services.host_tiers import give_entry_tier
from bot.services.talent.access import clean_text
from bot.services.talent.numbers import NUMBER_LABEL, host_numbers
from bot.services.validation import week_label
from bot.timefmt import day_bounds

DEFAULT_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "talent" / "tiers.toml"
NUMBERS = tuple(NUMBER_LABEL)


@dataclass(frozen=True)
class TierRule:
    name: str
    promote_to: str | None
    promote: dict[str, float] = field(default_factory=dict)
    review: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Criteria:
    window_weeks: int
    tiers: dict[str, TierRule]


@dataclass(frozen=True)
class Verdict:
    kind: str  # promote | hold | review
    to_tier: str | None
    reasons: list[str]


def _check_keys(where: str, rules: dict[str, Any], prefixes: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for key, value in rules.items():
        prefix, _, number = key.partition("_")
        if prefix not in prefixes or number not in NUMBERS or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{where}: '{key} = {value}' is not a criterion (use {'/'.join(prefixes)}_ and one of "
                          f"{', '.join(NUMBERS)}, with a number).")
        out[key] = float(value)
    return out


def load_criteria(path: Path | None = None) -> Criteria:
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise Invalid(f"The tier criteria file {path.name} can't be read: {exc}") from None
    weeks = data.get("window_weeks", 4)
    if not isinstance(weeks, int) or not 1 <= weeks <= 26:
        raise Invalid(f"{path.name}: window_weeks must be a whole number of weeks from 1 to 26.")
    tiers = {}
    for name, body in (data.get("tiers") or {}).items():
        where = f"{path.name} [tiers.{name}]"
        tiers[name.lower()] = TierRule(name=name, promote_to=body.get("promote_to"),
                                       promote=_check_keys(where, body.get("promote") or {}, ("min", "max")),
                                       review=_check_keys(where, body.get("review") or {}, ("min", "max")))
    return Criteria(weeks, tiers)


def from_settings(settings) -> Criteria:  # type: ignore[no-untyped-def]
    """The criteria file named by TALENT_TIERS_FILE, or the shipped one."""
    return load_criteria(Path(settings.talent_tiers_file) if settings.talent_tiers_file else None)


def _meets(key: str, limit: float, numbers: dict[str, Any]) -> tuple[bool, str]:
    kind, _, name = key.partition("_")
    value = numbers.get(name)
    label = NUMBER_LABEL[name]
    if value is None:
        return False, f"{label}: no data"
    ok = value >= limit if kind == "min" else value <= limit
    sign = "≥" if kind == "min" else "≤"
    return ok, f"{label} {_fmt(value)} ({'meets' if ok else 'needs'} {sign} {_fmt(limit)})"


def _fmt(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".") if isinstance(v, float) and not v.is_integer() else f"{int(v):,}"


def evaluate(rule: TierRule | None, numbers: dict[str, Any]) -> Verdict:
    """Review if any review trigger is met; promote if there is a next tier and every promote criterion holds; else hold."""
    if rule is None:
        return Verdict("hold", None, ["no criteria for this tier in the tier file"])
    triggers = [text for key, limit in rule.review.items() for ok, text in [_meets(key, limit, numbers)] if ok]
    if triggers:
        return Verdict("review", None, triggers)
    if rule.promote_to and rule.promote:
        checks = [_meets(key, limit, numbers) for key, limit in rule.promote.items()]
        if all(ok for ok, _ in checks):
            return Verdict("promote", rule.promote_to, [t for _, t in checks])
        return Verdict("hold", None, [t for ok, t in checks if not ok] + [t for ok, t in checks if ok])
    return Verdict("hold", None, ["top tier: nothing to promote to"])


def hosts(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).join(PersonRole).where(PersonRole.role == "host", Person.active)
                                .order_by(Person.id)))


def window(monday: date, weeks: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start, _ = day_bounds(monday - timedelta(weeks=weeks), tz)
    end, _ = day_bounds(monday, tz)
    return start, end


def current_tier(session: Session, person: Person) -> HostTier | None:
    row = session.get(PersonHostTier, person.id)
    if row is None:
        return give_entry_tier(session, person, actor="system:tiers")  # never "no tier"
    return row.tier


def evaluate_week(session: Session, monday: date, tz: ZoneInfo, criteria: Criteria, channel: str | None) -> list[TierProposal]:
    """Propose for every host (once per week: a second run finds the proposals made); promotions and reviews
    go to leadership with Approve / Decline, holds are noted."""
    label = week_label(monday)
    start, end = window(monday, criteria.window_weeks, tz)
    made = []
    for person in hosts(session):
        if session.scalar(select(TierProposal.id).where(TierProposal.person_id == person.id, TierProposal.week == label)):
            continue
        tier = current_tier(session, person)
        numbers = host_numbers(session, person, start, end)
        verdict = evaluate(criteria.tiers.get(tier.name.lower()) if tier else None, numbers)
        prop = TierProposal(person_id=person.id, week=label, kind=verdict.kind, from_tier=tier.name if tier else None,
                            to_tier=verdict.to_tier, numbers=numbers, reasons=verdict.reasons,
                            status="noted" if verdict.kind == "hold" else "pending", created_at=clock.now())
        session.add(prop)
        session.flush()
        audit.record(session, actor="system:tiers", action="talent.tier_proposed", entity_type="tier_proposal",
                     entity_id=prop.id, after={"host": person.slack_user_id, "kind": prop.kind, "to": prop.to_tier})
        made.append(prop)
    pending = [p for p in made if p.status == "pending"]
    notices.post(session, channel, "talent.tier_evaluation", label, made, key=f"tier-eval:{label}")
    for prop in pending:
        notices.post(session, channel, "talent.tier_proposal", prop, key=f"tier-prop:{prop.id}",
                     remember_as=f"tier-prop:{prop.id}")
    return made


def next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def decide(session: Session, actor: Person, proposal_id: int, approve: bool, note: str | None, today: date) -> TierProposal:
    """Leadership approves or declines a proposal; an approved promotion changes the tier from next Monday."""
    people.require_role(actor, "leadership", doing="approve or decline tier changes")
    note = clean_text(note, field="note", label="The note", limit=1000)
    prop = session.get(TierProposal, proposal_id)
    if prop is None:
        raise NotFound("That tier proposal no longer exists.")
    status = "approved" if approve else "declined"
    if prop.status == status:
        return prop  # a double click
    if prop.status != "pending":
        raise Conflict(f"That proposal was already {prop.status} by <@{prop.decided_by}>." if prop.decided_by
                       else "That proposal needs no decision.")
    done = session.execute(update(TierProposal).where(TierProposal.id == prop.id, TierProposal.status == "pending")
                           .values(status=status, decided_by=actor.slack_user_id, decided_at=clock.now(), note=note)
                           .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    session.refresh(prop)
    if not done:
        raise Conflict("Someone decided this proposal a moment ago.")
    audit.record(session, actor=actor.slack_user_id, action=f"talent.tier_{status}", entity_type="tier_proposal",
                 entity_id=prop.id, after={"kind": prop.kind, "to": prop.to_tier}, reason=note)
    change = None
    if approve and prop.kind == "promote" and prop.to_tier:
        change = TierChange(person_id=prop.person_id, from_tier=prop.from_tier, to_tier=prop.to_tier,
                            effective_on=next_monday(today), proposal_id=prop.id, actor=actor.slack_user_id,
                            reason=note or f"weekly evaluation {prop.week}", created_at=clock.now())
        session.add(change)
        session.flush()
    notices.update(session, f"tier-prop:{prop.id}", "talent.tier_proposal", prop)
    if change is not None:
        notices.dm(session, prop.person.slack_user_id, "talent.tier_changed", change, key=f"tier-change:{change.id}")
    elif approve and prop.kind == "review":
        notices.dm(session, prop.person.slack_user_id, "talent.tier_review", prop, key=f"tier-review:{prop.id}")
    return prop


def apply_due(session: Session, today: date) -> int:
    """Apply approved changes whose Monday has come (the week's schedule from then on uses the new tier)."""
    applied = 0
    for change in session.scalars(select(TierChange).where(TierChange.applied_at.is_(None), TierChange.effective_on <= today)
                                  .order_by(TierChange.id)):
        tier = session.scalar(select(HostTier).where(HostTier.name == change.to_tier))
        if tier is None:
            continue
        row = session.get(PersonHostTier, change.person_id)
        before = row.tier.name if row else None
        if row is None:
            session.add(PersonHostTier(person_id=change.person_id, host_tier_id=tier.id, set_at=clock.now(), set_by=change.actor))
        else:
            row.host_tier_id, row.set_at, row.set_by = tier.id, clock.now(), change.actor
        change.applied_at = clock.now()
        audit.record(session, actor="system:tiers", action="schedule.host_tier_set", entity_type="person",
                     entity_id=change.person_id, before={"tier": before}, after={"tier": tier.name},
                     reason=f"approved tier change #{change.id}")
        applied += 1
    session.flush()
    return applied


def history(session: Session, person: Person) -> list[TierChange]:
    return list(session.scalars(select(TierChange).where(TierChange.person_id == person.id).order_by(TierChange.id.desc())))


def pending(session: Session) -> list[TierProposal]:
    return list(session.scalars(select(TierProposal).where(TierProposal.status == "pending").order_by(TierProposal.id)))


def latest_numbers(session: Session, person: Person, today: date, tz: ZoneInfo, criteria: Criteria) -> tuple[dict[str, Any], TierRule | None]:
    """The host's own numbers over the current window, with their tier's rule (for their App Home)."""
    start, end = window(next_monday(today), criteria.window_weeks, tz)
    end = min(end, clock.now())
    row = session.get(PersonHostTier, person.id)
    return host_numbers(session, person, start, end), criteria.tiers.get(row.tier.name.lower()) if row else None
