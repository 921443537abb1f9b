"""The casting pipeline as a workbook: `opsbot export casting --out FILE.xlsx` writes every candidate (one sheet,
plus their history), and `opsbot import casting FILE.xlsx` applies one: a row without an id adds a candidate, a
row with one updates that candidate's details and, when the stage changed, moves them (with the reason column).
All or nothing: one bad row and nothing is imported, with every row's problem listed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.talent import ALL_STAGES, STAGE_LABEL, Candidate
from bot.services import audit, cells
from bot.services.errors import OpsError
from bot.services.talent import casting
from bot.services.talent.access import clean_text
from bot.services.workbooks import Limits, open_workbook, rows

SHEET, HISTORY = "Candidates", "History"
COLUMNS = ["id", "name", "handle", "email", "source", "stage", "reason", "link", "languages", "notes", "start_on",
           "created_at", "updated_at"]
EDITABLE = ("name", "link", "languages", "notes")
MAX_ROWS = 5000
_LABEL_TO_STAGE = {v.lower(): k for k, v in STAGE_LABEL.items()}


@dataclass
class Report:
    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    moved: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [f"row {n}: {why}" for n, why in self.errors]

    def summary(self) -> str:
        if not self.ok:
            return f"Nothing was imported: {len({n for n, _ in self.errors})} row(s) need fixing."
        return f"Imported: {self.created} added, {self.updated} updated ({self.moved} moved to a new stage)."


def export(session: Session, path: Path) -> int:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(COLUMNS)
    hist = wb.create_sheet(HISTORY)
    hist.append(["candidate_id", "name", "at", "from", "to", "by", "why"])
    n = 0
    for c in session.scalars(select(Candidate).order_by(Candidate.id)):
        ws.append([cells.safe(v) for v in (c.id, c.name, c.handle, c.email, c.source, c.stage, c.reason, c.link,
                                           c.languages, c.notes, c.start_on, _naive(c.created_at), _naive(c.updated_at))])
        for e in c.events:
            hist.append([cells.safe(v) for v in (c.id, c.name, _naive(e.at), e.from_stage, e.to_stage, e.actor, e.reason)])
        n += 1
    ws.freeze_panes = "A2"
    wb.save(path)
    return n


def _naive(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=None) if at else None  # Excel has no time zones: UTC, as the header row says in the README


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = cells.unquote(str(value).strip())
    return text or None


def _stage(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    key = text.lower().replace(" ", "_")
    return key if key in ALL_STAGES else _LABEL_TO_STAGE.get(text.lower(), "?" + text[:30])


def import_file(session: Session, actor: str, path: Path, limits: Limits | None = None, today: date | None = None) -> Report:
    """Apply the workbook in the caller's transaction; on any row error, roll back what was applied."""
    report = Report()
    with open_workbook(path, limits=limits) as wb:
        if SHEET not in wb.sheetnames:
            report.errors.append((1, f"the workbook has no '{SHEET}' sheet (export one with `opsbot export casting`)"))
            return report
        it = rows(wb[SHEET], path.name)
        header = [str(h or "").strip().lower() for h in next(it, ())]
        missing = [c for c in ("name", "handle", "email") if c not in header]
        if missing:
            report.errors.append((1, f"the header row needs the columns {', '.join(missing)}"))
            return report
        savepoint = session.begin_nested()
        for number, values in enumerate(it, start=2):
            if number > MAX_ROWS + 1:
                report.errors.append((number, f"more than {MAX_ROWS:,} rows; split the file"))
                break
            row = dict(zip(header, values, strict=False))
            if all(v in (None, "") for v in row.values()):
                continue
            try:
                with session.begin_nested():
                    _apply(session, actor, row, report, today)
            except OpsError as exc:
                report.errors.append((number, exc.message))
        if report.errors:
            savepoint.rollback()
            report.created = report.updated = report.moved = 0
        else:
            savepoint.commit()
            audit.record(session, actor=actor, action="talent.casting_imported", entity_type="casting", entity_id=path.name[:60],
                         after={"created": report.created, "updated": report.updated, "moved": report.moved})
    return report


def _apply(session: Session, actor: str, row: dict[str, Any], report: Report, today: date | None) -> None:
    from bot.services.validation import InputError, parse_date, parse_id

    raw_id = _text(row.get("id"))
    stage = _stage(row.get("stage"))
    if stage and stage.startswith("?"):
        raise InputError(f"'{stage[1:]}' is not a stage (stages: {', '.join(ALL_STAGES)})")
    start = _text(row.get("start_on"))
    start_on = parse_date(start[:10], label="start_on", today=today) if start else None
    if raw_id is None:
        cand = casting.add(session, actor, casting.CandidateInput(
            name=_text(row.get("name")), handle=_text(row.get("handle")), email=_text(row.get("email")),
            source=_text(row.get("source")) or "inbound", link=_text(row.get("link")),
            languages=_text(row.get("languages")), notes=_text(row.get("notes"))))
        report.created += 1
        if stage and stage != "sourced":
            casting.move(session, actor, cand.id, stage, _text(row.get("reason")) or "imported", start_on=start_on, tz_today=today)
        return
    cand = casting.get(session, actor, parse_id(raw_id, what="candidate"))
    changed = False
    for col in EDITABLE:
        if col not in row:
            continue
        value = clean_text(_text(row.get(col)), field=col, label=col, limit=200 if col == "name" else 2000, required=col == "name")
        if getattr(cand, col) != value:
            setattr(cand, col, value)
            changed = True
    for col, norm in (("handle", casting.normalize_handle), ("email", casting.normalize_email)):
        if col in row:
            value = norm(_text(row.get(col)))
            if value != getattr(cand, col):
                found = casting.duplicate_of(session, value if col == "handle" else None, value if col == "email" else None,
                                             besides=cand.id)
                if found is not None:
                    raise InputError(f"that {col} belongs to {casting.describe(found)}")
                setattr(cand, col, value)
                changed = True
    if changed:
        report.updated += 1
        session.flush()
    if stage and stage != cand.stage:
        casting.move(session, actor, cand.id, stage, _text(row.get("reason")), start_on=start_on or cand.start_on, tz_today=today)
        report.moved += 1
