"""Coaching feedback: private to the host, the associate and leadership; DM with Acknowledge; from /feedback or
the message shortcut on a session's message; linked to the session and its metrics."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import slack_signing
from conftest import ADMIN, HOST, HOST2, LEADER, LEGAL, PA
from schedule_helpers import RULES, new_session
from slack_signing import APP_ID, TEAM_ID, VERIFICATION_TOKEN, _team, _trigger_id, _user
from slack_stub import view_problems
from sqlalchemy import select
from talent_helpers import eventually, state, team

from bot import clock
from bot.db.metrics import SessionMetrics
from bot.db.models import PostedMessage
from bot.db.talent import Feedback
from bot.services import people
from bot.services.schedule import calendar
from bot.services.errors import Invalid, NotAllowed
from bot.services.talent import feedback
from bot.timefmt import local_date


@pytest.fixture
def live_id(db):
    team(db)
    yesterday = (local_date(clock.now(), RULES.tz) - timedelta(days=1)).isoformat()
    with db.transaction() as s:
        live = new_session(s, yesterday, "10:00", "12:00", "Glow LIVE")
        calendar.assign(s, "cli", live.id, {"host": HOST}, RULES, override=True)
        s.add(SessionMetrics(session_id=live.id, gmv_cents=123_456, orders=40, unique_viewers=1000,
                             avg_view_duration_seconds=52, source="modal", created_at=clock.now(), updated_at=clock.now(),
                             updated_by=ADMIN))
        return live.id


def _add(db, actor=ADMIN, host=HOST, key=None, **kw):
    with db.transaction() as s:
        data = feedback.FeedbackInput(host, kw.get("well", "Great hook"), kw.get("improve", "Slow down the CTA"),
                                      kw.get("clip"), kw.get("session_id"))
        return feedback.add(s, people.get(s, actor), data, request_key=key)[0].id


def test_only_associate_and_leadership_give_feedback_and_only_the_three_see_it(db, live_id):
    fid = _add(db, session_id=live_id, clip="42:10")
    _add(db, actor=LEADER, well="Energy", improve="Compliance")
    with db.transaction() as s:
        host = people.get(s, HOST)
        for uid in (HOST2, PA, LEGAL):
            with pytest.raises(NotAllowed, match="private to the host, the associate and leadership"):
                feedback.history(s, people.get(s, uid), host)
            with pytest.raises(NotAllowed):
                feedback.get(s, people.get(s, uid), fid)
        for uid in (HOST2, PA):
            with pytest.raises(NotAllowed, match="Only Associate"):
                feedback.add(s, people.get(s, uid), feedback.FeedbackInput(HOST, "a", "b"))
        assert [f.went_well for f in feedback.history(s, host, host)] == ["Energy", "Great hook"]
        assert len(feedback.history(s, people.get(s, LEADER), host)) == 2
        fb = feedback.get(s, people.get(s, ADMIN), fid)
        assert fb.clip_at == "0:42:10" and fb.session_id == live_id


@pytest.mark.parametrize("kw, field", [({"clip": "99:99"}, "clip"), ({"well": ""}, "well"), ({"improve": "x" * 3000}, "improve")])
def test_bad_feedback_is_refused_on_its_field(db, live_id, kw, field):
    with pytest.raises(Invalid) as exc:
        _add(db, **kw)
    assert field in exc.value.fields


def test_feedback_is_for_hosts_and_a_double_submit_is_one(db, live_id):
    with pytest.raises(Invalid, match="for hosts"):
        _add(db, host=PA)
    assert _add(db, key="k1") == _add(db, key="k1")
    with db.read() as s:
        assert len(s.scalars(select(Feedback)).all()) == 1


def test_host_acknowledges_their_own_only(db, live_id):
    fid = _add(db)
    with db.transaction() as s:
        with pytest.raises(NotAllowed, match="Only the host"):
            feedback.acknowledge(s, people.get(s, HOST2), fid)
        first = feedback.acknowledge(s, people.get(s, HOST), fid).acknowledged_at
        assert feedback.acknowledge(s, people.get(s, HOST), fid).acknowledged_at == first


def test_feedback_over_http_dm_acknowledge_and_privacy(server, db, live_id):
    status, body = server.command("/feedback", f"<@{HOST}|hana>", HOST2)
    assert "Only Associate (admin) or Leadership can give coaching feedback" in body["text"]
    server.command("/feedback", f"<@{HOST}|hana>", ADMIN)
    [opened] = server.stub.wait_for("views.open")
    view = opened.params["view"]
    assert view_problems(view) == [] and view["callback_id"] == "talent_feedback_submit"
    assert view["blocks"][1]["element"]["initial_user"] == HOST
    form = state(host=("user", HOST), session=("select", str(live_id)), well="Great <@U0000BAD> hook",
                 improve="Slow down", clip="1:02:03")
    _status, body = server.slack.submit("talent_feedback_submit", ADMIN, form, private_metadata=view["private_metadata"])
    assert body["response_action"] == "update"
    server.slack.submit("talent_feedback_submit", ADMIN, form, private_metadata=view["private_metadata"])  # double submit
    server.drain()
    dms = [c for c in server.stub.calls_to("chat.postMessage") if "coaching feedback" in c.params["text"]]
    assert len(dms) == 1
    shown = json.dumps(dms[0].params["blocks"], ensure_ascii=False)
    assert "GMV $1,234.56 · conversion 4.0% · avg view 52s" in shown and "Clip at 1:02:03" in shown
    assert "&lt;@U0000BAD&gt;" in shown and "Acknowledge" in shown
    with db.read() as s:
        fid = s.scalars(select(Feedback)).one().id
    message = {"type": "message", "ts": "1.2", "text": ""}
    server.slack.action("talent_feedback_ack", str(fid), HOST2, message=message, channel_id="D0HOST2")
    [refusal] = server.stub.wait_for("response_url")
    assert "Only the host it is for can acknowledge" in refusal.params["text"]
    server.slack.action("talent_feedback_ack", str(fid), HOST, message=message, channel_id="D0HOST")

    def acked():
        with db.read() as s:
            return s.get(Feedback, fid).acknowledged_at
    eventually(acked)
    server.drain()
    assert any("Acknowledged" in json.dumps(c.params.get("blocks")) for c in server.stub.calls_to("chat.update"))


def _shortcut_body(user: str, channel: str, message: dict) -> str:
    payload = {"type": "message_action", "callback_id": "talent_feedback_shortcut", "trigger_id": _trigger_id(),
               "team": _team(), "user": _user(user), "api_app_id": APP_ID, "token": VERIFICATION_TOKEN,
               "channel": {"id": channel, "name": "ops"}, "message": message, "message_ts": message["ts"],
               "response_url": f"{slack_signing.RESPONSE_URL_BASE}actions/{TEAM_ID}/1"}
    return urlencode({"payload": json.dumps(payload)})


def test_the_message_shortcut_on_a_session_post_prefills_the_host_and_session(server, db, live_id):
    with db.transaction() as s:
        s.add(PostedMessage(key=f"ros:2026-12-01:s{live_id}", channel="C0OPS", ts="1700000000.000200",
                            claimed_at=clock.now(), updated_at=clock.now()))
    status, _, _ = server.slack.post(_shortcut_body(ADMIN, "C0OPS", {"type": "message", "ts": "1700000000.000200", "text": "x"}))
    assert status == 200
    [opened] = server.stub.wait_for("views.open")
    blocks = {b.get("block_id"): b for b in opened.params["view"]["blocks"]}
    assert blocks["host"]["element"]["initial_user"] == HOST
    assert blocks["session"]["element"]["initial_option"]["value"] == str(live_id)
    # another host using the shortcut is refused, privately
    server.slack.post(_shortcut_body(HOST2, "C0OPS", {"type": "message", "ts": "1700000000.000200", "text": "x"}))
    [refusal] = server.stub.wait_for("response_url")
    assert "Only Associate (admin) or Leadership can give coaching feedback" in refusal.params["text"]
    assert len(server.stub.calls_to("views.open")) == 1


def test_a_host_sees_their_own_feedback_with_plain_feedback(server, db, live_id):
    _add(db, well="Lovely open")
    server.command("/feedback", "", HOST)
    [opened] = server.stub.wait_for("views.open")
    assert "Lovely open" in json.dumps(opened.params["view"]) and view_problems(opened.params["view"]) == []
    _, body = server.command("/feedback", "", PA)
    assert "Only Associate (admin) or Leadership can give coaching feedback" in body["text"]
