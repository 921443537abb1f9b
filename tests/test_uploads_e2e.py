"""A spreadsheet DMed to the bot (Events API file_shared) is imported like `opsbot import`: calendar or metrics."""

from __future__ import annotations

import io
import time

import pytest
from conftest import ADMIN, BOT_TOKEN, HOST, HOST2, OPS_CHANNEL, PA
from freezegun import freeze_time
from openpyxl import Workbook
from schedule_helpers import new_session, person, seed
from sqlalchemy import func, select

from bot.db.metrics import SessionMetrics
from bot.db.models import AuditRecord, LiveSession, ProcessedRequest
from bot.services.metrics import store as metrics
from bot.services.schedule.xlsx import HEADER

DM = "D0ADMIN"


@pytest.fixture
def bot(server, db):
    seed(db)
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Lead", name="hana", email="hana@studio.test")
        person(s, HOST2, "host", tier="Rookie", name="hugo", email="hugo@studio.test")
        person(s, PA, "pa", name="pat", email="pat@studio.test")
    server.stub.bot_token = BOT_TOKEN
    with freeze_time("2026-11-20 17:00:00", tick=True):
        yield server


def xlsx(rows) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def share(server, file_id, user=ADMIN, channel=DM, **kw):
    return server.slack.event({"type": "file_shared", "file_id": file_id, "user_id": user, "channel_id": channel,
                               "file": {"id": file_id}, "event_ts": "1763658000.000100"}, **kw)


def handled(server, db, file_id, timeout=10.0):
    """Wait until the file is recorded as handled, then deliver the answer; returns the bot's messages."""
    deadline = time.monotonic() + timeout
    while True:
        with db.read() as s:
            if s.scalar(select(ProcessedRequest.id).where(ProcessedRequest.key == f"file:{file_id}")) is not None:
                break
        assert time.monotonic() < deadline, f"file {file_id} was never handled"
        time.sleep(0.02)
    server.drain()
    return server.stub.calls_to("chat.postMessage")


def count(db, model):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_associate_dms_a_calendar_and_gets_the_report(bot, db):
    bot.stub.add_file("F1", "week 48.xlsx", xlsx([HEADER,
                      ["2026-11-24", "10:00", "12:00", "Glow LIVE", "C", "hana", "pat@studio.test", ""],
                      ["2026-11-25", "19:00", "21:00", "Mask LIVE", "C", HOST2, "", "bundle"]]), "xlsx", user=ADMIN)
    assert share(bot, "F1")[0] == 200
    [reply] = handled(bot, db, "F1")
    assert reply.params["channel"] == "D" + ADMIN
    assert "Imported: 2 session(s) added, 0 updated" in reply.params["text"]
    assert "week 48.xlsx" in str(reply.params["blocks"]) and "calendar" in str(reply.params["blocks"])
    [download] = bot.stub.calls_to("download")
    assert download.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    with db.read() as s:
        assert sorted(s.scalars(select(LiveSession.title))) == ["Glow LIVE", "Mask LIVE"]
        actors = set(s.scalars(select(AuditRecord.actor).where(AuditRecord.action == "schedule.session_created")))
        assert actors == {ADMIN}
        assert s.scalar(select(AuditRecord).where(AuditRecord.action == "file.imported")).entity_id == "F1"


def test_a_metrics_export_with_the_header_on_row_3_is_imported(bot, db):
    with db.transaction() as s:
        glow = new_session(s, "2026-11-16", "10:00", "13:00", title="Glow LIVE").id
        new_session(s, "2026-11-17", "19:00", "21:00", title="Mask LIVE")
    content = xlsx([
        ["LIVE performance"], ["Exported 2026-11-24"],
        ["Livestream", "Start time", "Duration", "Gross revenue", "Items sold", "Orders paid for", "Views", "Viewers",
         "Avg. view duration", "Product impressions", "Product clicks", "CTR", "Mystery column"],
        ["Glow LIVE", "2026-11-16 10:02", 10800, "$1,205.33", 70, 60, "3.2K", 2000, "1m28s", 30000, "1,200", "4.11%", "x"],
        ["Mask LIVE", "11/17/2026 7:00 PM", "02:00:00", 950.5, 40, 35, 2500, "-", "18.28s", 20000, 800, "4%", None],
        ["Nobody's LIVE", "2026-11-18 03:00", 600, 10, 1, 1, 10, 5, "0:30", 10, 1, None, None],
    ])
    # Named like anything: what it is comes from the content.
    bot.stub.add_file("F2", "numbers.xlsx", content, "xlsx", user=ADMIN)
    share(bot, "F2")
    [reply] = handled(bot, db, "F2")
    text = reply.params["text"]
    assert "2 session(s) created, 0 updated, 1 unmatched (header on row 3)" in text
    assert "Nobody's LIVE" in text and "Mystery column" in text
    assert "LIVE metrics export" in str(reply.params["blocks"])
    with db.read() as s:
        g = metrics.get(s, glow)
        assert (g.gmv_cents, g.views, g.updated_by, g.file_name) == (120533, 3200, ADMIN, "numbers.xlsx")


def test_bad_rows_import_nothing_and_each_is_reported(bot, db):
    bot.stub.add_file("F3", "plan.xlsx", xlsx([HEADER,
                      ["2026-11-24", "10:00", "12:00", "Good row", "C", "hana", "", ""],
                      ["2026-11-24", "14:00", "13:00", "Backwards", "C", "", "", ""],
                      ["2026-11-25", "10:00", "12:00", "Who", "C", "nobody@studio.test", "", ""]]), "xlsx", user=ADMIN)
    share(bot, "F3")
    [reply] = handled(bot, db, "F3")
    text = reply.params["text"]
    assert "Nothing was imported: 2 row(s) need fixing." in text
    assert "row 3: end before start" in text and "row 4: unknown person 'nobody@studio.test'" in text
    assert count(db, LiveSession) == 0
    # A metrics export with bad values: nothing applied either.
    with db.transaction() as s:
        new_session(s, "2026-11-16", "10:00", "13:00", title="Glow LIVE")
    bot.stub.add_file("F4", "live.csv", b"Livestream,Start time,Gross revenue,Items sold,Orders paid for\n"
                      b"Glow LIVE,2026-11-16 10:00,$12.345,5,9\n", "csv", user=ADMIN)
    share(bot, "F4")
    replies = handled(bot, db, "F4")
    assert "nothing was imported" in replies[-1].params["text"]
    assert "row 2, Gross revenue: '$12.345'" in replies[-1].params["text"]
    assert count(db, SessionMetrics) == 0


def test_a_long_report_is_cut_to_block_kit_limits_with_a_count(bot, db):
    rows = [HEADER] + [["2026-13-01", "10:00", "12:00", f"Row {i}", "C", "", "", ""] for i in range(1300)]
    bot.stub.add_file("F5", "big.xlsx", xlsx(rows), "xlsx", user=ADMIN)
    share(bot, "F5")
    [reply] = handled(bot, db, "F5")
    blocks = reply.params["blocks"]
    assert len(blocks) <= 50 and "more line(s) not shown" in blocks[-1]["text"]["text"]
    assert "Nothing was imported: 1300 row(s) need fixing." in reply.params["text"]
    assert count(db, LiveSession) == 0  # the stub also checked every block (violations at teardown)


def test_someone_else_is_refused_and_nothing_changes(bot, db):
    bot.stub.add_file("F6", "plan.xlsx", xlsx([HEADER, ["2026-11-24", "10:00", "12:00", "Glow", "C", "", "", ""]]),
                      "xlsx", user=HOST)
    share(bot, "F6", user=HOST, channel="D0HOST")
    [reply] = handled(bot, db, "F6")
    assert reply.params["channel"] == "D" + HOST
    assert "Only the associate can import spreadsheets" in reply.params["text"]
    assert bot.stub.calls_to("files.info") == [] and bot.stub.calls_to("download") == []
    assert count(db, LiveSession) == 0


def test_retries_and_duplicate_events_import_once(bot, db):
    bot.stub.add_file("F7", "plan.xlsx", xlsx([HEADER, ["2026-11-24", "10:00", "12:00", "Glow", "C", "hana", "", ""]]),
                      "xlsx", user=ADMIN)
    share(bot, "F7", event_id="EvF7")
    share(bot, "F7", event_id="EvF7", retry_num=1)  # Slack's retry
    share(bot, "F7", event_id="EvF7b")  # a second file_shared for the same file
    handled(bot, db, "F7")
    time.sleep(0.5)  # let the copies finish too
    bot.drain()
    assert len(bot.stub.calls_to("chat.postMessage")) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "file.imported")) == 1
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 1
    share(bot, "F7", event_id="EvF7c", retry_num=3)  # much later: recognised before even asking Slack
    time.sleep(0.3)
    assert len(bot.stub.calls_to("files.info")) <= 3 and len(bot.stub.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("name, filetype, size, expected", [
    ("brief.pdf", "pdf", None, "isn't a spreadsheet opsbot imports"),
    ("huge.xlsx", "xlsx", 6 * 1024 * 1024, "is 6.0 MB; opsbot imports files up to 5 MB"),
])
def test_other_files_and_big_ones_get_a_plain_refusal(bot, db, name, filetype, size, expected):
    bot.stub.add_file("F8", name, b"%PDF-1.4 not a sheet", filetype, user=ADMIN, size=size)
    share(bot, "F8")
    [reply] = handled(bot, db, "F8")
    assert expected in reply.params["text"]
    assert bot.stub.calls_to("download") == []


@pytest.mark.parametrize("url", ["https://files.example.com/download/F9", "http://127.0.0.1:9/download/F9"])
def test_a_download_url_that_is_not_slack_is_refused(bot, db, url):
    bot.stub.add_file("F9", "plan.xlsx", xlsx([HEADER]), "xlsx", user=ADMIN, url=url)
    share(bot, "F9")
    [reply] = handled(bot, db, "F9")
    assert "download address opsbot doesn't trust" in reply.params["text"]
    assert bot.stub.calls_to("download") == []


def test_shared_in_a_channel_the_report_goes_in_the_thread(bot, db):
    bot.stub.add_file("F10", "plan.xlsx", xlsx([HEADER, ["2026-11-24", "10:00", "12:00", "Glow", "C", "", "", ""]]),
                      "xlsx", user=ADMIN, shares={"public": {OPS_CHANNEL: [{"ts": "1763658000.000100"}]}})
    share(bot, "F10", channel=OPS_CHANNEL)
    [reply] = handled(bot, db, "F10")
    assert (reply.params["channel"], reply.params["thread_ts"]) == (OPS_CHANNEL, "1763658000.000100")
    assert "Imported: 1 session(s) added" in reply.params["text"]
