"""Copying a week and publishing it: a snapshot per publication, and a diff that tells only the people
whose shifts moved, were added or were removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import LiveSession, Shift
from bot.db.schedule import SchedulePublication
from bot.services import audit, notices, outbox
from bot.services.validation import week_label
from bot.services.errors import Conflict, Invalid
from bot.services.schedule.rules import ROLE_LABEL, Rules
from bot.timefmt import local_to_utc, to_local
from bot.services.schedule.planner import Actor, actor_id
from bot.services.schedule.calendar import SessionInput, _live_shifts, assign, create_session, session_skus, slot, week_sessions


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



