"""The week's highlight clips on the weekly scorecard: carried on the card from creators.clips.clips_for_week, a
"Highlight clips" section in the post (counts, each published clip linked by where it ran, views when entered, capped
with "and N more", user text escaped), and a Clips sheet in the workbook; end to end through the Monday job."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from conftest import ADMIN, HOST, PA
from creators_helpers import LAUNCH, POLICY, actor, launch_session, people_and_catalog
from freezegun import freeze_time
from openpyxl import load_workbook
from slack_stub import block_problems

from bot.blocks.scorecard import scorecard_message, scorecard_text
from bot.blocks.scorecard_clips import MAX_LISTED, clips_blocks
from bot.jobs.base import fire_post
from bot.jobs.registry import all_jobs
from bot.services.creators import clips
from bot.services.scorecard import compute, xlsx
from bot.services.scorecard.model import Scorecard, ScorecardConfig

TZ = POLICY.tz
MONDAY = LAUNCH - timedelta(days=LAUNCH.weekday())  # 2026-11-09, ISO week 2026-W46
NOW = datetime(2026, 11, 16, 17, 0, tzinfo=UTC)  # the Monday after, 09:00 in Los Angeles
PAID = "https://ads.example.test/clip/7?a=1&b=2"
ORGANIC = "https://www.tiktok.com/@glow/video/123"


def seed_clips(db) -> int:
    """On the launch LIVE: one clip published paid with views, one organic without, one still requested (hostile note)."""
    people_and_catalog(db)
    with db.transaction() as s:
        live = launch_session(s)
        when = live.starts_at + timedelta(hours=3)
        ask = lambda who, at, note: clips.request(s, actor(s, who), session_id=live.id, offset=at, note=note,  # noqa: E731
                                                   now=when, tz=TZ).id
        paid, organic = ask(HOST, 600, "GLOW-01 swatch <!channel> & *bold*"), ask(PA, 1200, "the laugh")
        ask(HOST, 1800, "close <@U999> <https://evil.test|click>")
        for cid, where, url, views in ((paid, "paid", PAID, "12,500"), (organic, "organic", ORGANIC, None)):
            clips.cut(s, actor(s, ADMIN), cid, "https://drive.example.test/cut", "", False, when, POLICY)
            clips.publish(s, actor(s, ADMIN), cid, where, url, when, views=views)
        return live.id


def test_card_carries_the_weeks_clips_and_the_post_lists_published_ones(db):
    seed_clips(db)
    with db.read() as s:
        card = compute.build(s, MONDAY, ScorecardConfig(tz=TZ), NOW)
        empty = compute.build(s, MONDAY - timedelta(weeks=1), ScorecardConfig(tz=TZ), NOW)
    assert [(c["timestamp"], c["status"], c["placement"], c["views"]) for c in card.clips] == [
        ("10:00", "published", "paid", 12500), ("20:00", "published", "organic", None), ("30:00", "requested", None, None)]
    assert all(isinstance(c, dict) for c in card.clips) and empty.clips == []

    _, blocks = scorecard_message(card, TZ)
    assert block_problems(blocks, 50) == [], blocks
    [sec] = [b for b in blocks if "Highlight clips" in b.get("text", {}).get("text", "")]
    body = sec["text"]["text"]
    assert "3 requested · 2 published (1 still in the editor queue)" in body
    assert "<https://ads.example.test/clip/7?a=1&amp;b=2|Paid>" in body and "12,500 views" in body
    assert f"<{ORGANIC}|Organic>" in body and "views not entered yet" in body
    assert "Glow Week launch LIVE" in body and "GLOW-01" in body
    assert "&lt;!channel&gt;" in body and "<!channel>" not in body
    assert "U999" not in body and "evil.test" not in body  # only published clips are listed
    assert "Clips" in str(blocks[-1])
    assert block_problems(scorecard_message(empty, TZ)[1], 50) == []
    assert "Highlight clips" not in str(scorecard_message(empty, TZ)[1])

    printed = scorecard_text(card, TZ)
    assert "\nHighlight clips\n  3 requested · 2 published" in printed and f"Paid: {PAID}" in printed

    wb = load_workbook(io.BytesIO(xlsx.build_workbook(card, TZ)))
    ws = wb["Clips"]
    assert [c.value for c in ws[1]][:10] == ["Clip", "LIVE", "LIVE start", "At", "SKU", "Note", "Status", "Ran", "Link", "Views"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [(r[3], r[6], r[7], r[8], r[9]) for r in rows] == [
        ("10:00", "published", "paid", PAID, 12500), ("20:00", "published", "organic", ORGANIC, None),
        ("30:00", "requested", None, None, None)]
    assert rows[0][2] == datetime(2026, 11, 12, 10, 0) and rows[0][4] == "GLOW-01"
    assert wb["Clips"]["J2"].number_format == "#,##0"


def test_long_list_is_capped_with_and_n_more_and_formula_text_is_quoted():
    start = datetime(2026, 11, 12, 18, 0, tzinfo=UTC)
    many = [{"id": i, "session_id": 1, "session_title": "=HYPERLINK(\"x\") <b>", "session_starts_at": start,
             "timestamp": f"{i}:00", "offset_seconds": i * 60, "sku": None, "note": "=1+1" if i == 0 else "n",
             "requested_by": "U1", "status": "published", "placement": "organic" if i % 2 else "paid",
             "link": f"https://x.test/{i}", "views": i * 1000 or None, "published_at": start} for i in range(MAX_LISTED + 4)]
    [sec] = clips_blocks(many, TZ)
    body = sec["text"]["text"]
    assert block_problems([sec], 50) == []
    assert body.count("\n• <https://x.test/") == MAX_LISTED and body.endswith("• and 4 more published clips (all of them in "
                                                                               "the workbook's Clips sheet)")
    assert "&lt;b&gt;" in body and "<b>" not in body
    card = Scorecard.__new__(Scorecard)  # only what the Clips sheet reads
    card.clips = many
    ws = load_workbook(io.BytesIO(_clips_sheet(card)))["Clips"]
    assert ws["B2"].value == "'=HYPERLINK(\"x\") <b>" and ws["F2"].value == "'=1+1" and ws.max_row == len(many) + 1


def _clips_sheet(card) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    xlsx._clips(wb.create_sheet("Clips"), card, TZ)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_monday_job_posts_the_clips_section_and_the_clips_sheet(server, db):
    seed_clips(db)
    spec = all_jobs(server.rt.settings)["scorecard"]
    with freeze_time(NOW, tick=True):
        assert "2026-W46: posted" in fire_post(server.rt, spec)
        server.drain()
    [post] = [c for c in server.stub.calls_to("chat.postMessage") if c.params["channel"] == "C0LEAD"]
    assert block_problems(post.params["blocks"], 50) == [], post.params["blocks"]
    body = str(post.params["blocks"])
    assert "Highlight clips" in body and "3 requested · 2 published" in body and f"<{ORGANIC}|Organic>" in body
    assert "12,500 views" in body and "&lt;!channel&gt;" in body and "<!channel>" not in body
    [book] = [b for b in server.stub.uploads.values() if b.startswith(b"PK")]
    wb = load_workbook(io.BytesIO(book))
    assert wb.sheetnames[-1] == "Clips"
    rows = [[c.value for c in r] for r in wb["Clips"].iter_rows(min_row=2)]
    assert [(r[6], r[7], r[9]) for r in rows] == [("published", "paid", 12500), ("published", "organic", None),
                                                  ("requested", None, None)]
    assert date(2026, 11, 12) == rows[2][2].date()
