"""Run-of-show and attendance, walking a day with freezegun: the 08:00 post (once, restart, forced re-run, edits in
place), the weekly post, reminders, missed check-ins and the forgotten check-out buttons through the signed endpoint."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from conftest import ADMIN, HOST, HOST2, OPS_CHANNEL, PA, make_settings
from freezegun import freeze_time
from schedule_helpers import RULES, at, new_session, person, seed
from sqlalchemy import select

from bot.config import ConfigError, load_settings
from bot.db.models import AuditRecord, OutboxMessage, PostedMessage, TimeEntry
from bot.jobs import run_of_show as ros_jobs
from bot.jobs.base import fire_post, run_post, run_tick
from bot.runtime import Runtime
from bot.services import timeclock
from bot.services.run_of_show import plan as run_of_show_plan, segments as run_of_show_segments
from bot.services.schedule import calendar, catalog, publishing
from bot.services.errors import Invalid, NotAllowed
from bot.services.run_of_show.segments import SegmentInput

DAY = "2026-11-18"  # a Wednesday; 08:00 in Los Angeles is 16:00 UTC
WEEK_MONDAY = date(2026, 11, 16)


def specs(settings):
    return {s.name: s for s in ros_jobs.jobs(settings)}


@pytest.fixture
def rt(db, db_url):
    seed(db)
    return Runtime.build(make_settings(db_url), db)


def team(db):
    seed(db)  # PostgreSQL runs truncate the seeded tiers
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Lead", name="hana")
        person(s, HOST2, "host", tier="Rookie", name="hugo")
        person(s, PA, "pa", name="pat")


def plan_day(db, sessions: int = 2, segs: int = 3, *, publish: bool = True) -> list[int]:
    """`sessions` back-to-back 90-minute LIVEs from 06:00, each with `segs` 7-minute segments with talking points."""
    team(db)
    ids = []
    with db.transaction() as s:
        catalog.add_product(s, "cli", "GLOW-30", "Glow serum 30 ml", "A")
        for i in range(sessions):
            start = f"{6 + (i * 90) // 60:02d}:{(i * 90) % 60:02d}"
            end_min = i * 90 + 90
            end = f"{6 + end_min // 60:02d}:{end_min % 60:02d}"
            live = new_session(s, DAY, start, end, title=f"Glow LIVE {i + 1}", tier="A" if i % 2 == 0 else "C")
            ids.append(live.id)
            who = {"host": HOST if i % 2 == 0 else HOST2}
            if i == 0:
                who["pa"] = PA
            calendar.assign(s, "cli", live.id, who, RULES, override=True)
            for j in range(segs):
                run_of_show_segments.save_segment(s, "cli", live.id, None, SegmentInput(
                    "product" if j % 3 else "flash_deal", j * 7, 7, f"block {j} <b>", sku="GLOW-30" if j % 2 else f"NEW-{j}",
                    offer="2 for $40", talking_points="Texture on camera & who it's for\n" + "Say the price twice. " * 20,
                    lead_role="host"))
        if publish:
            publishing.publish_week(s, "cli", WEEK_MONDAY, RULES, None)
    return ids


def ops_posts(db, prefix: str = "ros:") -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "post",
                                                          OutboxMessage.dedupe_key.like(prefix + "%")).order_by(OutboxMessage.id)))


def dms(db, key_prefix: str) -> list[OutboxMessage]:
    with db.read() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like(key_prefix + "%")).order_by(OutboxMessage.id)))


# -- settings ------------------------------------------------------------------------------------

def test_settings_defaults_and_plain_errors(db_url):
    s = make_settings(db_url)
    assert (s.run_of_show_cron, s.weekly_ros_cron, s.reminder_lead_minutes, s.missed_checkin_minutes,
            s.forgotten_checkout_hours, s.daily_post_grace_minutes) == ("0 8 * * *", "0 15 * * fri", 60, 10, 2, 60)
    assert make_settings(db_url, run_of_show_time="7:30").run_of_show_cron == "30 7 * * *"
    with pytest.raises(ConfigError, match=r"RUN_OF_SHOW_TIME.*is not a time of day"):
        load_settings(_env_file=None, run_of_show_time="25:00")
    with pytest.raises(ConfigError, match=r"WEEKLY_ROS_CRON.*is not a crontab expression"):
        load_settings(_env_file=None, weekly_ros_cron="fridays at 3")
    with pytest.raises(ConfigError, match="REMINDER_LEAD_MINUTES"):
        load_settings(_env_file=None, reminder_lead_minutes=0)


# -- segments --------------------------------------------------------------------------------------

def test_segments_must_fit_the_session_and_not_overlap(rt, db):
    team(db)
    with db.transaction() as s:
        live = new_session(s, DAY, "10:00", "11:00")
        run_of_show_segments.save_segment(s, "cli", live.id, None, SegmentInput("hook", 0, 10))
        with pytest.raises(Invalid) as e:
            run_of_show_segments.save_segment(s, "cli", live.id, None, SegmentInput("product", -5, 10))
        assert "negative" in e.value.fields["offset"]
        with pytest.raises(Invalid) as e:
            run_of_show_segments.save_segment(s, "cli", live.id, None, SegmentInput("close", 55, 10))
        assert "after the LIVE ends" in e.value.fields["duration"]
        with pytest.raises(Invalid) as e:
            run_of_show_segments.save_segment(s, "cli", live.id, None, SegmentInput("giveaway", 5, 10))
        assert "starts before" in e.value.fields["offset"]
        run_of_show_segments.save_segment(s, "cli", live.id, None, SegmentInput("close", 50, 10))  # gaps are fine
        host = person(s, HOST, "host")
        with pytest.raises(NotAllowed):
            run_of_show_segments.save_segment(s, host, live.id, None, SegmentInput("qa", 20, 5))
        assert [seg.kind for seg in run_of_show_segments.segments(s, live.id)] == ["hook", "close"]


def test_segment_labels_round_trip():
    for seg in (SegmentInput("flash_deal", 0, 5, "serum"), SegmentInput("qa", 0, 5), SegmentInput("other", 0, 5, "Tip: care"),
                SegmentInput("hook", 0, 5, "welcome: today's deal")):
        assert run_of_show_segments.parse_label(run_of_show_segments.label(seg)) == (seg.kind, seg.title)


# -- the daily post ---------------------------------------------------------------------------------

def test_posts_once_at_eight_with_two_schedulers_then_forced_rerun(rt, db):
    plan_day(db, sessions=2)
    spec = specs(rt.settings)["run-of-show"]
    with freeze_time(f"{DAY} 15:59:00"):
        assert "nothing scheduled" in fire_post(rt, spec) or "missed" in fire_post(rt, spec)
    assert ops_posts(db) == []
    with freeze_time(f"{DAY} 16:00:01"):
        first, second = fire_post(rt, spec), fire_post(rt, spec)  # two leaders in the same minute
    assert "posted in 4 message(s)" in first and "already posted" in second
    posts = ops_posts(db)
    assert [p.payload["remember_as"] for p in posts] == [f"ros:{DAY}:head", *(f"ros:{DAY}:s{i}" for i in (1, 2)), f"ros:{DAY}:warnings"]
    assert all(p.channel == OPS_CHANNEL for p in posts)
    with freeze_time(f"{DAY} 16:30:00"):
        assert "already posted" in fire_post(rt, spec)
        assert "forced-1" in run_post(rt, spec, DAY, force=True)
    assert len(ops_posts(db)) == 8


def test_restart_at_0820_posts_and_after_grace_it_is_missed(rt, db):
    plan_day(db, sessions=1)
    spec = specs(rt.settings)["run-of-show"]
    with freeze_time(f"{DAY} 16:20:00"):
        assert "posted" in fire_post(rt, spec)
    with freeze_time("2026-11-19 17:01:00"):  # next day, 09:01: more than the 60-minute grace
        assert "missed" in fire_post(rt, spec)
    assert {p.dedupe_key.split(":")[1] for p in ops_posts(db)} == {DAY}


def test_post_content_people_segments_briefs_and_warnings(server, db):
    plan_day(db, sessions=2)
    rt = server.rt
    with freeze_time(f"{DAY} 16:00:00", tick=True):
        fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
    calls = server.stub.calls_to("chat.postMessage")
    texts = [json.dumps(c.params.get("blocks")) for c in calls]
    head, s1, s2, warnings = texts
    assert "Run of show" in head and "Glow LIVE 1" in head and "Glow LIVE 2" in head
    assert f"<@{HOST}>" in s1 and f"<@{PA}>" in s1 and "6:00 AM" in s1 and "6:07 AM" in s1
    assert "block 1 &lt;b&gt;" in s1 and "<b>" not in s1  # user text is escaped
    assert "GLOW-30" in s1 and "2 for $40" in s1 and "Say the price twice" in s1
    assert "no PA assigned" in warnings and "has not confirmed" in warnings
    assert "below tier" not in warnings  # hugo (Rookie) hosts the C-tier session


def test_largest_day_splits_within_block_kit_limits(server, db):
    plan_day(db, sessions=8, segs=12)
    rt = server.rt
    with freeze_time(f"{DAY} 16:00:00", tick=True):
        assert "posted in 10 message(s)" in fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
    calls = server.stub.calls_to("chat.postMessage")
    assert len(calls) == 10 and all(c.ok for c in calls)
    assert len([c for c in calls if not c.params.get("thread_ts")]) == 1  # one top-level post; the rest in its thread
    for c in calls:
        assert len(c.params["blocks"]) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in c.params["blocks"])
    assert server.stub.violations == []


def test_edits_after_posting_update_the_posted_messages_in_place(server, db):
    ids = plan_day(db, sessions=2)
    rt = server.rt
    with freeze_time(f"{DAY} 16:00:00", tick=True):
        fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
        with db.read() as s:
            posted = {pm.channel + pm.ts for pm in s.scalars(select(PostedMessage).where(PostedMessage.key.like(f"ros:{DAY}:%")))}
        assert len(posted) == 4
        with db.transaction() as s:  # the associate fills the PA slot and adds a segment to the second session
            calendar.assign(s, "cli", ids[1], {"pa": PA}, RULES, override=True)
            run_of_show_segments.save_segment(s, "cli", ids[1], None, SegmentInput("close", 80, 10, "thanks"))
            run_of_show_plan.refresh_posted(s, RULES.tz, [ids[1]])
            late = new_session(s, DAY, "20:00", "21:00", title="Late add")
            run_of_show_plan.refresh_posted(s, RULES.tz, [late.id])
        server.drain()
    updates = server.stub.calls_to("chat.update")
    assert updates and all(c.ok for c in updates)
    assert any("Close: thanks" in json.dumps(c.params["blocks"]) for c in updates)
    assert all(c.params["channel"] + c.params["ts"] in posted for c in updates)
    assert "Late add" in json.dumps(server.stub.calls_to("chat.postMessage")[-1].params["blocks"])


# -- the weekly post ---------------------------------------------------------------------------------

def test_weekly_post_friday_for_next_week_with_hours(rt, db):
    team(db)
    with db.transaction() as s:
        live = new_session(s, "2026-11-25", "10:00", "12:30")
        calendar.assign(s, "cli", live.id, {"host": HOST}, RULES)
    spec = specs(rt.settings)["weekly-run-of-show"]
    with freeze_time("2026-11-20 23:00:00"):  # Friday 15:00 PST
        assert "posted 1 session(s)" in fire_post(rt, spec)
        assert "already posted" in fire_post(rt, spec)
    (post,) = ops_posts(db, "ros-week:")
    assert post.dedupe_key == "ros-week:2026-W48"
    body = json.dumps(post.payload["blocks"])
    assert "Scheduled hours" in body and f"<@{HOST}> 2h 30m" in body


# -- reminders and attendance ------------------------------------------------------------------------

def _tick(rt, when: str) -> str:
    with freeze_time(when):
        return run_tick(rt, specs(rt.settings)["reminders"])


def test_reminders_at_the_right_minute_once_and_again_when_moved(rt, db):
    ids = plan_day(db, sessions=1, segs=2)  # 06:00-07:30 LA = 14:00-15:30 UTC; hana hosts, pat is PA
    assert "0 reminder(s)" in _tick(rt, f"{DAY} 12:59:00")
    assert "2 reminder(s)" in _tick(rt, f"{DAY} 13:00:00")
    assert "0 reminder(s)" in _tick(rt, f"{DAY} 13:01:00")
    assert "0 reminder(s)" in _tick(rt, f"{DAY} 13:30:00")
    (hana,) = [m for m in dms(db, "remind:") if m.channel == HOST]
    body = json.dumps(hana.payload["blocks"])
    assert "6:00 AM" in body and "Studio A" in body and "Segments you lead" in body and "/checkin" in body
    with db.transaction() as s:  # the LIVE moves an hour later: the people are reminded again
        live = calendar.get_session(s, ids[0])
        calendar.edit_session(s, "cli", ids[0], calendar.SessionInput(live.title, at(DAY, "07:00"), at(DAY, "08:30"),
                                                                      live.room, live.product_tier), RULES, override=True)
    assert "2 reminder(s)" in _tick(rt, f"{DAY} 14:00:00")
    assert len(dms(db, "remind:")) == 4


def test_missed_checkin_alerts_once_and_not_after_checkin(rt, db):
    plan_day(db, sessions=1, segs=1)
    with db.transaction() as s:  # pat checks in on time; hana doesn't
        timeclock.check_in(s, person(s, PA), None, at(DAY, "05:55"), rt.policy)
    assert "0 missed" in _tick(rt, f"{DAY} 14:09:00")
    assert "2 missed" in _tick(rt, f"{DAY} 14:10:00")  # ops alert + DM to hana
    assert "0 missed" in _tick(rt, f"{DAY} 14:11:00")
    msgs = dms(db, "missed:")
    assert {m.channel for m in msgs} == {OPS_CHANNEL, HOST}
    assert f"<@{ADMIN}>" in json.dumps(next(m for m in msgs if m.channel == OPS_CHANNEL).payload["blocks"])


def test_forgotten_checkout_buttons_through_the_signed_endpoint(server, db):
    plan_day(db, sessions=1, segs=1)  # the shift ends 07:30 LA = 15:30 UTC
    rt = server.rt
    with db.transaction() as s:
        entry = timeclock.check_in(s, person(s, HOST), None, at(DAY, "05:58"), rt.policy).entry
        entry_id = entry.id
    assert "0 check-out nag(s)" in _tick(rt, f"{DAY} 17:29:00")
    assert "2 check-out nag(s)" in _tick(rt, f"{DAY} 17:30:00")  # DM + flag for the associate
    assert "0 check-out nag(s)" in _tick(rt, f"{DAY} 17:31:00")
    with freeze_time(f"{DAY} 17:40:00", tick=True):
        server.drain()
        dm = next(c for c in server.stub.calls_to("chat.postMessage") if "checkout_at_end" in json.dumps(c.params.get("blocks")))
        assert dm.ok
        n = len(server.stub.calls_to("response_url"))
        status, _ = server.slack.action("checkout_still_working", str(entry_id), HOST, channel_id="D" + HOST)
        assert status == 200  # the answer replaces the buttons (after the ack: wait for it while the clock is frozen)
        assert "still working" in server.stub.wait_for("response_url", count=n + 1)[-1].params["text"]
    assert "0 check-out nag(s)" in _tick(rt, f"{DAY} 18:30:00")  # snoozed for an hour
    assert "1 check-out nag(s)" in _tick(rt, f"{DAY} 18:41:00")  # asks again; the associate was flagged once
    with freeze_time(f"{DAY} 18:45:00", tick=True):
        n = len(server.stub.calls_to("response_url"))
        server.slack.action("checkout_at_end", str(entry_id), HOST2)  # not hers: refused, nothing changes
        assert "only its owner" in server.stub.wait_for("response_url", count=n + 1)[-1].params["text"]
        server.slack.action("checkout_at_end", str(entry_id), HOST)
        assert "Clocked out at 7:30 AM" in server.stub.wait_for("response_url", count=n + 2)[-1].params["text"]
        server.slack.action("checkout_at_end", str(entry_id), HOST)  # a double click is harmless
        assert "already clocked out" in server.stub.wait_for("response_url", count=n + 3)[-1].params["text"]
    with db.read() as s:
        entry = s.get(TimeEntry, entry_id)
        assert entry.clock_out_at == at(DAY, "07:30")
        actions = [a.action for a in s.scalars(select(AuditRecord).where(AuditRecord.entity_type == "time_entry",
                                                                         AuditRecord.entity_id == str(entry_id)))]
    assert actions.count("timeclock.check_out_at_scheduled_end") == 1 and "timeclock.still_working" in actions
    assert "0 check-out nag(s)" in _tick(rt, f"{DAY} 20:00:00")


def test_day_walk_posts_and_reminders_keep_their_minutes(rt, db):
    """One day minute by minute from 05:00 to 09:00 LA: one run-of-show at 08:00, each reminder once."""
    plan_day(db, sessions=2, segs=2)  # 06:00 and 07:30 LIVEs
    spec_post = specs(rt.settings)["run-of-show"]
    spec_tick = specs(rt.settings)["reminders"]
    start = at(DAY, "05:00")
    for minute in range(0, 241, 1):
        now = start + timedelta(minutes=minute)
        with freeze_time(now):
            run_tick(rt, spec_tick)
            if now.minute in (0, 20):
                fire_post(rt, spec_post)
    assert len({p.dedupe_key for p in ops_posts(db)}) == 4  # head, 2 sessions, warnings: once
    reminders = dms(db, "remind:")
    assert sorted(m.created_at for m in reminders) == sorted([at(DAY, "05:00")] * 2 + [at(DAY, "06:30")])


# -- the editor, from the session's menu in /schedule ------------------------------------------------

def _segment_state(kind="product", offset="0", duration="10", title=None, sku=None, lead="host"):
    return {"kind": {"value": {"type": "static_select", "selected_option": {"value": kind}}},
            "title": {"value": {"type": "plain_text_input", "value": title}},
            "offset": {"value": {"type": "number_input", "value": offset}},
            "duration": {"value": {"type": "number_input", "value": duration}},
            "sku": {"value": {"type": "plain_text_input", "value": sku}},
            "offer": {"value": {"type": "plain_text_input", "value": None}},
            "points": {"value": {"type": "plain_text_input", "value": "Show the texture"}},
            "lead": {"value": {"type": "static_select", "selected_option": {"value": lead}}}}


def test_editor_modal_adds_refuses_and_updates_the_posted_plan(server, db):
    ids = plan_day(db, sessions=1, segs=1)
    rt = server.rt
    with freeze_time(f"{DAY} 16:05:00", tick=True):
        fire_post(rt, specs(rt.settings)["run-of-show"])
        server.drain()
        plan = {"id": "VPLAN", "callback_id": "sched_plan", "private_metadata": json.dumps({"week": "2026-11-16"})}
        n = len(server.stub.calls_to("views.push"))
        server.slack.action("sched_menu", None, ADMIN, view=plan, action={
            "type": "overflow", "action_id": "sched_menu", "selected_option": {"value": f"ros:{ids[0]}"}})
        ros_view = server.stub.wait_for("views.push", count=n + 1)[-1].params["view"]
        assert ros_view["callback_id"] == "ros_view" and "block 0" in json.dumps(ros_view["blocks"])

        ros = {"id": "VROS", "callback_id": "ros_view", "private_metadata": ros_view["private_metadata"]}
        server.slack.action("ros_add", str(ids[0]), ADMIN, view=ros)
        form = server.stub.wait_for("views.push", count=n + 2)[-1].params["view"]
        assert form["callback_id"] == "ros_segment_submit"
        meta = form["private_metadata"]

        status, body = server.slack.submit("ros_segment_submit", ADMIN, _segment_state(offset="3"), private_metadata=meta)
        assert body["response_action"] == "errors" and "starts before" in body["errors"]["offset"]
        status, body = server.slack.submit("ros_segment_submit", HOST, _segment_state(offset="30"), private_metadata=meta)
        assert "Only Associate" in json.dumps(body)
        u = len(server.stub.calls_to("views.update"))
        status, body = server.slack.submit("ros_segment_submit", ADMIN,
                                           _segment_state(kind="giveaway", offset="30", duration="15", title="mystery box"),
                                           private_metadata=meta)
        assert status == 200 and not body
        updated = server.stub.wait_for("views.update", count=u + 1)[-1].params
        assert updated["view_id"] == "VROS" and "Giveaway: mystery box" in json.dumps(updated["view"]["blocks"])
        server.drain()
    edits = server.stub.calls_to("chat.update")
    assert any("Giveaway: mystery box" in json.dumps(c.params["blocks"]) for c in edits)
    with db.read() as s:
        assert [g.kind for g in run_of_show_segments.segments(s, ids[0])] == ["flash_deal", "giveaway"]


def test_brief_approval_and_swap_approval_update_the_posted_run_of_show(server, db):
    """Changes made elsewhere (legal approves a talk track, the associate approves a swap) reach today's post."""
    from datetime import date as _date

    from bot.services import people
    from bot.services.swaps import eligibility, lifecycle
    from bot.services.briefs import decisions, drafting
    from bot.services.briefs.records import BriefInput, BriefPolicy

    ids = plan_day(db, sessions=2)
    rt = server.rt
    with db.transaction() as s:
        person(s, "ULEGAL01", "legal", name="lee")
    with freeze_time(f"{DAY} 13:00:00", tick=True):  # 05:00 in LA, before the first LIVE
        run_post(rt, specs(rt.settings)["run-of-show"], DAY)
        server.drain()
        server.stub.clear()
        policy = BriefPolicy(tz=RULES.tz, legal_channel="C0LEGAL")
        with db.transaction() as s:
            saved = drafting.save(s, people.get(s, HOST), BriefInput(title="Glow talk track", kind="talk_track", text="Light texture.",
                                                                    session_id=ids[0], due_on=_date(2026, 11, 18)),
                                brief_id=None, based_on=None, draft=False, now=rt.now(), policy=policy)
            decisions.decide(s, people.get(s, "ULEGAL01"), saved.brief.id, 1, "approve", None, rt.now(), policy)
        server.drain()
        with db.read() as s:
            ros_ts = {pm.key.rsplit(":", 1)[1]: pm.ts for pm in s.scalars(select(PostedMessage).where(PostedMessage.key.like(f"ros:{DAY}:%")))}

        def ros_updates(part: str) -> list[str]:
            return [json.dumps(c.params["blocks"]) for c in server.stub.calls_to("chat.update") if c.params["ts"] == ros_ts[part]]

        assert any("Glow talk track" in u for u in ros_updates(f"s{ids[0]}"))

        server.stub.clear()
        cfg = eligibility.SwapConfig.from_settings(rt.settings)
        with db.transaction() as s:  # hugo (Rookie) may not host the A-tier first LIVE, so swap the C-tier second one
            from bot.db.models import Shift

            shift = s.scalar(select(Shift).where(Shift.session_id == ids[1], Shift.role == "host"))
            person(s, "UHOST003", "host", tier="Core", name="rita")
            offer = lifecycle.offer(s, people.get(s, HOST2), shift.id, "direct", cfg, target_user_id="UHOST003")
            lifecycle.take(s, people.get(s, "UHOST003"), offer.id, cfg)
            lifecycle.approve(s, people.get(s, ADMIN), offer.id, cfg)
        server.drain()
        assert any("<@UHOST003>" in u for u in ros_updates(f"s{ids[1]}"))


def test_segment_menu_edit_and_delete_through_the_signed_endpoint(server, db):
    ids = plan_day(db, sessions=1, segs=2)
    with db.read() as s:
        first, second = run_of_show_segments.segments(s, ids[0])
    with freeze_time(f"{DAY} 16:05:00", tick=True):
        ros = {"id": "VROS", "callback_id": "ros_view", "private_metadata": json.dumps({"session": ids[0]})}

        def pick(value: str, user: str = ADMIN):
            return server.slack.action("ros_menu", None, user, view=ros, action={
                "type": "overflow", "action_id": "ros_menu", "selected_option": {"value": value}})

        n = len(server.stub.calls_to("views.push"))
        pick(f"edit:{first.id}")
        form = server.stub.wait_for("views.push", count=n + 1)[-1].params["view"]
        assert form["callback_id"] == "ros_segment_submit" and json.loads(form["private_metadata"])["segment"] == first.id

        pick(f"delete:{second.id}", user=HOST)  # only the associate edits the run-of-show
        assert "Only Associate" in server.stub.wait_for("chat.postMessage")[-1].params["text"]
        with db.read() as s:
            assert len(run_of_show_segments.segments(s, ids[0])) == 2

        u = len(server.stub.calls_to("views.update"))
        pick(f"delete:{second.id}")
        updated = server.stub.wait_for("views.update", count=u + 1)[-1].params
        assert updated["view_id"] == "VROS" and "Segment deleted" in json.dumps(updated["view"]["blocks"])
    with db.read() as s:
        assert [seg.id for seg in run_of_show_segments.segments(s, ids[0])] == [first.id]
        assert s.scalar(select(AuditRecord).where(AuditRecord.entity_type == "ros_segment", AuditRecord.actor == ADMIN)) is not None
