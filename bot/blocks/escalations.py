"""Block Kit for escalations: the /escalate modal, the channel message edited in place, pages (DMs),
the update/resolve modals and the timeline."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block, actions, button, clip, context, escape, fields, header, mention, modal, plain, section,
)
from bot.blocks.common import chunk_lines
from bot.blocks.timeclock import ROLE_LABEL
from bot.db.escalations import Escalation, EscalationEvent
from bot.db.models import LiveSession
from bot.services.edits import form_ref
from bot.services.escalations.core import NO_SESSION
from bot.timefmt import fmt_datetime, fmt_time

if TYPE_CHECKING:
    from bot.services.escalations.core import Card

SEVERITY_MEANING = {
    1: "Stream down, or legal/safety risk",
    2: "Revenue at risk: checkout or pricing broken",
    3: "Degraded: the LIVE goes on, worse",
    4: "Minor / FYI",
}
SEVERITY_EMOJI = {1: ":red_circle:", 2: ":large_orange_circle:", 3: ":large_yellow_circle:", 4: ":white_circle:"}
AFFECTED_LABELS = {"stream": "Stream", "product": "Product / SKU", "host": "Host", "pricing": "Pricing",
                   "compliance": "Compliance", "other": "Other"}
CAUSE_LABELS = {"tech": "Stream / tech", "product": "Product or listing", "pricing": "Pricing or promo",
                "host": "Host / talent", "compliance": "Compliance / claims", "platform": "TikTok platform",
                "stock": "Stock / logistics", "other": "Other"}
EVENT_EMOJI = {"raised": ":rotating_light:", "notified": ":bell:", "acknowledged": ":raising_hand:",
               "updated": ":memo:", "escalated": ":loudspeaker:", "snoozed": ":zzz:", "resolved": ":white_check_mark:",
               "reopened": ":repeat:"}


def _option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    opt: dict[str, Any] = {"text": plain(clip(text, 75)), "value": value}
    if description:
        opt["description"] = plain(clip(description, 75))
    return opt


def _select(options: list[dict[str, Any]], initial: dict[str, Any] | None = None, placeholder: str = "Choose") -> dict[str, Any]:
    el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options,
                          "placeholder": plain(placeholder)}
    if initial is not None:
        el["initial_option"] = initial
    return el


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element, "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def _text_input(initial: str | None = None, *, multiline: bool = False, max_length: int = 2000,
                placeholder: str | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if initial:
        el["initial_value"] = initial
    if placeholder:
        el["placeholder"] = plain(placeholder)
    return el


def severity_options() -> list[dict[str, Any]]:
    return [_option(f"SEV{n}", str(n), SEVERITY_MEANING[n]) for n in (1, 2, 3, 4)]


def session_label(session: LiveSession, tz: ZoneInfo) -> str:
    return f"{session.title} ({fmt_time(session.starts_at, tz)}–{fmt_time(session.ends_at, tz)})"


def raise_modal(summary: str, sessions: list[LiveSession], on_air: LiveSession | None, tz: ZoneInfo,
                nonce: str) -> dict[str, Any]:
    """The /escalate form. `nonce` in private_metadata makes a double submit one escalation."""
    session_opts = [_option(session_label(x, tz), str(x.id)) for x in sessions]
    session_opts.append(_option("Not about a LIVE session", NO_SESSION))
    initial = next((o for o in session_opts if on_air is not None and o["value"] == str(on_air.id)), None)
    blocks: list[Block] = [
        _input("summary", "What is wrong?", _text_input(clip(summary, 150) if summary else None, max_length=150,
                                                          placeholder="e.g. checkout link dead on the hero bundle")),
        _input("severity", "Severity", _select(severity_options(), placeholder="How bad is it?"),
               hint="SEV1 and SEV2 page leadership now; SEV1 also pages the associates."),
        _input("session", "LIVE session", _select(session_opts, initial, "Which LIVE?"), optional=True,
               hint="Preselected: the session on air now." if initial else None),
        _input("affected", "What is affected", _select(
            [_option(label, key) for key, label in AFFECTED_LABELS.items()], placeholder="Stream, product, host...")),
        _input("details", "Details", _text_input(multiline=True, placeholder="What you see, what you tried"),
               optional=True),
        _input("legal", "Legal", {"type": "checkboxes", "action_id": "value",
                                  "options": [_option("Needs legal / compliance", "yes")]}, optional=True),
    ]
    return modal("Escalate", blocks, callback_id="escalation_raise", submit="Escalate", close="Cancel",
                 private_metadata=json.dumps({"nonce": nonce}))


def raised_modal(esc: Escalation, created: bool, channel: str | None, slack_down: bool = False) -> dict[str, Any]:
    where = f" in <#{channel}>" if channel else ""
    if created and slack_down:  # the post and pages wait in the outbox: say so, not "being paged"
        text = (f":white_check_mark: Escalation *#{esc.id}* (SEV{esc.severity}) is recorded. Slack isn't answering "
                f"right now, so its post{where} and the pages go out as soon as Slack is back. If it's urgent, call the associate.")
    elif created:
        text = (f":white_check_mark: Escalation *#{esc.id}* (SEV{esc.severity}) is raised{where}. "
                "The right people are being paged; you'll get a DM when someone owns it.")
    else:
        text = f":information_source: This was already raised as escalation *#{esc.id}*{where}; nothing was added."
    return modal("Escalation raised", [section(text)])


def _status_line(esc: Escalation, tz: ZoneInfo) -> str:
    if esc.status == "resolved":
        when = fmt_time(esc.resolved_at, tz) if esc.resolved_at else ""
        return f":white_check_mark: *Resolved* by {mention(esc.owner or '')} at {when}"
    if esc.status == "acknowledged":
        when = fmt_time(esc.acknowledged_at, tz) if esc.acknowledged_at else ""
        return f":raising_hand: *Acknowledged*: {mention(esc.owner or '')} owns it (since {when})"
    return ":rotating_light: *Open*: nobody owns it yet"


def _crew_line(c: Card) -> str:
    if not c.on_set:
        return "_nobody clocked in_" if c.session is None else "_no crew scheduled_"
    parts = []
    for uid, role, present in c.on_set:
        label = f" {ROLE_LABEL.get(role, role)}" if role else ""
        parts.append(f"{mention(uid)}{label}" + ("" if present else " (not checked in)"))
    return ", ".join(parts)


def escalation_message(c: Card, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:
    """The one channel message per escalation, edited in place as it changes."""
    esc = c.esc
    sev = f"SEV{esc.severity}"
    resolved = esc.status == "resolved"
    title = f"{sev} · {esc.summary}" + (" (resolved)" if resolved else "")
    blocks: list[Block] = [
        header(title),
        section(_status_line(esc, tz)),
        fields([
            f"*Severity*\n{SEVERITY_EMOJI[esc.severity]} {sev}: {SEVERITY_MEANING[esc.severity]}",
            f"*LIVE session*\n{escape(session_label(c.session, tz)) if c.session else '—'}",
            f"*Affected*\n{AFFECTED_LABELS.get(esc.affected, esc.affected)}",
            f"*Reported by*\n{mention(esc.reporter)} at {fmt_time(esc.escalated_at, tz)}",
        ]),
    ]
    if esc.details:
        blocks.append(section(f"*Details*\n{escape(clip(esc.details, 2800))}"))
    if esc.last_update and not resolved:
        blocks.append(section(f"*Latest update*\n{escape(clip(esc.last_update, 2800))}"))
    if resolved and esc.resolution_note:
        cause = CAUSE_LABELS.get(esc.cause or "", "")
        blocks.append(section(f"*Resolution* ({cause})\n{escape(clip(esc.resolution_note, 2800))}"))
    blocks.append(section(f"*On set*: {_crew_line(c)}"))
    notes = []
    if esc.needs_legal:
        notes.append(":scales: Needs legal")
    if c.reminders and esc.status == "open":
        notes.append(f":loudspeaker: Re-notified {c.reminders}×")
    if esc.status == "acknowledged" and esc.snoozed_until and esc.snoozed_until > now:
        notes.append(f":zzz: Reminders snoozed until {fmt_time(esc.snoozed_until, tz)}")
    if not resolved:
        notes.append(f"Policy: {c.policy.describe()}")
    if notes:
        blocks.append(context(" · ".join(notes)))
    value = str(esc.id)
    timeline = button("Open timeline", "esc_timeline", value)
    if esc.status == "open":
        buttons = [button("Acknowledge", "esc_ack", value, style="primary"), button("Update", "esc_update", value),
                   button("Resolve", "esc_resolve", value), timeline]
    elif esc.status == "acknowledged":
        buttons = [button("Update", "esc_update", value), button("Resolve", "esc_resolve", value, style="primary")]
        if c.policy.nag:
            buttons.append(button("Snooze reminders", "esc_snooze", value))
        buttons.append(timeline)
    else:
        buttons = [button("Reopen", "esc_reopen", value), timeline]
    blocks.append(actions(*buttons, block_id=f"esc_{esc.id}"))
    blocks.append(context(f"Escalation #{esc.id} · raised {fmt_datetime(esc.escalated_at, tz)}"))
    state = {"open": "OPEN", "acknowledged": "ACKNOWLEDGED", "resolved": "RESOLVED"}[esc.status]
    return f"[{state}] {sev} escalation #{esc.id}: {esc.summary}", blocks


def page_dm(c: Card, reason: str, channel: str | None, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:
    """A page: what, how bad, where to look, and one-tap Acknowledge."""
    esc = c.esc
    where = f" · see <#{channel}>" if channel else ""
    session = f"\n*LIVE:* {escape(session_label(c.session, tz))}" if c.session else ""
    blocks = [
        section(f"{SEVERITY_EMOJI[esc.severity]} *{reason}: SEV{esc.severity} escalation #{esc.id}*\n"
                f"{escape(esc.summary)}{session}\n*Reported by* {mention(esc.reporter)}{where}"),
        actions(button("Acknowledge", "esc_ack", str(esc.id), style="primary"),
                button("Open timeline", "esc_timeline", str(esc.id)), block_id=f"esc_page_{esc.id}"),
    ]
    return f"{reason}: SEV{esc.severity} escalation #{esc.id}: {esc.summary}", blocks


def legal_notice(c: Card, channel: str | None, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:
    esc = c.esc
    where = f" Follow it in <#{channel}>." if channel else ""
    details = f"\n{escape(clip(esc.details, 1500))}" if esc.details else ""
    blocks = [section(f":scales: *Legal is needed on SEV{esc.severity} escalation #{esc.id}*\n{escape(esc.summary)}"
                      f"{details}\n*Reported by* {mention(esc.reporter)}.{where}"),
              actions(button("Open timeline", "esc_timeline", str(esc.id)), block_id=f"esc_legal_{esc.id}")]
    return f"Legal needed on escalation #{esc.id}: {esc.summary}", blocks


def nag_dm(c: Card, minutes_open: int, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:
    esc = c.esc
    value = str(esc.id)
    blocks = [
        section(f":hourglass: *SEV{esc.severity} escalation #{esc.id} is still unresolved* after {minutes_open} min, "
                f"and you own it.\n{escape(esc.summary)}"),
        actions(button("Update", "esc_update", value), button("Resolve", "esc_resolve", value, style="primary"),
                button("Snooze reminders", "esc_snooze", value), block_id=f"esc_nag_{esc.id}"),
    ]
    return f"Escalation #{esc.id} is still unresolved after {minutes_open} min: {esc.summary}", blocks


def resolved_dm(esc: Escalation, actor: str, tz: ZoneInfo) -> tuple[str, list[Block]]:
    cause = CAUSE_LABELS.get(esc.cause or "", "")
    text = f"Escalation #{esc.id} was resolved: {esc.summary}"
    return text, [section(f":white_check_mark: *Escalation #{esc.id} resolved* by {mention(actor)} "
                          f"({cause})\n{escape(esc.summary)}\n_{escape(clip(esc.resolution_note or '', 1500))}_")]


def update_modal(esc: Escalation, version: str | None = None) -> dict[str, Any]:
    current = next(o for o in severity_options() if o["value"] == str(esc.severity))
    blocks: list[Block] = [
        section(f"*#{esc.id} · SEV{esc.severity}* {escape(esc.summary)}"),
        _input("note", "What changed?", _text_input(multiline=True, placeholder="e.g. link fixed on mobile, checking desktop")),
        _input("severity", "Severity", _select(severity_options(), current), optional=True),
    ]
    return modal("Update escalation", blocks, callback_id="escalation_update", submit="Post update", close="Cancel",
                 private_metadata=form_ref(esc.id, version) if version else str(esc.id))


def resolve_modal(esc: Escalation) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"*#{esc.id} · SEV{esc.severity}* {escape(esc.summary)}"),
        _input("note", "How was it fixed?", _text_input(multiline=True, placeholder="What fixed it, and anything to follow up")),
        _input("cause", "Cause", _select([_option(label, key) for key, label in CAUSE_LABELS.items()],
                                         placeholder="Pick the cause")),
    ]
    return modal("Resolve escalation", blocks, callback_id="escalation_resolve", submit="Resolve", close="Cancel",
                 private_metadata=str(esc.id))


def _event_line(e: EscalationEvent, tz: ZoneInfo) -> str:
    who = "opsbot" if e.actor.startswith("system:") else mention(e.actor)
    d = e.detail or {}
    extra = ""
    if e.kind == "raised":
        extra = f"SEV{d.get('severity')}: {escape(d.get('summary', ''))}"
    elif e.kind in ("notified", "escalated"):
        users = ", ".join(mention(u) for u in d.get("users", [])) or "no one by DM"
        chans = "".join(f" <#{c}>" for c in d.get("channels", []))
        extra = f"{users}{chans}" + (f" ({d['reason']})" if d.get("reason") else "")
        if e.kind == "escalated":
            extra = f"after {d.get('minute')} min: {extra}"
    elif e.kind == "updated":
        sev = d.get("severity")
        extra = (f"SEV{sev['from']} → SEV{sev['to']}: " if sev else "") + escape(clip(d.get("note", ""), 300))
    elif e.kind == "resolved":
        extra = f"{CAUSE_LABELS.get(d.get('cause', ''), '')}: {escape(clip(d.get('note', ''), 300))}"
    elif e.kind == "snoozed" and d.get("until"):
        extra = f"until {fmt_time(datetime.fromisoformat(d['until']), tz)}"
    elif e.kind == "acknowledged":
        extra = f"after {d.get('minutes_after_raise')} min"
    return f"`{fmt_time(e.at, tz)}` {EVENT_EMOJI[e.kind]} *{e.kind}* by {who}" + (f" · {extra}" if extra else "")


def timeline_modal(esc: Escalation, events: list[EscalationEvent], tz: ZoneInfo) -> dict[str, Any]:
    blocks: list[Block] = [section(f"*#{esc.id} · SEV{esc.severity}* {escape(esc.summary)}\n{_status_line(esc, tz)}")]
    lines = [_event_line(e, tz) for e in events]
    for chunk in chunk_lines(lines)[:95]:
        blocks.append(section(chunk))
    blocks.append(context(f"Raised {fmt_datetime(esc.escalated_at, tz)} · times in {tz.key}"))
    return modal(f"Timeline #{esc.id}", blocks)
