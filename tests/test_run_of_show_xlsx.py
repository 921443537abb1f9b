"""The schedule spreadsheet's `Run of show` sheet: template, export -> edit -> import round trip, all-or-nothing."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook, load_workbook
from schedule_helpers import RULES
from test_schedule_xlsx import cli_env  # noqa: F401  (fixture)

from bot.cli import main
from bot.services.run_of_show import segments as run_of_show_segments
from bot.services.schedule import calendar, catalog
from bot.services.schedule.xlsx import HEADER, ROS_HEADER, ROS_SHEET


def write(path, schedule_rows, ros_rows, ros_header=ROS_HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in schedule_rows:
        ws.append(r)
    ros = wb.create_sheet(ROS_SHEET)
    ros.append(ros_header)
    for r in ros_rows:
        ros.append(r)
    wb.save(path)


def plans(db):
    with db.read() as s:
        return {lv.id: run_of_show_segments.segments(s, lv.id) for lv in calendar.week_sessions(s, date(2026, 10, 26), RULES)}


def test_template_has_the_run_of_show_sheet(cli_env, tmp_path):  # noqa: F811
    path = tmp_path / "t.xlsx"
    assert main(["template", "schedule", str(path)]) == 0
    ws = load_workbook(path)[ROS_SHEET]
    assert [c.value for c in ws[1]] == ROS_HEADER
    assert ws["A2"].value.startswith("2026-11-02 10:00 Glow serum LIVE")


def test_run_of_show_sheet_round_trips_and_is_all_or_nothing(cli_env, tmp_path, capsys):  # noqa: F811
    db = cli_env
    with db.transaction() as s:
        catalog.add_product(s, "cli", "GLOW-30", "Glow serum", "C")
    path = tmp_path / "in.xlsx"
    sched = [["2026-10-27", "10:00", "12:00", "Glow LIVE", "C", "hana", "pat", ""],
             ["2026-10-28", "10:00", "11:00", "Glow LIVE", "C", "hugo", "", ""]]
    bad = [["Glow LIVE", 0, 5, "Hook", "", "", "", ""],  # ambiguous: two rows are called Glow LIVE
           ["2026-10-27 10:00 Glow LIVE", -1, 5, "Q&A", "", "", "", ""],
           ["2026-10-27 10:00 Glow LIVE", 110, 20, "Close", "", "", "", ""],
           ["2026-10-28 10:00 Glow LIVE", 0, 30, "Product block: serum", "GLOW-30", "", "", "Boss"],
           ["2026-10-28 10:00 Glow LIVE", 20, 10, "Flash deal", "", "", "", ""]]
    write(path, sched, bad)
    assert main(["import", "schedule", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2: (Run of show sheet) 2 schedule rows are called 'Glow LIVE'" in err
    assert "row 3: (Run of show sheet) The offset can't be negative" in err
    assert "row 4: (Run of show sheet) It would end at minute 130, after the LIVE ends (minute 120)" in err
    assert "row 5: (Run of show sheet) Lead 'Boss' is not Host or Co-host" in err
    assert plans(db) == {}  # nothing written, the schedule rows included

    good = [["2026-10-27 10:00 Glow LIVE", 0, 5, "Hook: welcome", "", "", "Say hi\nShow the bundle", "Host"],
            ["2026-10-27 10:00 Glow LIVE", 5, 20, "Product block: serum", "glow-30", "2 for $40", "", "host"],
            ["2026-10-27 10:00 Glow LIVE", 30, 10, "Unboxing", "NEW-1", "", "'=not a formula", ""],
            ["2026-10-28 10:00 Glow LIVE", 0, 30, "Flash deal", "", "$15", "", "Co-host"],
            ["2026-10-28 10:00 Glow LIVE", 20, 10, "Q&A", "", "", "", ""]]  # overlaps the flash deal
    write(path, sched, good)
    assert main(["import", "schedule", str(path)]) == 1
    assert "(Run of show sheet) 'Q&A' (minute 20) starts before 'Flash deal' ends (minute 30)" in capsys.readouterr().err
    good[-1][1] = 30
    write(path, sched, good)
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    assert "run-of-show replaced for 2 session(s)" in capsys.readouterr().out
    with db.read() as s:
        lives = calendar.week_sessions(s, date(2026, 10, 26), RULES)
        tue = run_of_show_segments.segments(s, lives[0].id)
        assert [(g.kind, g.title, g.sku, g.product_id is not None, g.lead_role) for g in tue] == [
            ("hook", "welcome", None, False, "host"), ("product", "serum", "GLOW-30", True, "host"),
            ("other", "Unboxing", "NEW-1", False, None)]
        assert tue[0].talking_points == "Say hi\nShow the bundle" and tue[2].talking_points == "=not a formula"
        before = [[(g.kind, g.title, g.offset_min, g.duration_min, g.sku, g.offer, g.talking_points, g.lead_role)
                   for g in run_of_show_segments.segments(s, lv.id)] for lv in lives]

    out = tmp_path / "out.xlsx"
    assert main(["export", "schedule", "--week", "2026-W44", "--out", str(out)]) == 0
    wb = load_workbook(out)
    ros = wb[ROS_SHEET]
    assert ros["G4"].value == "'=not a formula" and ros["A2"].value == "2026-10-27 10:00 Glow LIVE"
    ros.cell(6, 2).value = 45  # move the Q&A on Wednesday
    wb.save(out)
    assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
    with db.read() as s:
        lives = calendar.week_sessions(s, date(2026, 10, 26), RULES)
        after = [[(g.kind, g.title, g.offset_min, g.duration_min, g.sku, g.offer, g.talking_points, g.lead_role)
                  for g in run_of_show_segments.segments(s, lv.id)] for lv in lives]
    assert len(lives) == 2 and after[0] == before[0]
    assert after[1] == [before[1][0], ("qa", None, 45, 10, None, None, None, None)]
