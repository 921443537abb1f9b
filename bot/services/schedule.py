"""The livestream calendar: sessions and their shifts, assignment, copying a week, publishing, and answers.

A session is created with an open host slot and an open PA slot (Shift rows without a person); a
co-host slot appears when someone is assigned to it. Assignment runs the checks in
bot/services/rules.py. Publishing stores a snapshot of the week; republishing diffs against the
latest snapshot and tells only the people whose shifts moved, were added or were removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot import clock
from bot.db.models import LiveSession, Person, Shift
from bot.db.schedule import HostTier, PersonHostTier, Product, ProductTier, SchedulePublication, SessionSku
from bot.services import audit, edits, notices, outbox, people
from bot.services.errors import Conflict, Invalid, NotAllowed, NotFound
from bot.services.validation import PLAN_WINDOW, InputError, check_window
from bot.services.validation import parse_week, week_label  # noqa: F401  (the one ISO-week parser and label)
from bot.services.rules import ROLE_LABEL, Issue, Rules, assess, load_facts, week_bounds, week_start
from bot.timefmt import local_to_utc, to_local

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


# -- tiers and products ------------------------------------------------------------------------

DEFAULT_HOST_TIERS = (("Rookie", 1), ("Core", 2), ("Lead", 3))
DEFAULT_PRODUCT_TIERS = (("A", "Hero", "Lead"), ("B", "Core", "Core"), ("C", "Long-tail", "Rookie"))


def seed_default_tiers(session: Session) -> bool:
    """Create the default tiers when there are none (migration 0002 seeds the same ones); False if tiers exist."""
    if session.scalar(select(HostTier.id).limit(1)) is not None:
        return False
    by_name = {}
    for name, rank in DEFAULT_HOST_TIERS:
        by_name[name] = HostTier(name=name, rank=rank)
        session.add(by_name[name])
    session.flush()
    for code, name, min_name in DEFAULT_PRODUCT_TIERS:
        session.add(ProductTier(code=code, name=name, min_host_tier_id=by_name[min_name].id))
    session.flush()
    return True


def host_tiers(session: Session) -> list[HostTier]:
    return list(session.scalars(select(HostTier).order_by(HostTier.rank)))


def product_tiers(session: Session) -> list[ProductTier]:
    return list(session.scalars(select(ProductTier).order_by(ProductTier.code)))


def product_tier(session: Session, code: str | None) -> ProductTier | None:
    if not code:
        return None
    return session.scalar(select(ProductTier).where(ProductTier.code == code.strip().upper()))


def host_tier_of(session: Session, person: Person) -> HostTier | None:
    row = session.get(PersonHostTier, person.id)
    return row.tier if row else None


def set_host_tier(session: Session, actor: Actor, target: Person, tier_name: str) -> HostTier:
    who = actor_id(actor, "set host tiers")
    tier = session.scalar(select(HostTier).where(HostTier.name.ilike(tier_name.strip())))
    if tier is None:
        names = ", ".join(t.name for t in host_tiers(session))
        raise Invalid(f"'{tier_name}' is not a host tier. Tiers: {names}.")
    row = session.get(PersonHostTier, target.id)
    before = {"tier": row.tier.name} if row else None
    if row is None:
        session.add(PersonHostTier(person_id=target.id, host_tier_id=tier.id, set_at=clock.now(), set_by=who))
    else:
        row.host_tier_id, row.set_at, row.set_by = tier.id, clock.now(), who
    session.flush()
    audit.record(session, actor=who, action="schedule.host_tier_set", entity_type="person", entity_id=target.id,
                 before=before, after={"tier": tier.name})
    return tier


def add_product(session: Session, actor: Actor, sku: str, name: str, tier_code: str) -> Product:
    who = actor_id(actor, "manage products")
    tier = product_tier(session, tier_code)
    if tier is None:
        raise Invalid(f"'{tier_code}' is not a product tier.")
    sku = sku.strip()
    if not sku or session.scalar(select(Product.id).where(Product.sku == sku)) is not None:
        raise Conflict(f"SKU '{sku}' is empty or already exists.")
    product = Product(sku=sku, name=name.strip() or sku, product_tier_id=tier.id)
    session.add(product)
    session.flush()
    audit.record(session, actor=who, action="schedule.product_added", entity_type="product", entity_id=product.id,
                 after={"sku": sku, "name": product.name, "tier": tier.code})
    return product


def products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.sku)))


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


# -- copying a week ----------------------------------------------------------------------------

@dataclass
class CopyReport:
    created: list[LiveSession] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _same_wall_clock(instant: datetime, days: int, rules: Rules) -> datetime:
    """The same local time `days` later (9 AM stays 9 AM across a DST change)."""
    local = to_local(instant, rules.tz)
    return local_to_utc(local.date() + timedelta(days=days), time(local.hour, local.minute), rules.tz)


def copy_week(session: Session, actor: Actor, target_monday: date, rules: Rules) -> CopyReport:
    """Copy last week's plan into `target_monday`'s week as drafts; clashing people are left out and reported."""
    who = actor_id(actor)
    report = CopyReport()
    source = week_sessions(session, target_monday - timedelta(days=7), rules)
    if not source:
        raise Conflict(f"The week of {target_monday - timedelta(days=7):%b} {(target_monday - timedelta(days=7)).day} has no sessions to copy.")
    existing = {(s.title, s.starts_at) for s in week_sessions(session, target_monday, rules)}
    for src in source:
        start, end = _same_wall_clock(src.starts_at, 7, rules), _same_wall_clock(src.ends_at, 7, rules)
        label = f"{src.title} ({to_local(start, rules.tz):%a %b} {to_local(start, rules.tz).day})"
        if (src.title, start) in existing:
            report.skipped.append(f"{label}: already in the week.")
            continue
        live = create_session(session, actor,
                              SessionInput(src.title, start, end, src.room, src.product_tier,
                                           [p.id for p in session_skus(session, src.id)], src.notes))
        report.created.append(live)
        for sh in sorted(_live_shifts(src), key=lambda x: x.id):
            if sh.person is None or sh.state == "declined":
                continue
            try:
                res = assign(session, actor, live.id, {sh.role: sh.person.slack_user_id}, rules, override=True)
                report.warnings.extend(f"{label}: {i.message}" for i in res.warnings)
            except Invalid as exc:
                report.skipped.append(f"{label}: {sh.person.name} not copied as {ROLE_LABEL[sh.role]}. {' '.join(exc.fields.values())}")
        _copy_call_times(session, src, live)
    audit.record(session, actor=who, action="schedule.week_copied", entity_type="week", entity_id=week_label(target_monday),
                 after={"created": [s.id for s in report.created], "skipped": report.skipped})
    return report


def _copy_call_times(session: Session, src: LiveSession, live: LiveSession) -> None:
    """Keep the source shifts' setup/teardown margins on the copies."""
    session.refresh(live, ["shifts"])
    for role in ROLE_LABEL:
        a, b = slot(src, role), slot(live, role)
        if a and b:
            b.starts_at = live.starts_at - (src.starts_at - a.starts_at)
            b.ends_at = live.ends_at + (a.ends_at - src.ends_at)


# -- publishing --------------------------------------------------------------------------------

def snapshot(session: Session, monday: date, rules: Rules) -> dict[str, dict[str, Any]]:
    """Who works what in the week, keyed by shift ID: what people have been (or will be) told."""
    snap: dict[str, dict[str, Any]] = {}
    for live in week_sessions(session, monday, rules):
        for sh in _live_shifts(live):
            if sh.person is None:
                continue
            snap[str(sh.id)] = {"person": sh.person.slack_user_id, "role": sh.role, "session_id": live.id,
                                "title": live.title, "room": live.room, "starts_at": sh.starts_at.isoformat(),
                                "ends_at": sh.ends_at.isoformat()}
    return snap


@dataclass
class Change:
    kind: str  # added | removed | moved | changed
    shift_id: int
    old: dict[str, Any] | None
    new: dict[str, Any] | None


def diff(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, list[Change]]:
    """Per Slack user, what changed between two snapshots."""
    out: dict[str, list[Change]] = defaultdict(list)
    for sid in sorted(set(old) | set(new), key=int):
        o, n = old.get(sid), new.get(sid)
        if o and n and o["person"] == n["person"]:
            if (o["starts_at"], o["ends_at"]) != (n["starts_at"], n["ends_at"]):
                out[n["person"]].append(Change("moved", int(sid), o, n))
            elif (o["title"], o["room"], o["role"]) != (n["title"], n["room"], n["role"]):
                out[n["person"]].append(Change("changed", int(sid), o, n))
            continue
        if o:
            out[o["person"]].append(Change("removed", int(sid), o, None))
        if n:
            out[n["person"]].append(Change("added", int(sid), None, n))
    return dict(out)


def latest_publication(session: Session, monday: date) -> SchedulePublication | None:
    return session.scalar(select(SchedulePublication).where(SchedulePublication.week_start == monday)
                          .order_by(SchedulePublication.version.desc()).limit(1))


def unpublished_changes(session: Session, monday: date, rules: Rules) -> int | None:
    """How many shift changes are not yet published (None when the week was never published)."""
    latest = latest_publication(session, monday)
    if latest is None:
        return None
    return sum(len(c) for c in diff(latest.snapshot, snapshot(session, monday, rules)).values())


@dataclass
class Published:
    version: int
    notified: list[str]
    changes: int


def publish_week(session: Session, actor: Actor, monday: date, rules: Rules, ops_channel: str | None) -> Published:
    """Publish (or republish) a week: DM each person their shifts (or only their changes) and post the calendar."""
    who = actor_id(actor, "publish the calendar")
    label = week_label(monday)
    latest = latest_publication(session, monday)
    snap = snapshot(session, monday, rules)
    sessions = week_sessions(session, monday, rules)
    if latest is None and not sessions:
        raise Conflict(f"{label} has no sessions yet; add some before publishing.")
    if latest is not None and latest.snapshot == snap and all(s.status != "draft" for s in sessions):
        raise Conflict(f"{label} is already published (version {latest.version}) and nothing changed since, so no messages were sent.")
    version = (latest.version if latest else 0) + 1
    try:
        with session.begin_nested():
            session.add(SchedulePublication(week_start=monday, version=version, published_at=clock.now(),
                                            published_by=who, snapshot=snap))
    except IntegrityError:
        raise Conflict(f"{label} was just published by someone else (a double click?); no second set of messages was sent.") from None
    session.execute(update(LiveSession).where(LiveSession.id.in_([s.id for s in sessions]), LiveSession.status == "draft")
                    .values(status="published"))
    by_id = {sh.id: sh for live in sessions for sh in live.shifts}
    notified: list[str] = []
    if latest is None:
        per_person: dict[str, list[Shift]] = defaultdict(list)
        for sid in snap:
            per_person[snap[sid]["person"]].append(by_id[int(sid)])
        for user_id, shifts in per_person.items():
            notices.dm(session, user_id, "schedule.week_dm", monday, sorted(shifts, key=lambda x: x.starts_at), rules.tz,
                       version, key=f"sched:{label}:v{version}:{user_id}")
            notified.append(user_id)
        changes = len(snap)
    else:
        changes = 0
        for user_id, person_changes in diff(latest.snapshot, snap).items():
            notices.dm(session, user_id, "schedule.changes_dm", monday, person_changes, by_id, rules.tz,
                       key=f"sched:{label}:v{version}:{user_id}")
            notified.append(user_id)
            changes += len(person_changes)
    text, bl = notices.render("schedule.week_calendar", monday, week_sessions(session, monday, rules), rules.tz, version)
    if latest is None:
        outbox.post(session, ops_channel, text, bl, key=f"sched:{label}:v{version}:ops", remember_as=f"schedule:{label}",
                    notice="schedule.week_calendar")
    else:
        outbox.update(session, f"schedule:{label}", text, bl, notice="schedule.week_calendar")
        outbox.post(session, ops_channel, f"Calendar for {label} republished (version {version}): {changes} change(s); "
                    f"{len(notified)} people told.", key=f"sched:{label}:v{version}:ops", thread_of=f"schedule:{label}")
    audit.record(session, actor=who, action="schedule.published", entity_type="week", entity_id=label,
                 after={"version": version, "changes": changes, "notified": notified})
    return Published(version=version, notified=notified, changes=changes)


# -- answers from the people on shift ----------------------------------------------------------

def own_shift(session: Session, person: Person, shift_id: int) -> Shift:
    """The caller's own future shift, or a refusal saying why not."""
    sh = session.get(Shift, shift_id)
    if sh is None or sh.cancelled or (sh.session is not None and sh.session.status == "cancelled"):
        raise NotFound("That shift was cancelled or no longer exists.")
    if sh.person_id != person.id:
        raise NotAllowed("That shift isn't yours (it may have been given to someone else).")
    if sh.starts_at <= clock.now():
        raise Conflict("That shift has already started; talk to the associate directly.")
    return sh


def confirm_shift(session: Session, person: Person, shift_id: int) -> tuple[Shift, bool]:
    """Confirm a shift; (shift, False) when it was already confirmed."""
    sh = own_shift(session, person, shift_id)
    if sh.state == "declined":
        raise Conflict("You already said you can't make this one; ask the associate if that changed.")
    res = session.execute(update(Shift).where(Shift.id == sh.id, Shift.person_id == person.id, Shift.state == "pending")
                          .values(state="confirmed", responded_at=clock.now()).execution_options(synchronize_session="fetch"))
    if res.rowcount == 0:
        return sh, False
    audit.record(session, actor=person.slack_user_id, action="schedule.shift_confirmed", entity_type="shift",
                 entity_id=sh.id, before={"state": "pending"}, after={"state": "confirmed"})
    return sh, True


def decline_shift(session: Session, person: Person, shift_id: int, reason: str | None, rules: Rules,
                  ops_channel: str | None) -> Shift:
    """Can't make it: the slot opens for cover and the associate is alerted in the ops channel."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > MAX_REASON:
        raise Invalid("Keep the reason short.", {"reason": f"Keep it under {MAX_REASON} characters."})
    sh = own_shift(session, person, shift_id)
    before = audit.snapshot(sh, SHIFT_FIELDS)
    res = session.execute(update(Shift).where(Shift.id == sh.id, Shift.person_id == person.id, Shift.state != "declined")
                          .values(state="declined", responded_at=clock.now(), decline_reason=reason, needs_cover=True)
                          .execution_options(synchronize_session="fetch"))
    if res.rowcount == 0:
        raise Conflict("You already told us you can't make this shift; the associate has been alerted.")
    session.refresh(sh)
    audit.record(session, actor=person.slack_user_id, action="schedule.shift_declined", entity_type="shift",
                 entity_id=sh.id, before=before, after=audit.snapshot(sh, SHIFT_FIELDS), reason=reason)
    associates = [p.slack_user_id for p in people.with_role(session, people.ADMIN)]
    notices.post(session, ops_channel, "schedule.cover_alert", sh, person, associates, rules.tz)
    return sh

