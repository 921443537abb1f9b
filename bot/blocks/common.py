"""Small Block Kit builders shared by every area, and mrkdwn escaping of what people typed."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100


def escape(text: str | None) -> str:
    """Escape user text for mrkdwn so it can't smuggle <!channel>, <@U...> or links."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters with an ellipsis (on a word boundary when one is close)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def chunk_lines(lines: list[str], *, max_chars: int = 2900, max_lines: int | None = 25) -> list[str]:
    """Group lines into section texts that stay inside Slack's 3,000-character section limit.

    A single line longer than `max_chars` is clipped; `max_lines=None` packs as many lines as fit."""
    out: list[str] = []
    cur = ""
    for line in lines:
        line = clip(line, max_chars)
        full = max_lines is not None and cur.count("\n") >= max_lines - 1
        if cur and (len(cur) + len(line) + 1 > max_chars or full):
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def plain(text: str, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(clip(text, HEADER_LIMIT))}


def section(text: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def fields(items: list[str]) -> Block:
    """A section of up to 10 two-column fields."""
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": clip(i, 2000)} for i in items[:10]]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, SECTION_LIMIT)} for t in texts[:10]]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str = "", *, style: str | None = None,
           confirm: dict[str, Any] | None = None) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "button", "text": plain(clip(text, BUTTON_TEXT_LIMIT)), "action_id": action_id}
    if value:
        el["value"] = value
    if style:
        el["style"] = style
    if confirm:
        el["confirm"] = confirm
    return el


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def modal(title: str, blocks: list[Block], *, callback_id: str | None = None, submit: str | None = None,
          close: str = "Close", private_metadata: str = "") -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "title": plain(clip(title, 24)),
        "close": plain(clip(close, 24)),
        "blocks": blocks[:MAX_VIEW_BLOCKS],
    }
    if callback_id:
        view["callback_id"] = callback_id
    if submit:
        view["submit"] = plain(clip(submit, 24))
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view


def error_message(text: str) -> list[Block]:
    return [section(f":warning: {text}")]
