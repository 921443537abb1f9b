"""The short lines an escalation gets in its thread, and the reporter's "someone is on it" DM.

Rendered from the escalation service's plain notices (bot/blocks/notices.py registers them).
"""

from __future__ import annotations

from bot.blocks.common import Block, escape, mention, section
from bot.blocks.escalations import CAUSE_LABELS
from bot.db.escalations import Escalation


def _line(text: str) -> tuple[str, list[Block]]:
    return text, [section(text)]


def acknowledged(actor: str, minutes: int) -> tuple[str, list[Block]]:
    return _line(f":raising_hand: {mention(actor)} acknowledged and owns this ({minutes} min after it was raised).")


def owner_found(esc: Escalation, actor: str, actor_name: str) -> tuple[str, list[Block]]:
    """To the reporter: who took their escalation."""
    return (f"{actor_name} is on your escalation #{esc.id}: {esc.summary}",
            [section(f":raising_hand: {mention(actor)} is on your escalation *#{esc.id}*: {escape(esc.summary)}")])


def updated(actor: str, old_severity: int, new_severity: int, note: str) -> tuple[str, list[Block]]:
    change = f" · severity SEV{old_severity} → *SEV{new_severity}*" if new_severity != old_severity else ""
    return _line(f":memo: {mention(actor)}{change}: {escape(note)}")


def resolved(actor: str, minutes: int, cause: str, note: str) -> tuple[str, list[Block]]:
    return _line(f":white_check_mark: Resolved by {mention(actor)} after {minutes} min "
                 f"({CAUSE_LABELS[cause]}): {escape(note)}")


def reopened(actor: str) -> tuple[str, list[Block]]:
    return _line(f":repeat: Reopened by {mention(actor)}; it needs an owner again.")


def still_open(minute: int, users: list[str]) -> tuple[str, list[Block]]:
    mentions = ", ".join(mention(u) for u in users) or "nobody (no associate or leadership configured)"
    return _line(f":rotating_light: Still unacknowledged after {minute} min. Notified {mentions}.")
