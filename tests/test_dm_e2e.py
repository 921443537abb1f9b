"""The Messages tab: a DM to the bot gets short help (once per message, whatever Slack retries); bot messages
and message subtypes are ignored; a spreadsheet DMed by the associate is acknowledged before it is imported."""

from __future__ import annotations

import time

from conftest import ADMIN, HOST
from test_uploads_e2e import bot, handled, share, xlsx  # noqa: F401  (bot is a fixture)

from bot.services.schedule.xlsx import HEADER


def dm(user: str, text: str = "hello?", ts: str = "1763658000.000200", **extra) -> dict:
    return {"type": "message", "channel_type": "im", "channel": f"D{user}", "user": user, "text": text, "ts": ts,
            "event_ts": ts, **extra}


def settle(server, seconds: float = 0.5) -> list:
    """Let after-ack work finish, deliver the outbox, return the DMs the bot sent."""
    time.sleep(seconds)
    server.drain()
    return server.stub.calls_to("chat.postMessage")


def test_a_dm_gets_short_help(server):
    status, _ = server.slack.event(dm(HOST), event_id="EvDM1")
    assert status == 200
    [reply] = settle(server)
    assert reply.params["channel"] == f"D{HOST}"
    assert "/checkin" in str(reply.params["blocks"]) and "slash commands" in reply.params["text"]


def test_slack_retries_of_a_dm_are_answered_once(server):
    server.slack.event(dm(HOST), event_id="EvDM2")
    server.slack.event(dm(HOST), event_id="EvDM2", retry_num=1)
    server.slack.event(dm(HOST), event_id="EvDM2", retry_num=2)
    assert len(settle(server)) == 1


def test_bot_messages_and_subtypes_are_ignored(server):
    server.slack.event(dm(HOST, bot_id="BBOT", ts="1.1"))
    server.slack.event(dm(HOST, subtype="message_changed", ts="1.2"))
    server.slack.event(dm(HOST, subtype="file_share", ts="1.3"))
    server.slack.event({"type": "message", "channel_type": "channel", "channel": "C0OPS", "user": HOST, "text": "hi", "ts": "1.4"})
    assert settle(server) == []


def test_associate_sees_importing_before_the_report(bot, db):
    bot.stub.add_file("F9", "week 48.xlsx", xlsx([HEADER,
                      ["2026-11-24", "10:00", "12:00", "Glow LIVE", "C", "hana", "pat@studio.test", ""]]), "xlsx", user=ADMIN)
    share(bot, "F9")
    [report] = handled(bot, db, "F9")
    [note] = bot.stub.calls_to("chat.postEphemeral")
    assert "Importing week 48.xlsx" in note.params["text"] and note.params["user"] == ADMIN
    assert note.time <= report.time and "Imported" in report.params["text"]
