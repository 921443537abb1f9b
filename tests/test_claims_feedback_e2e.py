"""Legal's feedback on claim findings end to end: signed clicks and modal submissions in; rows, audit, later checks out.

Runs on SQLite, and on PostgreSQL with OPSBOT_TEST_DATABASE_URL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import HOST, LEGAL, PA
from slack_stub import view_problems
from sqlalchemy import func, select
from test_briefs_e2e import _views, act, legal_posts, submitted

from bot.db.briefs import BriefVersion
from bot.db.claims import ClaimAllow, ClaimMiss
from bot.db.models import AuditRecord
from bot.services.claims.match import check_text

REPO = Path(__file__).resolve().parents[1]
TRACK = "Hi loves! This serum is the #1 serum in America.\nIt feels light. Our founder swears it reverses aging."


def txt(value):
    return {"value": {"type": "plain_text_input", "value": value}}


def first_version(db) -> BriefVersion:
    with db.read() as s:
        version = s.scalars(select(BriefVersion).order_by(BriefVersion.id.desc())).first()
        assert version is not None
        s.expunge(version)
        return version


def not_a_problem_value(server) -> str:
    blocks = legal_posts(server)[-1].params["blocks"]
    return next(b["accessory"]["value"] for b in blocks if b.get("accessory", {}).get("action_id") == "claim_not_a_problem")


def clear_finding(server, user, scope="product", why="The award is on the listing with its year."):
    value = not_a_problem_value(server)
    act(server, "claim_not_a_problem", value, user)
    opened = server.stub.wait_for("views.open")[-1].params["view"]
    assert opened["callback_id"] == "claim_allow" and view_problems(opened) == []
    values = {"scope": {"value": {"type": "radio_buttons", "selected_option": {"value": scope}}}, "why": txt(why)}
    return server.slack.submit("claim_allow", user, values, private_metadata=opened["private_metadata"],
                               view_id=f"VCLAIM{next(_views):05d}")


def accepted(body) -> bool:
    """The modal turns into a confirmation of what was recorded (no field errors)."""
    return body["response_action"] == "update" and view_problems(body["view"]) == [] and (
        "cleared" in json.dumps(body["view"]) or "Marked" in json.dumps(body["view"]))


def counts(db) -> tuple[int, int, int]:
    with db.read() as s:
        audits = s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action.like("claims.%")))
        return (s.scalar(select(func.count()).select_from(ClaimAllow)), s.scalar(select(func.count()).select_from(ClaimMiss)),
                audits)


def test_legal_message_highlights_findings_with_suggestions(server, db):
    submitted(server, text=TRACK)
    blocks = legal_posts(server)[-1].params["blocks"]
    shown = json.dumps(blocks)
    assert "is the *#1* serum in America." in shown  # the matched words in bold inside the quoted line
    assert "Instead:" in shown and "per our shop data" in shown
    assert "TikTok Shop policy" in shown


def test_not_a_problem_clears_the_phrase_for_that_product_and_is_audited(server, db):
    submitted(server, text=TRACK)
    version = first_version(db)
    assert "superlative" in {f["category"] for f in version.findings}
    status, body = clear_finding(server, LEGAL)
    assert status == 200 and accepted(body), body
    server.drain()
    with db.read() as s:
        [entry] = s.scalars(select(ClaimAllow)).all()
        assert (entry.category, entry.product, entry.created_by) == ("superlative", "GLOW-30ML", LEGAL)
        assert entry.why.startswith("The award") and "#1 serum in America" in entry.context
        [audit] = s.scalars(select(AuditRecord).where(AuditRecord.action == "claims.allowed")).all()
        assert audit.actor == LEGAL and audit.after["category"] == "superlative"
    # A double click (or a Slack retry) records nothing more, and says so.
    _, again = clear_finding(server, LEGAL)
    assert "already cleared" in json.dumps(again["view"])
    server.drain()
    assert counts(db)[0] == 1
    # The next brief for the same product no longer flags it; another product still does.
    submitted(server, text=TRACK, title="Second track")
    assert "superlative" not in {f["category"] for f in first_version(db).findings}
    submitted(server, text=TRACK, title="Other product", skus="LIP-OIL")
    assert "superlative" in {f["category"] for f in first_version(db).findings}


def test_not_a_problem_everywhere(server, db):
    submitted(server, text=TRACK)
    status, _ = clear_finding(server, LEGAL, scope="global")
    assert status == 200
    server.drain()
    submitted(server, text=TRACK, title="Other product", skus="LIP-OIL")
    assert "superlative" not in {f["category"] for f in first_version(db).findings}
    _, reply = server.command("/brief", "check the #1 serum in America", PA)
    assert "no restricted phrases" in json.dumps(reply["blocks"])
    _, reply = server.command("/brief", "check the best serum in America", PA)
    assert "superlative" in json.dumps(reply["blocks"])


def test_not_a_problem_needs_a_reason(server, db):
    submitted(server, text=TRACK)
    status, body = clear_finding(server, LEGAL, why="  ")
    assert status == 200 and body["response_action"] == "errors" and "why" in body["errors"]
    assert counts(db) == (0, 0, 0)


def test_non_legal_user_is_refused_and_nothing_changes(server, db):
    submitted(server, text=TRACK)
    value = not_a_problem_value(server)
    act(server, "claim_not_a_problem", value, PA)
    reply = server.stub.calls_to("response_url")[-1].params["text"]
    assert "Only legal" in reply and "Nothing was changed" in reply
    assert not [c for c in server.stub.calls_to("views.open") if c.params["view"].get("callback_id") == "claim_allow"]
    # A forged modal submission is refused by the service too.
    values = {"scope": {"value": {"type": "radio_buttons", "selected_option": {"value": "global"}}}, "why": txt("fine")}
    status, body = server.slack.submit("claim_allow", HOST, values, private_metadata=value, view_id="VFORGED01")
    assert status == 200 and body["response_action"] in ("errors", "update") and "Only legal" in json.dumps(body)
    version = first_version(db)
    status, body = server.slack.submit("claim_missed", PA, {"text": txt("founder swears"),
                                                            "category": {"value": {"type": "static_select", "selected_option": {"value": "health"}}}},
                                       private_metadata=str(version.id), view_id="VFORGED02")
    assert status == 200 and "Only legal" in json.dumps(body)
    assert counts(db) == (0, 0, 0)
    act(server, "claim_missed", str(version.id), PA)
    assert "Only legal" in server.stub.calls_to("response_url")[-1].params["text"]


def test_missed_one_collects_the_span_and_exports_it(server, db, tmp_path, db_url):
    submitted(server, text=TRACK)
    version = first_version(db)
    act(server, "claim_missed", str(version.id), LEGAL)
    opened = server.stub.wait_for("views.open")[-1].params["view"]
    assert opened["callback_id"] == "claim_missed" and view_problems(opened) == []
    values = {"text": txt("Our founder swears it reverses aging"),
              "category": {"value": {"type": "static_select", "selected_option": {"value": "health"}}},
              "why": txt("anti-aging drug claim")}
    status, body = server.slack.submit("claim_missed", LEGAL, values, private_metadata=opened["private_metadata"],
                                       view_id=f"VMISS{next(_views):05d}")
    assert status == 200 and accepted(body), body
    server.slack.submit("claim_missed", LEGAL, values, private_metadata=opened["private_metadata"], view_id="VMISS2")
    server.drain()
    with db.read() as s:
        [miss] = s.scalars(select(ClaimMiss)).all()
        assert (miss.category, miss.created_by) == ("health", LEGAL)
        assert version.text[miss.start:miss.end] == "Our founder swears it reverses aging"
    assert counts(db)[2] == 1
    # Words that are not in the text are a field error, not a record.
    values["text"] = txt("cures cancer")
    status, body = server.slack.submit("claim_missed", LEGAL, values, private_metadata=opened["private_metadata"], view_id="VMISS3")
    assert body["response_action"] == "errors" and "text" in body["errors"]
    # And the export writes it in the corpus format.
    clear_finding(server, LEGAL)
    server.drain()
    out = tmp_path / "feedback.jsonl"
    result = subprocess.run([sys.executable, "-m", "bot", "claims", "feedback", "--export", str(out)], cwd=REPO,
                            capture_output=True, text=True, timeout=60, env=_env(db_url))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [set(r) for r in rows] == [{"id", "text", "flag", "category", "why"}] * 2
    assert [(r["flag"], r["category"]) for r in rows] == [(False, None), (True, "health")]
    assert rows[1]["text"] == "Our founder swears it reverses aging." and "health" in rows[1]["why"]
    assert "#1" in rows[0]["text"] and check_text(rows[0]["text"])  # without the allow-list it is still a finding


def _env(db_url: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPSBOT_", "DATABASE_"))}
    env.update({"DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"})
    return env
