"""Highlight clips end to end over signed HTTP: /clip during the LIVE and after it, a timestamp past the end refused
with the session's length, the message action on the run-of-show post, and the editor queue from requested to
published (claims through legal's buttons) or rejected."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import slack_signing
from conftest import ADMIN, BOT_TOKEN, HOST, LEGAL, PA
from creators_helpers import CLAIMS, CLEAN, launch_session, people_and_catalog
from freezegun import freeze_time
from sqlalchemy import select

from bot.db.creators import Clip
from bot.db.models import LiveSession, PostedMessage
from bot.jobs.base import run_post
from bot.jobs.registry import all_jobs


@pytest.fixture
def bot(server, db):
    people_and_catalog(db)
    with db.transaction() as s:
        live = launch_session(s)
        start, live_id = live.starts_at, live.id
    server.stub.bot_token = BOT_TOKEN
    with freeze_time(start + timedelta(minutes=30), tick=True):
        yield server, live_id


def wait(server, method, request):
    n = len(server.stub.calls_to(method))
    result = request()
    server.stub.wait_for(method, count=n + 1)
    return result


def text_state(**values) -> dict:
    return {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}


def opened(server) -> dict:
    return server.stub.calls_to("views.open")[-1].params["view"]


def clips(db) -> list[Clip]:
    with db.read() as s:
        return list(s.scalars(select(Clip).order_by(Clip.id)))


def message_action(server, user: str, channel: str, ts: str):
    payload = {"type": "message_action", "callback_id": "clip_from_message", "trigger_id": slack_signing._trigger_id(),
               "user": slack_signing._user(user), "team": slack_signing._team(), "api_app_id": slack_signing.APP_ID,
               "token": slack_signing.VERIFICATION_TOKEN, "channel": {"id": channel, "name": "ops"},
               "message": {"type": "message", "ts": ts, "text": "run of show"}, "message_ts": ts,
               "response_url": f"{slack_signing.RESPONSE_URL_BASE}actions/T0001/99", "action_ts": "1.2"}
    return server.slack._parsed(urlencode({"payload": json.dumps(payload)}))


def test_clip_during_and_after_the_live_and_past_the_end(bot, db):
    server, live_id = bot
    status, body = server.command("/clip", "GLOW-01 swatch <!channel>", HOST)
    assert status == 200 and "Clip #1 asked for" in body["text"] and "at 30:0" in body["text"]
    [c] = clips(db)
    assert (c.session_id, c.sku, c.requested_by) == (live_id, "GLOW-01", HOST)
    status, body = server.command("/clip", "2:30:00 the close", PA)
    assert "2:30:00 is past the end" in body["text"] and "2:00:00 long" in body["text"]
    status, body = server.command("/clip", f"#{live_id} 1:05:30 the giveaway", PA)
    assert "1:05:30" in body["text"]
    status, body = server.command("/clip", "12:34 nice", LEGAL)
    assert "can ask for highlight clips" in body["text"]
    status, body = server.command("/clip", "12:99 nope", HOST)
    assert "minutes and seconds go up to 59" in body["text"]
    wait(server, "views.open", lambda: server.command("/clip", "", HOST))
    assert opened(server)["callback_id"] == "clip_submit"
    assert len(clips(db)) == 2


def test_message_action_on_the_run_of_show_post(bot, db):
    server, live_id = bot
    with db.read() as s:
        day = s.get(LiveSession, live_id).starts_at.astimezone(server.rt.tz).date()
    assert run_post(server.rt, all_jobs(server.rt.settings)["run-of-show"], day.isoformat()).status == "done"
    server.drain()
    with db.read() as s:
        part = s.scalar(select(PostedMessage).where(PostedMessage.key == f"ros:{day.isoformat()}:s{live_id}"))
    wait(server, "views.open", lambda: message_action(server, PA, part.channel, part.ts))
    view = opened(server)
    assert view["callback_id"] == "clip_submit"
    assert view["blocks"][0]["element"]["initial_option"]["value"] == str(live_id)
    state = {"session": {"value": {"type": "static_select", "selected_option": {"value": str(live_id)}}},
             **text_state(stamp="1:59:00", note="the close", sku=None)}
    status, body = server.slack.submit("clip_submit", PA, {**state, **text_state(stamp="3:00:00")})
    assert body["response_action"] == "errors" and "2:00:00 long" in body["errors"]["stamp"]
    _status, body = server.slack.submit("clip_submit", PA, state)
    assert body["response_action"] == "update" and "1:59:00" in json.dumps(body["view"])
    server.slack.submit("clip_submit", PA, state)  # Slack retrying the same form
    assert len(clips(db)) == 1


def test_editor_queue_from_requested_to_published_or_rejected(bot, db):
    server, live_id = bot
    for text in (f"#{live_id} 10:00 serum demo", f"#{live_id} 20:00 blooper"):
        server.command("/clip", text, HOST)
    first, second = (c.id for c in clips(db))
    status, body = server.command("/clip", "queue", HOST)
    assert "Only Associate" in body["text"]
    status, body = server.command("/clip", "queue", ADMIN)
    assert "clip_cut" in json.dumps(body["blocks"]) and "serum demo" in json.dumps(body["blocks"])
    wait(server, "views.open", lambda: server.slack.action("clip_cut", str(first), ADMIN))
    assert opened(server)["callback_id"] == "clip_cut_submit"
    claims = {"claims": {"value": {"type": "checkboxes", "selected_options": []}}}
    status, body = server.slack.submit("clip_cut_submit", ADMIN, {**text_state(link="https://drive.test/c1", words=CLAIMS),
                                                                  **claims}, private_metadata=str(first))
    assert "went to legal as brief" in json.dumps(body["view"])
    publish = {"placement": {"value": {"type": "static_select", "selected_option": {"value": "paid"}}},
               **text_state(link="https://ads.test/1", views="")}
    status, body = server.slack.submit("clip_publish_submit", ADMIN, publish, private_metadata=str(first))
    assert "legal hasn't approved" in json.dumps(body) and clips(db)[0].status == "in_legal"
    brief_id = clips(db)[0].brief_id
    wait(server, "response_url", lambda: server.slack.action("brief_approve", f"{brief_id}:1", LEGAL))
    status, body = server.slack.submit("clip_publish_submit", ADMIN, publish, private_metadata=str(first))
    assert body["response_action"] == "update" and "published (paid)" in json.dumps(body["view"])
    status, body = server.command("/clip", f"views {first} 12,000", ADMIN)
    assert "12,000 views" in body["text"]
    status, body = server.slack.submit("clip_cut_submit", ADMIN, {**text_state(link="https://drive.test/c2", words=CLEAN),
                                                                  **claims}, private_metadata=str(second))
    assert "no claims found" in json.dumps(body["view"])
    status, body = server.slack.submit("clip_reject_submit", ADMIN, text_state(reason="Out of focus"),
                                       private_metadata=str(second))
    assert "rejected" in json.dumps(body["view"])
    assert [(c.status, c.placement, c.views) for c in clips(db)] == [("published", "paid", 12000), ("rejected", None, None)]
    _status, body = server.command("/clip", "queue", ADMIN)
    assert "Nothing waiting" in json.dumps(body["blocks"])
    server.drain()
    told = [c.params["text"] for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + HOST]
    assert told == [f"Clip #{first} published", f"Clip #{second} rejected"]
