"""The calendar end to end: signed Slack requests in, database rows and Slack calls out."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import ADMIN, HOST, HOST2, OPS_CHANNEL, PA
from freezegun import freeze_time
from schedule_helpers import RULES, all_week, at, new_session, person, seed
from sqlalchemy import select

from bot.db.models import LiveSession, Shift, TimeEntry
from bot.db.schedule import AvailabilityWindow, TimeOff
from bot.services.schedule import calendar as schedule_calendar, publishing

WEEK = "2026-W44"  # Mon Oct 26 - Sun Nov 1 2026: the week the clocks go back in Los Angeles


@pytest.fixture
def team(server, db):
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Lead", name="hana", email="hana@studio.test")
        person(s, HOST2, "host", tier="Rookie", name="hugo")
        person(s, PA, "pa", name="pat")
    return server


def last_view(server, method="views.open"):
    return server.stub.calls_to(method)[-1].params["view"]


def then(server, method, request):
    """Send a request whose Slack call happens after the ack (on Bolt's worker), and wait for that call."""
    n = len(server.stub.calls_to(method))
    result = request()
    server.stub.wait_for(method, count=n + 1)
    return result


def plan_view(server):
    """The planning modal as Slack would send it back in an interaction."""
    views = [c for c in server.stub.calls if c.method in ("views.open", "views.update") and
             c.params["view"].get("callback_id") == "sched_plan"]
    v = dict(views[-1].params["view"])
    v["id"] = "VPLAN"
    return v


def sessions(db):
    with db.read() as s:
        return list(s.scalars(select(LiveSession).order_by(LiveSession.id)))


def submit_session(server, title, day, start, end, tier="B", week_monday="2026-10-26", session_id=None, override=False):
    meta = {"week": week_monday, "plan": "VPLAN"}
    if session_id:
        meta["session"] = session_id
    state = {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "date": {"value": {"type": "datepicker", "selected_date": day}},
        "start": {"value": {"type": "timepicker", "selected_time": start}},
        "end": {"value": {"type": "timepicker", "selected_time": end}},
        "overnight": {"value": {"type": "checkboxes", "selected_options": []}},
        "room": {"value": {"type": "plain_text_input", "value": "Studio A"}},
        "tier": {"value": {"type": "static_select", "selected_option": {"value": tier} if tier else None}},
        "notes": {"value": {"type": "plain_text_input", "value": None}},
        "override": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}] if override else []}},
    }
    return _submitted(server, lambda: server.slack.submit("sched_session_submit", ADMIN, state, private_metadata=json.dumps(meta)))


def _submitted(server, request):
    """A saved form refreshes the planning modal after the ack: wait for that, so later steps see a quiet stub."""
    n = len(server.stub.calls_to("views.update"))
    status, body = request()
    if status == 200 and not body:
        server.stub.wait_for("views.update", count=n + 1)
    return status, body


def submit_assign(server, session_id, host=None, pa=None, cohost=None, override=False, user=ADMIN):
    state = {role: {"value": {"type": "users_select", "selected_user": uid}}
             for role, uid in (("host", host), ("cohost", cohost), ("pa", pa))}
    state["override"] = {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}] if override else []}}
    meta = {"week": "2026-10-26", "plan": "VPLAN", "session": session_id}
    return _submitted(server, lambda: server.slack.submit("sched_assign_submit", user, state, private_metadata=json.dumps(meta)))


@freeze_time("2026-10-20 17:00:00", tick=True)
def test_planning_flow_assignment_refusals_and_publish(team, db):
    server = team
    status, body = server.command("/schedule", WEEK, HOST)
    assert status == 200 and "Only Associate" in body["text"]
    assert server.stub.calls_to("views.open") == []

    status, _ = then(server, "views.open", lambda: server.command("/schedule", WEEK, ADMIN))
    assert status == 200
    view = last_view(server)
    assert view["callback_id"] == "sched_plan" and "2026-W44" in str(view["blocks"][0])

    # Add session (button pushes the form) then submit it
    then(server, "views.push", lambda: server.slack.action("sched_add", "2026-10-26", ADMIN, view=plan_view(server)))
    assert last_view(server, "views.push")["callback_id"] == "sched_session_submit"
    status, body = submit_session(server, "Hero serum LIVE", "2026-10-27", "10:00", "12:00", tier="A")
    assert status == 200 and not body
    status, body = submit_session(server, "Bad", "2026-10-27", "12:00", "10:00")
    assert body["response_action"] == "errors" and "after the start" in body["errors"]["end"]
    [hero] = sessions(db)
    assert hero.starts_at == at("2026-10-27", "10:00") and hero.status == "draft"
    assert "Hero serum LIVE" in str(last_view(server, "views.update")["blocks"])

    # The overflow menu opens the assignment form
    then(server, "views.push", lambda: server.slack.action(
        "sched_menu", None, ADMIN, view=plan_view(server),
        action={"type": "overflow", "action_id": "sched_menu", "selected_option": {"value": f"assign:{hero.id}"}}))
    assert last_view(server, "views.push")["callback_id"] == "sched_assign_submit"

    # tier too low: refused even with the override box ticked
    status, body = submit_assign(server, hero.id, host=HOST2, override=True)
    assert body["response_action"] == "errors" and "needs Lead" in body["errors"]["host"]
    # not a PA
    status, body = submit_assign(server, hero.id, host=HOST, pa=HOST2)
    assert "isn't a PA" in body["errors"]["pa"]
    status, body = submit_assign(server, hero.id, host=HOST, pa=PA)
    assert status == 200 and not body
    # overlapping session: refused
    submit_session(server, "Overlap", "2026-10-27", "11:00", "13:00", tier="C")
    overlap = sessions(db)[-1]
    status, body = submit_assign(server, overlap.id, host=HOST, override=True)
    assert "already on Host on Hero serum LIVE" in body["errors"]["host"]
    # rest gap: a warning until "assign anyway"
    submit_session(server, "Evening", "2026-10-27", "18:00", "20:00", tier="C")
    evening = sessions(db)[-1]
    status, body = submit_assign(server, evening.id, host=HOST)
    assert "rest" in body["errors"]["host"] and "Assign anyway" in body["errors"]["host"]
    status, body = submit_assign(server, evening.id, host=HOST, override=True)
    assert status == 200 and not body
    # time off: refused
    with db.transaction() as s:
        from bot.services.schedule import availability

        availability.add_time_off(s, person(s, ADMIN), person(s, PA), date(2026, 10, 29), date(2026, 10, 29), "exam", RULES)
    submit_session(server, "Thursday", "2026-10-29", "10:00", "12:00", tier="C")
    thursday = sessions(db)[-1]
    status, body = submit_assign(server, thursday.id, pa=PA, override=True)
    assert "time off" in body["errors"]["pa"]
    # only the associate may assign
    status, body = submit_assign(server, evening.id, host=HOST2, user=HOST2)
    assert "Only Associate" in json.dumps(body)

    # cancel the overlap session from the menu
    then(server, "views.update", lambda: server.slack.action(
        "sched_menu", None, ADMIN, view=plan_view(server),
        action={"type": "overflow", "action_id": "sched_menu", "selected_option": {"value": f"cancel:{overlap.id}"}}))
    assert sessions(db)[1].status == "cancelled"

    # Publish: one DM per person, a calendar in the ops channel
    then(server, "views.update", lambda: server.slack.action("sched_publish", "2026-10-26", ADMIN, view=plan_view(server)))
    # a double click: the second publish is refused, privately
    then(server, "chat.postMessage", lambda: server.slack.action("sched_publish", "2026-10-26", ADMIN, view=plan_view(server)))
    server.drain()
    dms = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"].startswith("D")]
    opened = [c.params["users"] for c in server.stub.calls_to("conversations.open")]
    assert sorted(opened) == sorted([HOST, PA]) and len(dms) == 2
    host_dm = next(c for c, u in zip(dms, opened) if u == HOST)
    assert "Confirm" in json.dumps(host_dm.params["blocks"]) and "Can't make it" in json.dumps(host_dm.params["blocks"])
    [cal] = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL]
    assert "LIVE calendar" in json.dumps(cal.params["blocks"]) and "Hero serum LIVE" in json.dumps(cal.params["blocks"])
    assert "nothing changed" in json.dumps([c.params for c in server.stub.calls_to("response_url")] +
                                           [c.params for c in server.stub.calls_to("chat.postMessage")])
    assert all(s.status in ("published", "cancelled") for s in sessions(db))

    # Republish after moving the hero session and swapping the evening host: only the changes go out
    status, body = submit_session(server, "Hero serum LIVE", "2026-10-27", "09:00", "11:00", tier="A", session_id=hero.id)
    assert "rest before Host on Evening" in body["errors"]["override"]  # a warning: needs the box ticked
    status, body = submit_session(server, "Hero serum LIVE", "2026-10-27", "09:00", "11:00", tier="A", session_id=hero.id,
                                  override=True)
    assert status == 200 and not body
    with db.transaction() as s:
        schedule_calendar.assign(s, "cli", evening.id, {"host": HOST2}, RULES)
    pv = plan_view(server)
    server.stub.clear()
    then(server, "views.update", lambda: server.slack.action("sched_publish", "2026-10-26", ADMIN, view=pv))
    server.drain()
    texts = {c.params["channel"]: c.params["text"] for c in server.stub.calls_to("chat.postMessage")}
    users = [c.params["users"] for c in server.stub.calls_to("conversations.open")]
    assert sorted(users) == sorted([HOST, HOST2, PA])
    dm_texts = [t for ch, t in texts.items() if ch != OPS_CHANNEL]
    assert any("moved" in t and "removed" in t for t in dm_texts)  # the lead host: hero moved, evening removed
    assert any("added" in t and "moved" not in t for t in dm_texts)  # hugo
    assert server.stub.calls_to("chat.update")  # the calendar is edited in place
    assert "republished (version 2)" in texts[OPS_CHANNEL]


@freeze_time("2026-10-20 17:00:00", tick=True)
def test_confirm_cant_make_it_and_myshifts(team, db):
    server = team
    with db.transaction() as s:
        a = new_session(s, "2026-10-21", "10:00", "12:00", tier="C")
        b = new_session(s, "2026-10-22", "10:00", "12:00", tier="C", title="Thursday")
        schedule_calendar.assign(s, "cli", a.id, {"host": HOST2}, RULES)
        schedule_calendar.assign(s, "cli", b.id, {"host": HOST2}, RULES)
        publishing.publish_week(s, "cli", date(2026, 10, 19), RULES, OPS_CHANNEL)
        a_shift, b_shift = schedule_calendar.slot(a, "host").id, schedule_calendar.slot(b, "host").id
    server.drain()
    dm = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"].startswith("D")][0]
    message = {"type": "message", "ts": "1.2", "text": dm.params["text"], "blocks": dm.params["blocks"]}

    status, _ = then(server, "response_url", lambda: server.slack.action(
        "shift_confirm", str(a_shift), HOST2, message=message, channel_id=dm.params["channel"]))
    assert status == 200
    with db.read() as s:
        assert s.get(Shift, a_shift).state == "confirmed"
    resp = server.stub.calls_to("response_url")[0]
    assert resp.params["replace_original"] and "Confirmed" in json.dumps(resp.params["blocks"])
    # someone else's shift: refused
    then(server, "response_url", lambda: server.slack.action("shift_confirm", str(b_shift), HOST, message=message))
    with db.read() as s:
        assert s.get(Shift, b_shift).state == "pending"

    then(server, "views.open", lambda: server.slack.action("shift_decline", str(b_shift), HOST2, message=message))
    modal = last_view(server)
    assert modal["callback_id"] == "shift_decline_submit"
    then(server, "response_url", lambda: server.slack.submit("shift_decline_submit", HOST2, {"reason": {"value": {"type": "plain_text_input", "value": "flight <!channel>"}}},
                        private_metadata=modal["private_metadata"]))
    server.drain()
    with db.read() as s:
        sh = s.get(Shift, b_shift)
        assert sh.state == "declined" and sh.needs_cover
    alert = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL][-1]
    assert f"<@{ADMIN}>" in json.dumps(alert.params["blocks"]) and "&lt;!channel&gt;" in json.dumps(alert.params["blocks"])

    status, body = server.command("/myshifts", "", HOST2)
    text = json.dumps(body)
    assert "confirmed" in text and "can't make it" in text
    # Home tab shows upcoming shifts and hours this week
    server.slack.event({"type": "app_home_opened", "user": HOST2, "tab": "home"})
    home = server.stub.wait_for("views.publish")[-1].params["view"]
    assert "Upcoming shifts" in json.dumps(home) and "2h 00m scheduled this week" in json.dumps(home)


@freeze_time("2026-10-20 17:00:00", tick=True)
def test_availability_modal_saves_windows_and_time_off(team, db):
    server = team
    then(server, "views.open", lambda: server.command("/availability", "", HOST))
    view = last_view(server)
    assert view["callback_id"] == "avail_submit"
    state = {f"day_{wd}": {"value": {"type": "plain_text_input", "value": "9:00-17:00" if wd < 5 else None}} for wd in range(7)}
    state["day_2"] = {"value": {"type": "plain_text_input", "value": "9-17, 25:00-26:00"}}
    status, body = server.slack.submit("avail_submit", HOST, state, private_metadata=view["private_metadata"])
    assert body["response_action"] == "errors" and "day_2" in body["errors"]
    state["day_2"] = {"value": {"type": "plain_text_input", "value": "9-12, 13:00-18:00"}}
    state["off_first"] = {"value": {"type": "datepicker", "selected_date": "2026-10-30"}}
    state["off_last"] = {"value": {"type": "datepicker", "selected_date": None}}
    state["off_reason"] = {"value": {"type": "plain_text_input", "value": "wedding"}}
    status, body = server.slack.submit("avail_submit", HOST, state, private_metadata=view["private_metadata"])
    assert status == 200 and not body
    with db.read() as s:
        assert s.scalars(select(AvailabilityWindow)).all().__len__() == 6
        [off] = s.scalars(select(TimeOff)).all()
        assert off.starts_at == at("2026-10-30", "00:00") and off.ends_at == at("2026-10-31", "00:00")
    # a host acts only for themself
    status, body = server.command("/availability", f"<@{HOST2}|hugo>", HOST)
    assert "Only Associate" in body["text"]
    server.slack.submit("avail_submit", HOST, state, private_metadata=json.dumps({"user": HOST2}))
    with db.read() as s:
        hugo = person(s, HOST2)
        assert s.scalars(select(AvailabilityWindow).where(AvailabilityWindow.person_id == hugo.id)).all() == []


@freeze_time("2026-10-20 17:00:00", tick=True)
def test_copy_and_suggest_buttons(team, db):
    server = team
    with db.transaction() as s:
        for uid in (HOST, HOST2):
            all_week(s, person(s, uid))
        src = new_session(s, "2026-10-21", "10:00", "12:00", tier="C")  # last week (W43)
        schedule_calendar.assign(s, "cli", src.id, {"pa": PA}, RULES)
    then(server, "views.open", lambda: server.command("/schedule", WEEK, ADMIN))
    then(server, "views.update", lambda: server.slack.action("sched_copy", "2026-10-26", ADMIN, view=plan_view(server)))
    assert "Copied 1 session" in json.dumps(last_view(server, "views.update"))
    then(server, "views.update", lambda: server.slack.action("sched_suggest", "2026-10-26", ADMIN, view=plan_view(server)))
    notice = json.dumps(last_view(server, "views.update"))
    assert "Suggested hosts for 1 of 1" in notice and "fewest" in notice
    copied = sessions(db)[-1]
    assert copied.starts_at == at("2026-10-28", "10:00")
    with db.read() as s:
        live = schedule_calendar.get_session(s, copied.id)
        assert schedule_calendar.slot(live, "host").person is not None and schedule_calendar.slot(live, "pa").person.slack_user_id == PA


def test_published_shift_is_matched_by_checkin_with_lateness(team, db):
    server = team
    with freeze_time("2026-10-20 17:00:00"), db.transaction() as s:
        a = new_session(s, "2026-10-27", "10:00", "12:00", tier="C")
        schedule_calendar.assign(s, "cli", a.id, {"host": HOST2}, RULES)
        publishing.publish_week(s, "cli", date(2026, 10, 26), RULES, OPS_CHANNEL)
        shift_id = schedule_calendar.slot(a, "host").id
    with freeze_time(at("2026-10-27", "10:12"), tick=True):
        status, body = server.command("/checkin", "", HOST2)
    assert "12 min after call time" in json.dumps(body)
    with db.read() as s:
        [entry] = s.scalars(select(TimeEntry)).all()
        assert entry.shift_id == shift_id and entry.late_minutes == 12 and not entry.unscheduled


def test_week_navigation_buttons_and_only_the_associate(team, db):
    server = team
    then(server, "views.open", lambda: server.command("/schedule", WEEK, ADMIN))
    nav = next(b for b in last_view(server)["blocks"] if b.get("block_id") == "plan_nav")
    nxt = next(e for e in nav["elements"] if e["action_id"] == "sched_week" and "Next" in e["text"]["text"])
    assert nxt["value"] == "2026-11-02"
    updated = then(server, "views.update", lambda: server.slack.action("sched_week", nxt["value"], ADMIN, view=plan_view(server)))
    assert updated[0] == 200
    call = server.stub.calls_to("views.update")[-1].params
    assert call["view_id"] == "VPLAN" and "2026-W45" in str(call["view"]["blocks"][0])
    # a host clicking a stale copy of the button is refused privately and the modal is not touched
    n = len(server.stub.calls_to("views.update"))
    server.slack.action("sched_week", "2026-11-09", HOST, view=plan_view(server))
    [dm] = server.stub.wait_for("chat.postMessage")[-1:]
    assert dm.params["channel"] == HOST and "Only Associate" in dm.params["text"]
    assert len(server.stub.calls_to("views.update")) == n


def test_remove_time_off_button(team, db):
    server = team
    from bot.services.schedule import availability

    with db.transaction() as s:
        hana = person(s, HOST)
        availability.add_time_off(s, hana, hana, date(2099, 10, 30), date(2099, 10, 30), "wedding", RULES)
    then(server, "views.open", lambda: server.command("/availability", "", HOST))
    view = last_view(server)
    removes = [b["accessory"] for b in view["blocks"] if b.get("accessory", {}).get("action_id") == "avail_remove_off"]
    assert removes, "the availability modal lists the time off with a Remove button"
    modal_ref = {"id": "VAVAIL", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"]}
    # someone else can't remove hana's time off: refused, nothing removed
    server.slack.action("avail_remove_off", removes[0]["value"], HOST2, view=modal_ref)
    server.stub.wait_for("chat.postMessage")
    with db.read() as s:
        assert len(s.scalars(select(TimeOff)).all()) == 1
    then(server, "views.update", lambda: server.slack.action("avail_remove_off", removes[0]["value"], HOST, view=modal_ref))
    assert server.stub.calls_to("views.update")[-1].params["view_id"] == "VAVAIL"
    with db.read() as s:
        assert s.scalars(select(TimeOff)).all() == []
    # a second click on the same (now stale) button says so and changes nothing
    n = len(server.stub.calls_to("chat.postMessage"))
    server.slack.action("avail_remove_off", removes[0]["value"], HOST, view=modal_ref)
    assert "already removed" in server.stub.wait_for("chat.postMessage", count=n + 1)[-1].params["text"]
