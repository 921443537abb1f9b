"""The answer to a spreadsheet sent to the bot: the import report, inside Block Kit's limits."""

from __future__ import annotations

from bot.blocks.common import Block, MAX_MESSAGE_BLOCKS, chunk_lines, clip, escape, section
from bot.services.uploads import Outcome

KIND_LABEL = {"schedule": "calendar", "metrics": "LIVE metrics export", "creators": "creator roster"}
TEXT_LIMIT = 3900  # notification/fallback text, under Slack's recommended 4,000


def report_message(file_name: str, outcome: Outcome) -> tuple[str, list[Block]]:
    """Outcome first, then every line of the report; past the block limit the rest is counted, not dropped silently."""
    icon = ":white_check_mark:" if outcome.ok else ":x:"
    title = f"{icon} *{escape(file_name)}* ({KIND_LABEL[outcome.kind]})"
    lines = [escape(line) for line in outcome.lines]
    chunks = chunk_lines(lines)
    room = MAX_MESSAGE_BLOCKS - 2  # the title, and a last line counting what didn't fit
    blocks: list[Block] = [section(title)]
    shown = chunks[:room]
    blocks += [section(c) for c in shown]
    left = len(lines) - sum(c.count("\n") + 1 for c in shown)
    if left > 0:
        blocks.append(section(f"… and {left} more line(s) not shown; import the file with `opsbot import` to see them all."))
    text = clip(escape("\n".join([f"{file_name}:", *outcome.lines])), TEXT_LIMIT)
    return text, blocks


def refusal_message(text: str) -> tuple[str, list[Block]]:
    safe = escape(text)
    return safe, [section(f":warning: {safe}")]
