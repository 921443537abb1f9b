"""The calendar export -> edit -> import round trip (issues 13 §4 and 14): a moved row moves its session, an
overnight LIVE ends the next day, names with IDs, sessions that already started are skipped, the template's
example is ahead of today."""

from __future__ import annotations

from datetime import date, time

from conftest import HOST, HOST2, PA
from freezegun import freeze_time
from openpyxl import load_workbook
from schedule_helpers import RULES, at, person
from sqlalchemy import select
from test_schedule_xlsx import cli_env, count, write  # noqa: F401  (fixture)
from test_uploads_e2e import bot  # noqa: F401  (fixture)

from bot.cli import main
from bot.db.models import LiveSession, OutboxMessage
from bot.services.run_of_show import segments
from bot.services.schedule import calendar as schedule_calendar, publishing
from bot.services.schedule.sheet import HOST_ID, KEY, NEXT_DAY_FORMAT, TRAILING

MONDAY = date(2026, 10, 26)


def export(tmp_path, capsys, name="out.xlsx"):
    out = tmp_path / name
    assert main(["export", "schedule", "--week", "2026-W44", "--out", str(out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return out


def sessions(db):
    with db.read() as s:
        return [(lv.title, lv.starts_at, lv.ends_at, (schedule_calendar.slot(lv, "host").person or None) and
                 schedule_calendar.slot(lv, "host").person.slack_user_id) for lv in schedule_calendar.week_sessions(s, MONDAY, RULES)]


def test_moving_a_row_moves_the_session_and_the_dm_says_from_and_to(cli_env, tmp_path, capsys):  # noqa: F811
    db = cli_env
    path = tmp_path / "in.xlsx"
    write(path, [["2026-10-27", "18:00", "20:00", "Night Cream LIVE", "C", "hana", "pat", ""]])
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    with db.transaction() as s:
        publishing.publish_week(s, "cli", MONDAY, RULES, "C0OPS")
    out = export(tmp_path, capsys)
    wb = load_workbook(out)
    ws = wb.active
    assert [c.value for c in ws[1]][-3:] == TRAILING
    ws.cell(2, 2).value, ws.cell(2, 3).value = time(14, 0), "16:00"
    wb.save(out)
    assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
    assert "0 session(s) added, 1 updated (1 moved)" in capsys.readouterr().out
    assert sessions(db) == [("Night Cream LIVE", at("2026-10-27", "14:00"), at("2026-10-27", "16:00"), HOST)]
    with db.transaction() as s:
        before = s.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
        publishing.publish_week(s, "cli", MONDAY, RULES, "C0OPS")
        dms = {m.channel: m.payload["text"] for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.id > before, OutboxMessage.kind == "dm"))}
    assert set(dms) == {HOST, PA}
    assert "Night Cream LIVE moved from" in dms[HOST] and "6:00 PM" in dms[HOST] and "2:00 PM" in dms[HOST]
    assert "added" not in dms[HOST] and "removed" not in dms[HOST]


def test_a_key_of_a_session_that_is_gone_is_a_row_error(cli_env, tmp_path, capsys):  # noqa: F811
    db = cli_env
    path = tmp_path / "in.xlsx"
    write(path, [["2026-10-27", "18:00", "20:00", "Night Cream LIVE", "C", "", "", ""]])
    assert main(["import", "schedule", str(path)]) == 0
    out = export(tmp_path, capsys)
    with db.transaction() as s:
        schedule_calendar.cancel_session(s, "cli", s.scalar(select(LiveSession.id)))
    assert main(["import", "schedule", str(out)]) == 1
    assert "row 2: Session key 1 belongs to no session in the calendar" in capsys.readouterr().err


def test_an_overnight_live_ends_the_next_day_and_round_trips(cli_env, tmp_path, capsys):  # noqa: F811
    db = cli_env
    path = tmp_path / "in.xlsx"
    write(path, [["2026-10-30", "20:00", "01:00", "Late LIVE", "C", "hana", "", ""]])
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    assert sessions(db) == [("Late LIVE", at("2026-10-30", "20:00"), at("2026-10-31", "01:00"), HOST)]
    out = export(tmp_path, capsys)
    ws = load_workbook(out).active
    assert ws["C2"].value == time(1, 0) and ws["C2"].number_format == NEXT_DAY_FORMAT  # shows "01:00 (next day)"
    assert ws["B2"].number_format == "hh:mm"
    assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
    assert "0 session(s) added, 1 updated" in capsys.readouterr().out
    assert sessions(db) == [("Late LIVE", at("2026-10-30", "20:00"), at("2026-10-31", "01:00"), HOST)]


def test_hosts_show_by_name_and_the_id_column_keeps_namesakes_apart(cli_env, tmp_path, capsys):  # noqa: F811
    db = cli_env
    with db.transaction() as s:
        person(s, "UHOST003", "host", tier="Lead", name="hana")  # a second "hana"
    path = tmp_path / "in.xlsx"
    write(path, [["2026-10-27", "10:00", "12:00", "Glow LIVE", "C", "hana@studio.test", "", ""],
                 ["2026-10-28", "10:00", "12:00", "Mask LIVE", "C", "UHOST003", "", ""]])
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    out = export(tmp_path, capsys)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert [(r["Host"], r[HOST_ID]) for r in rows] == [("hana", HOST), ("hana", "UHOST003")]
    assert all(isinstance(r[KEY], int) for r in rows)
    assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
    assert [h for *_, h in sessions(db)] == [HOST, "UHOST003"]
    # a name typed over the exported one wins over the stale ID next to it
    wb = load_workbook(out)
    wb.active.cell(3, 6).value = "hugo"
    wb.save(out)
    assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
    assert [h for *_, h in sessions(db)] == [HOST, HOST2]


def test_reimporting_this_weeks_export_skips_sessions_that_already_started(cli_env, tmp_path, capsys):  # noqa: F811
    db = cli_env
    path = tmp_path / "in.xlsx"
    write(path, [["2026-10-27", "18:00", "20:00", "Night Cream LIVE", "C", "hana", "", ""],
                 ["2026-10-29", "10:00", "12:00", "Glow LIVE", "C", "hugo", "", ""]])
    assert main(["import", "schedule", str(path)]) == 0, capsys.readouterr().err
    with freeze_time("2026-10-28 20:00:00"):  # Wednesday 1 PM in Los Angeles
        with db.transaction() as s:
            done = s.scalar(select(LiveSession).where(LiveSession.title == "Night Cream LIVE"))
            done.status = "done"
            segments.replace_plan(s, "cli", done, [segments.SegmentInput("hook", 0, 5, "hello")])
        out = export(tmp_path, capsys)
        assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
        printed = capsys.readouterr().out
        assert "0 session(s) added, 1 updated" in printed and "1 skipped (already started" in printed
        assert "row 2: skipped: Night Cream LIVE already started" in printed
        assert "row 2: skipped: (Run of show sheet) Night Cream LIVE has already started" in printed
        wb = load_workbook(out)
        wb.active.cell(3, 7).value = "pat"  # the future session still takes edits in the same file
        wb.save(out)
        assert main(["import", "schedule", str(out)]) == 0, capsys.readouterr().err
        with db.read() as s:
            glow = s.scalar(select(LiveSession).where(LiveSession.title == "Glow LIVE"))
            assert schedule_calendar.slot(schedule_calendar.get_session(s, glow.id), "pa").person.slack_user_id == PA
        # moving a session that already happened is refused for that row, with what to do instead
        wb.active.cell(2, 1).value = "2026-10-30"
        wb.save(out)
        assert main(["import", "schedule", str(out)]) == 1
        assert "row 2: Night Cream LIVE already started" in capsys.readouterr().err
    assert count(db) == 2


def test_the_template_example_is_dated_ahead_of_today(cli_env, tmp_path):  # noqa: F811
    for today in ("2026-10-20 17:00:00", "2027-06-30 23:30:00"):
        with freeze_time(today):
            path = tmp_path / "t.xlsx"
            assert main(["template", "schedule", str(path)]) == 0
            wb = load_workbook(path)
            day = wb.active["A2"].value.date()
            assert day > date.fromisoformat(today[:10]) and day.weekday() == 0
            assert wb["Run of show"]["A2"].value.startswith(f"{day.isoformat()} 10:00 Glow serum LIVE")


def test_a_key_that_opsbot_did_not_write_is_a_row_error(cli_env, tmp_path, capsys):  # noqa: F811
    from openpyxl import Workbook

    from bot.services.schedule.xlsx import HEADER

    wb = Workbook()
    wb.active.append(HEADER + [KEY])
    wb.active.append(["2026-10-27", "10:00", "12:00", "Typed key", "C", "", "", "", "abc"])
    wb.active.append(["2026-10-28", "10:00", "12:00", "Huge key", "C", "", "", "", 1e20])
    wb.active.append(["2026-10-29", "10:00", "12:00", "No key", "C", "", "", "", None])
    path = tmp_path / "keys.xlsx"
    wb.save(path)
    assert main(["import", "schedule", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2: Session key 'abc' is not one opsbot wrote" in err and "row 3: Session key" in err
    assert "row 4" not in err and "Traceback" not in err
    assert count(cli_env) == 0


def test_a_dmed_unchanged_export_of_this_week_imports_and_reports_the_skipped_rows(bot, db, tmp_path):  # noqa: F811
    from schedule_helpers import new_session
    from test_uploads_e2e import handled, share

    from conftest import ADMIN
    from bot.services.schedule import export as schedule_export

    with db.transaction() as s:
        done = new_session(s, "2026-11-17", "18:00", "20:00", tier="C", title="Night Cream LIVE")
        schedule_calendar.assign(s, "cli", done.id, {"host": HOST}, RULES)
        done.status = "done"
        later = schedule_calendar.create_session(s, "cli", schedule_calendar.SessionInput(  # Saturday 8 PM to Sunday 1 AM
            "Late LIVE", at("2026-11-21", "20:00"), at("2026-11-22", "01:00"), None, "C"))
        out = tmp_path / "week.xlsx"
        schedule_export.export_week(s, date(2026, 11, 16), RULES, out)
    bot.stub.add_file("FW", "week.xlsx", out.read_bytes(), "xlsx", user=ADMIN)
    share(bot, "FW")
    [reply] = handled(bot, db, "FW")
    text = reply.params["text"]
    assert "0 session(s) added, 1 updated" in text and "1 skipped" in text, text
    assert "row 2: skipped: Night Cream LIVE already started" in text
    with db.read() as s:
        assert s.get(LiveSession, later.id).ends_at == at("2026-11-22", "01:00")
        assert s.get(LiveSession, done.id).status == "done"
