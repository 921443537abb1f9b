"""`opsbot export casting` and `opsbot import casting`: round trip, all or nothing with row errors, formula-safe cells."""

from __future__ import annotations

from cli_helpers import cli  # noqa: F401 (fixture)
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from talent_helpers import add_candidate, team

from bot.db.talent import Candidate


def _write(path, rows, header=("id", "name", "handle", "email", "source", "stage", "reason", "link", "languages", "notes")):
    wb = Workbook()
    ws = wb.active
    ws.title = "Candidates"
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_export_then_import_round_trip(cli, db, db_url, tmp_path):
    team(db)
    cid = add_candidate(db, notes="=HYPERLINK(\"x\")")
    out = tmp_path / "casting.xlsx"
    code, text = cli(["export", "casting", "--out", str(out)], db_url)
    assert code == 0 and "Wrote 1 candidate(s)" in text
    wb = load_workbook(out)
    assert wb["Candidates"]["J2"].value == "'=HYPERLINK(\"x\")"  # never a live formula
    assert wb["History"]["E2"].value == "sourced"
    ws = wb["Candidates"]
    ws["B2"], ws["F2"], ws["G2"] = "Mia M. Moreno", "screened", "good reel"
    ws.append([None, "New Person", "new.person", "new@example.com", "agency", "sourced"])
    wb.save(out)
    code, text = cli(["import", "casting", str(out)], db_url)
    assert code == 0 and "1 added, 1 updated (1 moved to a new stage)" in text, text
    with db.read() as s:
        cand = s.get(Candidate, cid)
        assert cand.name == "Mia M. Moreno" and cand.stage == "screened" and cand.notes == "=HYPERLINK(\"x\")"
        assert [(e.to_stage, e.actor, e.reason) for e in cand.events][-1] == ("screened", "cli", "good reel")
        assert len(s.scalars(select(Candidate)).all()) == 2


def test_import_is_all_or_nothing_with_every_row_error(cli, db, db_url, tmp_path):
    team(db)
    cid = add_candidate(db)
    path = _write(tmp_path / "bad.xlsx", [
        (None, "Good One", "good.one", None, "referral", None),
        (None, "Dup", "mia.sells", None, "inbound", None),
        (None, "Bad stage", "bad.stage", None, "inbound", "famous"),
        (str(cid), "Mia", "mia.sells", "mia@example.com", "inbound", "declined", None),
        (None, "", "noname", None, "inbound", None),
    ])
    code, text = cli(["import", "casting", str(path)], db_url)
    assert code == 1, text
    assert "row 3: A candidate with that TikTok handle is already in the pipeline: #1" in text
    assert "row 4: 'famous' is not a stage" in text
    assert "row 5: Say why Mia is declined" in text
    assert "row 6: The name is missing" in text
    assert "Nothing was imported: 4 row(s) need fixing." in text
    with db.read() as s:
        assert [c.name for c in s.scalars(select(Candidate))] == ["Mia Moreno"]  # the good row was not kept either


def test_import_refuses_a_file_that_is_not_a_workbook(cli, db, db_url, tmp_path):
    team(db)
    bogus = tmp_path / "x.xlsx"
    bogus.write_text("not a zip")
    code, text = cli(["import", "casting", str(bogus)], db_url)
    assert code == 2 and "isn't an .xlsx workbook" in text
    code, text = cli(["import", "casting", str(tmp_path / "missing.xlsx")], db_url)
    assert code == 2 and "does not exist" in text
    code, text = cli(["export", "casting", "--out", str(tmp_path / "no" / "dir.xlsx")], db_url)
    assert code == 2 and "could not write" in text and "Traceback" not in text
