"""The role parts of the App Home tab (below the clock and the shifts): the host's checklist, feedback and
numbers against their tier; the PA's run-of-show; the associate's day, pipeline and overdue items; legal's
waiting briefs; leadership's headline, severe escalations, tier decisions and payments to approve (invoices, creator
payments, each linking to its card); the associate's approved invoices not yet paid. Every list is capped, with
"and N more" pointing to the full view, so the tab stays inside Slack's 100 blocks at any studio size."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    button,
    chunk_lines,
    context,
    divider,
    escape,
    header,
    mention,
    section,
)
from bot.db.creators import KIND_LABEL
from bot.db.talent import STAGE_LABEL, STAGES
from bot.services.creators.common import dollars
from bot.services.talent.home import (
    AssociatePart,
    Card,
    Home,
    HostPart,
    LeadershipPart,
    LegalPart,
    PAPart,
)
from bot.services.talent.numbers import NUMBER_LABEL
from bot.timefmt import fmt_day, fmt_time

CAP = 5


def _more(n: int, where: str) -> list[Block]:
    return [context(f"and {n} more: {where}.")] if n > 0 else []


def _host(p: HostPart, today: date) -> list[Block]:
    out: list[Block] = [header("Your onboarding, feedback and tier")]
    if p.checklist:
        done = sum(1 for i in p.checklist if i.done_at)
        out.append(section(f"*Onboarding checklist* · {done}/{len(p.checklist)} done"))
        open_items = [i for i in p.checklist if i.done_at is None]
        for item in open_items[:8]:
            late = " :red_circle: overdue" if item.due_on < today else ""
            line = f"☐ {escape(item.title)} · due {fmt_day(item.due_on)}{late}"
            if item.owner == "host":
                out.append(section(line, accessory=button("Done", "talent_onb_tick", str(item.id), style="primary"),
                                   block_id=f"onb_{item.id}"))
            else:
                out.append(context(f"{line} · the associate's"))
        out += _more(len(open_items) - 8, "tick these first")
    history = [f"{escape(c.from_tier or '-')} → {escape(c.to_tier)} from {fmt_day(c.effective_on)}"
               + ("" if c.applied_at else " (from the next schedule week)") for c in p.tier_history[:3]]
    out.append(section(f"*Tier:* {escape(p.tier or 'none yet')}" + ("\nTier history: " + " · ".join(history) if history else "")))
    if p.numbers:
        out.append(context(*chunk_lines(_vs_rule(p), max_chars=2000, max_lines=None)[:3]))
    if p.feedback:
        latest = p.feedback[0]
        ack = "" if latest.acknowledged_at else " · not acknowledged yet"
        out.append(section(f"*Latest feedback* ({fmt_day(latest.created_at.date())}{ack})\n"
                           f"Went well: {escape(latest.went_well)}\nTo improve: {escape(latest.improve)}"[:2900],
                           accessory=button("All feedback", "talent_feedback_history", "me")))
        out += _more(p.feedback_total - 1, "*All feedback*")
    return out


def _vs_rule(p: HostPart) -> list[str]:
    rule = p.rule
    lines = []
    for key, label in NUMBER_LABEL.items():
        v = p.numbers.get(key)
        shown = "no data" if v is None else f"{v:.1%}" if key == "conversion" else f"{v:,}"
        target = ""
        if rule is not None:
            for bound, sign in (("min", "≥"), ("max", "≤")):
                limit = rule.promote.get(f"{bound}_{key}")
                if limit is not None:
                    shown_limit = f"{limit:.1%}" if key == "conversion" else f"{limit:,g}"
                    target = f" (for {rule.promote_to}: {sign} {shown_limit})"
        lines.append(f"{label}: {shown}{target}")
    return lines


def _pa(p: PAPart, tz: ZoneInfo) -> list[Block]:
    out: list[Block] = [header("Today's run-of-show")]
    if not p.sessions:
        return out + [context("No sessions for you today.")]
    for live, segs in p.sessions[:CAP]:
        lines = [f"+{s.offset_min}m {escape(s.title or s.kind)}" for s in segs[:12]] if segs else ["_No run-of-show yet._"]
        more = f"\n…and {len(segs) - 12} more segments" if len(segs) > 12 else ""
        out.append(section(f"*{fmt_time(live.starts_at, tz)} {escape(live.title)}*\n" + "\n".join(lines) + more))
    return out + _more(len(p.sessions) - CAP, "the day's run-of-show post")


def _associate(p: AssociatePart, tz: ZoneInfo, today: date) -> list[Block]:
    out: list[Block] = [header("Today at the studio")]
    lines = [f"{fmt_time(live.starts_at, tz)} {escape(live.title)}" + (f" · :warning: {', '.join(w)}" if w else "")
             for live, w in p.sessions]
    out.append(section("*Sessions today*\n" + ("\n".join(lines[:8]) or "_None._")))
    out += _more(len(lines) - 8, "`/schedule`")
    on_set = ", ".join(escape(n) for n in p.on_set[:12]) + (f" and {len(p.on_set) - 12} more" if len(p.on_set) > 12 else "")
    out.append(section(f"*On set now:* {on_set or 'nobody'}\n*Swaps to approve:* {p.pending_swaps} · "
                       f"*Briefs waiting for legal:* {p.briefs_waiting}"))
    esc = [f"SEV{e.severity} · {escape(e.summary)}" for e in p.escalations]
    out.append(section("*Open escalations*\n" + ("\n".join(esc[:CAP]) or "_None._")))
    out += _more(len(esc) - CAP, "the escalation channel")
    counts = " · ".join(f"{STAGE_LABEL[s]} {p.candidates.get(s, 0)}" for s in STAGES)
    out.append(section(f"*Candidates by stage*\n{counts}", accessory=button("Casting", "talent_open_casting")))
    late = [f"{escape(i.person.name)}: {escape(i.title)} ({i.owner}, due {fmt_day(i.due_on)})" for i in p.overdue]
    out.append(section("*Overdue onboarding items*\n" + ("\n".join(late[:CAP]) or "_None._")))
    out += _more(len(late) - CAP, "`/casting onboarding`")
    if p.to_pay_total:
        paid = [f"{escape(i.person.name)} · {escape(i.number)} · {_money(Decimal(i.amount))}" for i in p.to_pay[:CAP]]
        out.append(section(f"*Invoices approved, not marked paid:* {p.to_pay_total}\n" + "\n".join(paid)
                           + "\n_*Mark paid* is on the decision DM opsbot sent you._"))
        out += _more(p.to_pay_total - CAP, "the weekly invoice digest")
    return out


def _legal(p: LegalPart, tz: ZoneInfo) -> list[Block]:
    lines = [f"{'due ' + fmt_day(b.due_at.astimezone(tz).date()) if b.due_at else 'no due date'} · #{b.id} {escape(b.title)}"
             for b in p.briefs]
    out: list[Block] = [header("Briefs waiting for you"), section("\n".join(lines[:10]) or "_Nothing waiting._")]
    return out + _more(len(lines) - 10, "the legal channel (oldest first)")


def _leadership(p: LeadershipPart) -> list[Block]:
    out: list[Block] = [header("For leadership")]
    out.append(section(f"*Last scorecard:* {escape(p.scorecard) if p.scorecard else '_none posted yet_'}"))
    esc = [f"SEV{e.severity} · {escape(e.summary)}" for e in p.severe]
    out.append(section("*Open SEV1/SEV2*\n" + ("\n".join(esc[:CAP]) or "_None._")))
    out += _more(len(esc) - CAP, "the escalation channel")
    out.append(section(f"*Tier changes to decide:* {len(p.proposals)}"))
    for prop in p.proposals[:CAP]:
        move = f"{prop.from_tier} → {prop.to_tier}" if prop.kind == "promote" else f"review ({prop.from_tier})"
        out.append(section(f"{mention(prop.person.slack_user_id)} · {escape(move)} · {prop.week}",
                           accessory=button("Approve", "talent_tier_approve", str(prop.id), style="primary"),
                           block_id=f"homeprop_{prop.id}"))
    out += _more(len(p.proposals) - CAP, "the leadership channel")
    return out + _payments(p)


def _money(d: Decimal) -> str:
    return f"-${-d:,.2f}" if d < 0 else f"${d:,.2f}"


def _card(card: Card | None, label: str) -> str:
    """A link to the remembered card (Slack opens the message from its archive address)."""
    if card is None:
        return ""
    channel, ts = card
    return f" · <https://slack.com/archives/{channel}/p{ts.replace('.', '')}|{label}>"


def _payments(p: LeadershipPart) -> list[Block]:
    out: list[Block] = []
    lines = []
    for inv, card in p.invoices[:CAP]:
        diff = Decimal(inv.amount) - Decimal(inv.expected)
        vs = "matches the hours" if not diff else f"{_money(diff)} vs the hours"
        act = _card(card, "Approve / Query") or " · _card not posted yet: it reaches the leadership channel shortly_"
        lines.append(f"{mention(inv.person.slack_user_id)} · {escape(inv.number)} · {inv.period_start:%b} {inv.period_start.day}"
                     f"-{inv.period_end:%b} {inv.period_end.day} · *{_money(Decimal(inv.amount))}* ({vs}){act}")
    out.append(section(f"*Invoices to approve:* {p.invoices_total}" + ("\n" + "\n".join(lines) if lines else "")))
    out += _more(p.invoices_total - CAP, "the cards in the leadership channel, oldest first")
    lines = []
    for d, card in p.payments[:CAP]:
        fee = dollars(d.creator.flat_fee_cents) or "no flat fee"
        act = _card(card, "Approve payment") or " · _approve from the card opsbot sent you by DM_"
        lines.append(f"{escape(d.creator.name)} (@{escape(d.creator.handle)}) · {KIND_LABEL[d.kind]} for "
                     f"{escape(d.campaign.name)} · {fee}{act}")
    out.append(section(f"*Creator payments to approve:* {p.payments_total}" + ("\n" + "\n".join(lines) if lines else "")))
    return out + _more(p.payments_total - CAP, "the cards in the leadership channel, oldest first")


def role_blocks(home: Home, tz: ZoneInfo, today: date, budget: int) -> list[Block]:
    """Every part for the person's roles, trimmed to `budget` blocks (whole parts first)."""
    parts: list[list[Block]] = []
    if home.host:
        parts.append(_host(home.host, today))
    if home.pa:
        parts.append(_pa(home.pa, tz))
    if home.associate:
        parts.append(_associate(home.associate, tz, today))
    if home.legal:
        parts.append(_legal(home.legal, tz))
    if home.leadership:
        parts.append(_leadership(home.leadership))
    out: list[Block] = []
    for part in parts:
        if len(out) + len(part) + 2 > budget:  # the part, its divider, and room for the "more" line
            out.append(context("More is waiting: open `/casting` or the channels."))
            break
        out += [*part, divider()]
    return out
