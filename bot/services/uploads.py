"""Spreadsheets sent to the bot: check the file, tell a calendar from a metrics export, import it as the associate.

Knows nothing of Slack: the handler fetches the bytes and hands over a local file. The imports themselves are
the same service calls as `opsbot import schedule` and `opsbot import metrics` (all-or-nothing each).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Person, ProcessedRequest
from bot.services import people, workbooks
from bot.services.metrics import store as metrics
from bot.services.schedule import xlsx as schedule_xlsx
from bot.services.creators import xlsx as creators_xlsx
from bot.services.errors import Invalid
from bot.services.metrics.files import parse_workbook
from bot.services.metrics.parsing import MetricsFileError
from bot.services.schedule.rules import Rules

MAX_BYTES = 5 * 1024 * 1024
SUFFIXES = {"xlsx": ".xlsx", "csv": ".csv"}  # Slack filetype -> what the importers read
NOT_ASSOCIATE = "Only the associate can import spreadsheets; nothing was changed."


@dataclass
class Outcome:
    kind: str  # "schedule" or "metrics"
    ok: bool
    lines: list[str]


def request_key(file_id: str) -> str:
    return f"file:{file_id}"


def seen(s: Session, file_id: str) -> bool:
    """Already handled (a Slack retry or a second file_shared for the same file)."""
    return s.scalar(select(ProcessedRequest.id).where(ProcessedRequest.key == request_key(file_id))) is not None


def claim(s: Session, file_id: str, now: datetime) -> bool:
    """Record the file as handled, in the caller's transaction; False when another delivery got there first.

    On PostgreSQL a concurrent copy waits on the unique key until the first commits, then loses here."""
    try:
        with s.begin_nested():
            s.add(ProcessedRequest(key=request_key(file_id), created_at=now, result=None))
    except IntegrityError:
        return False
    return True


def may_import(person: Person | None) -> bool:
    return people.has_role(person, people.ADMIN)


def _suffix(name: str, filetype: str | None) -> str | None:
    return SUFFIXES.get((filetype or "").lower()) or SUFFIXES.get(Path(name).suffix.lower().lstrip("."))


def is_spreadsheet(name: str, filetype: str | None) -> bool:
    return _suffix(name, filetype) is not None


def check_file(name: str, filetype: str | None, size: int | None, max_bytes: int = MAX_BYTES) -> str:
    """The local file name to save it under; Invalid (in plain words) for anything opsbot won't read."""
    suffix = _suffix(name, filetype)
    if suffix is None:
        raise Invalid(f"{name} isn't a spreadsheet opsbot imports: send the calendar as .xlsx, or the Seller Center "
                      "LIVE export as .xlsx or .csv.")
    if size is not None and size > max_bytes:
        raise Invalid(f"{name} is {size / 1_048_576:.1f} MB; opsbot imports files up to {max_bytes // 1_048_576} MB.")
    stem = re.sub(r"[^\w.\- ]", "_", Path(name).stem).strip(" .")[:100] or "upload"
    return stem + suffix


def detect(path: Path, limits: workbooks.Limits | None = None) -> str:
    """'schedule' when the sheet starts with the calendar template's header; otherwise 'metrics' (whose reader
    finds the header anywhere near the top and says so when there is none)."""
    if path.suffix == ".xlsx" and schedule_xlsx.looks_like_schedule(path, limits):
        return "schedule"
    return "metrics"


def _not_recognised(name: str, exc: MetricsFileError) -> Invalid:
    return Invalid(f"{name} is neither a calendar (first row {', '.join(schedule_xlsx.HEADER)}) nor a LIVE "
                   f"metrics export opsbot recognises: {exc}")


def import_file(s: Session, actor: Person, path: Path, *, rules: Rules, tolerance: timedelta, now: datetime,
                file_name: str | None = None, limits: workbooks.Limits | None = None) -> Outcome:
    """Run the matching all-or-nothing import as `actor`; when the outcome is not ok nothing was written.

    An .xlsx is checked and opened once (workbooks.open_workbook): the same workbook tells what it is and is read."""
    if not may_import(actor):
        raise Invalid(NOT_ASSOCIATE)
    name = file_name or path.name
    if path.suffix != ".xlsx":
        try:
            mreport = metrics.import_file(s, actor.slack_user_id, path, tz=rules.tz, tolerance=tolerance, now=now,
                                          file_name=name, limits=limits)
        except MetricsFileError as exc:
            raise _not_recognised(name, exc) from None
        return Outcome("metrics", mreport.ok, mreport.lines())
    with workbooks.open_workbook(path, name=name, limits=limits) as wb:
        if creators_xlsx.is_roster(wb, name):
            creport = creators_xlsx.import_workbook(s, actor, wb, name, now)
            return Outcome("creators", creport.ok, creport.lines())
        if schedule_xlsx.is_schedule(wb, name):
            report = schedule_xlsx.import_workbook(s, actor, wb, name, rules)
            return Outcome("schedule", report.ok, report.lines())
        try:
            parsed = parse_workbook(wb, name)
        except MetricsFileError as exc:
            raise _not_recognised(name, exc) from None
    mreport = metrics.apply_export(s, actor.slack_user_id, parsed, name, tz=rules.tz, tolerance=tolerance, now=now)
    return Outcome("metrics", mreport.ok, mreport.lines())
