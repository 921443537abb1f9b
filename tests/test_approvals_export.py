"""The approvals export shows each version's own outcome, not the brief's final status (issue 13 §6)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from conftest import HOST, LEGAL
from freezegun import freeze_time
from openpyxl import load_workbook

from bot.services import people
from bot.services.briefs import export as approvals_export
from bot.services.briefs import decisions, drafting, records
from bot.services.briefs.records import BriefInput, BriefPolicy

LA = ZoneInfo("America/Los_Angeles")
POLICY = BriefPolicy(tz=LA, legal_channel="C0LEGAL", approvals={"promo": 2})
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)


def person(s, uid, *roles, name=None):
    p = people.get_or_create(s, uid)
    for r in roles:
        people.grant(s, p, r, actor="test")
    p.display_name = name
    return p


def data(text: str, **kw) -> BriefInput:
    values = dict(title="Night cream\x0b talk track", kind="talk_track", text=text, campaign="Winter",
                  due_on=date(2026, 11, 24))
    values.update(kw)
    return BriefInput(**values)


def rows_of(path):
    ws = load_workbook(path)["Approvals"]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]


@freeze_time(NOW)
def test_every_version_row_shows_that_versions_outcome(db, tmp_path):
    with db.transaction() as s:
        host, legal = person(s, HOST, "host", name="Hana"), person(s, LEGAL, "legal", name="Lee")
        legal2 = person(s, "ULEGAL02", "legal", name="Lou")
        b = drafting.save(s, host, data("Cures eczema overnight."), brief_id=None, based_on=None, draft=False, now=NOW,
                        policy=POLICY).brief
        decisions.decide(s, legal, b.id, 1, "request_changes", "remove the eczema cure claim", NOW + timedelta(hours=1),
                      POLICY)
        drafting.save(s, host, data("Soothes dry skin."), brief_id=b.id, based_on=1, draft=False, now=NOW, policy=POLICY)
        decisions.decide(s, legal, b.id, 2, "approve", None, NOW + timedelta(hours=2), POLICY)
        promo = drafting.save(s, host, data("Two for one tonight.", kind="promo", title="Promo"), brief_id=None,
                            based_on=None, draft=False, now=NOW, policy=POLICY).brief
        decisions.decide(s, legal2, promo.id, 1, "approve", None, NOW + timedelta(hours=3), POLICY)
        rows = records.export_rows(s, NOW - timedelta(days=1), NOW + timedelta(days=1))
        names = records.names(s, {HOST, LEGAL, "ULEGAL02"})
        out = tmp_path / "approvals.xlsx"
        approvals_export.write_workbook(rows, names, LA, out)
    got = rows_of(out)
    assert [(r["Brief #"], r["Version"]) for r in got] == [(b.id, 1), (b.id, 2), (promo.id, 1)]
    v1, v2, p1 = got
    assert v1["This version's outcome"] == (f"Changes requested by Lee ({LEGAL}) on 2026-11-20 11:00: "
                                            "remove the eczema cure claim")
    assert "approved" not in v1["This version's outcome"].lower()
    assert v2["This version's outcome"] == f"Approved by Lee ({LEGAL}) on 2026-11-20 12:00"
    assert p1["This version's outcome"] == "Waiting for legal (1 of 2 approvals)"
    assert v1["Brief now (latest version)"] == "approved (version 2)"
    assert "Brief status now" not in v1
    assert v1["Title"] == "Night cream\n talk track"  # the shared sanitiser: a vertical tab is a line break
