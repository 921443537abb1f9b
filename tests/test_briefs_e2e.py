"""Brief approval routing end to end: signed Slack requests in; database rows, legal posts, edits and DMs out."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import ADMIN, HOST, LEGAL, PA
from freezegun import freeze_time
from slack_stub import view_problems
from sqlalchemy import func, select

from bot import clock
from bot.db.briefs import Brief, BriefDecision, BriefVersion
from bot.db.models import AuditRecord, LiveSession, PostedMessage
from bot.jobs import brief_digest, brief_reminders
from bot.services import people
from bot.services.briefs import approved as briefs_approved
from bot.timefmt import local_date

LEGAL_CHANNEL = "C0LEGAL"
LEGAL2 = "ULEGAL02"
RISKY = "Hi loves! This serum cures acne overnight.\nGuaranteed results or your money back."
CLEAN = "Hi loves! This serum feels light and absorbs fast.\nUse two drops morning and night."
_views = itertools.count(1)


def today(server) -> date:
    return local_date(clock.now(), server.rt.tz)


def form(*, title="Glow Serum talk track", kind="talk_track", text=CLEAN, text_2=None, text_3=None, due="+3",
         session_id=None, campaign="Holiday glow", note="Airs Friday", skus="GLOW-30ML", link=None, draft=False,
         tz_today: date | None = None) -> dict:
    """state.values as Slack sends them for the /brief modal. `due` '+N' means N days from today."""
    if isinstance(due, str) and due.startswith(("+", "-")):
        due = ((tz_today or date.today()) + timedelta(days=int(due))).isoformat()

    def txt(v):
        return {"value": {"type": "plain_text_input", "value": v}}

    sv = {"title": txt(title), "skus": txt(skus), "text": txt(text), "text_2": txt(text_2), "text_3": txt(text_3),
          "link": {"value": {"type": "url_text_input", "value": link}}, "campaign": txt(campaign), "note": txt(note),
          "kind": {"value": {"type": "static_select",
                             "selected_option": {"text": {"type": "plain_text", "text": kind}, "value": kind} if kind else None}},
          "due": {"value": {"type": "datepicker", "selected_date": due}},
          "draft": {"value": {"type": "checkboxes", "selected_options": [{"value": "draft"}] if draft else []}}}
    if session_id is not None:
        sv["session"] = {"value": {"type": "static_select", "selected_option": {"value": str(session_id)}}}
    return sv


def submit(server, user=HOST, private_metadata="", view_id=None, **kw):
    kw.setdefault("tz_today", today(server))
    return server.slack.submit("brief_submit", user, form(**kw), private_metadata=private_metadata,
                               view_id=view_id or f"VBRIEF{next(_views):05d}")


def legal_posts(server):
    return [c for c in server.stub.calls_to("chat.postMessage") if c.params.get("channel") == LEGAL_CHANNEL]


def buttons(blocks) -> dict[str, str]:
    return {el["action_id"]: el.get("value") for b in blocks if b["type"] == "actions" for el in b["elements"]}


def act(server, action_id, value, user, **kw):
    """Click a button and wait for the bot's visible answer (a private reply or a modal): listeners finish after the ack."""
    def answers():
        return len(server.stub.calls_to("response_url")) + len(server.stub.calls_to("views.open"))

    before = answers()
    kw.setdefault("channel_id", LEGAL_CHANNEL)
    status, _ = server.slack.action(action_id, value, user, **kw)
    assert status == 200
    deadline = time.monotonic() + 5
    while answers() <= before:
        assert time.monotonic() < deadline, f"no answer to {action_id}"
        time.sleep(0.01)


def replies(server):
    return [c.params.get("text", "") for c in server.stub.calls_to("response_url")]


def all_text(blocks) -> str:
    return str(blocks)


def get_brief(db, brief_id=1) -> Brief:
    with db.read() as s:
        brief = s.get(Brief, brief_id)
        assert brief is not None
        s.expunge(brief)
        return brief


def decisions(db) -> list[BriefDecision]:
    with db.read() as s:
        return list(s.scalars(select(BriefDecision).order_by(BriefDecision.id)))


def make_legal(db, user_id=LEGAL2):
    with db.transaction() as s:
        people.grant(s, people.get_or_create(s, user_id), "legal", actor="test")


def submitted(server, **kw):
    status, body = submit(server, **kw)
    assert status == 200, body
    assert body.get("response_action") == "update", body
    assert view_problems(body["view"]) == []
    server.drain()
    return body


def request_changes(server, ref: str, reason="Drop 'cures'; describe the texture instead.", user=LEGAL):
    act(server, "brief_request_changes", ref, user)
    opened = server.stub.wait_for("views.open")[-1].params["view"]
    assert opened["callback_id"] == "brief_decision" and opened["private_metadata"] == f"{ref}:request_changes"
    return server.slack.submit("brief_decision", user, {"reason": {"value": {"type": "plain_text_input", "value": reason}}},
                               private_metadata=opened["private_metadata"], view_id=f"VDEC{next(_views):05d}")


# ----------------------------------------------------------------------------- submitting
def test_brief_command_opens_modal_with_upcoming_sessions(server, db):
    now = clock.now()
    with db.transaction() as s:
        s.add(LiveSession(title="Friday Glow LIVE", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2),
                          status="published", created_at=now))
        s.add(LiveSession(title="Old LIVE", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2),
                          status="done", created_at=now))
    status, _ = server.command("/brief", "", HOST)
    assert status == 200
    [call] = server.stub.wait_for("views.open")
    view = call.params["view"]
    assert view["callback_id"] == "brief_submit"
    labels = str([b for b in view["blocks"] if b.get("block_id") == "session"])
    assert "Friday Glow LIVE" in labels and "Old LIVE" not in labels
    assert {"title", "kind", "text", "text_2", "text_3", "link", "due", "note", "draft"} <= {b.get("block_id") for b in view["blocks"]}


def test_submit_runs_claim_check_and_posts_to_legal(server, db):
    body = submitted(server, text=RISKY)
    shown = all_text(body["view"]["blocks"])
    assert "Claim check" in shown and "health" in shown and "cures" in shown and "guarantee" in shown
    brief = get_brief(db)
    assert brief.status == "pending" and brief.current_version == 1 and brief.submitter == HOST
    with db.read() as s:
        [version] = s.scalars(select(BriefVersion)).all()
        assert version.text == RISKY and version.text_sha256 == hashlib.sha256(RISKY.encode()).hexdigest()
        assert {f["category"] for f in version.findings} >= {"health", "guarantee"}
        assert "brief.submitted" in [a.action for a in s.scalars(select(AuditRecord))]
    [post] = legal_posts(server)
    blocks = post.params["blocks"]
    assert "cures" in all_text(blocks) and "health" in all_text(blocks)
    assert buttons(blocks) == {"brief_approve": "1:1", "brief_request_changes": "1:1", "brief_reject": "1:1",
                              "claim_missed": str(version.id)}
    assert [b["accessory"]["action_id"] for b in blocks if b.get("accessory")] == ["claim_not_a_problem"] * len(version.findings)
    assert "Glow Serum talk track" in blocks[0]["text"]["text"]


def test_empty_text_is_a_field_error_and_nothing_is_saved(server, db):
    status, body = submit(server, text="   ")
    assert body["response_action"] == "errors" and "text" in body["errors"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Brief)) == 0


def test_past_due_date_is_a_field_error(server, db):
    status, body = submit(server, due="-1")
    assert body["response_action"] == "errors" and "passed" in body["errors"]["due"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Brief)) == 0


def test_very_long_text_is_stored_in_full_and_shown_in_chunks(server, db):
    para = "Our bundle ships with three serums and a pouch. " * 60  # ~2,900 characters
    parts = [para.strip()[:2990], ("Second part. " * 230).strip(), ("Third part & <more>. " * 120).strip()]
    submitted(server, text=parts[0], text_2=parts[1], text_3=parts[2])
    full = "\n".join(parts)
    with db.read() as s:
        version = s.scalar(select(BriefVersion))
        assert version.text == full and len(full) > 7000
    [post] = legal_posts(server)
    assert buttons(post.params["blocks"])["brief_view_full"] == "1:1"
    act(server, "brief_view_full", "1:1", LEGAL, channel_id=LEGAL_CHANNEL)
    view = server.stub.wait_for("views.open")[-1].params["view"]
    pieces = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and b.get("text", {}).get("type") == "plain_text"]
    assert all(len(p) <= 3000 for p in pieces) and len(pieces) >= 3
    assert "".join(pieces).replace("\n", "").replace(" ", "") == full.replace("\n", "").replace(" ", "")


def test_same_modal_submitted_twice_is_one_brief(server, db):
    submitted(server, view_id="VSAME00001")
    status, body = submit(server, view_id="VSAME00001")
    assert body["response_action"] == "update"
    server.drain()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Brief)) == 1
        assert s.scalar(select(func.count()).select_from(BriefVersion)) == 1
    assert len(legal_posts(server)) == 1


def test_draft_then_send_from_list(server, db):
    body = submitted(server, draft=True, due=None, text="")
    assert "Draft" in all_text(body["view"]["blocks"])
    assert legal_posts(server) == [] and get_brief(db).status == "draft"
    _, listing = server.command("/brief", "list", HOST)
    assert buttons(listing["blocks"]) == {"brief_edit": "1", "brief_send": "1"}
    act(server, "brief_send", "1", HOST)
    assert "Edit the brief first" in replies(server)[-1]
    assert get_brief(db).status == "draft"
    act(server, "brief_edit", "1", HOST)
    view = server.stub.wait_for("views.open")[-1].params["view"]
    assert view["private_metadata"] == "1:0"
    submitted(server, private_metadata="1:0", draft=True)  # fill in text and due date, still a draft
    act(server, "brief_send", "1", HOST)
    server.drain()
    assert get_brief(db).status == "pending"
    assert len(legal_posts(server)) == 1


def test_brief_check_and_list(server, db):
    _, body = server.command("/brief", "check Lowest price ever, this cures everything", PA)
    assert "price_scarcity" in all_text(body["blocks"]) and "health" in all_text(body["blocks"])
    _, body = server.command("/brief", "check", PA)
    assert "Paste the text" in body["text"]
    submitted(server)
    _, mine = server.command("/brief", "list", HOST)
    assert "#1" in all_text(mine["blocks"]) and "v1" in all_text(mine["blocks"])
    _, legal = server.command("/brief", "list", LEGAL)
    assert "#1" in all_text(legal["blocks"]) and "waiting for legal" in all_text(legal["blocks"])
    _, other = server.command("/brief", "list", PA)
    assert "no briefs" in other["text"].lower()


# ----------------------------------------------------------------------------- deciding
def test_approve_edits_the_request_in_place(server, db):
    now = clock.now()
    with db.transaction() as s:
        live = LiveSession(title="Friday Glow LIVE", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2),
                           status="published", created_at=now)
        s.add(live)
        s.flush()
        live_id = live.id
    submitted(server, session_id=live_id, campaign=None)
    [post] = legal_posts(server)
    act(server, "brief_approve", "1:1", LEGAL)
    brief = get_brief(db)
    assert brief.status == "approved"
    [d] = decisions(db)
    assert (d.decider, d.decision) == (LEGAL, "approve")
    server.drain()
    [update] = server.stub.calls_to("chat.update")
    assert update.params["channel"] == LEGAL_CHANNEL
    shown = all_text(update.params["blocks"])
    assert "Approved" in shown and f"<@{LEGAL}>" in shown and "version 1" in shown
    assert "PST" in shown or "PDT" in shown
    assert "brief_approve" not in buttons(update.params["blocks"])
    dms = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + HOST]
    assert dms and "approved" in dms[-1].params["text"]
    with db.read() as s:
        [(b, v)] = briefs_approved.approved_for_session(s, live_id)
        assert b.id == 1 and v.number == 1
    assert "You approved version 1" in replies(server)[-1]


def test_request_changes_then_resubmit_then_approve_version_2(server, db):
    submitted(server, text=RISKY)
    status, body = request_changes(server, "1:1")
    assert status == 200 and not body  # modal closes
    assert get_brief(db).status == "changes_requested"
    server.drain()
    [update] = server.stub.calls_to("chat.update")
    assert "Changes requested" in all_text(update.params["blocks"]) and not {"brief_approve", "brief_reject"} & set(buttons(update.params["blocks"]))
    dm = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + HOST][-1]
    assert "Drop" in all_text(dm.params["blocks"]) and buttons(dm.params["blocks"]) == {"brief_edit": "1"}

    act(server, "brief_edit", "1", HOST, channel_id="D" + HOST)
    view = server.stub.wait_for("views.open")[-1].params["view"]
    assert view["private_metadata"] == "1:1"
    prefilled = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert prefilled["text"] == RISKY and prefilled["title"] == "Glow Serum talk track"

    submitted(server, private_metadata="1:1", text=CLEAN)
    brief = get_brief(db)
    assert brief.status == "pending" and brief.current_version == 2
    posts = legal_posts(server)
    assert len(posts) == 2 and buttons(posts[-1].params["blocks"])["brief_approve"] == "1:2"
    assert "no restricted phrases" in all_text(posts[-1].params["blocks"])

    act(server, "brief_approve", "1:2", LEGAL, channel_id=LEGAL_CHANNEL)
    brief = get_brief(db)
    assert brief.status == "approved"
    with db.read() as s:
        rows = s.execute(select(BriefVersion.number, BriefDecision.decision).join(BriefDecision)
                         .order_by(BriefDecision.id)).all()
    assert rows == [(1, "request_changes"), (2, "approve")]
    server.drain()
    update_v2 = server.stub.calls_to("chat.update")[-1]
    with db.read() as s:
        v1_ts, v2_ts = (s.scalar(select(PostedMessage.ts).where(PostedMessage.key == f"brief:1:v{n}")) for n in (1, 2))
    assert update_v2.params["ts"] == v2_ts != v1_ts
    assert "version 2" in all_text(update_v2.params["blocks"]) and "Approved" in all_text(update_v2.params["blocks"])


def test_stale_version_1_button_after_version_2_changes_nothing(server, db):
    submitted(server, text=RISKY)
    request_changes(server, "1:1")
    submitted(server, private_metadata="1:1", text=CLEAN)
    act(server, "brief_approve", "1:1", LEGAL, channel_id=LEGAL_CHANNEL)
    assert "superseded" in replies(server)[-1]
    act(server, "brief_reject", "1:1", LEGAL, channel_id=LEGAL_CHANNEL)
    assert "superseded" in replies(server)[-1]
    assert get_brief(db).status == "pending"
    assert [d.decision for d in decisions(db)] == ["request_changes"]
    # and a resubmission form opened on version 1 can't be sent again
    status, body = submit(server, private_metadata="1:1", text=CLEAN)
    assert "already with legal" in str(body)
    assert get_brief(db).current_version == 2


def test_reject_requires_a_reason(server, db):
    submitted(server)
    act(server, "brief_reject", "1:1", LEGAL, channel_id=LEGAL_CHANNEL)
    view = server.stub.wait_for("views.open")[-1].params["view"]
    empty = {"reason": {"value": {"type": "plain_text_input", "value": "  "}}}
    _, body = server.slack.submit("brief_decision", LEGAL, empty, private_metadata=view["private_metadata"])
    assert body["response_action"] == "errors" and "reason" in body["errors"]
    assert decisions(db) == []
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "Not a product we sell on LIVE."}}}
    server.slack.submit("brief_decision", LEGAL, reason, private_metadata=view["private_metadata"])
    assert get_brief(db).status == "rejected"
    server.drain()
    dm = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + HOST][-1]
    assert "rejected" in dm.params["text"] and "Not a product" in all_text(dm.params["blocks"])


def test_only_legal_can_decide(server, db):
    submitted(server)
    for who in (HOST, PA, ADMIN):
        act(server, "brief_approve", "1:1", who, channel_id=LEGAL_CHANNEL)
        assert "Only legal can decide" in replies(server)[-1]
    act(server, "brief_request_changes", "1:1", PA, channel_id=LEGAL_CHANNEL)
    assert "Only legal can decide" in replies(server)[-1]
    assert server.stub.calls_to("views.open") == []
    # even a forged modal submission is refused
    _, body = server.slack.submit("brief_decision", PA, {"reason": {"value": {"type": "plain_text_input", "value": "x"}}},
                                  private_metadata="1:1:reject")
    assert "Only legal can decide" in str(body)
    assert decisions(db) == [] and get_brief(db).status == "pending"


def test_submitter_cannot_approve_own_brief_even_as_legal(server, db):
    make_legal(db)
    submitted(server, user=LEGAL)
    act(server, "brief_approve", "1:1", LEGAL, channel_id=LEGAL_CHANNEL)
    assert "can't approve it" in replies(server)[-1]
    assert decisions(db) == [] and get_brief(db).status == "pending"
    act(server, "brief_approve", "1:1", LEGAL2, channel_id=LEGAL_CHANNEL)
    assert get_brief(db).status == "approved"


def test_double_click_and_concurrent_clicks_make_one_decision(server, db):
    make_legal(db)
    submitted(server)
    results = []

    def click(user):
        results.append(server.slack.action("brief_approve", "1:1", user, channel_id=LEGAL_CHANNEL)[0])

    threads = [threading.Thread(target=click, args=(LEGAL,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 4
    server.stub.wait_for("response_url", 4)
    act(server, "brief_approve", "1:1", LEGAL, channel_id=LEGAL_CHANNEL)
    assert "already approved" in replies(server)[-1]
    assert len(decisions(db)) == 1
    act(server, "brief_approve", "1:1", LEGAL2, channel_id=LEGAL_CHANNEL)
    assert "no longer waiting" in replies(server)[-1]
    assert len(decisions(db)) == 1 and get_brief(db).status == "approved"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "brief.approved")) == 1


# ----------------------------------------------------------------------------- follow-up jobs
def test_reminder_once_at_half_time_and_overdue_flag_once(server, db):
    submitted(server, due="+2")
    with db.read() as s:
        version = s.scalar(select(BriefVersion))
    half = version.submitted_at + (version.due_at - version.submitted_at) / 2
    with freeze_time(half - timedelta(minutes=5), tick=True):
        assert brief_reminders.run(server.rt, clock.now()) == 0
    with freeze_time(half + timedelta(minutes=1), tick=True):
        assert brief_reminders.run(server.rt, clock.now()) == 1
        assert brief_reminders.run(server.rt, clock.now()) == 0
        server.drain()
    [request, nudge] = legal_posts(server)
    assert nudge.params["thread_ts"] and "needs a decision" in nudge.params["text"]
    with freeze_time(version.due_at + timedelta(hours=1), tick=True):
        assert brief_reminders.run(server.rt, clock.now()) == 1  # one associate
        assert brief_reminders.run(server.rt, clock.now()) == 0
        server.drain()
    flagged = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "D" + ADMIN]
    assert len(flagged) == 1 and "Overdue" in flagged[0].params["text"]
    assert len(legal_posts(server)) == 2  # no second reminder


def test_daily_digest_once_per_day(server, db):
    with freeze_time(datetime.now(timezone.utc), tick=True):
        assert brief_digest.run(server.rt, clock.now()) is False  # nothing waiting: nothing posted
    submitted(server, title="=HYPERLINK(\"http://x\")")
    submitted(server, title="Bundle sheet", kind="bundle_sheet")
    base = datetime.now(timezone.utc) + timedelta(hours=1)
    with freeze_time(base, tick=True):
        assert brief_digest.run(server.rt, clock.now()) is True
        assert brief_digest.run(server.rt, clock.now()) is False
        server.drain()
    digests = [c for c in legal_posts(server) if "brief(s) waiting for legal" in c.params["text"]]
    assert len(digests) == 1 and "#1" in all_text(digests[0].params["blocks"]) and "#2" in all_text(digests[0].params["blocks"])
    with freeze_time(base + timedelta(days=1), tick=True):
        assert brief_digest.run(server.rt, clock.now()) is True


# ----------------------------------------------------------------------------- export
def test_export_approvals_xlsx(server, db, db_url, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from bot.cli import main

    submitted(server, title="=HYPERLINK(\"http://evil\")", text=RISKY)
    request_changes(server, "1:1", reason="-remove cures")
    submitted(server, private_metadata="1:1", title="=HYPERLINK(\"http://evil\")", text=CLEAN)
    act(server, "brief_approve", "1:2", LEGAL, channel_id=LEGAL_CHANNEL)
    submitted(server, title="Promo", kind="promo")
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TEAM_TIMEZONE", "America/Los_Angeles")
    out = tmp_path / "approvals.xlsx"
    day = today(server)
    assert main(["export", "approvals", "--from", (day - timedelta(days=1)).isoformat(), "--to", day.isoformat(),
                 "--out", str(out)]) == 0
    wb = load_workbook(out)
    ws = wb["Approvals"]
    header = [c.value for c in ws[1]]
    assert header[0] == "Brief #" and "Text SHA-256" in header and "Reason" in header
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width > 20
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(r["Brief #"], r["Version"], r["Decision"]) for r in rows] == [
        (1, 1, "Changes requested"), (1, 2, "Approved"), (2, 1, "(no decision yet)")]
    assert rows[0]["Title"].startswith("'=") and rows[0]["Reason"] == "'-remove cures"
    assert rows[0]["Text SHA-256"] == hashlib.sha256(RISKY.encode()).hexdigest()
    assert rows[1]["Text SHA-256"] == hashlib.sha256(CLEAN.encode()).hexdigest()
    assert LEGAL in rows[1]["Decided by"] and isinstance(rows[1]["Decided at (America/Los_Angeles)"], datetime)
    assert ws.cell(row=3, column=header.index("Decided at (America/Los_Angeles)") + 1).number_format == "yyyy-mm-dd hh:mm"
    assert rows[0]["Claim findings"] >= 2 and "health" in rows[0]["Findings by category"]
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)
    findings = list(wb["Claim findings"].iter_rows(min_row=2, values_only=True))
    assert {f[5] for f in findings} >= {"health", "guarantee"}
    texts = {(r[0], r[1]): r[5] for r in wb["Texts"].iter_rows(min_row=2, values_only=True)}
    assert texts[(1, 1)] == RISKY and texts[(1, 2)] == CLEAN


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-11-02", "--to", "2026-11-01"], "before"),
    (["--from", "2026-11-01", "--to", "2026-11-02", "--out", "x.csv"], ".xlsx"),
])
def test_export_refuses_bad_arguments(args, message, capsys, db_url, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    argv = ["export", "approvals", *args] + ([] if "--out" in args else ["--out", "x.xlsx"])
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def mrkdwn_texts(node) -> list[str]:
    """Every mrkdwn string in a Block Kit tree (plain_text is never parsed for mentions)."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for v in node.values() for t in mrkdwn_texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in mrkdwn_texts(v)]
    return []


def test_user_text_cannot_ping_the_legal_channel(server, db):
    submitted(server, title="<!channel> urgent", note="<@UADMIN01> look", text="Tonight <!here> only & more")
    [post] = legal_posts(server)
    shown = " ".join(mrkdwn_texts(post.params["blocks"])) + post.params["text"]
    assert "<!channel>" not in shown and "<@UADMIN01>" not in shown and "&lt;!channel&gt;" in shown
    plain_text = [b["text"]["text"] for b in post.params["blocks"] if b["type"] == "section" and b.get("text", {}).get("type") == "plain_text"]
    assert plain_text == ["Tonight <!here> only & more"]  # shown literally as plain text, which Slack never parses
