"""End to end: the Log metrics modal through the signed endpoint, the Monday scorecard post with its
chart and workbook uploaded through the Web API stand-in, /scorecard, and `opsbot demo`."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from conftest import ADMIN, HOST, LEADER
from freezegun import freeze_time
from openpyxl import load_workbook
from PIL import Image
from schedule_helpers import new_session, seed

from bot.cli import main
from bot.jobs.base import fire_post
from bot.jobs.registry import all_jobs
from bot.services.metrics import store as metrics


def _state(**values):
    return {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}


def _session_state(session_id):
    return {"session": {"value": {"type": "static_select", "selected_option": {"value": str(session_id)}}}}


def test_log_metrics_button_modal_field_errors_then_save(server, db):
    seed(db)
    with db.transaction() as s:
        live = new_session(s, "2026-11-16", "10:00", "13:00", title="Glow LIVE")
    status, _ = server.slack.action("metrics_log", str(live.id), ADMIN)
    assert status == 200
    view = server.stub.wait_for("views.open")[0].params["view"]
    assert view["callback_id"] == "metrics_submit" and view["blocks"][0]["element"]["initial_option"]["value"] == str(live.id)

    bad = {**_session_state(live.id), **_state(gmv_cents="$12.345", orders="9", units_sold="3", views="100", unique_viewers="500")}
    status, body = server.slack.submit("metrics_submit", ADMIN, bad)
    assert status == 200 and body["response_action"] == "errors"
    assert set(body["errors"]) == {"gmv_cents", "orders", "unique_viewers"}
    with db.read() as s:
        assert metrics.get(s, live.id) is None

    good = {**_session_state(live.id), **_state(gmv_cents="$1,205.33", orders="9", units_sold="12", views="1.2K",
                                                 unique_viewers="800", avg_view_duration_seconds="1m05s",
                                                 skus="GLOW-01 12 $1205.33 40")}
    status, body = server.slack.submit("metrics_submit", ADMIN, good)
    assert status == 200 and body["response_action"] == "update"
    with db.read() as s:
        m = metrics.get(s, live.id)
        assert (m.gmv_cents, m.views, m.source, m.updated_by) == (120533, 1200, "modal", ADMIN)


def test_metrics_is_for_the_associate_only(server, db):
    status, body = server.command("/metrics", "", HOST)
    assert status == 200 and "Only" in body["text"]
    assert server.stub.calls_to("views.open") == []


def test_monday_scorecard_posts_once_with_chart_and_workbook_in_thread(server, db):
    seed(db)
    with db.transaction() as s:
        live = new_session(s, "2026-11-17", "19:00", "21:00", title="Mask LIVE")
        new_session(s, "2026-11-18", "19:00", "21:00", title="Tint LIVE")  # no metrics: listed, not zero
        metrics.save(s, live, {"gmv_cents": 250000, "orders": 50, "units_sold": 60, "unique_viewers": 2000, "views": 3000},
                     actor="t", source="modal", now=datetime(2026, 11, 18, tzinfo=timezone.utc))
    spec = all_jobs(server.rt.settings)["scorecard"]
    with freeze_time("2026-11-23 17:00:00", tick=True):  # Monday 09:00 in Los Angeles
        assert "2026-W47: posted" in fire_post(server.rt, spec)
        assert "already posted" in fire_post(server.rt, spec)
        server.drain()
    posts = server.stub.calls_to("chat.postMessage")
    assert len(posts) == 1 and posts[0].params["channel"] == "C0LEAD"
    assert "Sessions without metrics (1)" in str(posts[0].params["blocks"]) and "Tint LIVE" in str(posts[0].params["blocks"])
    assert "Conversion = orders / unique viewers" in str(posts[0].params["blocks"])
    done = server.stub.calls_to("files.completeUploadExternal")
    assert len(done) == 3 and all(c.params.get("thread_ts") for c in done)
    files = sorted(server.stub.uploads.values(), key=lambda b: not b.startswith(b"\x89PNG"))
    pngs, xlsx = files[:2], files[2]
    png = max(pngs, key=lambda b: Image.open(io.BytesIO(b)).size[1] == 420)  # the daily chart (the heatmap's height varies)
    assert all(b.startswith(b"\x89PNG") for b in pngs)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as img:  # a real image, read back: the chart's size, and the GMV bars drawn
        colours = {c for _, c in img.convert("RGB").getcolors(1 << 20) or []}
        assert img.size == (800, 420) and (0x25, 0x63, 0xEB) in colours and (0xEA, 0x58, 0x0C) in colours
    wb = load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["Summary", "Sessions", "Hosts", "SKUs", "Operations", "Slots", "Clips"]
    assert len(wb["Summary"]._charts) == 2 and wb["Sessions"].freeze_panes == "A2"
    assert wb["Summary"]["B2"].value == 2500 and wb["Summary"]["B2"].number_format.startswith('"$"')


def test_scorecard_command_private_and_for_leadership(server, db):
    with freeze_time("2026-11-25 18:00:00", tick=True):
        status, _ = server.command("/scorecard", "2026-W47", LEADER)
        assert status == 200
        reply = server.stub.wait_for("response_url")[0].params
    assert reply["response_type"] == "ephemeral" and "2026-W47" in reply["text"]
    status, body = server.command("/scorecard", "", HOST)
    assert "Only" in body["text"]
    status, body = server.command("/scorecard", "week 47", LEADER)
    assert "ISO week" in body["text"]


def test_opsbot_demo_builds_prints_and_refuses_real_data(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with freeze_time("2026-11-25 20:00:00"):
        assert main(["demo", "--database-url", url, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Run of show · " in out and "Flash deal" in out and "LIVE scorecard 2026-W47" in out
    assert "\nInsights\n" in out and "\nRecommendations\n" in out and "trailing 4-week average" in out and "Best slots" in out
    assert (tmp_path / "scorecard-2026-W47.xlsx").exists() and (tmp_path / "scorecard-2026-W47.png").read_bytes()[:4] == b"\x89PNG"
    real = f"sqlite:///{tmp_path / 'real.db'}"
    from bot.db.migrate import upgrade
    from bot.db.session import Database
    from bot.services import people
    db = Database(real)
    upgrade(db.engine)
    with db.transaction() as s:
        people.get_or_create(s, "UREAL001")
    db.dispose()
    assert main(["demo", "--database-url", real, "--out", str(tmp_path)]) == 1
    assert "refusing" in capsys.readouterr().err


def test_import_metrics_cli(db_url, db, tmp_path, monkeypatch, capsys):
    seed(db)
    with db.transaction() as s:
        new_session(s, "2026-11-16", "10:00", "13:00", title="Glow LIVE")
    path = tmp_path / "Creator-Live-Performance_x.csv"
    path.write_text("Livestream,Start time,Gross revenue,Views,Orders paid for,Odd\nGlow LIVE,2026-11-16 10:00,$10,100,1,z\n")
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["import", "metrics", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 session(s) created" in out and "Odd" in out
    assert main(["import", "metrics", str(path)]) == 0
    assert "1 updated" in capsys.readouterr().out

