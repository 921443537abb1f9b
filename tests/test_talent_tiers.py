"""Tier advancement: criteria as data, the weekly evaluation with its numbers, leadership's decision, the change from
the next schedule week, history, and the host told."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import ADMIN, HOST, HOST2, LEADER, make_settings
from freezegun import freeze_time
from schedule_helpers import LA, at, new_session
from sqlalchemy import select
from talent_helpers import REVIEWER, state, team

from bot import clock
from bot.db.metrics import SessionMetrics
from bot.db.models import OutboxMessage, Shift, TimeEntry
from bot.db.schedule import PersonHostTier
from bot.db.talent import TierChange, TierProposal
from bot.jobs.base import run_post
from bot.jobs.registry import all_jobs
from bot.runtime import Runtime
from bot.services import people
from bot.services.errors import Invalid, NotAllowed
from bot.services.talent import tiers

MONDAY = date(2026, 11, 30)  # in the past, so the queued cards are due when the notifier runs
CRITERIA = tiers.load_criteria()


def _sessions(db, uid, n, *, show_up=True, start_day=date(2026, 11, 3)):
    with db.transaction() as s:
        person = people.get(s, uid)
        for i in range(n):
            day = (start_day + timedelta(days=i * 2)).isoformat()
            live = new_session(s, day, "10:00", "12:00", f"Glow {uid} {i}", room=f"Room {uid}")
            live.status = "done"
            sh = Shift(session_id=live.id, person_id=person.id, role="host", starts_at=live.starts_at, ends_at=live.ends_at,
                       created_at=clock.now(), state="confirmed")
            s.add(sh)
            s.flush()
            s.add(SessionMetrics(session_id=live.id, gmv_cents=100_000, orders=50, unique_viewers=1000,
                                 avg_view_duration_seconds=50, source="modal", created_at=clock.now(),
                                 updated_at=clock.now(), updated_by=ADMIN))
            if show_up:
                s.add(TimeEntry(person_id=person.id, shift_id=sh.id, clock_in_at=at(day, "09:50"),
                                clock_out_at=at(day, "12:05"), late_minutes=0, created_at=clock.now()))


@pytest.fixture
def evaluated(db):
    with freeze_time("2026-11-30 16:00:00"):
        team(db)
        _sessions(db, HOST2, 8)  # Rookie who meets every Core criterion
        _sessions(db, HOST, 3, show_up=False, start_day=date(2026, 11, 4))  # Core with three no-shows
        with db.transaction() as s:
            made = tiers.evaluate_week(s, MONDAY, LA, CRITERIA, "C0LEAD")
            return {p.person.slack_user_id: p.id for p in made}


def test_criteria_are_data_and_a_broken_file_says_what_is_wrong(tmp_path):
    assert CRITERIA.window_weeks == 4 and CRITERIA.tiers["rookie"].promote_to == "Core"
    bad = tmp_path / "tiers.toml"
    bad.write_text('[tiers.Rookie]\npromote = { min_gmv = 5 }\n')
    with pytest.raises(Invalid, match="min_gmv = 5"):
        tiers.load_criteria(bad)
    bad.write_text("window_weeks = 99\n")
    with pytest.raises(Invalid, match="1 to 26"):
        tiers.load_criteria(bad)


def test_the_weekly_evaluation_proposes_with_the_numbers(db, evaluated):
    with db.read() as s:
        props = {p.person.slack_user_id: p for p in s.scalars(select(TierProposal))}
    promo, review, hold = props[HOST2], props[HOST], props[REVIEWER]
    assert (promo.kind, promo.from_tier, promo.to_tier, promo.status) == ("promote", "Rookie", "Core", "pending")
    assert promo.numbers == {"sessions": 8, "gmv_per_live_hour": 500.0, "conversion": 0.05, "avg_view_seconds": 50.0,
                             "late": 0, "no_shows": 0, "compliance_incidents": 0}
    assert any("GMV per live hour ($) 500 (meets ≥ 250)" == r for r in promo.reasons)
    assert (review.kind, review.status, review.numbers["no_shows"]) == ("review", "pending", 3)
    assert (hold.kind, hold.status) == ("hold", "noted")
    with db.read() as s:
        posts = [m for m in s.scalars(select(OutboxMessage)) if m.channel == "C0LEAD"]
    assert sorted(m.payload["notice"] for m in posts) == ["talent.tier_evaluation", "talent.tier_proposal", "talent.tier_proposal"]


def test_a_second_evaluation_of_the_same_week_changes_nothing(db, evaluated):
    with freeze_time("2026-11-30 17:00:00"), db.transaction() as s:
        assert tiers.evaluate_week(s, MONDAY, LA, CRITERIA, "C0LEAD") == []


def test_the_weekly_job_runs_once_per_week(db, db_url):
    with freeze_time("2026-12-07 16:00:00"):
        team(db)
        with db.transaction() as s:  # a host whose tier row went missing (e.g. made before tiers existed)
            s.delete(s.get(PersonHostTier, people.get(s, REVIEWER).id))
        rt = Runtime.build(make_settings(db_url), db)
        spec = all_jobs(rt.settings)["tier-evaluation"]
        assert "3 host(s) evaluated" in run_post(rt, spec, "2026-W50")
        with db.read() as s:
            assert s.get(PersonHostTier, people.get(s, REVIEWER).id).tier.name == "Rookie"  # the entry tier, never none
        assert "already posted" in run_post(rt, spec, "2026-W50")
        no_channel = Runtime.build(make_settings(db_url, leadership_channel=None), db)
        assert run_post(no_channel, spec, "2026-W51").status == "not_run"


def test_leadership_decides_and_the_tier_changes_from_next_monday(db, evaluated):
    with freeze_time("2026-12-08 18:00:00"), db.transaction() as s:
        with pytest.raises(NotAllowed, match="Only Leadership"):
            tiers.decide(s, people.get(s, ADMIN), evaluated[HOST2], True, None, date(2026, 12, 8))
        prop = tiers.decide(s, people.get(s, LEADER), evaluated[HOST2], True, "Great month", date(2026, 12, 8))
        assert prop.status == "approved" and prop.note == "Great month"
        assert tiers.decide(s, people.get(s, LEADER), evaluated[HOST2], True, None, date(2026, 12, 8)).status == "approved"
        change = s.scalars(select(TierChange)).one()
        assert (change.from_tier, change.to_tier, change.effective_on) == ("Rookie", "Core", date(2026, 12, 14))
        assert tiers.apply_due(s, date(2026, 12, 13)) == 0
        host2 = people.get(s, HOST2)
        assert s.get(PersonHostTier, host2.id).tier.name == "Rookie"  # this week's schedule keeps the old tier
        assert tiers.apply_due(s, date(2026, 12, 14)) == 1
        assert s.get(PersonHostTier, host2.id).tier.name == "Core"
        assert [h.to_tier for h in tiers.history(s, host2)] == ["Core"]
        told = [m for m in s.scalars(select(OutboxMessage)) if m.payload.get("notice") == "talent.tier_changed"]
        assert [m.channel for m in told] == [HOST2]


def test_leadership_approves_and_declines_over_signed_http(server, db, evaluated):
    server.slack.action("talent_tier_approve", str(evaluated[HOST2]), ADMIN, channel_id="C0LEAD")
    [refusal] = server.stub.wait_for("response_url")
    assert "Only Leadership can approve or decline tier changes" in refusal.params["text"]
    server.slack.action("talent_tier_decline", str(evaluated[HOST]), LEADER, channel_id="C0LEAD")
    [opened] = server.stub.wait_for("views.open")
    meta = opened.params["view"]["private_metadata"]
    _, body = server.slack.submit("talent_tier_decide_submit", LEADER, state(note=None), private_metadata=meta)
    assert body["response_action"] == "errors" and "note" in body["errors"]
    _, body = server.slack.submit("talent_tier_decide_submit", LEADER, state(note="Talked it through"), private_metadata=meta)
    assert body["response_action"] == "update"
    meta = json.dumps({"proposal": evaluated[HOST2], "approve": True})
    _, body = server.slack.submit("talent_tier_decide_submit", LEADER, state(note="Well earned"), private_metadata=meta)
    assert body["response_action"] == "update"
    server.drain()
    texts = [c.params["text"] for c in server.stub.calls_to("chat.postMessage")]
    assert any("Congratulations! You move from Rookie to Core" in t for t in texts)
    with db.read() as s:
        statuses = {p.person.slack_user_id: (p.status, p.note, p.decided_by) for p in s.scalars(select(TierProposal))}
    assert statuses[HOST] == ("declined", "Talked it through", LEADER)
    assert statuses[HOST2] == ("approved", "Well earned", LEADER)
    edits = [json.dumps(c.params.get("blocks")) for c in server.stub.calls_to("chat.update")]
    assert any(f"Approved by <@{LEADER}>: Well earned" in e for e in edits)  # the card in the channel, edited in place
    assert any(f"Declined by <@{LEADER}>: Talked it through" in e for e in edits)
