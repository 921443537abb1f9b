"""`opsbot export approvals --from DATE --to DATE --out FILE.xlsx`: legal's audit record as a workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import args as args_types
from bot.cli import verb


def register(subparsers: Any) -> None:
    exports = verb(subparsers, "export", help="write records to spreadsheets")
    approvals = exports.add_parser(
        "approvals", help="every brief version, hash, decision and claim finding in a date range (xlsx)",
        description="Briefs submitted or decided between --from and --to (team-local days, inclusive).")
    approvals.add_argument("--from", dest="start", required=True, type=args_types.archive_day, metavar="YYYY-MM-DD")
    approvals.add_argument("--to", dest="end", required=True, type=args_types.archive_day, metavar="YYYY-MM-DD")
    approvals.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    approvals.set_defaults(func=cmd_export_approvals)


def cmd_export_approvals(args: argparse.Namespace) -> int:
    from bot.cli.core import settings_or_exit
    from bot.db.session import Database
    from bot.services.briefs import records as briefs_records
    from bot.services.briefs.export import write_workbook
    from bot.timefmt import day_bounds

    if args.end < args.start:
        print("opsbot export approvals: --to is before --from.", file=sys.stderr)
        return 2
    if args.out.suffix.lower() != ".xlsx":
        print("opsbot export approvals: --out must name an .xlsx file.", file=sys.stderr)
        return 2
    settings = settings_or_exit()
    db = Database(settings.database_url)
    try:
        with db.read() as s:
            rows = briefs_records.export_rows(s, day_bounds(args.start, settings.tz)[0], day_bounds(args.end, settings.tz)[1])
            user_ids = {r.brief.submitter for r in rows} | {r.version.submitted_by for r in rows}
            user_ids |= {r.decision.decider for r in rows if r.decision}
            try:
                count = write_workbook(rows, briefs_records.names(s, user_ids), settings.tz, args.out)
            except OSError as exc:
                print(f"opsbot export approvals: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
                return 2
    finally:
        db.dispose()
    print(f"Wrote {args.out}: {count} row(s) from {args.start} to {args.end} ({settings.team_timezone}).")
    return 0
