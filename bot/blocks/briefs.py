"""Block Kit for briefs: the /brief modal, the legal-channel request, decisions, lists, reminders and digests.

Brief text is shown as plain_text so legal reads exactly what was typed (no mrkdwn, no mentions),
in pieces that respect Slack's 3,000-character section limit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block, actions, button, clip, context, divider, escape, fields, header, mention, modal, plain, section,
)
from bot.blocks import claims as claim_blocks
from bot.blocks.common import chunk_lines
from bot.db.briefs import KIND_LABEL, STATUS_LABEL, Brief, BriefDecision, BriefVersion
from bot.db.models import LiveSession
from bot.services.claims.finding import Finding
from bot.timefmt import fmt_datetime, fmt_day

STATUS_ICON = {"draft": ":memo:", "pending": ":hourglass_flowing_sand:", "changes_requested": ":leftwards_arrow_with_hook:",
               "approved": ":white_check_mark:", "rejected": ":no_entry:"}
DECISION_LINE = {"approve": ":white_check_mark: *Approved*", "request_changes": ":leftwards_arrow_with_hook: *Changes requested*",
                 "reject": ":no_entry: *Rejected*"}
INPUT_LIMIT = 3000  # a Slack plain_text_input holds at most 3,000 characters
TEXT_BOXES = 3
EXCERPT = 2000
PIECE = 2900


def split_text(text: str, limit: int) -> list[str]:
    """Cut text into pieces of at most `limit` characters, at a line break (dropped) or space when one is near."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut > limit // 2:
            pieces.append(rest[:cut])
            rest = rest[cut + 1:]
            continue
        cut = rest.rfind(" ", 0, limit)
        cut = cut + 1 if cut > limit // 2 else limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def _plain_section(text: str) -> Block:
    return {"type": "section", "text": {"type": "plain_text", "text": text or " ", "emoji": False}}


def _due(brief: Brief | BriefVersion, tz: ZoneInfo) -> str:
    return fmt_datetime(brief.due_at, tz) if brief.due_at else "no date"


def _for(brief: Brief, tz: ZoneInfo) -> str:
    if brief.session is not None:
        return f"{escape(brief.session.title)} ({fmt_datetime(brief.session.starts_at, tz)})"
    return escape(brief.campaign) or "—"


def session_label(s: LiveSession, tz: ZoneInfo) -> str:
    return clip(f"{s.title} · {fmt_datetime(s.starts_at, tz)}", 75)


# ----------------------------------------------------------------------------- claim findings
def findings_blocks(findings: list[Finding], text: str | None = None, *, version_id: int | None = None) -> list[Block]:
    """Each finding quoted from `text` with the matched words in bold, its rule and a suggestion (bot.blocks.claims)."""
    return claim_blocks.finding_blocks(findings, text, version_id=version_id)


def check_reply(findings: list[Finding], checked: str | None = None) -> tuple[str, list[Block]]:
    text = f"Claim check: {len(findings)} finding(s)." if findings else "Claim check: nothing restricted found."
    return text, findings_blocks(findings, checked)


# ----------------------------------------------------------------------------- the /brief modal
def _text_input(block_id: str, label: str, *, initial: str | None = None, optional: bool = True, multiline: bool = False,
                max_length: int = INPUT_LIMIT, placeholder: str | None = None, hint: str | None = None) -> Block:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline,
                               "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    block: Block = {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label), "element": element}
    if hint:
        block["hint"] = plain(hint)
    return block


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(clip(text, 75)), "value": value}


def brief_modal(sessions: list[LiveSession], tz: ZoneInfo, brief: Brief | None = None) -> dict[str, Any]:
    """Create a brief, or edit one (prefilled; private_metadata carries the brief and the version it was opened on)."""
    pieces = split_text(brief.draft_text, INPUT_LIMIT) if brief is not None and brief.draft_text else []
    if brief is not None and brief.session is not None and brief.session not in sessions:
        sessions = [brief.session, *sessions]  # keep a LIVE that has since started, so resubmitting doesn't drop it
    kind_options = [_option(label, kind) for kind, label in KIND_LABEL.items()]
    kind_el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": kind_options,
                               "placeholder": plain("Pick one")}
    if brief is not None:
        kind_el["initial_option"] = _option(KIND_LABEL[brief.kind], brief.kind)
    blocks: list[Block] = [
        _text_input("title", "Title", initial=brief.title if brief else None, optional=False, max_length=200,
                    placeholder="e.g. Glow Serum talk track, Friday LIVE"),
        {"type": "input", "block_id": "kind", "label": plain("Kind"), "element": kind_el},
        _text_input("skus", "Products / SKUs", initial=brief.skus if brief else None, max_length=1000,
                    placeholder="e.g. GLOW-30ML, GLOW-BUNDLE-3"),
        _text_input("text", "Text for legal", initial=pieces[0] if pieces else None, optional=True, multiline=True,
                    hint="The exact words to approve. If you link a document below, paste its key claims here."),
        _text_input("text_2", "Text, continued", initial=pieces[1] if len(pieces) > 1 else None, multiline=True,
                    hint="Only if the text is longer than the box above holds; continues on a new line."),
        _text_input("text_3", "Text, continued further", initial=pieces[2] if len(pieces) > 2 else None, multiline=True),
        {"type": "input", "block_id": "link", "optional": True, "label": plain("Link to the full document"),
         "element": {"type": "url_text_input", "action_id": "value",
                     **({"initial_value": brief.draft_link} if brief is not None and brief.draft_link else {})}},
    ]
    if sessions:
        options = [_option(session_label(s, tz), str(s.id)) for s in sessions[:100]]
        el: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options,
                              "placeholder": plain("Pick a LIVE")}
        chosen = next((o for o in options if brief is not None and o["value"] == str(brief.session_id)), None)
        if chosen:
            el["initial_option"] = chosen
        blocks.append({"type": "input", "block_id": "session", "optional": True, "label": plain("LIVE session"),
                       "element": el})
    blocks.append(_text_input("campaign", "Campaign (if not for one LIVE)", initial=brief.campaign if brief else None,
                              max_length=200))
    due_el: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if brief is not None and brief.due_at is not None:
        due_el["initial_date"] = brief.due_at.astimezone(tz).date().isoformat()
    blocks.append({"type": "input", "block_id": "due", "optional": True, "label": plain("Legal must approve by"),
                   "element": due_el, "hint": plain(f"End of that day, {tz.key} time. Required to send to legal.")})
    blocks.append(_text_input("note", "Note to legal", initial=brief.note_to_legal if brief else None, multiline=True))
    blocks.append({"type": "input", "block_id": "draft", "optional": True, "label": plain("Not ready yet?"),
                   "element": {"type": "checkboxes", "action_id": "value",
                               "options": [_option("Save as a draft (don't send to legal yet)", "draft")]}})
    if brief is None:
        return modal("Brief for legal", blocks, callback_id="brief_submit", submit="Save", close="Cancel")
    title = f"Resubmit brief #{brief.id}" if brief.current_version else f"Edit brief #{brief.id}"
    return modal(title, blocks, callback_id="brief_submit", submit="Save", close="Cancel",
                 private_metadata=f"{brief.id}:{brief.current_version}")


def saved_view(brief: Brief, version: BriefVersion | None, findings: list[Finding], tz: ZoneInfo,
               legal_channel: str | None) -> dict[str, Any]:
    """What the submitter sees after saving: where it went, and the claim check's findings."""
    if version is None:
        blocks = [section(f":memo: Draft *#{brief.id} {escape(brief.title)}* saved. Send it to legal from `/brief list` "
                          "when it's ready.")]
        if brief.draft_text:
            blocks += findings_blocks(findings, brief.draft_text)
        return modal("Draft saved", blocks)
    where = f"<#{legal_channel}>" if legal_channel else "legal"
    blocks = [
        section(f":outbox_tray: *#{brief.id} {escape(brief.title)}* version {version.number} is with {where}. "
                f"It must be approved by {_due(version, tz)}."),
        context(f"Text fingerprint (SHA-256) `{version.text_sha256[:16]}…` · {len(version.text):,} characters"),
        *findings_blocks(findings, version.text),
    ]
    if findings:
        blocks.append(context("You can still edit it if legal asks for changes; fixing these phrases first makes that less likely."))
    return modal("Sent to legal", blocks)


# ----------------------------------------------------------------------------- the legal request
def _decision_line(d: BriefDecision, version: BriefVersion, tz: ZoneInfo) -> str:
    line = f"{DECISION_LINE[d.decision]} (version {version.number}) by {mention(d.decider)} · {fmt_datetime(d.at, tz)}"
    if d.reason:
        line += f"\n> {escape(clip(d.reason, 1500))}"
    return line


def _ref(brief: Brief, version: BriefVersion) -> str:
    return f"{brief.id}:{version.number}"


def legal_request(brief: Brief, version: BriefVersion, tz: ZoneInfo, *, final: bool) -> tuple[str, list[Block]]:
    """The approval request in the legal channel; re-rendered after each decision (buttons gone once final)."""
    kind = KIND_LABEL[brief.kind]
    blocks: list[Block] = [
        header(f"{kind} for approval: {brief.title}"),
        fields([f"*Brief*\n#{brief.id} · version {version.number}", f"*Submitted by*\n{mention(version.submitted_by)}",
                f"*Approve by*\n{_due(version, tz)}", f"*For*\n{_for(brief, tz)}",
                f"*SKUs*\n{escape(brief.skus) or '—'}", f"*Approvals needed*\n{brief.approvals_required}"]),
    ]
    if brief.note_to_legal:
        blocks.append(section(f"*Note to legal:*\n{escape(clip(brief.note_to_legal, 2500))}"))
    truncated = len(version.text) > EXCERPT
    blocks.append(section(f"*Text* ({len(version.text):,} characters · SHA-256 `{version.text_sha256[:16]}…`)"
                          + (" · first part shown" if truncated else "")))
    blocks.append(_plain_section(clip(version.text, EXCERPT)))
    if version.link:
        blocks.append(section(f"*Full document:* {escape(version.link)}"))
    blocks += findings_blocks([Finding.from_dict(f) for f in version.findings], version.text,
                              version_id=None if final else version.id)
    if version.decisions:
        blocks.append(divider())
        blocks += [section(_decision_line(d, version, tz)) for d in version.decisions]
    buttons = []
    if not final:
        approvals = sum(1 for d in version.decisions if d.decision == "approve")
        label = f"Approve v{version.number}" + (f" ({approvals + 1} of {brief.approvals_required})"
                                                 if brief.approvals_required > 1 else "")
        confirm = {"title": plain("Approve this text?"),
                   "text": {"type": "mrkdwn", "text": f"You approve version {version.number} of *{escape(clip(brief.title, 200))}* "
                                                      f"exactly as written (SHA-256 `{version.text_sha256[:16]}…`)."},
                   "confirm": plain("Approve"), "deny": plain("Cancel")}
        buttons = [button(label, "brief_approve", _ref(brief, version), style="primary", confirm=confirm),
                   button("Request changes", "brief_request_changes", _ref(brief, version)),
                   button("Reject", "brief_reject", _ref(brief, version), style="danger"),
                   claim_blocks.missed_button(version.id)]
    if truncated:
        buttons.append(button("View full text", "brief_view_full", _ref(brief, version)))
    if buttons:
        blocks.append(actions(*buttons, block_id=f"brief_{brief.id}_v{version.number}"))
    status = STATUS_LABEL[brief.status] if final else "waiting for legal"
    blocks.append(context(f"{STATUS_ICON[brief.status]} {status} · decisions name the version they apply to"))
    title = escape(brief.title)  # the fallback text is read as mrkdwn in notifications
    text = f"{kind} for approval: #{brief.id} {title} (v{version.number}) — {status}"
    return text, blocks[:50]


def full_text_modal(brief: Brief, version: BriefVersion) -> dict[str, Any]:
    pieces = [p for p in split_text(version.text, PIECE) if p.strip()]
    blocks: list[Block] = [section(f"*#{brief.id} {escape(brief.title)}* · version {version.number} · "
                                   f"{len(version.text):,} characters\nSHA-256 `{version.text_sha256}`")]
    room = 100 - 2
    blocks += [_plain_section(p) for p in pieces[:room]]
    if len(pieces) > room:
        blocks.append(context("The rest does not fit in Slack; `opsbot export approvals` has the record."))
    return modal(f"Brief #{brief.id} v{version.number}", blocks)


def reason_modal(brief: Brief, version: BriefVersion, decision: str) -> dict[str, Any]:
    verb = "Request changes" if decision == "request_changes" else "Reject"
    hint = ("The submitter gets this with an Edit and resubmit button." if decision == "request_changes"
            else "The submitter gets this; a rejected brief is closed.")
    blocks = [
        section(f"{verb} on *#{brief.id} {escape(brief.title)}*, version {version.number}."),
        {"type": "input", "block_id": "reason", "label": plain("What needs to change" if decision == "request_changes" else "Why"),
         "hint": plain(hint),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 2000}},
    ]
    return modal(verb, blocks, callback_id="brief_decision", submit=verb,
                 private_metadata=f"{brief.id}:{version.number}:{decision}")


def decision_dm(brief: Brief, version: BriefVersion, d: BriefDecision, tz: ZoneInfo) -> tuple[str, list[Block]]:
    """Tell the submitter the outcome; a request for changes comes with an Edit and resubmit button."""
    title = escape(brief.title)
    who = mention(d.decider)
    if d.decision == "request_changes":
        text = f"Legal asked for changes to #{brief.id} {title} (version {version.number})."
        blocks = [section(f":leftwards_arrow_with_hook: {who} asked for changes to *#{brief.id} {title}* "
                          f"(version {version.number}).\n> {escape(clip(d.reason or '', 2500))}"),
                  actions(button("Edit and resubmit", "brief_edit", str(brief.id), style="primary"),
                          block_id=f"brief_edit_{brief.id}"),
                  context("Your changes go to legal as a new version; approval starts over.")]
    elif d.decision == "reject":
        text = f"Legal rejected #{brief.id} {title} (version {version.number})."
        blocks = [section(f":no_entry: {who} rejected *#{brief.id} {title}* (version {version.number}).\n"
                          f"> {escape(clip(d.reason or '', 2500))}")]
    else:
        text = f"Legal approved #{brief.id} {title} (version {version.number})."
        blocks = [section(f":white_check_mark: *#{brief.id} {title}* version {version.number} is approved "
                          f"({', '.join(mention(x.decider) for x in version.decisions if x.decision == 'approve')}, "
                          f"{fmt_datetime(d.at, tz)}). Use exactly this version's text on air."),
                  context(f"SHA-256 `{version.text_sha256[:16]}…`")]
    return text, blocks


# ----------------------------------------------------------------------------- lists and follow-up
def _line(brief: Brief, tz: ZoneInfo) -> str:
    version = f"v{brief.current_version}" if brief.current_version else "not sent yet"
    due = f" · due {_due(brief, tz)}" if brief.due_at else ""
    return (f"{STATUS_ICON[brief.status]} *#{brief.id} {escape(brief.title)}* · {KIND_LABEL[brief.kind]} · {version} · "
            f"{STATUS_LABEL[brief.status]}{due} · {mention(brief.submitter)}")


def list_message(briefs: list[Brief], user_id: str, tz: ZoneInfo) -> tuple[str, list[Block]]:
    if not briefs:
        return "No briefs.", [section("You have no briefs. `/brief` starts one.")]
    blocks: list[Block] = [section(f"*Briefs* ({len(briefs)})")]
    others: list[str] = []
    for b in briefs:
        if b.submitter == user_id and b.status in ("draft", "changes_requested") and len(blocks) < 40:
            blocks.append(section(_line(b, tz)))
            blocks.append(actions(button("Edit", "brief_edit", str(b.id)),
                                  button("Send to legal", "brief_send", str(b.id), style="primary"),
                                  block_id=f"brief_list_{b.id}"))
        else:
            others.append(_line(b, tz))
    blocks += [section(chunk) for chunk in chunk_lines(others)][: 50 - len(blocks)]
    return f"{len(briefs)} briefs", blocks[:50]


def reminder(brief: Brief, version: BriefVersion, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:
    title = escape(brief.title)
    text = f"Reminder: #{brief.id} {title} (v{version.number}) needs a decision by {_due(version, tz)}."
    return text, [section(f":alarm_clock: Half the time is gone: *#{brief.id} {escape(brief.title)}* version "
                          f"{version.number} needs a decision by *{_due(version, tz)}*.")]


def overdue_dm(brief: Brief, version: BriefVersion, tz: ZoneInfo, now: datetime) -> tuple[str, list[Block]]:
    title = escape(brief.title)
    text = f"Overdue: #{brief.id} {title} (v{version.number}) was due {_due(version, tz)} and legal hasn't decided."
    return text, [section(f":rotating_light: *Overdue:* *#{brief.id} {escape(brief.title)}* version {version.number} "
                          f"was due *{_due(version, tz)}* and legal hasn't decided. Submitted by {mention(brief.submitter)}."),
                  context("Check with legal, or move the LIVE's plan if it can't be approved in time.")]


def digest(briefs: list[Brief], tz: ZoneInfo, now: datetime, day: date) -> tuple[str, list[Block]]:
    lines = []
    for b in briefs:
        overdue = " · :rotating_light: *overdue*" if b.due_at is not None and b.due_at <= now else ""
        lines.append(f"*#{b.id} {escape(b.title)}* · {KIND_LABEL[b.kind]} · v{b.current_version} · "
                     f"due {_due(b, tz)}{overdue} · {mention(b.submitter)}")
    blocks = [header(f"Briefs waiting for legal · {fmt_day(day)}"), *[section(c) for c in chunk_lines(lines)][:45],
              context("Decide with the buttons on each request in this channel. `/brief list` shows them too.")]
    return f"{len(briefs)} brief(s) waiting for legal", blocks[:50]
