"""The weekly ops-sync pack: last week's headline numbers, this week's schedule gaps, open and recurring
escalations, briefs waiting for legal (with due dates), swaps pending, payroll and payments waiting (the
current pay period's unapproved timesheets, invoices waiting for leadership, queried, or approved and not paid,
creator payments to approve), and an agenda built from them.

Every item carries `fix`: where in Slack it is fixed (a posted message's key, the command to run, or
"hint:<words>" when the fix is a button on a message opsbot does not remember).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from bot.db.briefs import Brief, BriefVersion
from bot.db.creators import Deliverable
from bot.db.escalations import Escalation
from bot.db.models import LiveSession, Person, PostedMessage, Shift
from bot.db.payroll import Invoice, InvoiceDecision
from bot.db.schedule import HostTier, PersonHostTier, ProductTier
from bot.db.swaps import ACTIVE, Swap
from bot.services.creators import deliverables
from bot.services.payroll import invoices
from bot.services.payroll.compute import period_pay
from bot.services.payroll.config import PayrollConfig
from bot.services.scorecard import compute
from bot.services.scorecard.model import (
    HOST_ROLES,
    Headline,
    ScorecardConfig,
    week_bounds,
)
from bot.services.validation import week_label

RECURRING_WEEKS = 4  # an escalation cause seen this many weeks back counts towards "recurring"
PAY_KINDS = ("timesheet", "timesheet_exception", "invoice", "invoice_queried", "invoice_unpaid", "creator_payment")


@dataclass
class Item:
    kind: str  # unassigned | unconfirmed | below_tier | escalation | recurring | brief | swap | one of PAY_KINDS
    text: str
    fix: str  # a slash command, "message:<posted key>" (linked when the message exists) or "hint:<where to click>"
    when: datetime | None = None
    link: str | None = None  # https link to the Slack message, when opsbot posted one
    count: int = 1  # how many open things the line stands for (a timesheet line counts its people)


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
        out: Counter[str] = Counter()
        for i in self.items:
            out[i.kind] += i.count
        return dict(out)


def _name(p: Person | None) -> str:
    return "nobody" if p is None else p.display_name or p.real_name or p.slack_user_id


def _url(row: PostedMessage | None) -> str | None:
    if row is None or not row.ts:
        return None
    return f"https://slack.com/app_redirect?channel={row.channel}&message_ts={row.ts}"


def _link(s: Session, key: str) -> str | None:
    return _url(s.scalar(select(PostedMessage).where(PostedMessage.key == key)))


def _links(s: Session, keys: list[str]) -> dict[str, str]:
    """Links to the remembered messages among `keys`, in one query."""
    if not keys:
        return {}
    return {row.key: url for row in s.scalars(select(PostedMessage).where(PostedMessage.key.in_(keys)))
            if (url := _url(row)) is not None}


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


def _money(value: object) -> str:
    return f"${Decimal(str(value)):,.2f}"


def timesheet_items(s: Session, pay: PayrollConfig, now: datetime) -> list[Item]:
    """The current pay period's timesheets not approved yet (one line, counting people), and who has exceptions."""
    if pay.cal.kind != "semimonthly" and pay.cal.anchor is None:  # PAY_PERIOD_ANCHOR not set: payroll is not running
        return []
    found = period_pay(s, pay.cal.workday_of(now), pay)
    waiting = [pp for pp in found.people if not pp.approved]
    if not waiting:
        return []
    fix = f"/timesheets {found.period.start.isoformat()}"
    out = [Item("timesheet", f"{len(waiting)} of {len(found.people)} people's timesheets for {found.period.label} "
                             "are not approved yet", fix, count=len(waiting))]
    for pp in waiting:
        if pp.pay.exceptions:
            kinds = ", ".join(sorted({x.kind.replace("_", " ") for x in pp.pay.exceptions}))
            out.append(Item("timesheet_exception", f"{pp.person.name}'s timesheet has {len(pp.pay.exceptions)} "
                                                   f"exception(s) to review ({kinds})", fix))
    return out


def invoice_items(s: Session) -> list[Item]:
    """Invoices not paid: waiting for leadership's decision, queried (with the question), approved but not paid."""
    rows = s.execute(select(Invoice, InvoiceDecision).options(joinedload(Invoice.person))
                     .outerjoin(InvoiceDecision, (InvoiceDecision.invoice_id == Invoice.id)
                                & (InvoiceDecision.version == Invoice.version))
                     .where(Invoice.status != "paid").order_by(Invoice.submitted_at, Invoice.id)).all()
    links = _links(s, [invoices.card_key(inv.id, inv.version) for inv, _ in rows])
    out = []
    for inv, decision in rows:
        key = invoices.card_key(inv.id, inv.version)
        diff = Decimal(inv.amount) - Decimal(inv.expected)
        what = (f"{inv.person.name}'s invoice {inv.number} (#{inv.id}, v{inv.version}, {_money(inv.amount)}"
                + (f", {_money(abs(diff))} {'over' if diff > 0 else 'under'} the hours" if diff else "") + ")")
        decided = decision.decided_at if decision is not None else None
        if inv.status == "submitted":
            out.append(Item("invoice", f"{what} waits for leadership's decision",
                            f"message:{key}" if key in links else "hint:Approve payment / Query on its card in the leadership channel",
                            inv.submitted_at, links.get(key)))
        elif inv.status == "queried":
            note = (decision.note or "")[:200] if decision is not None else ""
            out.append(Item("invoice_queried", f"{what} was queried" + (f": “{note}”" if note else "")
                            + "; re-file it with the same number and corrected figures", "/invoice", decided, links.get(key)))
        else:
            out.append(Item("invoice_unpaid", f"{what} is approved for payment but not marked paid",
                            "hint:Mark paid on opsbot's DM about the decision", decided))
    return out


def creator_payment_items(s: Session) -> list[Item]:
    """Deliverables posted but not paid: their payment waits for leadership's approval."""
    rows = list(s.scalars(select(Deliverable).options(joinedload(Deliverable.campaign), joinedload(Deliverable.creator))
                          .where(Deliverable.status == "posted").order_by(Deliverable.posted_at, Deliverable.id)))
    links = _links(s, [deliverables.payment_key(d.id) for d in rows])
    out = []
    for d in rows:
        key = deliverables.payment_key(d.id)
        fee = f" (flat fee {_money(Decimal(d.creator.flat_fee_cents) / 100)})" if d.creator.flat_fee_cents else ""
        out.append(Item("creator_payment", f"{deliverables.describe(d)} (#{d.id}) is posted; its payment{fee} waits for "
                                           "leadership's approval", f"message:{key}" if key in links else "/campaigns",
                        d.posted_at, links.get(key)))
    return out


def agenda(pack: Pack) -> list[str]:
    """One agenda line per kind of open item, most urgent first, with its count."""
    words = [("escalation", "Open escalations"), ("unassigned", "Fill unassigned slots"), ("below_tier", "Hosts below the product tier"),
             ("unconfirmed", "Chase unconfirmed shifts"), ("brief", "Briefs waiting for legal"), ("swap", "Pending swaps"),
             ("invoice", "Invoices waiting for leadership"), ("creator_payment", "Creator payments to approve"),
             ("invoice_queried", "Queried invoices to answer"), ("invoice_unpaid", "Approved invoices to mark paid"),
             ("timesheet", "People's timesheets to approve"), ("timesheet_exception", "Timesheets with exceptions to review"),
             ("recurring", "Recurring escalation causes")]
    counts = pack.counts()
    lines = [f"Last week's numbers ({pack.last_week}, {pack.sessions_last_week} sessions)"]
    lines += [f"{label}: {counts[k]}" for k, label in words if counts.get(k)]
    if len(lines) == 1:
        lines.append("No open items: review the scorecard's recommendations instead")
    return lines


def build(s: Session, monday: date, cfg: ScorecardConfig, now: datetime, pay: PayrollConfig | None = None) -> Pack:
    """The pack for the week of `monday`; without `pay` (the payroll settings) timesheets are left out."""
    start, end = week_bounds(monday, cfg.tz)
    last = compute.totals(s, *week_bounds(monday - timedelta(weeks=1), cfg.tz))
    before = compute.totals(s, *week_bounds(monday - timedelta(weeks=2), cfg.tz))
    pack = Pack(week=week_label(monday), monday=monday, last_week=week_label(monday - timedelta(weeks=1)),
                headline=compute.headline(last, before)[:8], sessions_last_week=last.sessions)
    pack.items = schedule_gaps(s, start, end, pack.week) + escalation_items(s, now) + brief_items(s) + swap_items(s)
    pack.items += (timesheet_items(s, pay, now) if pay is not None else []) + invoice_items(s) + creator_payment_items(s)
    pack.agenda = agenda(pack)
    return pack
