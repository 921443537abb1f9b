"""LIVE sessions and their shifts: create, edit, cancel, assign, and read a week or a person's shifts.

A session is created with an open host slot and an open PA slot (Shift rows without a person); a
co-host slot appears when someone is assigned to it. Assignment runs the checks in
bot/services/schedule/rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot import clock
from bot.db.models import LiveSession, Person, Shift
from bot.db.schedule import Product, ProductTier, SessionSku
from bot.services import audit, edits, people
from bot.services.errors import Conflict, Invalid, NotFound
from bot.services.validation import PLAN_WINDOW, InputError, check_window
from bot.services.schedule.rules import ROLE_LABEL, Issue, Rules, assess, load_facts, week_bounds
from bot.services.schedule.planner import Actor, MAX_NOTES, MAX_ROOM, MAX_SESSION, MAX_TITLE, NeedsOverride, OPEN_SLOTS, SESSION_FIELDS, SHIFT_FIELDS, actor_id
from bot.services.schedule.catalog import product_tier


# -- sessions ----------------------------------------------------------------------------------

@dataclass
class SessionInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    room: str | None = None
    product_tier: str | None = None
    sku_ids: list[int] = field(default_factory=list)
    notes: str | None = None


def _validate(session: Session, data: SessionInput) -> tuple[SessionInput, ProductTier | None]:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = "Give the session a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title under {MAX_TITLE} characters."
    try:
        check_window(data.starts_at.date(), clock.now().date(), PLAN_WINDOW, label="The session's date")
    except InputError as exc:
        errors["date"] = exc.message
    if data.ends_at <= data.starts_at:
        errors["end"] = "The end must be after the start (tick 'ends after midnight' for a late-night LIVE)."
    elif data.ends_at - data.starts_at > MAX_SESSION:
        errors["end"] = "That is longer than 16 hours; check the times."
    room = (data.room or "").strip() or None
    if room and len(room) > MAX_ROOM:
        errors["room"] = f"Keep the room under {MAX_ROOM} characters."
    notes = (data.notes or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = f"Keep the notes under {MAX_NOTES:,} characters."
    tier = product_tier(session, data.product_tier)
    if data.product_tier and tier is None:
        errors["tier"] = f"'{data.product_tier}' is not a product tier."
    if errors:
        raise Invalid("Some fields need fixing.", errors)
    return SessionInput(title, data.starts_at, data.ends_at, room, tier.code if tier else None, data.sku_ids, notes), tier


def get_session(session: Session, session_id: int) -> LiveSession:
    live = session.get(LiveSession, session_id, options=[selectinload(LiveSession.shifts).joinedload(Shift.person)])
    if live is None:
        raise NotFound("That session no longer exists.")
    return live


def _set_skus(session: Session, live: LiveSession, sku_ids: list[int]) -> None:
    current = {r.product_id: r for r in session.scalars(select(SessionSku).where(SessionSku.session_id == live.id))}
    for pid, row in current.items():
        if pid not in sku_ids:
            session.delete(row)
    for pid in sku_ids:
        if pid not in current:
            if session.get(Product, pid) is None:
                raise Invalid("A featured SKU no longer exists.", {"skus": "Pick SKUs from the list."})
            session.add(SessionSku(session_id=live.id, product_id=pid))


def session_skus(session: Session, session_id: int) -> list[Product]:
    return [r.product for r in session.scalars(select(SessionSku).where(SessionSku.session_id == session_id))]


def create_session(session: Session, actor: Actor, data: SessionInput) -> LiveSession:
    who = actor_id(actor)
    data, _ = _validate(session, data)
    now = clock.now()
    live = LiveSession(title=data.title, starts_at=data.starts_at, ends_at=data.ends_at, room=data.room,
                       product_tier=data.product_tier, status="draft", notes=data.notes, created_at=now)
    session.add(live)
    session.flush()
    for role in OPEN_SLOTS:
        session.add(Shift(session_id=live.id, person_id=None, role=role, starts_at=data.starts_at, ends_at=data.ends_at,
                          cancelled=False, created_at=now, state="pending", needs_cover=False))
    _set_skus(session, live, data.sku_ids)
    session.flush()
    audit.record(session, actor=who, action="schedule.session_created", entity_type="live_session", entity_id=live.id,
                 after=audit.snapshot(live, SESSION_FIELDS))
    return live


def _live_shifts(live: LiveSession) -> list[Shift]:
    return [sh for sh in live.shifts if not sh.cancelled]


def edit_session(session: Session, actor: Actor, session_id: int, data: SessionInput, rules: Rules,
                 *, override: bool = False, seen: str | None = None) -> tuple[LiveSession, list[Issue]]:
    """Change a session; its shifts keep their setup/teardown margins, and assigned people are re-checked."""
    who = actor_id(actor)
    live = edits.lock_current(session, LiveSession, session_id, SESSION_FIELDS, seen, "This session")
    if live.status == "cancelled":
        raise Conflict("That session is cancelled; add a new one instead.")
    data, tier = _validate(session, data)
    before = audit.snapshot(live, SESSION_FIELDS)
    d_start, d_end = data.starts_at - live.starts_at, data.ends_at - live.ends_at
    moves: list[tuple[Shift, datetime, datetime]] = []
    for sh in _live_shifts(live):
        s_at, e_at = sh.starts_at + d_start, sh.ends_at + d_end
        if e_at <= s_at:
            s_at, e_at = data.starts_at, data.ends_at
        moves.append((sh, s_at, e_at))
    warnings: list[Issue] = []
    hard: list[Issue] = []
    assigned = [m for m in moves if m[0].person_id is not None and m[0].state != "declined"]
    if assigned:
        facts = load_facts(session, data.starts_at, data.ends_at, [m[0].person_id for m in assigned])  # type: ignore[misc]
        own = {sh.id for sh in live.shifts}
        min_tier = tier.min_host_tier if tier else None
        for sh, s_at, e_at in assigned:
            for issue in assess(facts[sh.person_id], sh.role, s_at, e_at, min_tier, rules, own):  # type: ignore[index]
                (hard if issue.hard else warnings).append(issue)
    if hard:
        raise Invalid("The change clashes with who is assigned.", {"start": _join(hard)})
    if warnings and not override:
        raise NeedsOverride("Warnings need your OK.", {"override": _join(warnings) + " Tick the box to save anyway."})
    live.title, live.starts_at, live.ends_at = data.title, data.starts_at, data.ends_at
    live.room, live.product_tier, live.notes = data.room, data.product_tier, data.notes
    for sh, s_at, e_at in moves:
        if (sh.starts_at, sh.ends_at) != (s_at, e_at):
            sh.starts_at, sh.ends_at = s_at, e_at
            _reset_answer(sh)
    _set_skus(session, live, data.sku_ids)
    session.flush()
    audit.record(session, actor=who, action="schedule.session_edited", entity_type="live_session", entity_id=live.id,
                 before=before, after=audit.snapshot(live, SESSION_FIELDS),
                 reason=("assigned anyway: " + _join(warnings)) if warnings else None)
    return live, warnings


def cancel_session(session: Session, actor: Actor, session_id: int) -> LiveSession:
    who = actor_id(actor)
    live = get_session(session, session_id)
    if live.status == "cancelled":
        raise Conflict(f"{live.title} is already cancelled.")
    if live.status in ("live", "done"):
        raise Conflict(f"{live.title} has already started; it can't be cancelled.")
    before = audit.snapshot(live, SESSION_FIELDS)
    live.status = "cancelled"
    for sh in live.shifts:
        sh.cancelled = True
    session.flush()
    audit.record(session, actor=who, action="schedule.session_cancelled", entity_type="live_session", entity_id=live.id,
                 before=before, after=audit.snapshot(live, SESSION_FIELDS))
    return live


def _join(issues: list[Issue]) -> str:
    text = " ".join(i.message[0].upper() + i.message[1:] for i in issues)
    return text[:1900]


def _reset_answer(sh: Shift) -> None:
    sh.state, sh.responded_at, sh.decline_reason, sh.needs_cover = "pending", None, None, False


# -- assignment --------------------------------------------------------------------------------

@dataclass
class Assigned:
    changed: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def slot(live: LiveSession, role: str) -> Shift | None:
    """The session's shift for a role (the first one that is not cancelled)."""
    return next((sh for sh in sorted(live.shifts, key=lambda x: x.id) if sh.role == role and not sh.cancelled), None)


def assign(session: Session, actor: Actor, session_id: int, wanted: dict[str, str | None], rules: Rules,
           *, override: bool = False) -> Assigned:
    """Put people (Slack user IDs, None = nobody) in roles on a session, all or nothing.

    Refusals and unconfirmed warnings come back as field errors keyed by role.
    """
    who = actor_id(actor)
    live = get_session(session, session_id)
    if live.status in ("cancelled", "done"):
        raise Conflict(f"{live.title} is {live.status}; nobody can be assigned to it.")
    tier = product_tier(session, live.product_tier)
    min_tier = tier.min_host_tier if tier else None
    plan: list[tuple[str, Shift | None, Person | None]] = []
    for role, user_id in wanted.items():
        if role not in ROLE_LABEL:
            raise Invalid(f"'{role}' is not a shift role.")
        current = slot(live, role)
        person = people.get_or_create(session, user_id) if user_id else None
        if (current.person_id if current else None) == (person.id if person else None):
            continue
        plan.append((role, current, person))
    leaving = {sh.id for _, sh, _ in plan if sh is not None}
    people_in = [p.id for _, _, p in plan if p is not None]
    if len(people_in) != len(set(people_in)):
        raise Invalid("One person can't take two roles on the same session.",
                      {plan[-1][0]: "That person is already in another role on this session."})
    facts = load_facts(session, live.starts_at, live.ends_at, people_in)
    errors: dict[str, str] = {}
    warnings: dict[str, list[Issue]] = {}
    for role, current, person in plan:
        if person is None:
            continue
        s_at, e_at = (current.starts_at, current.ends_at) if current else (live.starts_at, live.ends_at)
        issues = assess(facts[person.id], role, s_at, e_at, min_tier, rules, leaving)
        hard = [i for i in issues if i.hard]
        if hard:
            errors[role] = _join(hard)
        elif issues:
            warnings[role] = issues
    if errors:
        raise Invalid("That assignment can't be made.", errors)
    if warnings and not override:
        raise NeedsOverride("Warnings need your OK.", {r: _join(w) + " Tick 'Assign anyway' to go ahead." for r, w in warnings.items()})
    result = Assigned(warnings=[i for w in warnings.values() for i in w])
    now = clock.now()
    for role, current, person in plan:
        if current is None:
            current = Shift(session_id=live.id, role=role, starts_at=live.starts_at, ends_at=live.ends_at,
                            cancelled=False, created_at=now, state="pending", needs_cover=False)
            session.add(current)
            session.flush()
        before = audit.snapshot(current, SHIFT_FIELDS)
        current.person = person
        _reset_answer(current)
        if person is None and role == "cohost":
            current.cancelled = True  # a co-host slot exists only while someone fills it
        session.flush()
        audit.record(session, actor=who, action="schedule.assigned" if person else "schedule.unassigned",
                     entity_type="shift", entity_id=current.id, before=before, after=audit.snapshot(current, SHIFT_FIELDS),
                     reason=("assigned anyway: " + _join(warnings[role])) if role in warnings else None)
        result.changed.append(role)
    session.expire(live, ["shifts"])
    return result


# -- reading a week ----------------------------------------------------------------------------

def week_sessions(session: Session, monday: date, rules: Rules, *, include_cancelled: bool = False) -> list[LiveSession]:
    start, end = week_bounds(monday, rules.tz)
    stmt = (select(LiveSession).options(selectinload(LiveSession.shifts).joinedload(Shift.person))
            .where(LiveSession.starts_at >= start, LiveSession.starts_at < end).order_by(LiveSession.starts_at, LiveSession.id))
    if not include_cancelled:
        stmt = stmt.where(LiveSession.status != "cancelled")
    return list(session.scalars(stmt).unique())


def shifts_for(session: Session, person: Person, start: datetime, end: datetime, *, published_only: bool = True) -> list[Shift]:
    stmt = (select(Shift).join(LiveSession, Shift.session_id == LiveSession.id)
            .options(selectinload(Shift.session))
            .where(Shift.person_id == person.id, Shift.cancelled.is_(False), LiveSession.status != "cancelled",
                   Shift.ends_at > start, Shift.starts_at < end).order_by(Shift.starts_at))
    if published_only:
        stmt = stmt.where(LiveSession.status != "draft")
    return list(session.scalars(stmt))


def my_shifts(session: Session, person: Person, now: datetime, days: int = 14) -> list[Shift]:
    """The caller's published shifts from now to `days` ahead (including the one in progress)."""
    return shifts_for(session, person, now, now + timedelta(days=days))


def scheduled_hours(session: Session, person: Person, start: datetime, end: datetime) -> timedelta:
    total = timedelta()
    for sh in shifts_for(session, person, start, end):
        if sh.state != "declined":
            total += min(sh.ends_at, end) - max(sh.starts_at, start)
    return total




