"""Block Kit for swaps: the /swap modal (two steps for a trade), the swap card each audience sees, the deny form."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import Block, actions, button, clip, context, escape, mention, modal, plain, section
from bot.blocks.schedule import shift_line
from bot.db.models import Shift
from bot.db.swaps import Swap
from bot.services.schedule.rules import ROLE_LABEL
from bot.timefmt import fmt_datetime, fmt_span

MODES = (("open", "Open to anyone eligible"), ("direct", "Offer to a specific person"),
         ("trade", "Trade for one of their shifts"))
STATUS_LINE = {
    "open": ":arrows_counterclockwise: *Open*",
    "accepted": ":hourglass_flowing_sand: *Accepted, waiting for the associate's approval*",
    "approved": ":white_check_mark: *Approved*: the schedule has changed",
    "denied": ":no_entry: *Denied* by the associate",
    "declined": ":x: *Declined*",
    "cancelled": ":wastebasket: *Cancelled* by the person who offered it",
    "expired": ":alarm_clock: *Expired*: nobody took it in time",
}


def _meta(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))


def _shift_option(sh: Shift, tz: ZoneInfo) -> dict[str, Any]:
    title = sh.session.title if sh.session is not None else "shift"
    return {"text": plain(clip(f"{fmt_span(sh.starts_at, sh.ends_at, tz)} · {ROLE_LABEL.get(sh.role, sh.role)} · {title}", 75)),
            "value": str(sh.id)}


def swap_modal(shifts: list[Shift], tz: ZoneInfo) -> dict[str, Any]:
    if not shifts:
        return modal("Swap a shift", [section("You have no upcoming published shifts that can still be swapped "
                                              "(sessions that are live, done or about to start can't be).")])
    mode_opts = [{"text": plain(label), "value": value} for value, label in MODES]
    blocks: list[Block] = [
        {"type": "input", "block_id": "shift", "label": plain("Your shift"),
         "element": {"type": "static_select", "action_id": "value", "options": [_shift_option(sh, tz) for sh in shifts[:100]]}},
        {"type": "input", "block_id": "mode", "label": plain("How"),
         "element": {"type": "radio_buttons", "action_id": "value", "options": mode_opts, "initial_option": mode_opts[0]}},
        {"type": "input", "block_id": "target", "optional": True, "label": plain("Who (for an offer or trade)"),
         "element": {"type": "users_select", "action_id": "value", "placeholder": plain("Pick a person")}},
        {"type": "input", "block_id": "note", "optional": True, "label": plain("Note (optional)"),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 500}},
        context("opsbot checks role, product tier, time off, overlaps, rest and overtime. "
                "Until the associate approves, the shift stays yours."),
    ]
    return modal("Swap a shift", blocks, callback_id="swap_submit", submit="Next", close="Cancel")


def trade_modal(mine: Shift, target_name: str, theirs: list[Shift], tz: ZoneInfo, metadata: dict[str, Any]) -> dict[str, Any]:
    """Step two of a trade: which of their shifts you take in return."""
    head = section(f"You give:\n{shift_line(mine, tz)}")
    if not theirs:
        return modal("Trade a shift", [head, section(f"{escape(target_name)} has no upcoming shifts that can be traded. "
                                                     "Go back and offer yours instead.")], close="Back")
    blocks: list[Block] = [
        head,
        {"type": "input", "block_id": "return", "label": plain(clip(f"You take (from {target_name})", 2000)),
         "element": {"type": "static_select", "action_id": "value", "options": [_shift_option(sh, tz) for sh in theirs[:100]]}},
    ]
    return modal("Trade a shift", blocks, callback_id="swap_trade_submit", submit="Propose trade", close="Back",
                 private_metadata=_meta(**metadata))


def deny_modal(swap: Swap, tz: ZoneInfo) -> dict[str, Any]:
    blocks: list[Block] = [
        section(_summary(swap, tz)),
        {"type": "input", "block_id": "reason", "label": plain("Reason"),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 500},
         "hint": plain("Both people see this.")},
    ]
    return modal("Deny swap", blocks, callback_id="swap_deny_submit", submit="Deny", close="Back",
                 private_metadata=_meta(swap=swap.id))


def _summary(swap: Swap, tz: ZoneInfo) -> str:
    who = mention(swap.requester.slack_user_id)
    if swap.kind == "open":
        line = f"{who} offers this shift to anyone eligible:"
    elif swap.kind == "direct":
        line = f"{who} offers this shift to {mention(swap.target.slack_user_id)}:"  # type: ignore[union-attr]
    else:
        line = f"{who} and {mention(swap.target.slack_user_id)} trade shifts:"  # type: ignore[union-attr]
    text = f"{line}\n{shift_line(swap.shift, tz)}"
    if swap.return_shift is not None:
        text += f"\n*in return for*\n{shift_line(swap.return_shift, tz)}"
    if swap.note:
        text += f"\n>{escape(clip(swap.note, 300))}"
    return text


def card(swap: Swap, tz: ZoneInfo, audience: str) -> tuple[str, list[Block]]:
    """The swap as one audience sees it: ops channel, the requester, an offered person ('to'), an associate."""
    status = STATUS_LINE[swap.status]
    if swap.taker is not None and swap.status in ("accepted", "approved", "denied", "cancelled"):
        status += f" · taker {mention(swap.taker.slack_user_id)}"
    if swap.status == "denied" and swap.reason:
        status += f"\n>{escape(clip(swap.reason, 300))}"
    blocks: list[Block] = [section(_summary(swap, tz)), section(status)]
    if swap.status == "accepted" and swap.warnings:
        label = ":warning: *Overtime: needs your explicit approval*" if swap.overtime else ":warning: Heads-up"
        blocks.append(section(label + "\n" + "\n".join(f"• {escape(w)}" for w in swap.warnings[:10])))
    buttons = []
    if swap.status == "open":
        if swap.kind == "open" and audience in ("ops", "to"):
            buttons.append(button("Take shift", "swap_take", str(swap.id), style="primary"))
        elif audience == "to":
            buttons += [button("Accept", "swap_take", str(swap.id), style="primary"),
                        button("Decline", "swap_decline", str(swap.id))]
        blocks.append(context(f"Open until {fmt_datetime(swap.expires_at, tz)}"))
    if swap.status == "accepted" and audience in ("ops", "assoc"):
        buttons += [button("Approve", "swap_approve", str(swap.id), style="primary"),
                    button("Deny", "swap_deny", str(swap.id), style="danger")]
    if swap.status in ("open", "accepted") and audience == "req":
        buttons.append(button("Cancel offer", "swap_cancel", str(swap.id)))
    if buttons:
        blocks.append(actions(*buttons, block_id=f"swap_{swap.id}"))
    word = {"open": "Swap offer", "accepted": "Swap waiting for approval"}.get(swap.status, f"Swap {swap.status}")
    text = f"{word}: {swap.requester.name}'s {ROLE_LABEL.get(swap.shift.role)} shift {fmt_span(swap.shift.starts_at, swap.shift.ends_at, tz)}"
    return clip(text, 3000), blocks


def approved_text(swap: Swap, tz: ZoneInfo, *, for_taker: bool) -> str:
    mine = swap.shift if for_taker else swap.return_shift
    gone = swap.return_shift if for_taker else swap.shift
    parts = ["Swap approved."]
    if mine is not None:
        parts.append(f"You now work {ROLE_LABEL.get(mine.role)} {fmt_span(mine.starts_at, mine.ends_at, tz)}"
                     f" ({mine.session.title if mine.session else 'shift'}); it's marked confirmed.")
    if gone is not None:
        parts.append(f"You no longer work {fmt_span(gone.starts_at, gone.ends_at, tz)}.")
    return " ".join(parts)


def at_risk(swap: Swap, tz: ZoneInfo, associates: list[str]) -> tuple[str, list[Block]]:
    who = " ".join(mention(a) for a in associates)
    text = (f"Swap offer expired untaken: {swap.requester.name}'s shift "
            f"{fmt_span(swap.shift.starts_at, swap.shift.ends_at, tz)} is still at risk.")
    line = (f":rotating_light: Nobody took {mention(swap.requester.slack_user_id)}'s swap offer in time; "
            f"this slot is still at risk:\n{shift_line(swap.shift, tz)}\n{who}")
    return text, [section(line)]
