"""The weekly ops-sync pack: last week's headline numbers, this week's schedule gaps, open and recurring
escalations, briefs waiting for legal (with due dates), swaps pending, and an agenda built from them.

Every item carries `fix`: where in Slack it is fixed (a posted message's key, or the command to run).
Payroll and invoice items join the pack when those domains exist (nothing here depends on them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.db.briefs import Brief, BriefVersion
from bot.db.escalations import Escalation
from bot.db.models import LiveSession, Person, PostedMessage, Shift
from bot.db.schedule import HostTier, PersonHostTier, ProductTier
from bot.db.swaps import ACTIVE, Swap
from bot.services.scorecard import compute
from bot.services.scorecard.model import (
    HOST_ROLES,
    Headline,
    ScorecardConfig,
    week_bounds,
)
from bot.services.validation import week_label

RECURRING_WEEKS = 4  # an escalation cause seen this many weeks back counts towards "recurring"


@dataclass
class Item:
    kind: str  # unassigned | unconfirmed | below_tier | escalation | recurring | brief | swap
    text: str
    fix: str  # a slash command to run, or "message:<posted key>" (linked when the message exists)
    when: datetime | None = None
    link: str | None = None  # https link to the Slack message, when opsbot posted one


@dataclass
class Pack:
    week: str
    monday: date
    last_week: str
    headline: list[Headline]
    sessions_last_week: int
    items: list[Item] = field(default_factory=list)
    agenda: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    def counts(self) -> dict[str, int]:
        return dict(Counter(i.kind for i in self.items))


def _name(p: Person | None) -> str:
    return "nobody" if p is None else p.display_name or p.real_name or p.slack_user_id


def _link(s: Session, key: str) -> str | None:
    row = s.scalar(select(PostedMessage).where(PostedMessage.key == key))
    if row is None or not row.ts:
        return None
    return f"https://slack.com/app_redirect?channel={row.channel}&message_ts={row.ts}"


def schedule_gaps(s: Session, start: datetime, end: datetime, week: str) -> list[Item]:
    """This week's sessions without a host, shifts nobody confirmed, and hosts below the session's product tier."""
    out: list[Item] = []
    sessions = list(s.scalars(select(LiveSession).where(LiveSession.starts_at >= start, LiveSession.starts_at < end,
                                                        LiveSession.status != "cancelled").order_by(LiveSession.starts_at)))
    for live in sessions:
        shifts = [sh for sh in live.shifts if not sh.cancelled]
        hosts = [sh for sh in shifts if sh.role == "host"]
        if not hosts or all(sh.person_id is None or sh.needs_cover for sh in hosts):
            out.append(Item("unassigned", f"{live.title} (#{live.id}) has no host", f"/schedule {week}", live.starts_at))
        for sh in shifts:
            if sh.person_id is None:
                if sh.role != "host":
                    out.append(Item("unassigned", f"{live.title} (#{live.id}): the {sh.role} slot is open",
                                    f"/schedule {week}", live.starts_at))
            elif sh.state == "pending" and live.status != "draft":
                out.append(Item("unconfirmed", f"{_name(sh.person)} has not confirmed the {sh.role} shift on {live.title} (#{live.id})",
                                f"/schedule {week}", sh.starts_at))
    tier_rank, need = aliased(HostTier), aliased(HostTier)
    below = s.execute(select(LiveSession, Person, tier_rank.name, need.name)
                      .join(Shift, Shift.session_id == LiveSession.id).join(Person, Person.id == Shift.person_id)
                      .join(ProductTier, ProductTier.code == LiveSession.product_tier)
                      .join(need, need.id == ProductTier.min_host_tier_id)
                      .outerjoin(PersonHostTier, PersonHostTier.person_id == Person.id)
                      .outerjoin(tier_rank, tier_rank.id == PersonHostTier.host_tier_id)
                      .where(LiveSession.starts_at >= start, LiveSession.starts_at < end, LiveSession.status != "cancelled",
                             Shift.cancelled.is_(False), Shift.role.in_(HOST_ROLES),
                             (tier_rank.rank.is_(None)) | (tier_rank.rank < need.rank))
                      .order_by(LiveSession.starts_at)).all()
    for live, person, has, needs in below:
        out.append(Item("below_tier", f"{_name(person)} ({has or 'no tier'}) hosts {live.title} (#{live.id}), "
                                      f"tier {live.product_tier} products that need {needs} or above",
                        f"/schedule {week}", live.starts_at))
    return out


def escalation_items(s: Session, now: datetime) -> list[Item]:
    """Open escalations (each linked to its message) and causes that keep coming back."""
    out: list[Item] = []
    for esc in s.scalars(select(Escalation).where(Escalation.status != "resolved").order_by(Escalation.severity, Escalation.escalated_at)):
        key = f"escalation:{esc.id}"
        out.append(Item("escalation", f"SEV{esc.severity} {esc.summary} (#{esc.id}, {esc.status}, owner "
                                      f"{'<@' + esc.owner + '>' if esc.owner else 'nobody'})", f"message:{key}", esc.escalated_at,
                        _link(s, key)))
    since = now - timedelta(weeks=RECURRING_WEEKS)
    for cause, n in s.execute(select(Escalation.cause, func.count()).where(Escalation.escalated_at >= since, Escalation.cause.is_not(None))
                              .group_by(Escalation.cause).having(func.count() >= 2).order_by(func.count().desc())).all():
        out.append(Item("recurring", f"Cause “{cause}” came back {n} times in {RECURRING_WEEKS} weeks", "/escalate", None))
    return out


def brief_items(s: Session) -> list[Item]:
    """Briefs waiting for legal, soonest due first, each linked to its legal-channel message."""
    rows = s.execute(select(Brief, BriefVersion.due_at).join(BriefVersion, (BriefVersion.brief_id == Brief.id)
                                                             & (BriefVersion.number == Brief.current_version))
                     .where(Brief.status == "pending")).all()
    rows.sort(key=lambda r: (r[1] is None, r[1] or datetime.max.replace(tzinfo=timezone.utc), r[0].id))
    out = []
    for brief, due in rows:
        key = f"brief:{brief.id}:v{brief.current_version}"
        out.append(Item("brief", f"{brief.title} ({brief.kind.replace('_', ' ')}, #{brief.id}) waits for legal", f"message:{key}",
                        due, _link(s, key)))
    return out


def swap_items(s: Session) -> list[Item]:
    out = []
    for swap in s.scalars(select(Swap).where(Swap.status.in_(ACTIVE)).order_by(Swap.created_at)):
        what = "waits for a taker" if swap.status == "open" else "waits for the associate's approval"
        title = swap.shift.session.title if swap.shift and swap.shift.session else f"shift #{swap.shift_id}"
        out.append(Item("swap", f"{_name(swap.requester)}'s swap of {title} (#{swap.id}) {what}", f"message:swap:{swap.id}:ops",
                        swap.shift.starts_at if swap.shift else None, _link(s, f"swap:{swap.id}:ops")))
    return out


def agenda(pack: Pack) -> list[str]:
    """One agenda line per kind of open item, most urgent first, with its count."""
    words = [("escalation", "Open escalations"), ("unassigned", "Fill unassigned slots"), ("below_tier", "Hosts below the product tier"),
             ("unconfirmed", "Chase unconfirmed shifts"), ("brief", "Briefs waiting for legal"), ("swap", "Pending swaps"),
             ("recurring", "Recurring escalation causes")]
    counts = pack.counts()
    lines = [f"Last week's numbers ({pack.last_week}, {pack.sessions_last_week} sessions)"]
    lines += [f"{label}: {counts[k]}" for k, label in words if counts.get(k)]
    if len(lines) == 1:
        lines.append("No open items: review the scorecard's recommendations instead")
    return lines


def build(s: Session, monday: date, cfg: ScorecardConfig, now: datetime) -> Pack:
    start, end = week_bounds(monday, cfg.tz)
    last = compute.totals(s, *week_bounds(monday - timedelta(weeks=1), cfg.tz))
    before = compute.totals(s, *week_bounds(monday - timedelta(weeks=2), cfg.tz))
    pack = Pack(week=week_label(monday), monday=monday, last_week=week_label(monday - timedelta(weeks=1)),
                headline=compute.headline(last, before)[:8], sessions_last_week=last.sessions)
    pack.items = schedule_gaps(s, start, end, pack.week) + escalation_items(s, now) + brief_items(s) + swap_items(s)
    pack.agenda = agenda(pack)
    return pack
