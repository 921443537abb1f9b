"""Block Kit for highlight clips: the request form (also opened from the run-of-show post), the editor queue and its forms."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import (
    Block,
    actions,
    button,
    context,
    escape,
    header,
    mention,
    modal,
    section,
)
from bot.blocks.creators import checkbox, option, select, text_input
from bot.blocks.creators_notes import safe_link
from bot.db.creators import CLIP_LABEL, PLACEMENTS, Clip
from bot.db.models import LiveSession
from bot.services.creators.clips import stamp
from bot.timefmt import fmt_span, fmt_time


def clip_line(c: Clip, tz: ZoneInfo) -> str:
    bits = [f"*#{c.id}* {escape(c.session.title)} ({fmt_time(c.session.starts_at, tz)}) at *{stamp(c.offset_seconds)}*",
            f"_{CLIP_LABEL[c.status]}_"]
    if c.sku:
        bits.append(f"SKU `{escape(c.sku)}`")
    bits.append(f"by {mention(c.requested_by)}")
    line = " · ".join(bits) + f"\n>{escape(c.note)}"
    if c.cut_link:
        line += f"\n{safe_link(c.cut_link, 'the cut')}"
    if c.brief is not None:
        line += f" · brief #{c.brief.id}: {c.brief.status.replace('_', ' ')}"
    return line


def requested_text(c: Clip, tz: ZoneInfo) -> str:
    return (f":scissors: Clip #{c.id} asked for: {escape(c.session.title)} at {stamp(c.offset_seconds)}"
            + (f" (SKU `{escape(c.sku)}`)" if c.sku else "") + ". It's in the editor queue.")


def queue_message(clips: list[Clip], tz: ZoneInfo) -> tuple[str, list[Block]]:
    blocks: list[Block] = [header(f"Clip queue ({len(clips)})")]
    for c in clips[:15]:
        blocks.append(section(clip_line(c, tz)))
        buttons = []
        if c.status == "requested":
            buttons.append(button("Cut", "clip_cut", str(c.id), style="primary"))
        else:
            buttons.append(button("Publish", "clip_publish", str(c.id), style="primary"))
        buttons.append(button("Reject", "clip_reject", str(c.id), style="danger"))
        blocks.append(actions(*buttons))
    if not clips:
        blocks.append(section("_Nothing waiting: every clip asked for is published or rejected._"))
    elif len(clips) > 15:
        blocks.append(context(f"{len(clips) - 15} more after these."))
    return f"{len(clips)} clip(s) in the queue", blocks[:50]


def request_modal(sessions: list[LiveSession], tz: ZoneInfo, chosen: int | None = None) -> dict[str, Any]:
    options = [option(f"#{s.id} {fmt_span(s.starts_at, s.ends_at, tz)} {s.title}", str(s.id)) for s in sessions]
    if chosen is not None and str(chosen) not in {o["value"] for o in options}:
        options.insert(0, option(f"#{chosen} (this run-of-show)", str(chosen)))
    blocks = [select("session", "LIVE session", options, initial=str(chosen) if chosen else None),
              text_input("stamp", "Time in the LIVE (mm:ss or hh:mm:ss)", optional=False, max_length=12),
              text_input("note", "Why this moment", optional=False, multiline=True),
              text_input("sku", "SKU", max_length=64)]
    if not options:
        return modal("Ask for a clip", [section("No LIVE in the last 24 hours; use `/clip #12 1:02:03 why`.")])
    return modal("Ask for a clip", [b for b in blocks if b], callback_id="clip_submit", submit="Ask")


def cut_modal(c: Clip, tz: ZoneInfo) -> dict[str, Any]:
    return modal("Clip cut", [section(clip_line(c, tz)), text_input("link", "Link to the cut", optional=False, max_length=1000),
                              text_input("words", "What is said in the clip (for the claim check)", multiline=True),
                              checkbox("claims", "Claims", "This clip makes claims legal must approve")],
                 callback_id="clip_cut_submit", submit="Save", private_metadata=str(c.id))


def publish_modal(c: Clip, tz: ZoneInfo) -> dict[str, Any]:
    return modal("Publish clip", [section(clip_line(c, tz)),
                                  select("placement", "Where it runs", [option(p.capitalize(), p) for p in PLACEMENTS]),
                                  text_input("link", "Link", optional=False, max_length=1000),
                                  text_input("views", "Views so far", max_length=15)],
                 callback_id="clip_publish_submit", submit="Publish", private_metadata=str(c.id))


def reject_modal(c: Clip, tz: ZoneInfo) -> dict[str, Any]:
    return modal("Reject clip", [section(clip_line(c, tz)), text_input("reason", "Why", optional=False, multiline=True)],
                 callback_id="clip_reject_submit", submit="Reject", private_metadata=str(c.id))
