"""`opsbot export casting --out FILE.xlsx` and `opsbot import casting FILE.xlsx`: the casting pipeline as a workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import verb
from bot.cli.core import settings_or_exit
from bot.services.errors import OpsError


def register(subparsers: Any) -> None:
    exp = verb(subparsers, "export", "write data to a file").add_parser(
        "casting", help="every candidate and their history as .xlsx")
    exp.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    exp.set_defaults(func=cmd_export)
    imp = verb(subparsers, "import", "read data from a file").add_parser(
        "casting", help="add and update candidates from a casting .xlsx: every row or none")
    imp.add_argument("file", type=Path, metavar="FILE.xlsx")
    imp.set_defaults(func=cmd_import)


def _fail(exc: OpsError) -> int:
    print(f"opsbot: {exc.message}", file=sys.stderr)
    return 2


def cmd_export(args: argparse.Namespace) -> int:
    from bot.db.session import Database
    from bot.services.talent import casting_xlsx

    db = Database(settings_or_exit().database_url)
    try:
        with db.read() as s:
            n = casting_xlsx.export(s, args.out)
    except OSError as exc:
        print(f"opsbot: could not write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Wrote {n} candidate(s) to {args.out}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.db.session import Database
    from bot.services.talent import casting_xlsx
    from bot.services.workbooks import Limits
    from bot.timefmt import local_date

    if not args.file.is_file():
        print(f"opsbot: {args.file} does not exist.", file=sys.stderr)
        return 2
    settings = settings_or_exit()
    db = Database(settings.database_url)
    try:
        with db.transaction() as s:
            report = casting_xlsx.import_file(s, "cli", args.file, Limits.from_mb(settings.max_upload_uncompressed_mb),
                                              local_date(clock.now(), settings.tz))
    except OpsError as exc:
        return _fail(exc)
    if not report.ok:
        print("\n".join([*report.error_lines(), report.summary()]), file=sys.stderr)
        return 1
    print(report.summary())
    return 0
