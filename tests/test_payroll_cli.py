"""`opsbot pay rate`, `opsbot payroll compute [--json]` and `opsbot export payroll` (read back to the cent)."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import pytest
from cli_helpers import cli  # noqa: F401 - fixture
from conftest import HOST, HOST2
from freezegun import freeze_time
from openpyxl import load_workbook
from payroll_helpers import CFG, crew, worked
from schedule_helpers import person
from sqlalchemy import select

from bot.db.models import TimeEntry
from bot.db.payroll import PayRate
from bot.services.payroll import timesheets


@pytest.fixture
def env(cli, monkeypatch, db, db_url):  # noqa: F811
    monkeypatch.setenv("PAY_PERIOD_ANCHOR", "2026-10-04")
    crew(db)
    return lambda *argv: cli(list(argv), db_url)


def approve_all(db):
    with db.transaction() as s:
        for uid in (HOST, HOST2):
            timesheets.approve(s, "cli", uid, date(2026, 10, 5), CFG, CFG.cal.workday_start_at(date(2026, 10, 20)))


@freeze_time("2026-10-20 17:00:00")
def test_pay_rate_by_email_name_and_id(env, db):
    code, out = env("pay", "rate", "hana@studio.test", "30.00", "--from", "2026-10-11", "--role", "host")
    assert code == 0 and "hana: $30.00/h as host from 2026-10-11" in out
    assert env("pay", "rate", "hugo", "31", "--contractor")[0] == 0
    code, out = env("pay", "rate", "nobody-here", "30.00")
    assert code == 2 and "unknown person" in out.lower()
    code, out = env("pay", "rate", HOST, "-5")
    assert code == 2 and "rate" in out.lower()
    with db.read() as s:
        assert {(r.person.slack_user_id, str(r.rate), r.role, r.contractor) for r in s.scalars(select(PayRate))} >= {
            (HOST, "30.00", "host", False), (HOST2, "31.00", "any", True)}


def test_compute_json_has_exactly_the_documented_shape(env):
    code, out = env("payroll", "compute", "--period", "2026-10-09", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["period"] == {"start": "2026-10-04", "end": "2026-10-17"} and data["approved"] is False
    hana = next(p for p in data["people"] if p["person"] == HOST)
    assert hana == {"person": HOST, "name": "hana", "regular_hours": "8.00", "overtime_hours": "0.00",
                    "double_time_hours": "0.00", "meal_premium_hours": "0.00", "rest_premium_hours": "0.00",
                    "gross_pay": "200.00", "exceptions": []}
    hugo = next(p for p in data["people"] if p["person"] == HOST2)
    assert hugo["gross_pay"] == "160.00" and hugo["meal_premium_hours"] == "1.00"
    assert hugo["exceptions"][0]["date"] == "2026-10-05" and hugo["exceptions"][0]["kind"] == "missed_meal"
    code, table = env("payroll", "compute", "--period", "2026-10-09")
    assert code == 0 and "NOT approved" in table and "Total gross: $360.00" in table and "missed meal" in table


def test_compute_without_anchor_names_the_setting(cli, db, db_url, monkeypatch):  # noqa: F811
    monkeypatch.delenv("PAY_PERIOD_ANCHOR", raising=False)
    code, out = cli(["payroll", "compute", "--period", "2026-10-09"], db_url)
    assert code == 2 and "PAY_PERIOD_ANCHOR" in out


def test_export_refuses_an_unapproved_period_unless_draft(env, tmp_path):
    out = tmp_path / "g.csv"
    code, text = env("export", "payroll", "--period", "2026-10-05", "--format", "gusto", "--out", str(out))
    assert code == 2 and "not approved" in text and "--draft" in text and not out.exists()
    code, text = env("export", "payroll", "--period", "2026-10-05", "--format", "adp", "--out", str(out), "--draft")
    assert code == 0 and "DRAFT" in text and "DRAFT1004" in out.read_text()


def test_three_exports_agree_with_compute_to_the_cent(env, db, tmp_path):
    with db.transaction() as s:  # make it interesting: a 14 h day with double time, and a name that looks like a formula
        p = person(s, "UPA00001", "pa", name="=HYPERLINK(evil)")
        p.real_name = "=cmd Evil"
        worked(s, p, "2026-10-07", "06:00", "21:00", breaks=("10:00-10:30", "14:30-15:00"), role="pa")
        from payroll_helpers import rate

        rate(s, p, "18.33")
    with db.transaction() as s:  # the associate corrects hana's Monday (09:00-13:00 -> 09:00-13:30), with a reason
        from schedule_helpers import LA, at

        from bot.services import people, timeclock
        from bot.services.timeclock import Policy

        hana = people.get(s, HOST)
        monday = s.scalars(select(TimeEntry).where(TimeEntry.person_id == hana.id).order_by(TimeEntry.clock_in_at)).first()
        timeclock.edit_entry(s, person(s, "UADMIN01", "associate"), monday.id, clock_in_at=monday.clock_in_at,
                             clock_out_at=at("2026-10-05", "13:30"), reason="stayed for the restock",
                             now=at("2026-10-19", "09:00"), policy=Policy(tz=LA))
    with db.transaction() as s:
        timesheets.approve(s, "cli", "UPA00001", date(2026, 10, 5), CFG, CFG.cal.workday_start_at(date(2026, 10, 20)))
    approve_all(db)
    code, out = env("payroll", "compute", "--period", "2026-10-05", "--json")
    data = json.loads(out)
    assert data["approved"] is True
    assert next(p for p in data["people"] if p["person"] == HOST)["gross_pay"] == "212.50"  # 8.5 h x 25
    want = {k: sum(Decimal(p[k]) for p in data["people"]) for k in
            ("regular_hours", "overtime_hours", "double_time_hours", "meal_premium_hours", "rest_premium_hours", "gross_pay")}
    assert want["gross_pay"] == Decimal("212.50") + Decimal("160.00") + Decimal("146.64") + Decimal("109.98") + Decimal("73.32")
    # 8 h x 18.33; 4 h x 18.33 x 1.5 = 109.98 (one rounding per line, not a rounded 27.50 rate); 2 h x 18.33 x 2

    files = {f: tmp_path / f"p.{f}" for f in ("gusto", "adp", "xlsx")}
    for fmt, path in files.items():
        code, text = env("export", "payroll", "--period", "2026-10-05", "--format", fmt, "--out", str(path))
        assert code == 0, text
        assert f"gross ${want['gross_pay']:,.2f}" in text

    rows = list(csv.DictReader(files["gusto"].open()))
    assert sum(Decimal(r["Regular Hours"]) for r in rows) == want["regular_hours"]
    assert sum(Decimal(r["Double Overtime Hours"]) for r in rows) == want["double_time_hours"] == Decimal("2.00")
    assert sum(Decimal(r["Meal Premium Hours"]) for r in rows) == want["meal_premium_hours"]
    assert sum(Decimal(r["Gross Pay"]) for r in rows) == want["gross_pay"]
    assert any(r["First Name"] == "'=cmd" for r in rows)  # no formula from user text

    adp = list(csv.DictReader(files["adp"].open()))
    assert sum(Decimal(r["Reg Hours"] or 0) for r in adp) == want["regular_hours"]
    assert sum(Decimal(r["O/T Hours"] or 0) for r in adp) == want["overtime_hours"]
    h3 = {}
    for r in adp:
        if r["Hours 3 Code"]:
            h3[r["Hours 3 Code"]] = h3.get(r["Hours 3 Code"], Decimal(0)) + Decimal(r["Hours 3 Amount"])
    assert h3 == {"D": want["double_time_hours"], "MP": want["meal_premium_hours"]}
    assert {r["Batch ID"] for r in adp} == {"PR1004"}

    wb = load_workbook(files["xlsx"])
    summary = wb["Summary"]
    assert "APPROVED" in summary["A1"].value
    body = [r for r in summary.iter_rows(min_row=3, values_only=True)]
    total = body[-1]
    assert total[0] == "Total"
    assert Decimal(str(total[7])).quantize(Decimal("0.01")) == want["gross_pay"]
    assert sum(Decimal(str(r[7])).quantize(Decimal("0.01")) for r in body[:-1]) == want["gross_pay"]
    assert Decimal(str(total[4])).quantize(Decimal("0.01")) == want["double_time_hours"]
    assert len(wb.sheetnames) == 4  # Summary + one per person
    hana_rows = list(wb["hana"].iter_rows(values_only=True))
    edited = next(r for r in hana_rows if r[0] == monday.id)
    assert edited[1:5] == ("2026-10-05 09:00", "2026-10-05 13:00", "2026-10-05 09:00", "2026-10-05 13:30")
    assert edited[7] == "UADMIN01" and edited[8] == "stayed for the restock"
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("=") for v in row)


def test_a_person_without_a_rate_is_an_exception_that_blocks_approval_and_export(env, db, tmp_path):
    with db.transaction() as s:
        p = person(s, "UPA00001", "pa", name="pat")
        worked(s, p, "2026-10-08", "09:00", "12:00", role="pa")
    code, out = env("payroll", "compute", "--period", "2026-10-05", "--json")
    pat = next(p for p in json.loads(out)["people"] if p["person"] == "UPA00001")
    assert pat["gross_pay"] == "0.00" and pat["exceptions"][0]["kind"] == "no_rate"
    assert "has no pay rate on 2026-10-08" in pat["exceptions"][0]["detail"]
    with db.transaction() as s, pytest.raises(Exception, match="has no pay rate"):
        timesheets.approve(s, "cli", "UPA00001", date(2026, 10, 5), CFG, CFG.cal.workday_start_at(date(2026, 10, 20)))
    code, text = env("export", "payroll", "--period", "2026-10-05", "--format", "gusto", "--out", str(tmp_path / "g.csv"), "--draft")
    assert code == 2 and "pat has no pay rate" in text


def test_approve_and_unlock_from_the_cli(env, db):
    code, out = env("timesheets", "approve", "--period", "2026-10-05")
    assert code == 0 and "Approved: hana." in out and "Left for review (exceptions): hugo." in out
    code, out = env("timesheets", "approve", "hugo", "--period", "2026-10-05")
    assert code == 0 and "Approved: hugo." in out
    code, out = env("payroll", "compute", "--period", "2026-10-05", "--json")
    assert json.loads(out)["approved"] is True
    code, out = env("timesheets", "unlock", "hugo", "--period", "2026-10-05", "--reason", " ")
    assert code == 2 and "Say why" in out
    code, out = env("timesheets", "unlock", "hugo", "--period", "2026-10-05", "--reason", "meal was taken, badge photo")
    assert code == 0 and "Unlocked hugo" in out
    with db.read() as s:
        from bot.db.models import AuditRecord

        rec = s.scalar(select(AuditRecord).where(AuditRecord.action == "payroll.timesheet_unlocked"))
        assert rec.actor == "cli" and rec.reason == "meal was taken, badge photo"
