"""The weekly scorecard's "Highlight clips" section: how many clips were asked for and published in the week, and each
published clip with where it ran (paid or organic, linked) and its views when they have been entered.

The clips are the plain dicts `bot.services.creators.clips.clips_for_week` gives (carried on `Scorecard.clips`).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.blocks.common import Block, clip, escape, section
from bot.timefmt import fmt_day, to_local

TITLE = "Highlight clips"
MAX_LISTED = 8
BUDGET = 2700  # characters of clip lines in the one section (Slack's limit is 3,000)


def _published(clips: list[dict]) -> list[dict]:
    return [c for c in clips if c["status"] == "published"]


def summary(clips: list[dict]) -> str:
    published = len(_published(clips))
    queued = sum(1 for c in clips if c["status"] in ("requested", "cut", "in_legal"))
    rejected = sum(1 for c in clips if c["status"] == "rejected")
    extra = [f"{queued} still in the editor queue"] if queued else []
    extra += [f"{rejected} rejected"] if rejected else []
    return f"{len(clips)} requested · {published} published" + (f" ({', '.join(extra)})" if extra else "")


def _where(c: dict) -> str:
    return (c.get("placement") or "published").capitalize()


def _about(c: dict, tz: ZoneInfo) -> str:
    """Plain (unescaped) words for a clip: its LIVE, the moment, the SKU, the views if entered."""
    day = fmt_day(to_local(c["session_starts_at"], tz).date())
    parts = [f"{clip(c['session_title'] or '', 60)} ({day}) at {c['timestamp']}"]
    if c.get("sku"):
        parts.append(c["sku"])
    if c.get("note"):
        parts.append(f"“{clip(c['note'], 80)}”")
    parts.append("views not entered yet" if c.get("views") is None else f"{c['views']:,} views")
    return " · ".join(parts)


def _more(n: int) -> str:
    return f"and {n} more published clip{'' if n == 1 else 's'} (all of them in the workbook's Clips sheet)"


def text_lines(clips: list[dict], tz: ZoneInfo) -> list[str]:
    """The section for the text scorecard (CLI, demo): the counts, then one line per published clip."""
    shown = _published(clips)
    lines = [summary(clips)]
    lines += [f"{_where(c)}: {c['link']} · {_about(c, tz)}" for c in shown[:MAX_LISTED]]
    if len(shown) > MAX_LISTED:
        lines.append(_more(len(shown) - MAX_LISTED))
    return lines


def _link(url: str | None, label: str) -> str:
    if not url:
        return label
    return f"<{escape(url).replace('|', '%7C').replace(' ', '%20')}|{label}>"


def clips_blocks(clips: list[dict], tz: ZoneInfo) -> list[Block]:
    """One mrkdwn section (no block when the week had no clips); user text escaped, the list capped with "and N more"."""
    if not clips:
        return []
    shown = _published(clips)
    lines: list[str] = []
    used = 0
    for c in shown[:MAX_LISTED]:
        line = f"• {_link(c.get('link'), _where(c))} · {escape(_about(c, tz))}"
        if used + len(line) > BUDGET:
            break
        lines.append(line)
        used += len(line) + 1
    if len(lines) < len(shown):
        lines.append(f"• {_more(len(shown) - len(lines))}")
    return [section("\n".join([f"*{TITLE}*", escape(summary(clips)), *lines]))]
