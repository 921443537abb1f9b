"""Block Kit for claim findings: each finding quoted with the matched words in bold, its rule and a
suggested rewrite; legal's "Not a problem" / "Missed one" buttons and their modals."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.blocks.common import Block, button, clip, context, escape, modal, plain, section
from bot.services.claims.finding import Finding

MAX_SHOWN = 12  # one section per finding: stays far inside the 50-block message limit
QUOTE = 240
CATEGORY_LABEL = {"health": "health", "guarantee": "guarantee", "superlative": "superlative",
                  "price_scarcity": "price_scarcity", "earnings": "earnings", "before_after": "before_after",
                  "disclosure": "disclosure"}
SEVERITY_ICON = {"block": ":no_entry:", "warn": ":warning:"}


def _safe(text: str) -> str:
    """Escape mrkdwn and neutralise the characters that would break our bold."""
    return escape(text).replace("*", "\u2217").replace("`", "'")


def highlight(text: str, start: int, end: int) -> str:
    """The line holding [start, end) with the matched words in bold, clipped around them, mrkdwn-escaped."""
    if not (0 <= start < end <= len(text)):
        return ""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before, hit, after = text[line_start:start], text[start:end], text[end:line_end]
    room = max(40, (QUOTE - len(hit)) // 2)
    if len(before) > room:
        before = "\u2026" + before[-room:]
    if len(after) > room:
        after = after[:room] + "\u2026"
    hit = " ".join(clip(hit, 300).split())
    return f"{_safe(before)}*{_safe(hit)}*{_safe(after)}".strip()


def finding_text(finding: Finding, text: str | None) -> str:
    quote = highlight(text, finding.start, finding.end) if text else ""
    head = (f"{SEVERITY_ICON.get(finding.severity, ':warning:')} *{CATEGORY_LABEL.get(finding.category, finding.category)}*"
            f" · line {finding.line}" + (f" · _{escape(finding.rule)}_" if finding.rule else ""))
    body = f"> {quote}" if quote else f"\u201c{_safe(finding.text)}\u201d"
    tips = f"_{escape(finding.reason)}_"
    if finding.suggestion:
        tips += f"\n*Instead:* {escape(finding.suggestion)}"
    return clip(f"{head}\n{body}\n{tips}", 2900)


def finding_blocks(findings: list[Finding], text: str | None, *, version_id: int | None = None) -> list[Block]:
    """The claim check as blocks. With `version_id` (legal's message) each finding has a Not a problem button."""
    if not findings:
        return [section(":white_check_mark: *Claim check:* no restricted phrases found. Legal still decides.")]
    counts = Counter(f.category for f in findings)
    out = [section(f":mag: *Claim check:* {len(findings)} claim{'s' if len(findings) != 1 else ''} to review "
                   f"({', '.join(f'{c} {n}' for c, n in counts.items())}). The check advises; legal decides.")]
    for index, finding in enumerate(findings[:MAX_SHOWN]):
        accessory = (button("Not a problem", "claim_not_a_problem", f"{version_id}:{index}")
                     if version_id is not None else None)
        out.append(section(finding_text(finding, text), accessory=accessory))
    if len(findings) > MAX_SHOWN:
        rest = Counter(f.category for f in findings[MAX_SHOWN:])
        out.append(context(f"and {len(findings) - MAX_SHOWN} more ({', '.join(f'{c} {n}' for c, n in rest.items())}); "
                           "`opsbot export approvals` lists every one."))
    return out


def missed_button(version_id: int) -> dict[str, Any]:
    return button("Missed one", "claim_missed", str(version_id))


def allow_modal(version_id: int, index: int, finding: Finding, has_product: bool) -> dict[str, Any]:
    options = []
    if has_product:
        options.append({"text": plain("This product (the brief's SKUs)"), "value": "product"})
    options.append({"text": plain("All products"), "value": "global"})
    blocks: list[Block] = [
        section(f"Clear \u201c{_safe(clip(finding.text, 300))}\u201d ({finding.category}) so later checks skip it."),
        {"type": "input", "block_id": "scope", "label": plain("Fine for"),
         "element": {"type": "radio_buttons", "action_id": "value", "options": options, "initial_option": options[0]}},
        {"type": "input", "block_id": "why", "label": plain("Why is it not a problem?"),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 500,
                     "placeholder": plain("e.g. the study is linked on the listing")}},
        context("Recorded with your name and the reason; `opsbot claims feedback --export` lists it."),
    ]
    return modal("Not a problem", blocks, callback_id="claim_allow", submit="Clear it", close="Cancel",
                 private_metadata=f"{version_id}:{index}")


def missed_modal(version_id: int) -> dict[str, Any]:
    options = [{"text": plain(c), "value": c} for c in CATEGORY_LABEL]
    blocks: list[Block] = [
        section("Mark words the claim check should have flagged, so the misses are collected and the rules improve."),
        {"type": "input", "block_id": "text", "label": plain("The words it missed"),
         "element": {"type": "plain_text_input", "action_id": "value", "max_length": 500,
                     "placeholder": plain("Paste them exactly as in the brief")}},
        {"type": "input", "block_id": "category", "label": plain("Category"),
         "element": {"type": "static_select", "action_id": "value", "options": options,
                     "placeholder": plain("Pick one")}},
        {"type": "input", "block_id": "why", "optional": True, "label": plain("Note (optional)"),
         "element": {"type": "plain_text_input", "action_id": "value", "max_length": 500}},
    ]
    return modal("Missed one", blocks, callback_id="claim_missed", submit="Record", close="Cancel",
                 private_metadata=str(version_id))


def done_modal(title: str, text: str) -> dict[str, Any]:
    """What legal sees after Not a problem / Missed one: what was recorded, in plain words."""
    return modal(title, [section(text), context("Recorded with your name; `opsbot claims feedback --export` lists it.")])


def allowed_text(phrase: str, category: str, product: str, repeated: bool) -> str:
    where = f"for *{escape(product)}*" if product else "for all products"
    if repeated:
        return f"\u201c{_safe(clip(phrase, 300))}\u201d ({category}) was already cleared {where}; nothing more was recorded."
    return f":white_check_mark: \u201c{_safe(clip(phrase, 300))}\u201d ({category}) is cleared {where}. Later checks skip it."


def missed_text(phrase: str, category: str, repeated: bool) -> str:
    if repeated:
        return f"\u201c{_safe(clip(phrase, 300))}\u201d was already marked as a missed {category} claim; nothing more was recorded."
    return f":white_check_mark: Marked \u201c{_safe(clip(phrase, 300))}\u201d as a missed {category} claim. Thank you."
