"""Talent messages: audition invitations and reminders, onboarding nudges, coaching feedback DMs and the
weekly tier evaluation cards for leadership."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import Block, actions, button, chunk_lines, context, escape, header, mention, section
from bot.db.metrics import SessionMetrics
from bot.db.talent import CRITERIA, CRITERION_LABEL, Audition, Feedback, OnboardingItem, TierChange, TierProposal
from bot.services.talent.numbers import NUMBER_LABEL
from bot.timefmt import fmt_day, fmt_span

MAX_CARD_LINES = 40


def _audition_line(aud: Audition, tz: ZoneInfo) -> str:
    cand = aud.candidate
    where = f" · {escape(aud.room)}" if aud.room else ""
    link = f" · <{escape(cand.link)}|reel>" if cand.link else ""
    return f"*{escape(cand.name)}*{' (@' + escape(cand.handle) + ')' if cand.handle else ''} · {fmt_span(aud.starts_at, aud.ends_at, tz)}{where}{link}"


def _score_button(aud: Audition) -> Block:
    return actions(button("Score this audition", "talent_score_open", str(aud.id), style="primary"),
                   block_id=f"aud_{aud.id}")


def audition_invite(aud: Audition, *, tz: ZoneInfo) -> tuple[str, list[Block]]:
    text = f"You're a reviewer for an audition: {aud.candidate.name}, {fmt_span(aud.starts_at, aud.ends_at, tz)}."
    crit = ", ".join(CRITERION_LABEL[c].lower() for c in CRITERIA)
    return text, [section(f":clapper: You're a reviewer for an audition.\n{_audition_line(aud, tz)}"),
                  context(f"Score {crit} from 1 to 5. You'll see the others' scores once you've submitted yours."),
                  _score_button(aud)]


def audition_reminder(aud: Audition, *, tz: ZoneInfo) -> tuple[str, list[Block]]:
    text = f"Reminder: audition tomorrow, {aud.candidate.name}, {fmt_span(aud.starts_at, aud.ends_at, tz)}."
    return text, [section(f":alarm_clock: Audition tomorrow.\n{_audition_line(aud, tz)}"), _score_button(aud)]


def audition_cancelled(aud: Audition, *, tz: ZoneInfo) -> tuple[str, list[Block]]:
    text = f"Audition cancelled: {aud.candidate.name}, {fmt_span(aud.starts_at, aud.ends_at, tz)}."
    return text, [section(f":no_entry_sign: Audition cancelled; no scorecard needed.\n{_audition_line(aud, tz)}")]


def welcome(name: str, *, start_on: date | None) -> tuple[str, list[Block]]:
    when = f" You start on {fmt_day(start_on)}." if start_on else ""
    text = f"Welcome to the studio, {name}!{when} Your onboarding checklist is in opsbot's Home tab."
    return text, [section(f":wave: Welcome to the studio, {escape(name)}!{when}\nYour onboarding checklist is in my "
                          "*Home* tab: tick your items there as you do them.")]


def onboarding_nudge(*, items: list[OnboardingItem], today: date, own: bool) -> tuple[str, list[Block]]:
    lines = [f"• {escape(i.title)}" + ("" if own else f" for {escape(i.person.name)}") + f" (due {fmt_day(i.due_on)})"
             for i in items]
    head = "Onboarding items of yours are overdue:" if own else "Onboarding items you own are overdue:"
    text = f"{head} {len(items)} item(s)."
    blocks: list[Block] = [section(f":hourglass: *{head}*")]
    blocks += [section(chunk) for chunk in chunk_lines(lines[:MAX_CARD_LINES])]
    if len(lines) > MAX_CARD_LINES:
        blocks.append(context(f"and {len(lines) - MAX_CARD_LINES} more: see the Home tab."))
    blocks.append(context("Tick them in opsbot's Home tab. You get this once a day while something is overdue."))
    return text, blocks


def metrics_line(m: SessionMetrics | None) -> str | None:
    if m is None:
        return None
    parts = []
    if m.gmv_cents is not None:
        parts.append(f"GMV ${m.gmv_cents / 100:,.2f}")
    if m.orders is not None and m.unique_viewers:
        parts.append(f"conversion {m.orders / m.unique_viewers:.1%}")
    if m.avg_view_duration_seconds is not None:
        parts.append(f"avg view {float(m.avg_view_duration_seconds):.0f}s")
    return " · ".join(parts) or None


def feedback_blocks(fb: Feedback, metrics: SessionMetrics | None = None, *, with_button: bool = True) -> list[Block]:
    about = f" on *{escape(fb.session.title)}* ({fmt_day(fb.session.starts_at.date())})" if fb.session else ""
    blocks: list[Block] = [section(f":speech_balloon: Coaching feedback from {mention(fb.author)}{about}"),
                           section(f"*What went well*\n{escape(fb.went_well)}"[:2990]),
                           section(f"*What to improve*\n{escape(fb.improve)}"[:2990])]
    extra = [t for t in (f"Clip at {fb.clip_at}" if fb.clip_at else None, metrics_line(metrics)) if t]
    if extra:
        blocks.append(context(" · ".join(extra)))
    if fb.acknowledged_at is not None:
        blocks.append(context(":white_check_mark: Acknowledged."))
    elif with_button:
        blocks.append(actions(button("Acknowledge", "talent_feedback_ack", str(fb.id), style="primary"), block_id=f"fb_{fb.id}"))
    return blocks


def feedback(fb: Feedback, *, metrics: SessionMetrics | None = None) -> tuple[str, list[Block]]:
    return "You have new coaching feedback (private to you, the associate and leadership).", feedback_blocks(fb, metrics)


def numbers_lines(numbers: dict[str, Any]) -> list[str]:
    out = []
    for key, label in NUMBER_LABEL.items():
        v = numbers.get(key)
        shown = "no data" if v is None else f"{v:.1%}" if key == "conversion" else f"{v:,}"
        out.append(f"{label}: {shown}")
    return out


KIND_WORD = {"promote": ":arrow_up: Promotion", "hold": ":pause_button: Hold", "review": ":mag: Review"}


def tier_proposal(prop: TierProposal) -> tuple[str, list[Block]]:
    who = prop.person
    move = f"{prop.from_tier or 'no tier'} → {prop.to_tier}" if prop.kind == "promote" else (prop.from_tier or "no tier")
    text = f"{KIND_WORD[prop.kind].split(' ', 1)[1]} proposed for {who.name} ({move}), {prop.week}."
    blocks: list[Block] = [section(f"{KIND_WORD[prop.kind]} proposed for {mention(who.slack_user_id)} · {escape(move)} · {prop.week}"),
                           section("\n".join(f"• {escape(r)}" for r in (prop.reasons or [])[:12]) or "•"),
                           context(" · ".join(numbers_lines(prop.numbers or {})))]
    if prop.status == "pending":
        blocks.append(actions(button("Approve", "talent_tier_approve", str(prop.id), style="primary"),
                              button("Decline", "talent_tier_decline", str(prop.id), style="danger"), block_id=f"tier_{prop.id}"))
    else:
        note = f": {escape(prop.note)}" if prop.note else ""
        blocks.append(context(f"{prop.status.capitalize()} by {mention(prop.decided_by or 'system')}{note}"))
    return text, blocks


def tier_evaluation(label: str, made: list[TierProposal]) -> tuple[str, list[Block]]:
    counts = {k: sum(1 for p in made if p.kind == k) for k in ("promote", "review", "hold")}
    text = (f"Host tiers, {label}: {counts['promote']} promotion(s) and {counts['review']} review(s) to decide, "
            f"{counts['hold']} hold(s).")
    holds = [f"• {escape(p.person.name)} ({escape(p.from_tier or 'no tier')}): {escape((p.reasons or [''])[0])}"
             for p in made if p.kind == "hold"]
    blocks: list[Block] = [header(f"Host tiers · {label}"), section(text)]
    if holds:
        blocks += [section(c) for c in chunk_lines(holds[:MAX_CARD_LINES])]
        if len(holds) > MAX_CARD_LINES:
            blocks.append(context(f"and {len(holds) - MAX_CARD_LINES} more holds."))
    return text, blocks


def tier_changed(change: TierChange) -> tuple[str, list[Block]]:
    text = (f"Congratulations! You move from {change.from_tier or 'no tier'} to {change.to_tier} from "
            f"{fmt_day(change.effective_on)} (the schedule from that week on).")
    return text, [section(f":tada: {escape(text)}")]


def tier_review(prop: TierProposal) -> tuple[str, list[Block]]:
    text = "Leadership would like a review of your last weeks with the associate; they will be in touch to set a time."
    return text, [section(text), context(" · ".join(numbers_lines(prop.numbers or {})))]


RENDERERS = {
    "talent.audition_invite": audition_invite,
    "talent.audition_reminder": audition_reminder,
    "talent.audition_cancelled": audition_cancelled,
    "talent.welcome": welcome,
    "talent.onboarding_nudge": onboarding_nudge,
    "talent.feedback": feedback,
    "talent.tier_proposal": tier_proposal,
    "talent.tier_evaluation": tier_evaluation,
    "talent.tier_changed": tier_changed,
    "talent.tier_review": tier_review,
}
