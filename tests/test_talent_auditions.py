"""Auditions: scheduling on the studio calendar, reviewer DMs and reminders, and the blind scorecard."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import ADMIN, HOST, HOST2, LEADER
from freezegun import freeze_time
from schedule_helpers import LA, at, new_session
from slack_stub import view_problems
from sqlalchemy import select
from talent_helpers import REVIEWER, add_candidate, state, team

from bot.db.models import OutboxMessage
from bot.db.talent import Candidate
from bot.services import people
from bot.services.errors import Conflict, Invalid, NotAllowed
from bot.services.talent import auditions

NOW = "2026-12-01 18:00:00"  # Tue 10:00 in Los Angeles
SCORES = {"energy": 4, "product": 3, "selling": 5, "compliance": 4, "reliability": 4}


@pytest.fixture
def world(db):
    with freeze_time(NOW):
        team(db)
        with db.transaction() as s:
            new_session(s, "2026-12-03", "14:00", "16:00", "Thursday glow", room="Studio A")
        yield db, add_candidate(db)


def _book(db, cid, start="15:00", end="15:45", room="Studio A", reviewers=(LEADER, REVIEWER)):
    with db.transaction() as s:
        return auditions.schedule(s, people.get(s, ADMIN), cid, at("2026-12-03", start), at("2026-12-03", end), room,
                                  list(reviewers), LA)[0].id


def _dms(db, notice):
    with db.read() as s:
        return sorted(m.channel for m in s.scalars(select(OutboxMessage)) if m.payload.get("notice") == notice)


@freeze_time(NOW)
def test_a_slot_on_top_of_a_live_in_the_same_room_is_refused(world):
    db, cid = world
    with pytest.raises(Conflict, match="Studio A is taken then by the LIVE 'Thursday glow'"):
        _book(db, cid)
    with pytest.raises(Conflict, match="taken"):
        _book(db, cid, room="studio a")  # case does not hide a clash
    aud = _book(db, cid, room="Studio B")
    assert _book(db, cid, room="Studio B") == aud  # the same booking again is the same audition
    with pytest.raises(Conflict, match="another audition"):
        _book(db, add_candidate(db, name="Other", handle="other", email=None), start="15:30", end="16:00", room="Studio B")
    assert _book(db, cid, start="16:00", end="16:30") != aud  # right after the LIVE: fine
    with db.read() as s:
        assert s.get(Candidate, cid).stage == "audition_scheduled"
    assert _dms(db, "talent.audition_invite") == sorted([LEADER, REVIEWER] * 2)


@freeze_time(NOW)
@pytest.mark.parametrize("start, end, reviewers, msg", [
    ("15:00", "14:00", (LEADER,), "end after"), ("09:00", "09:30", (LEADER,), None), ("10:00", "15:00", (LEADER,), "4 hours"),
    ("17:00", "17:30", (), "at least one reviewer")])
def test_bad_slots_are_refused(world, start, end, reviewers, msg):
    db, cid = world
    day = "2026-12-01" if msg is None else "2026-12-03"
    with db.transaction() as s, pytest.raises(Invalid, match=msg or "has passed"):
        auditions.schedule(s, people.get(s, ADMIN), cid, at(day, start), at(day, end), "Studio C", list(reviewers), LA)


@freeze_time(NOW)
def test_hosts_cannot_schedule(world):
    db, cid = world
    with db.transaction() as s, pytest.raises(NotAllowed):
        auditions.schedule(s, people.get(s, HOST), cid, at("2026-12-03", "17:00"), at("2026-12-03", "17:30"), None, [LEADER], LA)


@freeze_time(NOW)
def test_the_scorecard_is_blind_until_the_reviewer_submits(world):
    db, cid = world
    aud = _book(db, cid, room="Studio B")
    with db.transaction() as s:
        leader, reviewer = people.get(s, LEADER), people.get(s, REVIEWER)
        auditions.submit(s, leader, aud, SCORES, "Strong close")
        card = auditions.scorecard(s, reviewer, aud)
        assert card.blind and card.scores == [] and card.averages == {} and card.submitted == 1
        with pytest.raises(NotAllowed):
            auditions.scorecard(s, people.get(s, HOST2), aud)  # not a reviewer, not talent
        with pytest.raises(Invalid, match="can't be below 1"):
            auditions.submit(s, reviewer, aud, {**SCORES, "energy": 0}, None)
        auditions.submit(s, reviewer, aud, {**SCORES, "energy": "2", "selling": "3"}, None)
        with pytest.raises(Conflict, match="already scored"):
            auditions.submit(s, reviewer, aud, SCORES, None)
        card = auditions.scorecard(s, reviewer, aud)
        assert not card.blind and len(card.scores) == 2
        assert card.averages["energy"] == 3.0 and card.spreads["energy"] == 2 and card.spreads["product"] == 0
        assert card.overall == round((4.0 + 3.2) / 2, 2) and card.overall_spread == 0.8
        assert auditions.scorecard(s, people.get(s, ADMIN), aud).scores  # the associate is not a reviewer here: sees all
        assert s.get(Candidate, cid).stage == "auditioned"


def test_reviewers_are_reminded_the_day_before_once(world):
    db, cid = world
    with freeze_time(NOW):
        aud = _book(db, cid, room="Studio B")
    with freeze_time("2026-12-02 18:00:00"), db.transaction() as s:
        auditions.submit(s, people.get(s, LEADER), aud, SCORES, None)
        assert auditions.remind_tomorrow(s, date(2026, 12, 2), LA) == 1  # the leader has scored already
        assert auditions.remind_tomorrow(s, date(2026, 12, 2), LA) == 0
        assert auditions.remind_tomorrow(s, date(2026, 12, 1), LA) == 0  # not the day before
    assert _dms(db, "talent.audition_reminder") == [REVIEWER]


def test_scorecard_over_signed_http_is_blind_then_shows_average_and_spread(server, db):
    with freeze_time(NOW):
        team(db)
        cid = add_candidate(db)
    meta = json.dumps({"candidate": cid})
    from datetime import timedelta

    from bot import clock
    from bot.timefmt import local_date

    day = (local_date(clock.now(), LA) + timedelta(days=10)).isoformat()
    form = state(date=("date", day), start=("time", "15:00"), end=("time", "15:45"), room="Studio B",
                 reviewers=("users", [LEADER, REVIEWER]))
    status, body = server.slack.submit("talent_audition_submit", ADMIN, form, private_metadata=meta)
    assert body["response_action"] == "update", body
    server.drain()
    invites = [c for c in server.stub.calls_to("chat.postMessage") if "reviewer for an audition" in c.params["text"]]
    assert len(invites) == 2
    with db.read() as s:
        aud_id = auditions.for_candidate(s, cid)[0].id
    scores = state(**{k: ("select", str(v)) for k, v in SCORES.items()}, notes="good")
    status, body = server.slack.submit("talent_score_submit", LEADER, scores, private_metadata=json.dumps({"audition": aud_id}))
    assert body["response_action"] == "update" and "1 of 2 reviewer(s)" in json.dumps(body["view"])
    # the other reviewer opens the scorecard before scoring: the score form, never the scores
    server.slack.action("talent_score_open", str(aud_id), REVIEWER, view={"id": "VX", "type": "modal"})
    [pushed] = server.stub.wait_for("views.push")
    assert pushed.params["view"]["callback_id"] == "talent_score_submit" and "Strong" not in json.dumps(pushed.params["view"])
    assert view_problems(pushed.params["view"]) == []
    bad = {**scores, "energy": {"value": {"type": "static_select", "selected_option": {"value": "9"}}}}
    status, body = server.slack.submit("talent_score_submit", REVIEWER, bad, private_metadata=json.dumps({"audition": aud_id}))
    assert body["response_action"] == "errors" and "energy" in body["errors"]
    low = {**scores, "energy": {"value": {"type": "static_select", "selected_option": {"value": "2"}}}}
    status, body = server.slack.submit("talent_score_submit", REVIEWER, low, private_metadata=json.dumps({"audition": aud_id}))
    shown = json.dumps(body["view"], ensure_ascii=False)
    assert "2 of 2" in shown and "On-camera energy: *3.0* avg · spread 2" in shown
    assert view_problems(body["view"]) == []
    # a host who is no reviewer is refused
    server.slack.action("talent_score_open", str(aud_id), HOST2, view={"id": "VX", "type": "modal"})
    [dm] = server.stub.wait_for("chat.postMessage", count=3)[-1:]
    assert "Only this audition's reviewers" in dm.params["text"]


def test_the_audition_form_shows_the_studio_calendar(server, db):
    team(db)
    cid = add_candidate(db)
    from bot import clock
    from bot.timefmt import local_date

    day = (local_date(clock.now(), LA) + __import__("datetime").timedelta(days=2)).isoformat()
    with db.transaction() as s:
        new_session(s, day, "14:00", "16:00", "Busy <glow>", room="Studio A")
    server.slack.action("talent_audition_open", str(cid), ADMIN, view={"id": "VC", "type": "modal"})
    [pushed] = server.stub.wait_for("views.push")
    view = pushed.params["view"]
    assert view["callback_id"] == "talent_audition_submit" and view_problems(view) == []
    shown = json.dumps(view, ensure_ascii=False)
    assert "Already booked (next 14 days)" in shown and "Studio A · LIVE Busy &lt;glow&gt;" in shown
    server.slack.action("talent_audition_open", str(cid), HOST, view={"id": "VC", "type": "modal"})
    assert "Only Associate (admin) or Leadership" in server.stub.wait_for("chat.postMessage")[-1].params["text"]


@freeze_time(NOW)
def test_an_unscored_audition_can_be_cancelled_and_reviewers_are_told(world):
    db, cid = world
    aud = _book(db, cid, room="Studio B")
    with db.transaction() as s:
        with pytest.raises(NotAllowed):
            auditions.cancel(s, people.get(s, HOST), aud, LA)
        auditions.cancel(s, people.get(s, ADMIN), aud, LA)
        auditions.cancel(s, people.get(s, ADMIN), aud, LA)  # a double click
        assert s.get(Candidate, cid).stage == "screened"
    assert _dms(db, "talent.audition_cancelled") == sorted([LEADER, REVIEWER])
    other = _book(db, cid, start="17:00", end="17:30", room="Studio B")  # the slot is free again
    with db.transaction() as s:
        auditions.submit(s, people.get(s, LEADER), other, SCORES, None)
        with pytest.raises(Conflict, match="already scored"):
            auditions.cancel(s, people.get(s, ADMIN), other, LA)


def test_cancel_from_the_candidate_view_over_http(server, db):
    team(db)
    cid = add_candidate(db)
    from datetime import timedelta

    from bot import clock

    with db.transaction() as s:
        start = clock.now() + timedelta(days=3)
        aud, _ = auditions.schedule(s, people.get(s, ADMIN), cid, start, start + timedelta(minutes=30), "Studio Z", [LEADER], LA)
        aud_id = aud.id
    server.slack.action("talent_audition_cancel", str(aud_id), ADMIN, view={"id": "VCAND", "type": "modal"})
    [updated] = server.stub.wait_for("views.update")
    assert updated.params["view_id"] == "VCAND" and "Cancel audition" not in json.dumps(updated.params["view"])
    server.drain()
    assert any("Audition cancelled" in c.params["text"] for c in server.stub.calls_to("chat.postMessage"))
