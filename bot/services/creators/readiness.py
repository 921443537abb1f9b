"""Campaign readiness, computed from the data (never ticked by hand): briefs approved, samples delivered,
creators confirmed, co-host LIVE sessions scheduled and staffed, discount codes entered, run-of-show written.

Each item says what is missing and who owns it; the percentage counts the items that apply. Seven days and one
day before launch, a campaign that is not ready is sent to its owners once each (`send_nudges`, keyed per
campaign, threshold and person, so every tick of the job may run it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.briefs import STATUS_LABEL as BRIEF_STATUS
from bot.db.creators import KIND_LABEL, STATUS_LABEL, Campaign
from bot.db.run_of_show import RosSegment
from bot.services import audit, notices
from bot.services.schedule import calendar
from bot.services.creators import campaigns
from bot.services.creators.common import CreatorPolicy
from bot.services.people import with_role
from bot.timefmt import fmt_span, local_date

LIVE_KINDS = ("live", "cohost")
NUDGE_DAYS = {"7d": 7, "1d": 1}


@dataclass
class Item:
    key: str
    label: str
    ok: bool
    missing: list[str] = field(default_factory=list)  # plain text; blocks escape it
    owner: str = ""  # who fixes it: a Slack user ID, or a role name ("legal")
    owner_ids: list[str] = field(default_factory=list)  # who a nudge goes to


@dataclass
class Readiness:
    campaign: Campaign
    items: list[Item]

    @property
    def percent(self) -> int:
        return round(100 * sum(i.ok for i in self.items) / len(self.items)) if self.items else 100

    @property
    def ready(self) -> bool:
        return all(i.ok for i in self.items)

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if not i.ok]


def _briefs(session: Session, c: Campaign) -> Item:
    linked = [b.brief for b in c.briefs] + [d.brief for d in c.deliverables if d.brief is not None]
    missing = []
    if not c.briefs:
        missing.append("no approved brief linked to the campaign (link one from brief approvals in the campaign form)")
    for b in dict.fromkeys(linked):
        if b.status != "approved":
            missing.append(f"brief #{b.id} '{b.title}' is {BRIEF_STATUS[b.status]}")
    waiting_on_legal = any(b.status == "pending" for b in linked)
    ids = [p.slack_user_id for p in with_role(session, "legal")] if waiting_on_legal else []
    return Item("briefs", "Briefs approved", not missing, missing, "legal" if waiting_on_legal else c.owner,
                ids or [c.owner])


def _samples(c: Campaign) -> Item:
    missing = []
    if not c.deliverables:
        missing.append("no deliverables planned yet")
    for d in c.deliverables:
        if d.status == "planned":
            missing.append(f"{d.creator.name} ({KIND_LABEL[d.kind].lower()}): sample not shipped")
        elif d.status == "sample_shipped":
            missing.append(f"{d.creator.name} ({KIND_LABEL[d.kind].lower()}): sample on its way ({d.carrier} {d.tracking})")
    return Item("samples", "Samples delivered", not missing, missing, c.owner, [c.owner])


def _creators(c: Campaign) -> Item:
    missing = [] if c.members else ["no creators on the campaign"]
    missing += [f"{m.creator.name} (@{m.creator.handle}) has not confirmed" for m in c.members if not m.confirmed]
    return Item("creators", "Creators confirmed", not missing, missing, c.owner, [c.owner])


def _sessions(c: Campaign, tz) -> Item | None:  # type: ignore[no-untyped-def]
    needs_cohost = any(d.kind in LIVE_KINDS for d in c.deliverables)
    if not c.sessions and not needs_cohost:
        return None
    missing = [] if c.sessions else ["no co-host LIVE session scheduled for the campaign"]
    for link in c.sessions:
        live = link.session
        when = f"{fmt_span(live.starts_at, live.ends_at, tz)} {live.title}"
        if live.status == "cancelled":
            missing.append(f"{when} was cancelled")
            continue
        if live.status == "draft":
            missing.append(f"{when} is still a draft (not published)")
        roles = ("host", "cohost", "pa") if needs_cohost else ("host", "pa")
        for role in roles:
            sh = calendar.slot(live, role)
            if sh is None or sh.person is None:
                missing.append(f"{when}: no {calendar.ROLE_LABEL[role]} assigned")
            elif sh.state == "declined":
                missing.append(f"{when}: {calendar.ROLE_LABEL[role]} {sh.person.name} can't make it")
    return Item("sessions", "Co-host LIVEs scheduled and staffed", not missing, missing, c.owner, [c.owner])


def _codes(c: Campaign) -> Item:
    ok = bool(campaigns.codes(c))
    return Item("codes", "Discount codes entered", ok, [] if ok else ["no discount codes entered"], c.owner, [c.owner])


def _run_of_show(session: Session, c: Campaign, tz) -> Item | None:  # type: ignore[no-untyped-def]
    lives = [s.session for s in c.sessions if s.session.status != "cancelled"]
    if not lives:
        return None
    counts = dict(session.execute(select(RosSegment.session_id, func.count()).where(
        RosSegment.session_id.in_([x.id for x in lives])).group_by(RosSegment.session_id)).all())
    missing = [f"{fmt_span(x.starts_at, x.ends_at, tz)} {x.title}: no run-of-show segments yet"
               for x in lives if not counts.get(x.id)]
    return Item("run_of_show", "Run-of-show segments written", not missing, missing, c.owner, [c.owner])


def compute(session: Session, campaign: Campaign, tz) -> Readiness:  # type: ignore[no-untyped-def]
    items = [_briefs(session, campaign), _samples(campaign), _creators(campaign), _sessions(campaign, tz),
             _codes(campaign), _run_of_show(session, campaign, tz)]
    return Readiness(campaign, [i for i in items if i is not None])


def deliverable_line(d) -> str:  # type: ignore[no-untyped-def]
    return f"{d.creator.name} · {KIND_LABEL[d.kind]} · due {d.due_on.isoformat()} · {STATUS_LABEL[d.status]}"


def nudge_key(campaign_id: int, which: str, user_id: str) -> str:
    return f"campaign:{campaign_id}:readiness:{which}:{user_id}"


def send_nudges(session: Session, now: datetime, policy: CreatorPolicy) -> int:
    """Tell the owners of what is missing, once per campaign and threshold (7 days, 1 day before launch)."""
    today = local_date(now, policy.tz)
    queued = 0
    for c in campaigns.listing(session, today=today):
        days = (c.starts_on - today).days
        which = "1d" if 0 <= days <= 1 else "7d" if 1 < days <= 7 else None
        if which is None:
            continue
        r = compute(session, c, policy.tz)
        if r.ready:
            continue
        owners = list(dict.fromkeys(uid for i in r.missing for uid in i.owner_ids))
        for uid in owners:
            mine = [i for i in r.missing if uid in i.owner_ids]
            if notices.dm(session, uid, "creators.readiness_nudge", r, mine, days, policy.tz,
                          key=nudge_key(c.id, which, uid)) is not None:
                queued += 1
                audit.record(session, actor="system:creator-readiness", action="campaign.readiness_nudged",
                             entity_type="campaign", entity_id=c.id,
                             after={"which": which, "to": uid, "percent": r.percent, "missing": [i.key for i in mine]})
    return queued
