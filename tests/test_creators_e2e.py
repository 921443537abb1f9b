"""Creators end to end over signed HTTP: the roster modal and xlsx (export and a DMed import), a campaign from
planned to posted and paid (claims through legal's own buttons, leadership's payment button), readiness nudges
sent once by the job, and the weekly digest in OPS_CHANNEL."""

from __future__ import annotations

import io
import json
import time
from datetime import timedelta

import pytest
from conftest import ADMIN, BOT_TOKEN, HOST, LEADER, LEGAL, OPS_CHANNEL
from creators_helpers import (
    CLAIMS,
    NOW,
    POLICY,
    actor,
    add_creator,
    approved_brief,
    glow_campaign,
    launch_session,
    people_and_catalog,
)
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from bot.db.creators import Campaign, Creator, Deliverable
from bot.db.models import ProcessedRequest
from bot.jobs.base import run_post, run_tick
from bot.jobs.registry import all_jobs
from bot.services.creators import deliverables, roster, xlsx


@pytest.fixture
def bot(server, db):
    people_and_catalog(db)
    server.stub.bot_token = BOT_TOKEN
    with freeze_time(NOW, tick=True):
        yield server


def wait(server, method, request, count=1):
    n = len(server.stub.calls_to(method))
    result = request()
    server.stub.wait_for(method, count=n + count)
    return result


def last_reply(server) -> dict:
    return server.stub.calls_to("response_url")[-1].params


def text_state(**values) -> dict:
    return {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}


def pick(value) -> dict:
    return {"value": {"type": "static_select", "selected_option": {"value": value} if value else None}}


def picks(values) -> dict:
    return {"value": {"type": "multi_static_select", "selected_options": [{"value": v} for v in values]}}


def day(value) -> dict:
    return {"value": {"type": "datepicker", "selected_date": value}}


def click(server, action_id, value, user=ADMIN) -> dict:
    wait(server, "response_url", lambda: server.slack.action(action_id, value, user))
    return last_reply(server)


def test_roster_modal_duplicate_handle_and_xlsx(bot, db, tmp_path):
    status, body = bot.command("/creators", "", HOST)
    assert status == 200 and "Only Associate" in body["text"]
    status, body = bot.command("/creators", "", ADMIN)
    assert "creator_add" in json.dumps(body["blocks"])
    wait(bot, "views.open", lambda: bot.slack.action("creator_add", "new", ADMIN))
    assert bot.stub.calls_to("views.open")[-1].params["view"]["callback_id"] == "creator_submit"
    form = {**text_state(name="Mia <!channel>", handle="@MiaGlow", contact=None, agency="Bright", commission="12.5",
                         fee="1500", notes=None), "status": pick("active")}
    status, body = bot.slack.submit("creator_submit", ADMIN, form)
    assert status == 200 and body["response_action"] == "update" and "&lt;!channel&gt;" in json.dumps(body["view"])
    status, body = bot.slack.submit("creator_submit", ADMIN, form)  # a retry of the same form: one creator
    assert body["response_action"] == "update"
    status, body = bot.slack.submit("creator_submit", ADMIN, {**form, **text_state(name="Other", handle="miaglow")},
                                    view_id="V0000000002")
    assert body["response_action"] == "errors" and "already on the roster" in body["errors"]["handle"]
    with db.read() as s:
        mia = s.scalar(select(Creator))
        version = roster.version_of(mia)
    wait(bot, "views.open", lambda: bot.slack.action("creator_edit", str(mia.id), ADMIN))
    view = bot.stub.calls_to("views.open")[-1].params["view"]
    assert json.loads(view["private_metadata"]) == {"id": mia.id, "v": version}
    status, body = bot.slack.submit("creator_submit", ADMIN, {**form, "status": pick("paused")},
                                    private_metadata=view["private_metadata"])
    assert body["response_action"] == "update"
    status, body = bot.slack.submit("creator_submit", ADMIN, form, private_metadata=view["private_metadata"])
    assert "changed since this form was opened" in json.dumps(body)  # the stale form saves nothing
    with db.read() as s:
        assert [(c.handle, c.status) for c in s.scalars(select(Creator))] == [("miaglow", "paused")]

    wait(bot, "files.completeUploadExternal", lambda: bot.command("/creators", "export", ADMIN))
    [put] = bot.stub.calls_to("upload")
    assert load_workbook(io.BytesIO(put.params["content"])).active["B2"].value == "miaglow"
    book = Workbook()
    book.active.append(xlsx.HEADER)
    book.active.append(["Mia", "@miaglow", None, None, "15", None, None, "active"])
    book.active.append(["Noor", "@noor", None, None, None, None, None, "prospect"])
    raw = io.BytesIO()
    book.save(raw)
    bot.stub.add_file("F9", "creators.xlsx", raw.getvalue(), "xlsx", user=ADMIN)
    bot.slack.event({"type": "file_shared", "file_id": "F9", "user_id": ADMIN, "channel_id": "D0ADMIN",
                     "file": {"id": "F9"}, "event_ts": "1763658000.000100"})
    for _ in range(500):
        with db.read() as s:
            if s.scalar(select(ProcessedRequest.id).where(ProcessedRequest.key == "file:F9")):
                break
        time.sleep(0.02)
    bot.drain()
    report = [c.params for c in bot.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + ADMIN][-1]
    assert "1 added, 1 updated" in report["text"] and "creator roster" in json.dumps(report["blocks"])
    with db.read() as s:
        assert sorted(c.handle for c in s.scalars(select(Creator))) == ["miaglow", "noor"]


def test_campaign_from_planned_to_posted_and_paid(bot, db):
    with db.transaction() as s:
        mia = add_creator(s)
        brief_id = approved_brief(s)
        live = launch_session(s)
        mia_id, live_id = mia.id, live.id
    bot.drain()
    wait(bot, "views.open", lambda: bot.slack.action("campaign_new", "new", ADMIN))
    view = bot.stub.calls_to("views.open")[-1].params["view"]
    assert [b["block_id"] for b in view["blocks"]][:3] == ["name", "starts", "ends"]
    state = {**text_state(name="Glow Week", codes="GLOW10", budget="$5,000"), "starts": day("2026-11-12"),
             "ends": day("2026-11-18"), "products": picks(["1"]), "creators": picks([str(mia_id)]),
             "briefs": picks([str(brief_id)]), "sessions": picks([str(live_id)])}
    status, body = bot.slack.submit("campaign_submit", ADMIN, state)
    assert body["response_action"] == "update" and "% ready" in json.dumps(body["view"])
    status, body = bot.slack.submit("campaign_submit", ADMIN, {**state, "ends": day("2026-11-01")}, view_id="V2")
    assert body["response_action"] == "errors" and "end before it launches" in body["errors"]["ends"]
    with db.read() as s:
        cid = s.scalar(select(Campaign.id))
    status, body = bot.command("/campaigns", "", ADMIN)
    assert "Glow Week" in json.dumps(body["blocks"]) and "campaign_open" in json.dumps(body["blocks"])
    card = click(bot, "campaign_open", str(cid))
    assert "Briefs approved" in json.dumps(card["blocks"]) and "has not confirmed" in json.dumps(card["blocks"])
    status, body = bot.command("/campaigns", "glow week", ADMIN)
    assert "% ready" in json.dumps(body["blocks"]) and "deliv_add" in json.dumps(body["blocks"])
    card = click(bot, "campaign_confirm", f"{cid}:{mia_id}")
    assert "has not confirmed" not in json.dumps(card["blocks"])
    wait(bot, "views.open", lambda: bot.slack.action("deliv_add", str(cid), ADMIN))
    status, body = bot.slack.submit("deliv_add_submit", ADMIN, {"creator": pick(str(mia_id)), "kind": pick("video"),
                                                               "due": day("2026-11-10"), **text_state(note=None)},
                                    private_metadata=str(cid))
    assert body["response_action"] == "update"
    with db.read() as s:
        did = s.scalar(select(Deliverable.id))

    def step(to: str) -> dict:
        return {"value": f"{did}:{to}"}

    wait(bot, "views.open", lambda: bot.slack.action("deliv_due", str(did), ADMIN))
    assert bot.stub.calls_to("views.open")[-1].params["view"]["callback_id"] == "deliv_due_submit"
    status, body = bot.slack.submit("deliv_due_submit", ADMIN, {"due": day("2026-11-11")}, private_metadata=str(did))
    assert "now due 2026-11-11" in json.dumps(body["view"])
    wait(bot, "views.open", lambda: bot.slack.action("deliv_step", step("sample_shipped")["value"], ADMIN))
    assert bot.stub.calls_to("views.open")[-1].params["view"]["callback_id"] == "deliv_ship_submit"
    status, body = bot.slack.submit("deliv_ship_submit", ADMIN, text_state(carrier="UPS", tracking="1Z 999"),
                                    private_metadata=str(did))
    assert "UPS 1Z 999" in json.dumps(body["view"])
    reply = click(bot, "deliv_step", f"{did}:sample_shipped")  # a stale button
    assert "already sample shipped" in reply["text"]
    card = click(bot, "deliv_step", f"{did}:sample_delivered")
    assert "Draft received" in json.dumps(card["blocks"])
    wait(bot, "views.open", lambda: bot.slack.action("deliv_step", f"{did}:draft_received", ADMIN))
    _status, body = bot.slack.submit("deliv_draft_submit", ADMIN, {**text_state(link="https://drive.test/d1", words=CLAIMS),
                                                                  "claims": {"value": {"type": "checkboxes",
                                                                                       "selected_options": []}}},
                                    private_metadata=str(did))
    assert "went to legal as brief" in json.dumps(body["view"])
    bot.drain()
    legal_post = [c.params for c in bot.stub.calls_to("chat.postMessage") if c.params["channel"] == "C0LEGAL"][-1]
    assert "Mia Glow video (Glow Week)" in json.dumps(legal_post)
    with db.read() as s:
        new_brief = s.get(Deliverable, did).brief_id
    reply = click(bot, "deliv_step", f"{did}:approved")
    assert "with legal" in reply["text"]
    assert "You approved" in click(bot, "brief_approve", f"{new_brief}:1", LEGAL)["text"]
    card = click(bot, "deliv_step", f"{did}:approved")
    assert "_approved_" in json.dumps(card["blocks"])
    wait(bot, "views.open", lambda: bot.slack.action("deliv_step", f"{did}:posted", ADMIN))
    bot.slack.submit("deliv_post_submit", ADMIN, text_state(link="https://www.tiktok.com/@miaglow/video/7"),
                     private_metadata=str(did))
    bot.drain()
    [pay] = [c.params for c in bot.stub.calls_to("chat.postMessage") if c.params["channel"] == "C0LEAD"]
    assert "creator_pay_approve" in json.dumps(pay["blocks"]) and "$1,500" in json.dumps(pay["blocks"])
    assert "Only leadership" in click(bot, "creator_pay_approve", str(did), ADMIN)["text"]
    assert "Payment approved" in click(bot, "creator_pay_approve", str(did), LEADER)["text"]
    assert "already paid" in click(bot, "creator_pay_approve", str(did), LEADER)["text"]  # a double click
    bot.drain()
    edited = bot.stub.calls_to("chat.update")[-1].params
    assert "Payment approved by" in json.dumps(edited["blocks"]) and "creator_pay_approve" not in json.dumps(edited["blocks"])
    with db.read() as s:
        d = s.get(Deliverable, did)
        assert (d.status, d.payment_approved_by) == ("paid", LEADER)


def test_readiness_nudges_once_and_the_weekly_digest(bot, db):
    with db.transaction() as s:
        mia = add_creator(s)
        c = glow_campaign(s, creator_ids=[mia.id])
        deliverables.add(s, actor(s), c.id, mia.id, "video", "2026-11-04", NOW, POLICY)
    jobs = all_jobs(bot.rt.settings)
    for when in (NOW, NOW + timedelta(minutes=1), NOW + timedelta(days=6), NOW + timedelta(days=6, minutes=5)):
        run_tick(bot.rt, jobs["creator-readiness"], now=when)
    bot.drain()
    nudges = [c.params for c in bot.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + ADMIN]
    assert len(nudges) == 2 and "launches in 7 days" in nudges[0]["text"] and "tomorrow" in nudges[1]["text"]
    assert "Creators confirmed" in json.dumps(nudges[0]["blocks"]) and "owner" in json.dumps(nudges[0]["blocks"])
    out = run_post(bot.rt, jobs["creator-digest"], "2026-W45", now=NOW)
    assert out.status == "done" and "1 late" in out
    assert run_post(bot.rt, jobs["creator-digest"], "2026-W45", now=NOW).status == "skipped"
    bot.drain()
    [post] = [c.params for c in bot.stub.calls_to("chat.postMessage") if c.params["channel"] == OPS_CHANNEL]
    assert "1 day late" in json.dumps(post["blocks"]) and "Samples not delivered yet" in json.dumps(post["blocks"])
