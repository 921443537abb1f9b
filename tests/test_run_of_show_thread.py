"""The daily run-of-show is one top-level post per day with each session's plan (and the warnings) in its thread,
and a session's featured SKUs come from its segments when none are set (issue 13 §6)."""

from __future__ import annotations

import json

from conftest import OPS_CHANNEL
from freezegun import freeze_time
from schedule_helpers import RULES, new_session
from test_run_of_show import DAY, plan_day, specs

from sqlalchemy import select

from bot.db.models import PostedMessage
from bot.jobs.base import fire_post, run_post
from bot.services.run_of_show import plan as run_of_show_plan, segments as run_of_show_segments
from bot.services.run_of_show.segments import SegmentInput


def _head_ts(db) -> str:
    with db.read() as s:
        return s.scalar(select(PostedMessage.ts).where(PostedMessage.key == f"ros:{DAY}:head"))


def _top_level(calls):
    return [c for c in calls if not c.params.get("thread_ts")]


def test_one_top_level_post_per_day_sessions_in_its_thread(server, db):
    plan_day(db, sessions=4, segs=2)
    rt = server.rt
    with freeze_time(f"{DAY} 16:00:00", tick=True):
        assert "posted in 6 message(s)" in fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
    calls = server.stub.calls_to("chat.postMessage")
    assert len(calls) == 6 and all(c.ok for c in calls)
    (head,) = _top_level(calls)
    assert head.params["channel"] == OPS_CHANNEL and "Run of show" in json.dumps(head.params["blocks"])
    head_ts = _head_ts(db)
    replies = [c for c in calls if c is not head]
    assert all(c.params["thread_ts"] == head_ts and c.params["channel"] == OPS_CHANNEL for c in replies)
    assert all(f"Glow LIVE {i}" in json.dumps(replies[i - 1].params["blocks"]) for i in (1, 2, 3, 4))


def test_edits_stay_in_place_and_a_late_session_joins_the_thread(server, db):
    ids = plan_day(db, sessions=2, segs=1)
    rt = server.rt
    with freeze_time(f"{DAY} 16:00:00", tick=True):
        fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
        head_ts = _head_ts(db)
        with db.transaction() as s:
            run_of_show_segments.save_segment(s, "cli", ids[1], None, SegmentInput("close", 80, 10, "thanks"))
            run_of_show_plan.refresh_posted(s, RULES.tz, [ids[1]])
            late = new_session(s, DAY, "20:00", "21:00", title="Late add")
            run_of_show_plan.refresh_posted(s, RULES.tz, [late.id])
        server.drain()
        assert "forced-1" in run_post(rt, specs(rt.settings)["run-of-show"], DAY, force=True)
        server.drain()
    calls = server.stub.calls_to("chat.postMessage")
    assert len(_top_level(calls)) == 2  # the first post and the forced re-run: one each
    late_post = next(c for c in calls if "Late add" in json.dumps(c.params["blocks"]))
    assert late_post.params["thread_ts"] == head_ts
    assert any("Close: thanks" in json.dumps(c.params["blocks"]) for c in server.stub.calls_to("chat.update"))
    assert server.stub.violations == []


def test_featured_skus_come_from_the_segments_when_none_are_set(server, db):
    plan_day(db, sessions=1, segs=2)  # segments carry NEW-0 (not a product) and GLOW-30; no featured SKUs set
    rt = server.rt
    with freeze_time(f"{DAY} 16:00:00", tick=True):
        fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
    session_post = json.dumps(server.stub.calls_to("chat.postMessage")[1].params["blocks"])
    assert "none listed" not in session_post
    assert "*Featured SKUs:* `NEW-0`, `GLOW-30` Glow serum 30 ml" in session_post
