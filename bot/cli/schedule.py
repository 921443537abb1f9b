"""`opsbot schedule suggest`, `opsbot export|import|template schedule`: the calendar from the command line.

The CLI runs with the server operator's database access, so it acts as the associate ("cli" in the audit log).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import args as args_types
from bot.cli import verb
from bot.cli.core import settings_or_exit
from bot.services.errors import OpsError


def register(subparsers: Any) -> None:
    sched = subparsers.add_parser("schedule", help="the LIVE calendar: host suggestions")
    sched.set_defaults(func=lambda _a: sched.print_help() or 2)
    acts = sched.add_subparsers(dest="schedule_command", metavar="ACTION")
    sug = acts.add_parser("suggest", help="pick hosts for open host slots and explain each pick")
    sug.add_argument("--week", required=True, type=args_types.week, metavar="YYYY-Www")
    sug.add_argument("--weeks", type=args_types.count(1, 52), default=1, help="how many weeks from --week (default 1)")
    sug.add_argument("--apply", action="store_true", help="assign the picks (drafts until the week is published)")
    sug.set_defaults(func=cmd_suggest)

    exp = verb(subparsers, "export", "write data to a file").add_parser("schedule", help="a week of the calendar as .xlsx")
    exp.add_argument("--week", required=True, type=args_types.week, metavar="YYYY-Www")
    exp.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    exp.set_defaults(func=cmd_export)
    imp = verb(subparsers, "import", "read data from a file").add_parser(
        "schedule", help="apply a calendar .xlsx: every row or none")
    imp.add_argument("file", type=Path, metavar="FILE.xlsx")
    imp.set_defaults(func=cmd_import)
    tpl = verb(subparsers, "template", "write an empty template file").add_parser(
        "schedule", help="an empty calendar .xlsx with the header, an example row and validation")
    tpl.add_argument("file", type=Path, metavar="FILE.xlsx")
    tpl.set_defaults(func=cmd_template)


def _context():  # type: ignore[no-untyped-def]
    from bot.db.session import Database
    from bot.services.schedule.rules import Rules

    settings = settings_or_exit()
    return Database(settings.database_url), Rules.from_settings(settings), settings.max_upload_uncompressed_mb


def _fail(exc: OpsError) -> int:
    print(f"opsbot: {exc.message}", file=sys.stderr)
    return 2


def cmd_suggest(args: argparse.Namespace) -> int:
    import time

    from bot.services.schedule import suggest
    from bot.timefmt import fmt_time, to_local

    db, rules, _ = _context()
    try:
        monday = args.week
        started = time.perf_counter()
        with db.transaction() as s:
            picks = suggest.suggest(s, "cli", monday, rules, weeks=args.weeks, apply=args.apply)
            for p in picks:
                local = to_local(p.shift.starts_at, rules.tz)
                when = f"{local:%a %Y-%m-%d} {fmt_time(p.shift.starts_at, rules.tz):>8}"
                print(f"{when}  {p.session.title[:30]:<30}  {p.person_name or '(no pick)':<20}  {p.why}")
        filled = sum(1 for p in picks if p.person_slack_id)
        verb_done = "assigned" if args.apply else "suggested (not saved; add --apply)"
        print(f"{filled} of {len(picks)} open host slot(s) {verb_done} in {time.perf_counter() - started:.2f} s.")
    except OpsError as exc:
        return _fail(exc)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.services import validation as services_validation
    from bot.services.schedule import xlsx as schedule_xlsx

    db, rules, _ = _context()
    try:
        monday = args.week
        with db.read() as s:
            n = schedule_xlsx.export_week(s, monday, rules, args.out)
    except OpsError as exc:
        return _fail(exc)
    print(f"Wrote {n} session(s) of {services_validation.week_label(monday)} to {args.out}.")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from bot.services.schedule import xlsx as schedule_xlsx

    db, rules, _ = _context()
    with db.read() as s:
        schedule_xlsx.write_template(s, args.file, rules.tz)
    print(f"Wrote the calendar template to {args.file}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bot.services.schedule import xlsx as schedule_xlsx

    if not args.file.is_file():
        print(f"opsbot: {args.file} does not exist.", file=sys.stderr)
        return 2
    from bot.services.workbooks import Limits

    db, rules, max_mb = _context()
    try:
        with db.transaction() as s:
            report = schedule_xlsx.import_file(s, "cli", args.file, rules, Limits.from_mb(max_mb))  # writes nothing unless every row is good
    except OpsError as exc:
        return _fail(exc)
    for line in report.warning_lines():
        print(line)
    if not report.ok:
        print("\n".join([*report.error_lines(), report.summary()]), file=sys.stderr)
        return 1
    print(report.summary())
    return 0
