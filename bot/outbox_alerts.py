"""Tell the associate(s), once, that a Slack message failed for good, and how to send it again.

The alert is itself an outbox DM (so it survives the outage that may follow); an alert that fails
is never alerted about again, so a broken DM channel cannot loop.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.blocks.common import clip, escape
from bot.db.models import OutboxMessage
from bot.services import outbox, people

log = logging.getLogger("opsbot.notifier")


def describe(msg: OutboxMessage) -> str:
    """What the message was, in a few words a person recognises."""
    payload = msg.payload or {}
    if msg.kind == "dm":
        where = f"a DM to <@{msg.channel}>"
    elif msg.kind == "post":
        where = f"a post in <#{msg.channel}>" + (" (thread reply)" if payload.get("thread_of") or payload.get("thread_ts") else "")
    elif msg.kind == "update":
        where = f"an edit of message {escape(str(payload.get('key')))}"
    elif msg.kind == "board":
        where = f"the {escape(str(payload.get('board')))} board of {escape(str(payload.get('date')))}"
    else:
        where = f"the file {escape(str(payload.get('filename')))}"
    text = (payload.get("text") or "").strip()
    return f"{where}: “{escape(clip(text, 150))}”" if text else where


def alert_failed(session: Session, msg: OutboxMessage, error: str) -> int:
    """Queue one DM per associate about a failed message (in the caller's transaction); returns how many."""
    if (msg.payload or {}).get("alert_of"):
        log.error("outbox %s: the failure alert for message %s could not be delivered (%s)",
                  msg.id, msg.payload["alert_of"], error)
        return 0
    text = (f":warning: A Slack message was given up (outbox #{msg.id}): {describe(msg)}. "
            f"Reason: `{escape(clip(error, 200))}`. Fix the cause (for example invite the bot to the channel), "
            f"then send it again with `opsbot outbox --retry {msg.id}`.")
    queued = 0
    for person in people.with_role(session, "associate"):
        uid = person.slack_user_id
        if outbox.enqueue(session, "dm", channel=uid, payload={"text": text, "blocks": None, "alert_of": msg.id},
                          dedupe_key=f"outbox:{msg.id}:failed:{uid}") is not None:
            queued += 1
    if not queued:
        log.error("outbox %s failed (%s) and no associate could be told", msg.id, error)
    return queued
