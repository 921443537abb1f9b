"""Spreadsheet round trip through the CLI: template, export, import all-or-nothing, formula-safe cells."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import ADMIN, HOST, HOST2, PA
from freezegun import freeze_time
from openpyxl import Workbook, load_workbook
from schedule_helpers import RULES, at, new_session, person, seed
from sqlalchemy import func, select

from bot.cli import main
from bot.db.models import LiveSession
from bot.services.schedule import calendar
from bot.services.schedule.xlsx import HEADER


@pytest.fixture
def cli_env(db, db_url, monkeypatch):
    seed(db)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TEAM_TIMEZONE", "America/Los_Angeles")
    with db.transaction() as s:
        person(s, ADMIN, "associate")
        person(s, HOST, "host", tier="Lead", name="hana", email="hana@studio.test")
        person(s, HOST2, "host", tier="Rookie", name="hugo", email="hugo@studio.test")
        person(s, PA, "pa", name="pat", email="pat@studio.test")
    with freeze_time("2026-10-20 17:00:00"):
        yield db


def write(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


def count(db):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(LiveSession))


def test_template_has_header_example_and_validation(cli_env, tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    assert main(["template", "schedule", str(path)]) == 0
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]] == HEADER
    assert ws["D2"].value.startswith("Glow serum LIVE")
    kinds = {dv.type: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert kinds["list"].startswith("E2") and kinds["date"].startswith("A2") and kinds["time"].startswith("B2")
    assert '"A,B,C"' in next(dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list")


def test_import_is_all_or_nothing_and_reports_each_bad_row(cli_env, tmp_path, capsys):
    db = cli_env
    path = tmp_path / "bad.xlsx"
    write(path, [
        ["2026-10-27", "10:00", "12:00", "Good row", "C", "hana", "pat@studio.test", ""],
        ["2026-10-27", "14:00", "13:00", "Backwards", "C", "", "", ""],
        ["2026-13-01", "10:00", "12:00", "Bad date", "C", "", "", ""],
        ["2026-10-28", "10:00", "12:00", "Who", "C", "nobody@studio.test", "", ""],
        ["2026-10-27", "11:00", "13:00", "Overlap", "C", HOST, "", ""],
        ["2026-10-29", "10:00", "12:00", "Hero", "A", "hugo", "", ""],
    ])
    assert main(["import", "schedule", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 3: end before start" in err
    assert "row 4: bad date" in err
    assert "row 5: unknown person 'nobody@studio.test'" in err
    assert "row 6: overlap: hana is already on Host on row 2" in err
    assert "row 7: tier too low" in err
    assert "Nothing was imported: 5 row(s)" in err
    assert count(db) == 0


def test_round_trip_export_edit_import(cli_env, tmp_path, capsys):
    db = cli_env
    path = tmp_path / "in.xlsx"
    write(path, [
        # a quoted formula (how a spreadsheet keeps text that starts with '=') comes back as the text itself
        ["2026-10-27", "10:00", "12:00", "'=HYPERLINK(\"http://evil\")", "A", HOST, "pat", "+1 bundle"],
        [date(2026, 11, 1), "09:00", "11:00", "Sunday after DST", "C", "hugo@studio.test", "", "@notes"],
    ])
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    assert "2 session(s) added" in capsys.readouterr().out
    with db.read() as s:
        lives = calendar.week_sessions(s, date(2026, 10, 26), RULES)
        assert [lv.title for lv in lives] == ['=HYPERLINK("http://evil")', "Sunday after DST"]
        assert lives[1].starts_at == at("2026-11-01", "09:00")  # PST after the fall-back
        assert calendar.slot(lives[0], "host").person.slack_user_id == HOST
        assert calendar.slot(lives[0], "pa").person.slack_user_id == PA

    out = tmp_path / "out.xlsx"
    assert main(["export", "schedule", "--week", "2026-W44", "--out", str(out)]) == 0
    ws = load_workbook(out).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows[0][3] == "'=HYPERLINK(\"http://evil\")" and rows[0][7] == "'+1 bundle" and rows[1][7] == "'@notes"
    assert all(ws.cell(r, c).data_type != "f" for r in range(1, ws.max_row + 1) for c in range(1, 9))
    # people by name, with the Slack ID in a trailing column for the round trip (issue 14)
    assert rows[0][5] == "hana" and rows[0][9] == HOST and rows[1][1].strftime("%H:%M") == "09:00"

    # edit the exported file: move the Sunday session's PA, re-import: updated, not duplicated
    wb = load_workbook(out)
    wb.active.cell(3, 7).value = "pat"
    wb.save(out)
    assert main(["import", "schedule", str(out)]) == 0
    assert "0 session(s) added, 2 updated" in capsys.readouterr().out
    assert count(db) == 2
    with db.read() as s:
        sunday = calendar.week_sessions(s, date(2026, 10, 26), RULES)[1]
        assert calendar.slot(sunday, "pa").person.slack_user_id == PA
        assert sunday.notes == "@notes"


def test_import_refuses_overlap_with_existing_shift_and_bad_header(cli_env, tmp_path, capsys):
    db = cli_env
    with db.transaction() as s:
        live = new_session(s, "2026-10-27", "10:00", "12:00", tier="C", title="Existing")
        calendar.assign(s, "cli", live.id, {"host": HOST2}, RULES)
    path = tmp_path / "x.xlsx"
    write(path, [["2026-10-27", "11:00", "12:30", "Clash", "C", "hugo", "", ""]])
    assert main(["import", "schedule", str(path)]) == 1
    assert "row 2: overlap: hugo is already on Host on Existing" in capsys.readouterr().err
    wb = Workbook()
    wb.active.append(["Start", "Date"])
    wb.save(path)
    assert main(["import", "schedule", str(path)]) == 2
    assert "header" in capsys.readouterr().err
    assert count(db) == 1


def test_suggest_cli_prints_picks(cli_env, capsys):
    db = cli_env
    with db.transaction() as s:
        from schedule_helpers import all_week

        all_week(s, person(s, HOST))
        new_session(s, "2026-10-27", "10:00", "12:00", tier="A", title="Hero")
    assert main(["schedule", "suggest", "--week", "2026-W44"]) == 0
    out = capsys.readouterr().out
    assert "Hero" in out and "hana" in out and "1 of 1 open host slot(s) suggested" in out
