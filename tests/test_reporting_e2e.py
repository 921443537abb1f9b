"""End to end over signed HTTP and the CLI: /scorecard help, targets, month and quarter; the monthly post exactly once
on the first working day; the ops-sync pack (scheduled, /ops sync, CLI) listing every kind of open item; /ops meeting
proposing slots clear of LIVE shifts and time off, DMs to accept, the booked post and the reminder. Every post is
validated by slack_sdk (the Slack stand-in for Web API calls, block_problems for the command answers)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cli_helpers import cli  # noqa: F401 (fixture)
from conftest import ADMIN, HOST, HOST2, LEADER, PA
from freezegun import freeze_time
from reporting_helpers import NOW, at, live_with_metrics, person
from schedule_helpers import new_session, seed
from slack_stub import block_problems
from sqlalchemy import select

from bot.db.briefs import Brief, BriefVersion
from bot.db.escalations import Escalation
from bot.db.models import Shift
from bot.db.reporting import Meeting
from bot.db.schedule import TimeOff
from bot.db.swaps import Swap
from bot.jobs.base import fire_post, run_tick
from bot.jobs.registry import all_jobs
from bot.services.errors import Conflict
from bot.services.reporting import meetings, sync
from bot.services.scorecard.model import ScorecardConfig
from bot.timefmt import local_to_utc

LA = ZoneInfo("America/Los_Angeles")


def _valid(body):
    assert block_problems(body.get("blocks") or [], 50) == [], body
    return body


def test_scorecard_help_targets_month_and_quarter(server, db):
    seed(db)
    status, body = server.command("/scorecard", "help", LEADER)
    text = str(_valid(body)["blocks"])
    assert "Avg. viewing duration" in text and "in minutes and seconds" in text and "CTOR" in text and "GMV per live hour" in text
    status, body = server.command("/scorecard", "targets gmv_week=$20,000 conversion=2.5%", HOST)
    assert "Only" in body["text"]
    status, body = server.command("/scorecard", "targets gmv_week=$20,000 conversion=2.5%", LEADER)
    assert "Targets saved" in _valid(body)["text"] and "GMV per week: $20,000" in body["text"]
    status, body = server.command("/scorecard", "targets conversion=25", LEADER)
    assert "more than 1 without a % sign" in body["text"]
    status, body = server.command("/scorecard", "targets", ADMIN)
    assert "Conversion: 2.50% (set by <@ULEAD001>)" in _valid(body)["text"]
    with db.transaction() as s:
        live_with_metrics(s, "2026-11-10", "19:00", "21:00", gmv=300000)
    with freeze_time("2026-12-02 18:00:00", tick=True):
        server.command("/scorecard", "2026-11", LEADER)
        server.command("/scorecard", "2026-Q4", LEADER)
        replies = server.stub.wait_for("response_url", 2)
    texts = sorted(r.params["text"] for r in replies)
    assert texts == ["LIVE scorecard 2026-Q4: GMV $3,000", "LIVE scorecard November 2026: GMV $3,000"]
    status, body = server.command("/scorecard", "2026-13", LEADER)
    assert "is not a month" in body["text"]


def test_monthly_post_runs_exactly_once_on_the_first_working_day(server, db):
    seed(db)
    with db.transaction() as s:
        live_with_metrics(s, "2026-11-10", "19:00", "21:00", gmv=300000)
    spec = all_jobs(server.rt.settings)["monthly-scorecard"]
    fires = [spec.trigger(LA).get_next_fire_time(None, datetime(2026, 7, 31, 12, tzinfo=LA))]
    assert fires[0].date() == date(2026, 8, 3)  # Aug 1 and 2 are a weekend: Monday the 3rd is the first working day
    for when in ("2026-12-01 17:00:00", "2026-12-02 17:00:00", "2026-12-03 17:00:00"):  # Tue, Wed, Thu 09:00 LA
        with freeze_time(when, tick=True):
            out = fire_post(server.rt, spec)
            assert ("2026-11: posted" in out) if when.startswith("2026-12-01") else ("already posted" in out), out
    server.drain()
    posts = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "C0LEAD"]
    assert len(posts) == 1 and "November 2026" in posts[0].params["text"]
    assert "Same period last year: no data." in str(posts[0].params["blocks"])


def _open_items(s):
    """One of each kind of open item the ops-sync pack knows, in the week of Mon 2026-11-30."""
    hana = person(s, HOST, "host", tier="Rookie", name="hana")
    hugo = person(s, HOST2, "host", tier="Lead", name="hugo")
    empty = new_session(s, "2026-12-01", "10:00", "12:00", title="Nobody LIVE")
    hero = new_session(s, "2026-12-02", "19:00", "21:00", title="Hero LIVE", tier="A")
    hero.status = "published"
    s.add(Shift(session_id=empty.id, person_id=None, role="host", starts_at=empty.starts_at, ends_at=empty.ends_at, created_at=NOW))
    s.add(Shift(session_id=hero.id, person_id=hana.id, role="host", starts_at=hero.starts_at, ends_at=hero.ends_at,
                created_at=NOW, state="confirmed"))
    pa_shift = Shift(session_id=hero.id, person_id=person(s, PA, "pa").id, role="pa", starts_at=hero.starts_at,
                     ends_at=hero.ends_at, created_at=NOW, state="pending")
    s.add(pa_shift)
    s.flush()
    for i, status in enumerate(("open", "resolved", "resolved")):
        s.add(Escalation(summary=f"Mic problem {i}", severity=2, affected="stream", reporter=PA, status=status, cause="tech",
                         escalated_at=NOW - timedelta(days=i + 1), idempotency_key=f"e{i}"))
    brief = Brief(title="Hero talk track", kind="talk_track", session_id=hero.id, submitter=HOST, status="pending",
                  current_version=1, created_at=NOW, updated_at=NOW)
    s.add(brief)
    s.flush()
    s.add(BriefVersion(brief_id=brief.id, number=1, text="x", text_sha256="0" * 64, submitted_by=HOST, submitted_at=NOW,
                       due_at=at("2026-11-30", "12:00"), findings=[]))
    s.add(Swap(kind="open", status="open", shift_id=pa_shift.id, requester_id=hugo.id, expires_at=hero.starts_at, created_at=NOW))
    s.flush()


def test_ops_sync_pack_lists_each_kind_of_open_item(server, db):
    seed(db)
    with db.transaction() as s:
        _open_items(s)
        live_with_metrics(s, "2026-11-24", "19:00", "21:00", gmv=300000)
    with db.read() as s:
        pack = sync.build(s, date(2026, 11, 30), ScorecardConfig(tz=LA), NOW)
    assert set(pack.counts()) == {"unassigned", "unconfirmed", "below_tier", "escalation", "recurring", "brief", "swap"}
    below = pack.of("below_tier")[0].text
    assert below == "hana (Rookie) hosts Hero LIVE (#2), tier A products that need Lead or above"
    assert pack.of("recurring")[0].text == "Cause “tech” came back 3 times in 4 weeks"
    assert pack.agenda[0] == "Last week's numbers (2026-W48, 1 sessions)" and "Open escalations: 1" in pack.agenda
    spec = all_jobs(server.rt.settings)["ops-sync"]
    with freeze_time("2026-11-30 17:30:00", tick=True):  # Monday 09:30 LA
        assert "2026-W49: ops-sync pack posted" in fire_post(server.rt, spec)
        assert "already posted" in fire_post(server.rt, spec)
    server.drain()
    post = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "C0OPS"]
    assert len(post) == 1
    blocks = str(post[0].params["blocks"])
    for words in ("Nobody LIVE (#1) has no host", "Unconfirmed shifts (1)", "Hosts below the product tier (1)",
                  "Open escalations (1)", "Recurring escalations (1)", "Briefs waiting for legal (1)", "Swaps pending (1)",
                  "Agenda", "fix: `/schedule 2026-W49`", "due Mon Nov 30, 12:00 PM"):
        assert words in blocks, (words, blocks)
    with freeze_time("2026-12-01 18:00:00", tick=True):
        status, body = server.command("/ops", "sync", ADMIN)
        assert "Ops sync 2026-W49" in _valid(body)["text"]
        status, body = server.command("/ops", "sync", HOST)
        assert "Only" in body["text"]


def test_ops_sync_and_monthly_from_the_cli(cli, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/r.db"
    assert cli(["migrate"], url)[0] == 0
    monkeypatch.setenv("OPS_CHANNEL", "C0OPS")
    monkeypatch.setenv("LEADERSHIP_CHANNEL", "C0LEAD")
    code, out = cli(["jobs", "run", "ops-sync", "--date", "2026-11-25"], url)
    assert code == 0 and "2026-W48: ops-sync pack posted" in out, out
    code, out = cli(["jobs", "run", "monthly-scorecard", "--date", "2026-11-15"], url)
    assert code == 0 and "2026-11: posted" in out, out
    code, out = cli(["jobs", "run", "monthly-scorecard", "--date", "2026-11-02"], url)
    assert "already posted" in out
    code, out = cli(["jobs", "run", "monthly-scorecard", "--week", "2026-W47"], url)
    assert code != 0 and "posts for a month" in out


def _meeting_state(title, users, length, first, last):
    return {"title": {"value": {"type": "plain_text_input", "value": title}},
            "attendees": {"value": {"type": "multi_users_select", "selected_users": users}},
            "length": {"value": {"type": "static_select", "selected_option": {"value": str(length)}}},
            "first_day": {"value": {"type": "datepicker", "selected_date": first}},
            "last_day": {"value": {"type": "datepicker", "selected_date": last}}}


def test_meeting_proposal_never_lands_on_a_live_shift_and_books_when_all_accept(server, db):
    seed(db)
    with db.transaction() as s:
        hana, pat = person(s, HOST, "host"), person(s, PA, "pa")
        live = new_session(s, "2026-12-01", "08:00", "14:00", title="Long LIVE")
        s.add(Shift(session_id=live.id, person_id=hana.id, role="host", starts_at=live.starts_at, ends_at=live.ends_at, created_at=NOW))
        s.add(TimeOff(person_id=pat.id, starts_at=at("2026-12-01", "14:00"), ends_at=at("2026-12-02", "12:00"), created_at=NOW))
    with freeze_time("2026-11-30 18:00:00", tick=True):
        status, body = server.command("/ops", "meeting", ADMIN)
        view = server.stub.wait_for("views.open")[0].params["view"]
        assert view["callback_id"] == "meeting_submit"
        state = _meeting_state("Weekly ops sync", [HOST, PA], 60, "2026-12-01", "2026-12-02")
        status, body = server.slack.submit("meeting_submit", ADMIN, state, private_metadata=view["private_metadata"])
        assert status == 200 and body["response_action"] == "update"
        server.slack.submit("meeting_submit", ADMIN, state, private_metadata=view["private_metadata"])  # a retry: same meeting
        server.drain()
    with db.read() as s:
        [m] = s.scalars(select(Meeting)).all()
        slots = meetings.slot_times(m)
    assert slots and all(t >= at("2026-12-02", "12:00") for t in slots)  # Tue: Hana on air till 14:00, Pat off from 14:00
    dms = {c.params["channel"]: c for c in server.stub.calls_to("chat.postMessage")}
    assert {"D" + HOST, "D" + PA, "D" + ADMIN} <= set(dms) and "meeting_accept" in str(dms["D" + HOST].params["blocks"])
    with freeze_time("2026-11-30 19:00:00", tick=True):
        server.slack.action("meeting_accept", f"{m.id}:0", HOST)
        server.slack.action("meeting_accept", f"{m.id}:0", HOST)  # double click: once
        server.slack.action("meeting_accept", f"{m.id}:0", PA)
        server.stub.wait_for("response_url", 3)
        server.drain()
    with db.read() as s:
        m = s.get(Meeting, m.id)
        assert m.status == "scheduled" and m.starts_at == slots[0]
    booked = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "C0OPS"]
    assert len(booked) == 1 and "Weekly ops sync" in booked[0].params["text"]
    reminders = all_jobs(server.rt.settings)["meeting-reminders"]
    with freeze_time(slots[0] - timedelta(minutes=30)):
        assert "2 meeting reminder(s)" in run_tick(server.rt, reminders)
        assert "0 meeting reminder(s)" in run_tick(server.rt, reminders)


@pytest.mark.parametrize("seed_", range(5))
def test_no_proposed_slot_ever_overlaps_an_attendees_shift_or_time_off(db, seed_):
    seed(db)
    rnd = random.Random(seed_)
    with db.transaction() as s:
        who = [person(s, u, "host") for u in (HOST, HOST2, PA)]
        busy = []
        for i in range(12):
            day = f"2026-12-0{1 + rnd.randrange(4)}"
            start = rnd.randrange(8, 17)
            live = new_session(s, day, f"{start:02d}:00", f"{start + rnd.randrange(1, 3):02d}:30", title=f"L{i}")
            p = rnd.choice(who)
            s.add(Shift(session_id=live.id, person_id=p.id, role="host", starts_at=live.starts_at, ends_at=live.ends_at, created_at=NOW))
            busy.append((live.starts_at, live.ends_at))
        admin = person(s, ADMIN, "associate")
        req = meetings.Request("Sync", (HOST, HOST2, PA), 45, date(2026, 12, 1), date(2026, 12, 4))
        try:
            m = meetings.propose(s, admin, req, LA, NOW - timedelta(days=3), key=f"k{seed_}")
        except Conflict:
            return  # no free slot at all is said, never a clash
        for t in meetings.slot_times(m):
            assert not any(a < t + timedelta(minutes=45) and b > t for a, b in busy)
            local = t.astimezone(LA)
            assert local.weekday() < 5 and 9 <= local.hour and (local + timedelta(minutes=45)).time() <= local_to_utc(
                local.date(), datetime.strptime("18:00", "%H:%M").time(), LA).astimezone(LA).time()
