"""`opsbot timesheets import FILE.xlsx`: every row or none, row errors by number, idempotent, audited, lock-aware."""

from __future__ import annotations

import json
from datetime import date

import pytest
from cli_helpers import cli  # noqa: F401 - fixture
from conftest import HOST, HOST2
from openpyxl import Workbook
from payroll_helpers import CFG, crew
from sqlalchemy import func, select

from bot.db.models import AuditRecord, TimeEntry
from bot.db.payroll import EntryBreak
from bot.services.payroll import timesheets

HEADER = ["Person", "Date", "In", "Out", "Unpaid breaks", "Notes"]
GOOD = [
    ["hana@studio.test", "2026-10-20", "18:00", "02:30", "22:00-22:30", "overnight LIVE"],  # Out before In: next day
    [HOST2, "2026-10-21", "09:00", "17:30", "13:00-13:30", ""],
    ["hugo", "2026-10-22", "20:00", "04:00", "00:15-00:45", "break after midnight"],
]


def book(tmp_path, rows, name="punches.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.fixture
def run(cli, monkeypatch, db, db_url):  # noqa: F811
    monkeypatch.setenv("PAY_PERIOD_ANCHOR", "2026-10-04")
    crew(db)
    return lambda *argv: cli(list(argv), db_url)


def count(db, source="import"):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(TimeEntry).where(TimeEntry.source == source))


def test_good_rows_import_and_a_second_identical_import_changes_nothing(run, db, tmp_path):
    path = book(tmp_path, GOOD)
    code, out = run("timesheets", "import", str(path))
    assert code == 0 and "3 time entries added" in out, out
    code, out = run("timesheets", "import", str(path))
    assert code == 0 and "0 time entries added; 3 already recorded" in out, out
    assert count(db) == 3
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(EntryBreak)) == 3
        recs = s.scalars(select(AuditRecord).where(AuditRecord.action == "timeclock.entry_imported")).all()
        assert len(recs) == 3 and all("imported from punches.xlsx row" in r.reason for r in recs)
    code, out = run("payroll", "compute", "--period", "2026-10-21", "--json")
    hugo = next(p for p in json.loads(out)["people"] if p["person"] == HOST2)
    assert hugo["regular_hours"] == "15.50" and hugo["meal_premium_hours"] == "0.00"  # 8 + 7.5: the imported meals were on time
    assert [x["kind"] for x in hugo["exceptions"]] == ["unscheduled_work", "unscheduled_work"]  # no shift on the calendar


def test_every_bad_row_is_reported_and_nothing_is_imported(run, db, tmp_path):
    rows = [
        *GOOD,
        ["nobody at all", "2026-10-23", "09:00", "10:00", "", ""],  # row 5
        [HOST, "2026-10-23", "9am", "10:00", "", ""],  # row 6
        [HOST, "2026-10-24", "09:00", "09:00", "", ""],  # row 7
        [HOST, "2026-10-25", "09:00", "12:00", "13:00-13:30", ""],  # row 8
        [HOST, "2026-10-05", "10:00", "11:00", "", ""],  # row 9: overlaps a recorded punch (09:00-13:00)
        [HOST, "2026-10-20", "23:00", "23:30", "", ""],  # row 10: overlaps row 2
    ]
    code, out = run("timesheets", "import", str(book(tmp_path, rows)))
    assert code == 1, out
    lines = out.splitlines()
    assert any(line.startswith("row 5: unknown person") for line in lines)
    assert any(line.startswith("row 6: In must be a time") for line in lines)
    assert any(line.startswith("row 7: Out is the same as In") for line in lines)
    assert any(line.startswith("row 8: the break 13:00-13:30 is outside the shift") for line in lines)
    assert any(line.startswith("row 9: overlaps a punch already recorded") for line in lines)
    assert any(line.startswith("row 10: overlaps row 2") for line in lines)
    assert "Nothing was imported: 6 row(s) need fixing." in out
    assert count(db) == 0


def test_a_row_in_a_locked_period_is_refused_naming_the_lock(run, db, tmp_path):
    with db.transaction() as s:
        timesheets.approve(s, "cli", HOST, date(2026, 10, 5), CFG, CFG.cal.workday_start_at(date(2026, 10, 18)))
    code, out = run("timesheets", "import", str(book(tmp_path, [[HOST, "2026-10-07", "09:00", "12:00", "", ""]])))
    assert code == 1 and "row 2: the timesheet for Oct 4 - Oct 17, 2026 is approved and locked" in out
    assert count(db) == 0


def test_wrong_header_is_one_sentence(run, tmp_path):
    wb = Workbook()
    wb.active.append(["Who", "When"])
    wb.save(tmp_path / "x.xlsx")
    code, out = run("timesheets", "import", str(tmp_path / "x.xlsx"))
    assert code == 2 and "header Person, Date, In, Out, Unpaid breaks, Notes" in out
