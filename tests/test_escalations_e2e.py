"""Escalations end to end: /escalate, the modal, buttons and pages through the signed HTTP endpoint."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from conftest import ADMIN, HOST, HOST2, LEADER, LEGAL, PA
from escalation_helpers import (
    ESC_CHANNEL, add_session, channel_posts, click, dms, escalation, event_kinds, grant, open_modal, raise_one,
    replies, submit,
)
from freezegun import freeze_time
from sqlalchemy import func, select

from bot import clock
from bot.db.escalations import Escalation, EscalationEvent
from bot.db.models import OutboxMessage


def crew_on_air(server, db):
    """HOST and PA are crew of the session on air now; HOST is clocked in."""
    grant(db, HOST, "host")
    grant(db, PA, "pa")
    now = clock.now()
    live = add_session(db, "Hero bundle LIVE", now - timedelta(minutes=30), crew={HOST: "host", PA: "pa"})
    later = add_session(db, "Evening skincare", now + timedelta(hours=3))
    gone = add_session(db, "Cancelled drop", now + timedelta(hours=1), status="cancelled")
    status, body = server.command("/checkin", "", HOST)
    assert "Clocked in" in body["text"]
    server.drain()
    server.stub.clear()
    return live, later, gone


def test_late_at_night_the_menu_offers_the_session_just_after_midnight(server, db):
    """Found by a CI run at 21:13 in Los Angeles: the menu held only the local day's sessions, so a night crew
    escalating at 22:30 could not pick the LIVE that starts at 00:30. It reaches the next hours too."""
    from bot.timefmt import local_to_utc

    night = local_to_utc(datetime(2026, 12, 3).date(), datetime(2000, 1, 1, 22, 30).time(), server.rt.tz)
    with freeze_time(night):
        grant(db, HOST, "host")
        after_midnight = add_session(db, "Night drop", night + timedelta(hours=2))
        tomorrow_evening = add_session(db, "Tomorrow evening", night + timedelta(hours=20))
        view = open_modal(server, HOST, "stream key leaked")
    menu = {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}["session"]["element"]
    values = [o["value"] for o in menu["options"]]
    assert str(after_midnight) in values and str(tomorrow_evening) not in values


def test_escalate_opens_modal_prefilled_with_session_on_air(server, db):
    live, later, gone = crew_on_air(server, db)
    view = open_modal(server, HOST, "checkout link dead <!channel>")
    blocks = {b["block_id"]: b for b in view["blocks"] if b.get("block_id")}
    assert blocks["summary"]["element"]["initial_value"] == "checkout link dead <!channel>"
    session = blocks["session"]["element"]
    assert session["initial_option"]["value"] == str(live)
    values = [o["value"] for o in session["options"]]
    assert str(later) in values and str(gone) not in values and "none" in values
    assert [o["text"]["text"] for o in blocks["severity"]["element"]["options"]] == ["SEV1", "SEV2", "SEV3", "SEV4"]


def test_person_without_role_cannot_escalate(server, db):
    status, body = server.command("/escalate", "help", HOST2)
    assert "Only people with a role" in body["text"]
    assert server.stub.calls_to("views.open") == []


def test_sev1_posts_once_pages_leadership_and_associate_and_shows_crew(server, db):
    live, _, _ = crew_on_air(server, db)
    esc_id = raise_one(server, HOST, session=str(live), severity="1", details="<@U999> price shows $0")
    server.drain()
    [post] = channel_posts(server)
    shown = str(post.params["blocks"])
    assert "SEV1" in shown and "Hero bundle LIVE" in shown and f"<@{HOST}>" in shown and f"<@{PA}>" in shown
    assert "(not checked in)" in shown  # PA is crew but not clocked in
    assert "&lt;@U999&gt;" in shown  # typed text is escaped
    assert {"esc_ack", "esc_update", "esc_resolve", "esc_timeline"} <= {
        e["action_id"] for b in post.params["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert sorted(u for u, _ in dms(server)) == sorted([ADMIN, LEADER])
    esc = escalation(db, esc_id)
    assert (esc.status, esc.severity, esc.session_id, esc.reporter) == ("open", 1, live, HOST)
    assert event_kinds(db, esc_id) == ["raised", "notified"]


def test_sev3_posts_to_channel_without_pages(server, db):
    grant(db, HOST, "host")
    raise_one(server, HOST, severity="3", session="none")
    server.drain()
    assert len(channel_posts(server)) == 1 and dms(server) == []


def test_needs_legal_posts_to_legal_channel(server, db):
    grant(db, HOST, "host")
    raise_one(server, HOST, severity="3", legal=True, affected="compliance")
    server.drain()
    [legal] = channel_posts(server, "C0LEGAL")
    assert "Legal is needed" in str(legal.params["blocks"])


def test_empty_summary_and_unknown_session_are_field_errors(server, db):
    grant(db, HOST, "host")
    view = open_modal(server, HOST)
    status, body = submit(server, HOST, view, summary="   ", session="424242", severity=None)
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"summary", "session", "severity"}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Escalation)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_double_submit_and_slack_retry_make_one_escalation(server, db):
    grant(db, HOST, "host")
    view = open_modal(server, HOST)
    first = submit(server, HOST, view, severity="2")
    second = submit(server, HOST, view, severity="2")
    third = submit(server, HOST, view, severity="2", retry_num=1)
    assert "is raised" in str(first[1]) and "already raised" in str(second[1]) and "already raised" in str(third[1])
    server.drain()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Escalation)) == 1
    assert len(channel_posts(server)) == 1 and [u for u, _ in dms(server)] == [LEADER]


def test_acknowledge_makes_owner_second_click_told_who_owns(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="2")
    server.drain()
    [post] = channel_posts(server)
    click(server, "esc_ack", esc_id, ADMIN)
    click(server, "esc_ack", esc_id, LEADER)
    click(server, "esc_ack", esc_id, HOST)
    esc = escalation(db, esc_id)
    assert (esc.status, esc.owner) == ("acknowledged", ADMIN)
    answers = replies(server)
    assert "You own escalation" in answers[0]
    assert "ava already owns" in answers[1] and "Nothing changed" in answers[1]
    assert "Only Associate (admin) or Leadership can acknowledge" in answers[2]
    assert event_kinds(db, esc_id).count("acknowledged") == 1
    server.drain()
    [upd] = server.stub.calls_to("chat.update")
    assert upd.params["ts"] == post.params.get("ts") or upd.params["ts"]
    assert "Acknowledged" in str(upd.params["blocks"]) and f"<@{ADMIN}>" in str(upd.params["blocks"])
    thread = [c for c in channel_posts(server) if c.params.get("thread_ts")]
    assert len(thread) == 1 and "acknowledged and owns" in thread[0].params["text"]
    assert [u for u, text in dms(server) if f"is on your escalation #{esc_id}" in text] == [HOST]


def test_concurrent_acknowledge_has_one_winner(server, db):
    grant(db, HOST, "host")
    grant(db, LEGAL, "leadership")
    esc_id = raise_one(server, HOST, severity="2")
    barrier = threading.Barrier(3)

    def go(user):
        barrier.wait()
        click(server, "esc_ack", esc_id, user)

    threads = [threading.Thread(target=go, args=(u,)) for u in (ADMIN, LEADER, LEGAL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.stub.wait_for("response_url", 3)
    assert event_kinds(db, esc_id).count("acknowledged") == 1
    answers = replies(server)
    assert sum("You own" in a for a in answers) == 1, answers
    assert sum("already owns" in a for a in answers) == 2


def test_responder_roles_setting_decides_who_may_acknowledge(server, db):
    server.rt.settings.escalation_responder_roles = ["pa"]
    grant(db, PA, "pa")
    esc_id = raise_one(server, PA, severity="3")
    click(server, "esc_ack", esc_id, ADMIN)
    assert "Only PA can acknowledge" in replies(server)[0]
    click(server, "esc_ack", esc_id, PA)
    assert escalation(db, esc_id).owner == PA


def test_update_goes_in_thread_and_edits_message(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="3")
    server.drain()
    click(server, "esc_update", esc_id, HOST)
    [opened] = server.stub.calls_to("views.open")[-1:]
    assert opened.params["view"]["callback_id"] == "escalation_update"
    state = {"note": {"value": {"type": "plain_text_input", "value": "Link fixed on iOS, Android still dead"}},
             "severity": {"value": {"type": "static_select", "selected_option": {"value": "2"}}}}
    status, body = server.slack.submit("escalation_update", HOST, state, private_metadata=str(esc_id))
    assert status == 200 and body["response_action"] == "clear"
    server.drain()
    [thread] = [c for c in channel_posts(server) if c.params.get("thread_ts")]
    assert "SEV3 → *SEV2*" in thread.params["text"] and "Android still dead" in thread.params["text"]
    assert "Latest update" in str(server.stub.calls_to("chat.update")[-1].params["blocks"])
    assert escalation(db, esc_id).severity == 2
    assert [u for u, _ in dms(server)] == [LEADER]  # raised to SEV2 while unowned: leadership paged


def test_resolve_asks_note_and_cause_then_stale_buttons_change_nothing_and_reopen(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="2")
    click(server, "esc_resolve", esc_id, ADMIN)
    view = server.stub.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "escalation_resolve"
    empty = {"note": {"value": {"type": "plain_text_input", "value": ""}},
             "cause": {"value": {"type": "static_select", "selected_option": None}}}
    status, body = server.slack.submit("escalation_resolve", ADMIN, empty, private_metadata=str(esc_id))
    assert body["response_action"] == "errors" and set(body["errors"]) == {"note", "cause"}
    good = {"note": {"value": {"type": "plain_text_input", "value": "Relisted the bundle SKU"}},
            "cause": {"value": {"type": "static_select", "selected_option": {"value": "product"}}}}
    status, body = server.slack.submit("escalation_resolve", ADMIN, good, private_metadata=str(esc_id))
    assert body["response_action"] == "clear"
    esc = escalation(db, esc_id)
    assert (esc.status, esc.owner, esc.cause, esc.resolution_note) == ("resolved", ADMIN, "product", "Relisted the bundle SKU")
    status, body = server.slack.submit("escalation_resolve", LEADER, good, private_metadata=str(esc_id), blocks=view["blocks"])
    assert body["response_action"] == "errors" and "already resolved" in str(body["errors"])
    opened = len(server.stub.calls_to("views.open"))
    for action in ("esc_ack", "esc_resolve", "esc_update", "esc_snooze"):
        click(server, action, esc_id, LEADER)
    assert len(server.stub.calls_to("views.open")) == opened
    assert all("already resolved" in a for a in replies(server)[-4:])
    assert event_kinds(db, esc_id).count("resolved") == 1
    server.drain()
    last = server.stub.calls_to("chat.update")[-1]
    assert "esc_reopen" in str(last.params["blocks"]) and "esc_ack" not in str(last.params["blocks"])
    click(server, "esc_reopen", esc_id, HOST)
    esc = escalation(db, esc_id)
    assert (esc.status, esc.owner, esc.escalation_level) == ("open", None, 0)
    click(server, "esc_reopen", esc_id, HOST)
    assert "nothing to reopen" in replies(server)[-1]
    assert event_kinds(db, esc_id).count("reopened") == 1


def test_timeline_lists_every_step(server, db):
    grant(db, HOST, "host")
    esc_id = raise_one(server, HOST, severity="1")
    click(server, "esc_ack", esc_id, LEADER)
    click(server, "esc_timeline", esc_id, HOST)
    view = server.stub.calls_to("views.open")[-1].params["view"]
    text = str(view["blocks"])
    assert view["title"]["text"] == f"Timeline #{esc_id}"
    for kind in ("raised", "notified", "acknowledged"):
        assert f"*{kind}*" in text
    assert f"<@{ADMIN}>" in text and f"<@{LEADER}>" in text


def test_slack_down_at_raise_saves_record_and_notifies_when_back(server, db):
    grant(db, HOST, "host")
    with freeze_time(clock.now(), tick=True) as frozen:
        view = open_modal(server, HOST)
        server.stub.down = True
        status, body = submit(server, HOST, view, severity="1")
        assert status == 200 and body["response_action"] == "update"
        assert server.drain() == 0
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Escalation)) == 1
            assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) == 3
        server.stub.down = False
        frozen.move_to(clock.now() + timedelta(minutes=1))
        server.drain()
    assert len([c for c in channel_posts(server) if c.ok]) == 1
    delivered = {c.params["channel"] for c in server.stub.calls_to("chat.postMessage") if c.ok}
    assert delivered == {ESC_CHANNEL, "D" + ADMIN, "D" + LEADER}
