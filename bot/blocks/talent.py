"""The talent modals: the casting pipeline, a candidate and their history, auditions and the blind
scorecard, coaching feedback, the onboarding template and progress, and the tier decision note."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import Block, actions, button, chunk_lines, context, divider, escape, mention, modal, section
from bot.blocks.talent_forms import date_picker, field, option, select, text, time_picker, users
from bot.blocks.talent_notices import feedback_blocks
from bot.db.models import LiveSession
from bot.db.talent import (ALL_STAGES, CRITERIA, CRITERION_LABEL, SOURCE_LABEL, SOURCES, STAGE_LABEL, Audition, Candidate,
                           CandidateEvent, Feedback, OnboardingItem)
from bot.services.talent.auditions import Scorecard
from bot.services.talent.onboarding import Progress
from bot.timefmt import fmt_datetime, fmt_day, fmt_span

PER_STAGE = 6
SHORT = {"energy": "Energy", "product": "Product", "selling": "Selling", "compliance": "Compliance", "reliability": "Reliability"}
FULL_LIST = "the full list: `opsbot export casting --out casting.xlsx`"


def _cand_line(c: Candidate) -> str:
    bits = [f"*{escape(c.name)}* #{c.id}"]
    if c.handle:
        bits.append(f"@{escape(c.handle)}")
    bits.append(SOURCE_LABEL.get(c.source, c.source))
    if c.languages:
        bits.append(escape(c.languages))
    return " · ".join(bits)


def _menu(c: Candidate) -> dict[str, Any]:
    opts = [option("Open / move", f"open:{c.id}")]
    if c.stage in ("sourced", "screened", "audition_scheduled", "auditioned"):
        opts.append(option("Schedule audition", f"audition:{c.id}"))
    return {"type": "overflow", "action_id": "talent_cand_menu", "options": opts}


def pipeline_modal(by_stage: dict[str, list[Candidate]], closed: int, *, title: str = "Casting",
                   notice: str | None = None) -> dict[str, Any]:
    total = sum(len(v) for v in by_stage.values())
    blocks: list[Block] = [
        section(f"*Casting pipeline* · {total} candidate(s) in progress · {closed} declined or withdrawn"),
        actions(button("Add candidate", "talent_add", style="primary"), button("Onboarding", "talent_progress"),
                button("Onboarding template", "talent_template"), block_id="casting_nav"),
    ]
    if notice:
        blocks.append(section(escape(notice)))
    for stage in ALL_STAGES:
        cands = by_stage.get(stage, [])
        if not cands:
            continue
        blocks.append(divider())
        blocks.append(section(f"*{STAGE_LABEL[stage]}* · {len(cands)}"))
        for c in cands[:PER_STAGE]:
            why = f" · _{escape(c.reason)}_" if c.reason else ""
            blocks.append(section(_cand_line(c) + why, accessory=_menu(c), block_id=f"cand_{c.id}"))
        if len(cands) > PER_STAGE:
            blocks.append(context(f"and {len(cands) - PER_STAGE} more {STAGE_LABEL[stage].lower()}: `/casting name` finds one, "
                                  f"{FULL_LIST}."))
    if total == 0:
        blocks.append(context("No candidates yet: *Add candidate* starts the pipeline."))
    return modal(title, blocks[:100])


def candidate_modal(c: Candidate | None = None) -> dict[str, Any]:
    """The add form, or the edit form of candidate `c` (prefilled)."""
    v = (lambda name: getattr(c, name)) if c is not None else (lambda name: None)
    handle = f"@{c.handle}" if c is not None and c.handle else None
    form = [
        field("name", "Name", text(v("name"), max_length=200)),
        field("handle", "TikTok handle", text(handle, max_length=40, placeholder="@glow.with.hana"), optional=True),
        field("email", "Email", text(v("email"), max_length=320), optional=True,
              hint="Their Slack account is linked by this email when they join. A handle or an email is required."),
        field("source", "Source", select([option(SOURCE_LABEL[s], s) for s in SOURCES], v("source") or "inbound")),
        field("link", "Reel or audition link", text(v("link"), max_length=500, placeholder="https://"), optional=True),
        field("languages", "Languages", text(v("languages"), max_length=200, placeholder="English, Spanish"), optional=True),
        field("notes", "Notes", text(v("notes"), multiline=True, max_length=2000), optional=True),
    ]
    if c is None:
        return modal("Add candidate", form, callback_id="talent_candidate_submit", submit="Add")
    return modal(f"Edit #{c.id}", form, callback_id="talent_candidate_edit", submit="Save",
                 private_metadata=json.dumps({"candidate": c.id}))


def _event_line(e: CandidateEvent, tz: ZoneInfo) -> str:
    frm = f"{STAGE_LABEL.get(e.from_stage, e.from_stage)} → " if e.from_stage else ""
    why = f" · {escape(e.reason)}" if e.reason else ""
    who = mention(e.actor) if e.actor.startswith(("U", "W")) else escape(e.actor)
    return f"{fmt_datetime(e.at, tz)} · {frm}{STAGE_LABEL.get(e.to_stage, e.to_stage)} · {who}{why}"


def candidate_detail(c: Candidate, moves: list[str], auditions: list[Audition], tz: ZoneInfo, today: date) -> dict[str, Any]:
    info = [_cand_line(c), f"Stage: *{STAGE_LABEL[c.stage]}*" + (f" ({escape(c.reason)})" if c.reason else "")]
    if c.email:
        info.append(f"Email: {escape(c.email)}")
    if c.link:
        info.append(f"Link: <{escape(c.link)}|{escape(c.link[:60])}>")
    if c.person_id:
        info.append(f"Slack: {mention(c.person.slack_user_id)}" if c.person else "")
    elif c.stage in ("onboarding", "active"):
        info.append("_Linked to their Slack user by email as soon as they join the workspace._")
    if c.start_on:
        info.append(f"Start date: {fmt_day(c.start_on)}")
    blocks: list[Block] = [section("\n".join(i for i in info if i))]
    if c.notes:
        blocks.append(section(f"*Notes*\n{escape(c.notes)}"[:2990]))
    for aud in auditions[:5]:
        blocks.append(section(f":clapper: Audition {fmt_span(aud.starts_at, aud.ends_at, tz)}"
                              f"{' · ' + escape(aud.room) if aud.room else ''} · {len(aud.scores)}/{len(aud.reviewers)} scored",
                              accessory=button("Scorecard", "talent_score_open", str(aud.id))))
        if not aud.scores:
            blocks.append(actions(button("Cancel audition", "talent_audition_cancel", str(aud.id), style="danger",
                                         confirm={"title": {"type": "plain_text", "text": "Cancel this audition?"},
                                                  "text": {"type": "mrkdwn", "text": "The reviewers are told by DM."},
                                                  "confirm": {"type": "plain_text", "text": "Cancel it"},
                                                  "deny": {"type": "plain_text", "text": "Keep it"}}),
                                  block_id=f"audcancel_{aud.id}"))
    history = [_event_line(e, tz) for e in c.events[-15:]]
    blocks.append(section("*History*\n" + "\n".join(history)) if history else context("No history."))
    if moves:
        blocks.append(divider())
        blocks.append(field("stage", "Move to", select([option(STAGE_LABEL[s], s) for s in moves])))
        blocks.append(field("reason", "Why", text(max_length=500), optional=True,
                            hint="Required for declined or withdrawn; kept in the history."))
        blocks.append(field("start", "Start date (for an accepted offer)", date_picker(), optional=True))
    buttons = [button("Edit details", "talent_candidate_edit_open", str(c.id))]
    if c.stage in ("sourced", "screened", "audition_scheduled", "auditioned"):
        buttons.insert(0, button("Schedule audition", "talent_audition_open", str(c.id)))
    blocks.insert(1, actions(*buttons, block_id="cand_do"))
    meta = json.dumps({"candidate": c.id})
    return modal(f"Candidate #{c.id}", blocks, callback_id="talent_move_submit" if moves else None,
                 submit="Move" if moves else None, private_metadata=meta)


def _booked(booked: list[tuple[datetime, datetime, str | None, str]], tz: ZoneInfo) -> list[Block]:
    """The studio calendar around the audition: what is already in which room."""
    if not booked:
        return [context("Nothing is booked in the studio in the next 14 days.")]
    lines = [f"{fmt_span(a, b, tz)} · {escape(room or 'no room')} · {escape(what)}" for a, b, room, what in booked[:25]]
    more = [context(f"and {len(booked) - 25} more: `/schedule` shows the full calendar.")] if len(booked) > 25 else []
    return [section("*Already booked (next 14 days)*\n" + "\n".join(lines)), *more]


def audition_modal(c: Candidate, day: date, room: str | None,
                   booked: list[tuple[datetime, datetime, str | None, str]] | None = None, tz: ZoneInfo | None = None) -> dict[str, Any]:
    cal = _booked(booked or [], tz) if tz is not None else []
    return modal("Schedule audition", [
        section(f"Audition for *{escape(c.name)}*. The slot must not clash with a LIVE in the same room."),
        *cal,
        field("date", "Day", date_picker(day.isoformat())),
        field("start", "Starts", time_picker("14:00")),
        field("end", "Ends", time_picker("14:45")),
        field("room", "Room or set", text(room, max_length=100), optional=True),
        field("reviewers", "Reviewers", users(multi=True), hint="They get a DM now and a reminder the day before."),
    ], callback_id="talent_audition_submit", submit="Schedule", private_metadata=json.dumps({"candidate": c.id}))


def score_modal(aud: Audition, tz: ZoneInfo) -> dict[str, Any]:
    opts = [option(str(n), str(n)) for n in range(1, 6)]
    blocks: list[Block] = [section(f"*{escape(aud.candidate.name)}* · {fmt_span(aud.starts_at, aud.ends_at, tz)}"),
                           context("1 = weak, 5 = excellent. You see the other reviewers' scores after you submit.")]
    for c in CRITERIA:
        hint = "Reads a sample talk track without ad-libbing claims." if c == "compliance" else None
        blocks.append(field(c, CRITERION_LABEL[c], select(opts, placeholder="1-5"), hint=hint))
    blocks.append(field("notes", "Notes", text(multiline=True, max_length=2000), optional=True))
    return modal("Audition scorecard", blocks, callback_id="talent_score_submit", submit="Submit scores",
                 private_metadata=json.dumps({"audition": aud.id}))


def scorecard_modal(card: Scorecard, tz: ZoneInfo) -> dict[str, Any]:
    aud = card.audition
    blocks: list[Block] = [section(f"*{escape(aud.candidate.name)}* · {fmt_span(aud.starts_at, aud.ends_at, tz)}\n"
                                   f"{card.submitted} of {card.expected} reviewer(s) have scored.")]
    if card.blind:
        blocks.append(section(":see_no_evil: The scores stay hidden until you submit your own."))
        blocks.append(actions(button("Score now", "talent_score_open", str(aud.id), style="primary")))
        return modal("Audition scorecard", blocks)
    if not card.scores:
        blocks.append(context("No scores yet."))
        return modal("Audition scorecard", blocks)
    lines = [f"{CRITERION_LABEL[c]}: *{card.averages[c]:.1f}* avg · spread {card.spreads[c]}" for c in CRITERIA]
    blocks.append(section(f"*Overall {card.overall:.2f}* · spread {card.overall_spread:.1f}\n" + "\n".join(lines)))
    for s in card.scores[:20]:
        marks = " · ".join(f"{SHORT[c]} {getattr(s, c)}" for c in CRITERIA)
        note = f"\n_{escape(s.notes)}_" if s.notes else ""
        blocks.append(section(f"{mention(s.reviewer)} · {marks}{note}"[:2990]))
    return modal("Audition scorecard", blocks)


def _session_option(live: LiveSession, tz: ZoneInfo) -> dict[str, Any]:
    return option(f"{fmt_datetime(live.starts_at, tz)} · {live.title}", str(live.id))


def feedback_modal(host: str | None, sessions: list[LiveSession], session_id: int | None, tz: ZoneInfo,
                   nonce: str) -> dict[str, Any]:
    opts = [_session_option(s, tz) for s in sessions]
    session_el = select(opts, str(session_id) if session_id else None, "Which session (optional)") if opts else None
    blocks: list[Block] = [context("Private to the host, the associate and leadership. The host gets it as a DM.")]
    blocks.append(field("host", "Host", users([host] if host else None)))
    if session_el:
        blocks.append(field("session", "Session", session_el, optional=True))
    blocks += [field("well", "What went well", text(multiline=True, max_length=2900)),
               field("improve", "What to improve", text(multiline=True, max_length=2900)),
               field("clip", "Clip timestamp", text(max_length=16, placeholder="1:42:10"), optional=True)]
    return modal("Coaching feedback", blocks, callback_id="talent_feedback_submit", submit="Send",
                 private_metadata=json.dumps({"nonce": nonce}))


def feedback_history_modal(name: str, items: list[Feedback]) -> dict[str, Any]:
    blocks: list[Block] = [section(f"*Feedback for {escape(name)}* · {len(items)}")]
    for fb in items[:8]:
        blocks += [divider(), *feedback_blocks(fb, with_button=False)]
    if len(items) > 8:
        blocks.append(context(f"and {len(items) - 8} more."))
    return modal("Feedback", blocks)


def template_modal(current: str) -> dict[str, Any]:
    return modal("Onboarding template", [
        section("One item per line: `owner, days after the start date, title`. Owner is *host* (they tick it) or "
                "*associate*. New hires get this list; started checklists keep theirs."),
        field("items", "Items", text(current, multiline=True, max_length=3000)),
    ], callback_id="talent_template_submit", submit="Save")


def progress_modal(rows: list[Progress], today: date) -> dict[str, Any]:
    blocks: list[Block] = [section(f"*Onboarding* · {len(rows)} new host(s) in progress")]
    for p in rows[:40]:
        late = f" · :red_circle: {len(p.overdue)} overdue" if p.overdue else ""
        blocks.append(section(f"*{escape(p.person.name)}* · {p.done}/{p.total} done{late}",
                              accessory=button("Checklist", "talent_onb_person", str(p.person.id))))
        if p.overdue:
            lines = [f"• {escape(i.title)} ({i.owner}, due {fmt_day(i.due_on)})" for i in p.overdue[:6]]
            blocks.append(context(*chunk_lines(lines, max_chars=2000)[:1]))
    if len(rows) > 40:
        blocks.append(context(f"and {len(rows) - 40} more."))
    if not rows:
        blocks.append(context("Nobody is onboarding right now."))
    return modal("Onboarding", blocks[:100])


def decide_modal(proposal_id: int, approve: bool) -> dict[str, Any]:
    word = "Approve" if approve else "Decline"
    return modal(f"{word} tier proposal", [
        field("note", "Note", text(multiline=True, max_length=1000), optional=approve,
              hint="Kept with the decision in the tier history."),
    ], callback_id="talent_tier_decide_submit", submit=word,
        private_metadata=json.dumps({"proposal": proposal_id, "approve": approve}))


def done_modal(title: str, message: str) -> dict[str, Any]:
    return modal(title, [section(message)])


def checklist_modal(name: str, person_id: int, items: list[OnboardingItem], today: date) -> dict[str, Any]:
    """One new host's checklist for the associate, every open item with Done."""
    done = sum(1 for i in items if i.done_at)
    blocks: list[Block] = [section(f"*{escape(name)}* · {done}/{len(items)} done")]
    for item in items[:45]:
        due = f"due {fmt_day(item.due_on)}" + (" :red_circle: overdue" if item.done_at is None and item.due_on < today else "")
        line = f"{'☑' if item.done_at else '☐'} {escape(item.title)} · {item.owner} · {due}"
        blocks.append(section(line, accessory=None if item.done_at else button("Done", "talent_onb_tick", str(item.id)),
                              block_id=f"onbm_{item.id}"))
    return modal("Onboarding", blocks, private_metadata=json.dumps({"person": person_id}))
