"""Spreadsheet imports refuse hostile files in plain words (issue 13 §4): zip bombs, damaged XML, non-workbooks,
out-of-range values; and every export survives control characters in user text."""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from conftest import ADMIN, HOST
from freezegun import freeze_time
from openpyxl import load_workbook
from schedule_helpers import new_session
from sheet_files import bomb, damaged, not_a_workbook_zip, rewrite, xlsx_bytes
from sqlalchemy import func, select
from test_schedule_xlsx import cli_env, count  # noqa: F401  (fixture)
from test_uploads_e2e import bot, handled, share  # noqa: F401  (fixture)

from bot.cli import main
from bot.db.metrics import SessionMetrics
from bot.db.models import LiveSession
from bot.services.run_of_show import segments
from bot.services.schedule import calendar
from bot.services.cells import safe
from bot.services.schedule.xlsx import HEADER

CLASS_NAMES = ("BadZipFile", "KeyError", "ParseError", "InvalidFileException", "Traceback", "OverflowError")
CALENDAR = [HEADER, ["2026-10-27", "10:00", "12:00", "Glow LIVE", "C", "hana", "", ""]]
EXPORT = [["Livestream", "Start time", "Gross revenue", "Views"], ["Glow LIVE", "2026-11-16 10:00", "$10.00", 100]]


def plain(text: str) -> None:
    for name in CLASS_NAMES:
        assert name not in text, text


def test_a_zip_bomb_is_refused_before_it_is_opened_naming_the_limit(cli_env, tmp_path, capsys):  # noqa: F811
    path = tmp_path / "week.xlsx"
    path.write_bytes(bomb(CALENDAR, mb=60))  # 66 KB on disk, 60 MB unpacked
    assert path.stat().st_size < 200_000
    assert main(["import", "schedule", str(path)]) == 2
    err = capsys.readouterr().err
    assert "week.xlsx unpacks to more than 50 MB" in err and "Nothing was imported" in err
    plain(err)
    assert count(cli_env) == 0


def test_the_uncompressed_limit_is_a_setting(cli_env, tmp_path, capsys, monkeypatch):  # noqa: F811
    path = tmp_path / "week.xlsx"
    content = xlsx_bytes(CALENDAR)
    path.write_bytes(rewrite(content, "xl/media/image1.bin", add=os.urandom(2 * 1_048_576)))  # 2 MB that won't compress
    monkeypatch.setenv("MAX_UPLOAD_UNCOMPRESSED_MB", "1")
    assert main(["import", "schedule", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unpacks to more than 1 MB" in err and "MAX_UPLOAD_UNCOMPRESSED_MB" in err
    monkeypatch.setenv("MAX_UPLOAD_UNCOMPRESSED_MB", "5")
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    assert count(cli_env) == 1


def test_the_metrics_import_refuses_bombs_and_damaged_sheets_in_plain_words(cli_env, tmp_path, capsys):  # noqa: F811
    with cli_env.transaction() as s:
        new_session(s, "2026-11-16", "10:00", "12:00", title="Glow LIVE")
    for name, content, expected in (("bomb.xlsx", bomb(EXPORT, mb=20), "zip bomb"),
                                    ("cut.xlsx", damaged(EXPORT), "damaged"),
                                    ("broken.xlsx", b"not a zip file", "isn't an .xlsx workbook"),
                                    ("nowb.xlsx", not_a_workbook_zip(), "isn't an .xlsx workbook")):
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["import", "metrics", str(path)]) == 1, name
        err = capsys.readouterr().err
        assert expected in err and name in err, err
        plain(err)
    with cli_env.read() as s:
        assert s.scalar(select(func.count()).select_from(SessionMetrics)) == 0


def test_a_damaged_calendar_sheet_is_refused_in_plain_words(cli_env, tmp_path, capsys):  # noqa: F811
    path = tmp_path / "week.xlsx"
    path.write_bytes(damaged(CALENDAR + [["2026-10-28", "10:00", "12:00", f"Row {i}", "C", "", "", ""]
                                         for i in range(50)]))
    assert main(["import", "schedule", str(path)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err
    plain(err)
    assert count(cli_env) == 0


@pytest.mark.parametrize("name, content, expected", [
    ("bomb.xlsx", bomb(CALENDAR, mb=20), "more than 100 times is refused as a likely zip bomb"),
    ("big.xlsx", bomb(CALENDAR, mb=60), "unpacks to more than 50 MB"),
    ("cut.xlsx", damaged(EXPORT), "damaged"),
    ("broken.xlsx", b"PK not really", "isn't an .xlsx workbook"),
    ("nowb.xlsx", not_a_workbook_zip(), "isn't an .xlsx workbook"),
])
def test_a_dmed_hostile_file_gets_a_plain_refusal_and_nothing_changes(bot, db, name, content, expected):  # noqa: F811
    bot.stub.add_file("FX", name, content, "xlsx", user=ADMIN)
    share(bot, "FX")
    [reply] = handled(bot, db, "FX")
    text = reply.params["text"]
    assert expected in text and "went wrong" not in text, text
    plain(text)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LiveSession)) == 0


def test_out_of_range_dates_in_the_calendar_are_row_errors(cli_env, tmp_path, capsys):  # noqa: F811
    from test_schedule_xlsx import write

    path = tmp_path / "far.xlsx"
    write(path, [["9999-12-31", "22:00", "23:00", "Far", "C", "", "", ""],
                 [datetime(9999, 12, 31), "10:00", "12:00", "Far cell", "C", "", "", ""],
                 ["0001-01-01", "10:00", "12:00", "Old", "C", "", "", ""],
                 ["2026-10-27", "10:00", "12:00", "Fine", "C", "", "", ""]])
    assert main(["import", "schedule", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2: date 9999-12-31 is more than two years ahead" in err
    assert "row 3: date 9999-12-31 is more than two years ahead" in err
    assert "row 4: date 0001-01-01 is more than a year ago" in err
    assert "Nothing was imported: 3 row(s)" in err
    plain(err)
    assert count(cli_env) == 0


def test_out_of_range_metrics_are_row_errors_and_nothing_is_imported(cli_env, tmp_path, capsys):  # noqa: F811
    with cli_env.transaction() as s:
        new_session(s, "2026-11-16", "10:00", "12:00", title="Glow LIVE")
    path = tmp_path / "live.csv"
    path.write_text("Livestream,Start time,Gross revenue,Views,Orders paid for\n"
                    "Glow LIVE,2026-11-16 10:00,$10.00,3000000000,1\n"
                    "Far LIVE,9999-12-31 23:30,$1.00,10,1\n")
    assert main(["import", "metrics", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2, Views: '3000000000' is more than 2,147,483,647" in err
    assert "row 3, Start time: '9999-12-31 23:30' is outside 2016-2100" in err
    plain(err)
    with cli_env.read() as s:
        assert s.scalar(select(func.count()).select_from(SessionMetrics)) == 0


def test_control_characters_in_user_text_do_not_break_the_export(cli_env, tmp_path, capsys):  # noqa: F811
    with cli_env.transaction() as s:
        live = new_session(s, "2026-10-27", "10:00", "12:00", tier="C", title="Glow\x0bserum\x01 LIVE")
        live.notes = "line one\x0bline two\x1f"
        calendar.assign(s, "cli", live.id, {"host": HOST}, schedule_rules())
        segments.replace_plan(s, "cli", live, [segments.SegmentInput("hook", 0, 5, "hi\x0bthere",
                                                                           talking_points="\x0b=1+1\x08")])
    out = tmp_path / "week.xlsx"
    assert main(["export", "schedule", "--week", "2026-W44", "--out", str(out)]) == 0, capsys.readouterr().err
    wb = load_workbook(out)
    assert wb.active["D2"].value == "Glow\nserum LIVE" and wb.active["H2"].value == "line one\nline two"
    assert wb["Run of show"]["G2"].value == "\n=1+1"
    # and it round-trips: the cleaned file imports as an update of the same session
    assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
    assert count(cli_env) == 1


def schedule_rules():
    from schedule_helpers import RULES

    return RULES


def test_the_shared_sanitiser():
    assert safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe("\t=1") == "'\t=1" and safe("-5 off") == "'-5 off"
    assert safe("a\x0bb\x0cc\x00d\ud800e\uffff") == "a\nb\ncde"
    assert safe("\x01=1") == "'=1"  # what is left after cleaning is what gets quoted
    assert safe(5) == 5 and safe(None) is None and safe(date(2026, 1, 1)) == date(2026, 1, 1)
    assert safe("x" * 40_000).endswith("[cut: over Excel's cell limit]")


@freeze_time("2026-11-20 17:00:00")
def test_scorecard_and_approvals_exports_use_the_shared_sanitiser():
    from bot.services.briefs import export as approvals_export
    from bot.services.scorecard import xlsx as scorecard_xlsx

    assert approvals_export.safe is safe and scorecard_xlsx.safe is safe


def test_the_archive_checks_count_parts_and_spare_small_parts(tmp_path):
    import zipfile

    from bot.services.errors import Invalid
    from bot.services.workbooks import Limits, check_archive

    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(2001):
            z.writestr(f"xl/p{i}.xml", "")
    with pytest.raises(Invalid, match="2,001 parts inside; opsbot reads workbooks of up to 2,000 parts"):
        check_archive(many, "many.xlsx", Limits())
    small = tmp_path / "small.xlsx"
    small.write_bytes(xlsx_bytes([["x" * 10]] * 2000))  # repetitive, so it compresses well, but it is small
    check_archive(small, "small.xlsx", Limits())
    assert Limits.from_mb(None).max_uncompressed_bytes == 50 * 1_048_576
