"""Shift swaps end to end: signed Slack requests in, schedule rows, audit trail and Slack calls out."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from conftest import ADMIN, HOST, HOST2, OPS_CHANNEL, PA
from freezegun import freeze_time
from schedule_helpers import RULES, at, new_session, person, seed
from sqlalchemy import select

from bot.db.models import AuditRecord, LiveSession, Shift
from bot.db.schedule import TimeOff
from bot.db.swaps import Swap
from bot.jobs.base import run_tick
from bot.jobs.registry import all_jobs
from bot.services import validation
from bot.services.schedule import answers as schedule_answers, calendar, catalog, publishing
from bot.services.errors import Conflict

HOST3, HOST4 = "UHOST003", "UHOST004"
MONDAY = "2026-10-26"
NOW = "2026-10-20 17:00:00"


@pytest.fixture
def team(server, db):
    """Hosts: HOST Core, HOST2 Core, HOST3 Rookie, HOST4 Lead. Tue 10-12 (tier B) HOST + PA; Wed 10-12 HOST2. Published."""
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Core", name="hana")
        person(s, HOST2, "host", tier="Core", name="hugo")
        person(s, HOST3, "host", tier="Rookie", name="rita")
        person(s, HOST4, "host", tier="Lead", name="lena")
        person(s, PA, "pa", name="pat")
        tue = new_session(s, "2026-10-27", "10:00", "12:00", "Tuesday glow")
        wed = new_session(s, "2026-10-28", "10:00", "12:00", "Wednesday glow")
        calendar.assign(s, "cli", tue.id, {"host": HOST, "pa": PA}, RULES)
        calendar.assign(s, "cli", wed.id, {"host": HOST2}, RULES)
        publishing.publish_week(s, "cli", validation.parse_week("2026-W44"), RULES, OPS_CHANNEL)
    server.drain()
    server.stub.clear()
    return server


def host_shift(db, title="Tuesday glow", role="host") -> Shift:
    with db.read() as s:
        return s.scalar(select(Shift).join(LiveSession).where(LiveSession.title == title, Shift.role == role))


def owner(db, shift_id: int) -> str | None:
    with db.read() as s:
        sh = s.get(Shift, shift_id)
        return sh.person.slack_user_id if sh.person else None


def the_swap(db) -> Swap:
    with db.read() as s:
        return s.scalars(select(Swap).order_by(Swap.id.desc())).first()


def wait(server, method, request):
    n = len(server.stub.calls_to(method))
    result = request()
    server.stub.wait_for(method, count=n + 1)
    return result


def replies(server) -> list[str]:
    return [c.params.get("text", "") for c in server.stub.calls_to("response_url")]


def dms_to(server, user: str) -> list[dict]:
    return [c.params for c in server.stub.calls_to("chat.postMessage") if c.params.get("channel") == "D" + user]


def buttons(params: dict) -> list[str]:
    return [el["action_id"] for b in params.get("blocks") or [] if b["type"] == "actions" for el in b["elements"]]


def offer(server, user, shift_id, mode, target=None, note=None):
    state = {"shift": {"value": {"type": "static_select", "selected_option": {"value": str(shift_id)}}},
             "mode": {"value": {"type": "radio_buttons", "selected_option": {"value": mode}}},
             "target": {"value": {"type": "users_select", "selected_user": target}},
             "note": {"value": {"type": "plain_text_input", "value": note}}}
    return server.slack.submit("swap_submit", user, state)


def click(server, action_id, swap_id, user):
    """A button click whose private answer goes out after the ack; waits for it and returns it."""
    wait(server, "response_url", lambda: server.slack.action(action_id, str(swap_id), user))
    return replies(server)[-1]


def actions_of(db, entity_type, entity_id) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(AuditRecord.action).where(AuditRecord.entity_type == entity_type,
                                                               AuditRecord.entity_id == str(entity_id)).order_by(AuditRecord.id)))


@freeze_time(NOW, tick=True)
def test_direct_offer_accept_approve_and_stale_buttons(team, db):
    server = team
    tue = host_shift(db)
    wait(server, "views.open", lambda: server.command("/swap", "", HOST))
    view = server.stub.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "swap_submit"
    assert [o["value"] for o in view["blocks"][0]["element"]["options"]] == [str(tue.id)]

    status, body = offer(server, HOST, tue.id, "direct", HOST2, note="dentist <!channel>")
    assert status == 200 and body["response_action"] == "update" and "went to hugo" in str(body["view"])
    swap = the_swap(db)
    assert (swap.kind, swap.status, swap.target_id is not None) == ("direct", "open", True)
    server.drain()
    [to_hugo] = dms_to(server, HOST2)
    assert buttons(to_hugo) == ["swap_take", "swap_decline"] and "&lt;!channel&gt;" in str(to_hugo["blocks"])
    [ops] = [c.params for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL]
    assert buttons(ops) == []  # a direct offer is for hugo only
    assert buttons(dms_to(server, HOST)[-1]) == ["swap_cancel"]

    # someone else can't accept a direct offer; the requester can't accept their own
    assert "made to someone else" in click(server, "swap_take", swap.id, HOST4)
    assert "your own offer" in click(server, "swap_take", swap.id, HOST)

    answer = click(server, "swap_take", swap.id, HOST2)
    assert "pending the associate's approval" in answer
    assert the_swap(db).status == "accepted" and owner(db, tue.id) == HOST  # still hana's until approved
    server.drain()
    assert buttons(dms_to(server, ADMIN)[-1]) == ["swap_approve", "swap_deny"]
    updated = [c.params for c in server.stub.calls_to("chat.update") if c.params["channel"] == OPS_CHANNEL]
    assert buttons(updated[-1]) == ["swap_approve", "swap_deny"]

    # a double click / retry of Accept changes nothing
    assert "already took this shift" in click(server, "swap_take", swap.id, HOST2)
    # only the associate approves
    assert "Only Associate" in click(server, "swap_approve", swap.id, HOST2)
    assert "Approved" in click(server, "swap_approve", swap.id, ADMIN)
    sh = host_shift(db)
    assert owner(db, tue.id) == HOST2 and sh.state == "confirmed" and not sh.needs_cover
    # stale Approve and Take after approval: clear answers, nothing changes
    assert "swap is done" in click(server, "swap_approve", swap.id, ADMIN)
    assert "associate approved it" in click(server, "swap_take", swap.id, HOST2)
    assert "swap is done" in click(server, "swap_cancel", swap.id, HOST)
    assert owner(db, tue.id) == HOST2
    server.drain()
    assert any("You now work Host" in d["text"] for d in dms_to(server, HOST2))
    assert any("no longer work" in d["text"] for d in dms_to(server, HOST))
    assert all(buttons(c.params) == [] for c in server.stub.calls_to("chat.update")[-4:])
    assert actions_of(db, "swap", swap.id) == ["swap.offered", "swap.accepted", "swap.approved"]
    assert actions_of(db, "shift", tue.id)[-1] == "schedule.swapped"

    # republishing sends no bogus removed/added: both were told by the swap
    with db.transaction() as s:
        assert publishing.unpublished_changes(s, validation.parse_week("2026-W44"), RULES) == 0
        with pytest.raises(Conflict, match="nothing changed"):
            publishing.publish_week(s, "cli", validation.parse_week("2026-W44"), RULES, OPS_CHANNEL)

    # the weekly scorecard counts the approved swap in the week it was decided
    from bot import clock
    from bot.services.scorecard.compute import operations

    decided = the_swap(db).decided_at
    with db.read() as s:
        assert operations(s, decided - timedelta(days=1), decided + timedelta(days=1), clock.now()).swaps == 1
        assert operations(s, decided + timedelta(days=1), decided + timedelta(days=8), clock.now()).swaps == 0


@freeze_time(NOW, tick=True)
def test_trade_two_steps_and_both_shifts_move(team, db):
    server = team
    tue, wed = host_shift(db), host_shift(db, "Wednesday glow")
    status, body = offer(server, HOST, tue.id, "trade", HOST2)
    assert body["response_action"] == "update" and body["view"]["callback_id"] == "swap_trade_submit"
    options = body["view"]["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == [str(wed.id)]
    state = {"return": {"value": {"type": "static_select", "selected_option": {"value": str(wed.id)}}}}
    status, body = server.slack.submit("swap_trade_submit", HOST, state, private_metadata=body["view"]["private_metadata"])
    assert body["response_action"] == "update" and "trade went to hugo" in str(body["view"])
    swap = the_swap(db)
    assert swap.kind == "trade" and swap.return_shift_id == wed.id
    click(server, "swap_take", swap.id, HOST2)
    click(server, "swap_approve", swap.id, ADMIN)
    assert (owner(db, tue.id), owner(db, wed.id)) == (HOST2, HOST)


@freeze_time(NOW, tick=True)
def test_open_offer_two_concurrent_takers_exactly_one_wins(team, db):
    server = team
    tue = host_shift(db)
    status, body = offer(server, HOST, tue.id, "open")
    assert "2 eligible people" in str(body["view"])  # hugo and lena; rita is Rookie, pat is no host
    server.drain()
    assert buttons(dms_to(server, HOST2)[-1]) == ["swap_take"] and buttons(dms_to(server, HOST4)[-1]) == ["swap_take"]
    assert dms_to(server, HOST3) == [] and dms_to(server, PA) == []
    ops = [c.params for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL]
    assert buttons(ops[-1]) == ["swap_take"]
    swap = the_swap(db)

    n = len(server.stub.calls_to("response_url"))
    barrier = threading.Barrier(2)

    def take(user):
        barrier.wait()
        server.slack.action("swap_take", str(swap.id), user)

    threads = [threading.Thread(target=take, args=(u,)) for u in (HOST2, HOST4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    server.stub.wait_for("response_url", count=n + 2)
    answers = replies(server)[n:]
    assert sum("pending the associate's approval" in a for a in answers) == 1
    assert sum("Too late" in a for a in answers) == 1
    swap = the_swap(db)
    assert swap.status == "accepted" and owner(db, tue.id) == HOST
    assert actions_of(db, "swap", swap.id).count("swap.accepted") == 1
    # a Rookie can't take it (tier re-checked at take time) even from the channel post
    assert "Too late" in click(server, "swap_take", swap.id, HOST3)


@freeze_time(NOW, tick=True)
def test_each_eligibility_refusal(team, db):
    server = team
    tue = host_shift(db)
    _, body = offer(server, HOST, tue.id, "direct", HOST3)
    assert "needs Core or above" in body["errors"]["target"]  # tier
    _, body = offer(server, HOST, tue.id, "direct", PA)
    assert "isn't a Host" in body["errors"]["target"]  # role
    _, body = offer(server, HOST, tue.id, "direct", HOST)
    assert "yourself" in body["errors"]["target"]
    with db.transaction() as s:
        late = new_session(s, "2026-10-27", "11:00", "13:00", "Overlap", tier="C")
        calendar.assign(s, "cli", late.id, {"host": HOST4}, RULES)
        s.add(TimeOff(person_id=person(s, HOST2).id, starts_at=at("2026-10-27", "00:00"), ends_at=at("2026-10-28", "00:00"),
                      reason="trip", created_at=at("2026-10-20", "08:00")))
        night = new_session(s, "2026-10-27", "01:00", "03:00", "Night", tier="C")
        rookie = person(s, HOST3)
        catalog.set_host_tier(s, "cli", rookie, "Lead")
        calendar.assign(s, "cli", night.id, {"host": HOST3}, RULES)
    _, body = offer(server, HOST, tue.id, "direct", HOST2)
    assert "time off" in body["errors"]["target"]
    _, body = offer(server, HOST, tue.id, "direct", HOST4)
    assert "already on Host on Overlap" in body["errors"]["target"]
    _, body = offer(server, HOST, tue.id, "direct", HOST3)
    assert "rest after" in body["errors"]["target"]
    assert the_swap(db) is None
    # not your shift
    _, body = offer(server, HOST2, tue.id, "open")
    assert "isn't yours" in json.dumps(body)
    assert the_swap(db) is None


@freeze_time(NOW, tick=True)
def test_overtime_needs_approval_even_with_auto_approve(team, db):
    server = team
    server.rt.settings.swap_auto_approve = True
    server.rt.settings.overtime_daily_hours = 3
    tue = host_shift(db)
    with db.transaction() as s:
        other = new_session(s, "2026-10-27", "14:00", "16:00", "Afternoon", tier="C")
    with db.transaction() as s:
        calendar.assign(s, "cli", other.id, {"host": HOST2}, RULES, override=True)
    server.rt.settings.min_rest_hours = 1
    _, body = offer(server, HOST, tue.id, "direct", HOST2)
    swap = the_swap(db)
    click(server, "swap_take", swap.id, HOST2)
    swap = the_swap(db)
    assert swap.status == "accepted" and swap.overtime and "daily overtime" in " ".join(swap.warnings)
    server.drain()
    assert "Overtime: needs your explicit approval" in str(dms_to(server, ADMIN)[-1]["blocks"])
    click(server, "swap_approve", swap.id, ADMIN)
    assert owner(db, tue.id) == HOST2


@freeze_time(NOW, tick=True)
def test_auto_approve_same_tier_only(team, db):
    server = team
    server.rt.settings.swap_auto_approve = True
    tue = host_shift(db)
    offer(server, HOST, tue.id, "direct", HOST2)  # Core to Core, a week ahead
    assert "approved automatically" in click(server, "swap_take", the_swap(db).id, HOST2)
    assert the_swap(db).status == "approved" and the_swap(db).decided_by == "system:auto-approve"
    assert owner(db, tue.id) == HOST2
    server.drain()
    assert dms_to(server, ADMIN) == []
    # Core to Lead: different tiers, the associate decides
    offer(server, HOST2, tue.id, "direct", HOST4)
    click(server, "swap_take", the_swap(db).id, HOST4)
    assert the_swap(db).status == "accepted" and owner(db, tue.id) == HOST2


@freeze_time(NOW, tick=True)
def test_deny_asks_for_a_reason(team, db):
    server = team
    tue = host_shift(db)
    offer(server, HOST, tue.id, "direct", HOST2)
    swap = the_swap(db)
    click(server, "swap_take", swap.id, HOST2)
    wait(server, "views.open", lambda: server.slack.action("swap_deny", str(swap.id), ADMIN))
    view = server.stub.calls_to("views.open")[-1].params["view"]
    assert view["callback_id"] == "swap_deny_submit"
    empty = {"reason": {"value": {"type": "plain_text_input", "value": None}}}
    _, body = server.slack.submit("swap_deny_submit", ADMIN, empty, private_metadata=view["private_metadata"])
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    _, body = server.slack.submit("swap_deny_submit", HOST2, {"reason": {"value": {"type": "plain_text_input", "value": "no"}}},
                                  private_metadata=view["private_metadata"])
    assert "Only Associate" in json.dumps(body) and the_swap(db).status == "accepted"
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "Hugo is training that day"}}}
    status, body = server.slack.submit("swap_deny_submit", ADMIN, reason, private_metadata=view["private_metadata"])
    assert status == 200 and not body
    assert the_swap(db).status == "denied" and owner(db, tue.id) == HOST
    server.drain()
    assert any("training that day" in d["text"] for d in dms_to(server, HOST))
    assert any("training that day" in d["text"] for d in dms_to(server, HOST2))
    assert "denied this swap" in click(server, "swap_approve", swap.id, ADMIN)


@freeze_time(NOW, tick=True)
def test_cancel_then_stale_take(team, db):
    server = team
    tue = host_shift(db)
    offer(server, HOST, tue.id, "open")
    swap = the_swap(db)
    assert "Only the person who made" in click(server, "swap_cancel", swap.id, HOST2)
    assert "Offer cancelled" in click(server, "swap_cancel", swap.id, HOST)
    assert "cancelled by the person" in click(server, "swap_take", swap.id, HOST2)
    assert "cancelled by the person" in click(server, "swap_cancel", swap.id, HOST)
    assert the_swap(db).status == "cancelled" and owner(db, tue.id) == HOST
    # a new offer for the same shift is allowed once the old one is gone; a second active one is not
    offer(server, HOST, tue.id, "open")
    _, body = offer(server, HOST, tue.id, "open")
    assert "already has an open offer" in json.dumps(body)


def test_expiry_alerts_the_associate_once(team, db):
    server = team
    tue = host_shift(db)
    with freeze_time(NOW, tick=True):
        offer(server, HOST, tue.id, "open")
    swap = the_swap(db)
    assert swap.expires_at == tue.starts_at - timedelta(hours=2)
    spec = all_jobs(server.rt.settings)["swap-expiry"]
    with freeze_time(swap.expires_at - timedelta(minutes=1)):
        assert "0 swap offers expired" in run_tick(server.rt, spec)
    with freeze_time(swap.expires_at + timedelta(minutes=1)):
        assert "1 swap offers expired" in run_tick(server.rt, spec)
        assert "0 swap offers expired" in run_tick(server.rt, spec)
    server.drain()
    at_risk = [c for c in server.stub.calls_to("chat.postMessage")
               if c.params["channel"] == OPS_CHANNEL and "still at risk" in c.params["text"]]
    assert len(at_risk) == 1 and f"<@{ADMIN}>" in str(at_risk[0].params["blocks"])
    assert the_swap(db).status == "expired"
    with freeze_time(swap.expires_at + timedelta(minutes=2), tick=True):
        assert "expired before anyone took it" in click(server, "swap_take", swap.id, HOST2)
        _, body = offer(server, HOST, tue.id, "open")
        assert "starts too soon" in json.dumps(body)


@freeze_time(NOW, tick=True)
def test_no_swaps_once_live_and_cover_button(team, db):
    server = team
    tue = host_shift(db)
    with db.transaction() as s:
        sh = s.get(Shift, tue.id)
        schedule_answers.decline_shift(s, sh.person, tue.id, "sick", RULES, OPS_CHANNEL)
    server.drain()
    alert = [c.params for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL][-1]
    assert buttons(alert) == ["swap_cover_open"]
    assert "Only Associate" in click(server, "swap_cover_open", tue.id, HOST2)
    assert "open to anyone eligible" in click(server, "swap_cover_open", tue.id, ADMIN)
    swap = the_swap(db)
    assert swap.kind == "open" and swap.requester_id == host_shift(db).person_id
    click(server, "swap_take", swap.id, HOST2)
    click(server, "swap_approve", swap.id, ADMIN)
    sh = host_shift(db)
    assert owner(db, tue.id) == HOST2 and sh.state == "confirmed" and not sh.needs_cover and sh.decline_reason is None

    wed = host_shift(db, "Wednesday glow")
    with db.transaction() as s:
        s.get(LiveSession, wed.session_id).status = "live"
    wait(server, "views.open", lambda: server.command("/swap", "", HOST2))
    view = server.stub.calls_to("views.open")[-1].params["view"]
    assert [o["value"] for o in view["blocks"][0]["element"]["options"]] == [str(tue.id)]  # the live one is not offered
    _, body = offer(server, HOST2, wed.id, "open")
    assert "already started" in json.dumps(body)
