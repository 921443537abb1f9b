"""Onboarding checklists: copied per new host from the template the associate edits, each item with an
owner (the host or the associate) and a due date relative to the start date. Overdue items nudge their
owner once a day; the host ticks their own items, the associate any. When every item is done the hire's
candidate becomes active."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import clock
from bot.db.models import Person
from bot.db.talent import Candidate, OnboardingItem, OnboardingTemplateItem
from bot.services import audit, notices, people
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.talent.access import require_talent
from bot.services.talent.stages import set_stage

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent.parent / "data" / "talent" / "onboarding.toml"
OWNERS = ("host", "associate")
MAX_ITEMS = 30
_LINE_RE = re.compile(r"^\s*(host|associate)\s*[,;|]\s*([+-]?\d{1,3})\s*[,;|]\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Progress:
    person: Person
    done: int
    total: int
    overdue: list[OnboardingItem]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40] or "item"


def template(session: Session) -> list[OnboardingTemplateItem]:
    """The active template items in order; the first call seeds them from the shipped file."""
    if session.scalar(select(OnboardingTemplateItem.id).limit(1)) is None:
        data = tomllib.loads(DEFAULT_TEMPLATE.read_text())
        for pos, item in enumerate(data["item"]):
            session.add(OnboardingTemplateItem(key=item["key"], title=item["title"], owner=item["owner"],
                                               due_days=int(item["due_days"]), position=pos, active=True))
        session.flush()
    return list(session.scalars(select(OnboardingTemplateItem).where(OnboardingTemplateItem.active)
                                .order_by(OnboardingTemplateItem.position)))


def template_text(items: list[OnboardingTemplateItem]) -> str:
    return "\n".join(f"{i.owner}, {i.due_days:+d}, {i.title}" for i in items)


def edit_template(session: Session, actor: Person, text: str) -> list[OnboardingTemplateItem]:
    """Replace the template with one line per item: `owner, days after start, title` (e.g. `host, +3, Training`).

    Checklists already started keep their items; new hires get the new template."""
    who = require_talent(actor, "edit the onboarding template")
    lines = [ln for ln in (text or "").replace("\x00", "").splitlines() if ln.strip()]
    if not lines:
        raise Invalid("The template needs at least one item.", {"items": "Write at least one item."})
    if len(lines) > MAX_ITEMS:
        raise Invalid(f"The template can have at most {MAX_ITEMS} items.", {"items": f"At most {MAX_ITEMS} items."})
    parsed: list[tuple[str, int, str]] = []
    for n, line in enumerate(lines, 1):
        m = _LINE_RE.match(line)
        if not m or len(m.group(3)) > 200 or abs(int(m.group(2))) > 365:
            msg = f"Line {n} should read `owner, days, title` (owner host or associate, days -365 to 365), like `host, +3, Training`."
            raise Invalid(msg, {"items": msg[:150]})
        parsed.append((m.group(1).lower(), int(m.group(2)), m.group(3)))
    before = template_text(template(session))
    existing = {t.title.lower(): t for t in session.scalars(select(OnboardingTemplateItem))}
    keys = {t.key for t in existing.values()}
    for t in existing.values():
        t.active = False
    for pos, (owner, days, title) in enumerate(parsed):
        row = existing.get(title.lower())
        if row is None:
            key, n = _slug(title), 2
            while key in keys:
                key, n = f"{_slug(title)[:36]}_{n}", n + 1
            keys.add(key)
            row = OnboardingTemplateItem(key=key, title=title)
            session.add(row)
        row.owner, row.due_days, row.position, row.active = owner, days, pos, True
    session.flush()
    items = template(session)
    audit.record(session, actor=who, action="talent.onboarding_template_edited", entity_type="onboarding_template",
                 entity_id="default", before={"items": before}, after={"items": template_text(items)})
    return items


def start(session: Session, person: Person, start_on: date, *, actor: str) -> int:
    """Give a new host their checklist (items they already have are kept): how many items were added."""
    have = set(session.scalars(select(OnboardingItem.key).where(OnboardingItem.person_id == person.id)))
    added = 0
    for t in template(session):
        if t.key in have:
            continue
        session.add(OnboardingItem(person_id=person.id, key=t.key, title=t.title, owner=t.owner, position=t.position,
                                   due_on=start_on + timedelta(days=t.due_days)))
        added += 1
    session.flush()
    if added:
        audit.record(session, actor=actor, action="talent.onboarding_started", entity_type="person", entity_id=person.id,
                     after={"start_on": start_on, "items": added})
    return added


def checklist(session: Session, viewer: Person, person: Person) -> list[OnboardingItem]:
    if viewer.id != person.id:
        require_talent(viewer, "see someone else's onboarding checklist")
    return list(session.scalars(select(OnboardingItem).where(OnboardingItem.person_id == person.id)
                                .order_by(OnboardingItem.position, OnboardingItem.id)))


def tick(session: Session, actor: Person, item_id: int, done: bool = True) -> OnboardingItem:
    """Tick (or untick) an item: the host their own host items, the associate or leadership any item."""
    item = session.get(OnboardingItem, item_id)
    if item is None:
        raise NotFound("That checklist item no longer exists.")
    own = item.person_id == actor.id and item.owner == "host"
    if not own and not people.has_role(actor, "associate", "leadership"):
        if item.person_id == actor.id:
            raise NotAllowed(f"'{item.title}' is the associate's to tick, not yours; it will show as done once they have.")
        raise NotAllowed("You can only tick items on your own onboarding checklist.")
    if (item.done_at is not None) == done:
        return item  # already so: a double click changes nothing
    now = clock.now()
    changed = session.execute(update(OnboardingItem).where(OnboardingItem.id == item.id,
                                                           OnboardingItem.done_at.is_(None) if done else OnboardingItem.done_at.isnot(None))
                              .values(done_at=now if done else None, done_by=actor.slack_user_id if done else None)
                              .execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
    session.refresh(item)
    if changed:
        audit.record(session, actor=actor.slack_user_id, action="talent.onboarding_ticked" if done else "talent.onboarding_unticked",
                     entity_type="onboarding_item", entity_id=item.id, after={"key": item.key, "done": done})
        _maybe_active(session, item.person_id, actor.slack_user_id)
    return item


def _maybe_active(session: Session, person_id: int, actor: str) -> None:
    left = session.scalar(select(OnboardingItem.id).where(OnboardingItem.person_id == person_id,
                                                          OnboardingItem.done_at.is_(None)).limit(1))
    cand = session.scalars(select(Candidate).where(Candidate.person_id == person_id, Candidate.stage == "onboarding")).first()
    if left is None and cand is not None:
        set_stage(session, cand, "active", actor=actor, reason="onboarding checklist complete")


def progress(session: Session, actor: Person, today: date) -> list[Progress]:
    """Everyone with a checklist that is not finished, most overdue first."""
    require_talent(actor, "see everyone's onboarding progress")
    return _progress(session, today)


def _progress(session: Session, today: date) -> list[Progress]:
    by_person: dict[int, list[OnboardingItem]] = {}
    for item in session.scalars(select(OnboardingItem).order_by(OnboardingItem.person_id, OnboardingItem.position)):
        by_person.setdefault(item.person_id, []).append(item)
    out = []
    for items in by_person.values():
        done = sum(1 for i in items if i.done_at is not None)
        if done == len(items):
            continue
        overdue = [i for i in items if i.done_at is None and i.due_on < today]
        out.append(Progress(items[0].person, done, len(items), overdue))
    return sorted(out, key=lambda p: (-len(p.overdue), p.person.name.lower()))


def overdue(session: Session, today: date) -> list[OnboardingItem]:
    return list(session.scalars(select(OnboardingItem).where(OnboardingItem.done_at.is_(None), OnboardingItem.due_on < today)
                                .order_by(OnboardingItem.due_on, OnboardingItem.id)))


def nudge_overdue(session: Session, today: date, associates: list[str]) -> int:
    """One DM a day per owner listing their overdue items; each item is claimed for the day with a conditional
    UPDATE, so two runs on the same day nudge nobody twice. How many items were nudged."""
    owed: dict[str, list[OnboardingItem]] = {}
    for item in overdue(session, today):
        claimed = session.execute(update(OnboardingItem).where(
            OnboardingItem.id == item.id,
            (OnboardingItem.last_nudged_on.is_(None)) | (OnboardingItem.last_nudged_on < today))
            .values(last_nudged_on=today).execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]
        if not claimed:
            continue
        owners = [item.person.slack_user_id] if item.owner == "host" else associates
        for uid in owners:
            owed.setdefault(uid, []).append(item)
    for uid, items in owed.items():
        notices.dm(session, uid, "talent.onboarding_nudge", items=items, today=today, own=items[0].person.slack_user_id == uid,
                   key=f"onb-nudge:{uid}:{today.isoformat()}")
    return sum(len(v) for v in owed.values())
