"""`opsbot export|import creators` (the roster as .xlsx, imported all or nothing), `opsbot creators readiness`
(each campaign's checklist) and `opsbot creators clips --week` (a week's highlight clips).

The CLI acts as the associate ("cli" in the audit log)."""

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
    exp = verb(subparsers, "export", "write data to a file").add_parser("creators", help="the creator roster as .xlsx")
    exp.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    exp.set_defaults(func=cmd_export)
    imp = verb(subparsers, "import", "read data from a file").add_parser(
        "creators", help="apply a creator roster .xlsx: every row or none")
    imp.add_argument("file", type=Path, metavar="FILE.xlsx")
    imp.set_defaults(func=cmd_import)
    top = subparsers.add_parser("creators", help="creator campaigns: readiness and highlight clips")
    top.set_defaults(func=lambda _a: top.print_help() or 2)
    acts = top.add_subparsers(dest="creators_command", metavar="ACTION")
    ready = acts.add_parser("readiness", help="each running or coming campaign's readiness checklist")
    ready.set_defaults(func=cmd_readiness)
    week = acts.add_parser("clips", help="the highlight clips of a week's LIVEs")
    week.add_argument("--week", required=True, type=args_types.week, metavar="YYYY-Www")
    week.set_defaults(func=cmd_clips)


def _db():  # type: ignore[no-untyped-def]
    from bot.db.session import Database

    settings = settings_or_exit()
    return Database(settings.database_url), settings


def _fail(exc: OpsError) -> int:
    print(f"opsbot: {exc.message}", file=sys.stderr)
    return 2


def cmd_export(args: argparse.Namespace) -> int:
    from bot.services.creators import xlsx

    db, _ = _db()
    try:
        with db.read() as s:
            n = xlsx.export(s, args.out)
    except OSError as exc:
        print(f"opsbot: could not write {args.out}: {exc.strerror or exc}.", file=sys.stderr)
        return 2
    print(f"Wrote {n} creator(s) to {args.out}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.creators import xlsx
    from bot.services.workbooks import Limits

    if not args.file.is_file():
        print(f"opsbot: {args.file} does not exist.", file=sys.stderr)
        return 2
    db, settings = _db()
    try:
        with db.transaction() as s:
            # writes nothing unless every row is good
            report = xlsx.import_file(s, "cli", args.file, clock.now(), Limits.from_mb(settings.max_upload_uncompressed_mb))
    except OpsError as exc:
        return _fail(exc)
    print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_readiness(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.creators import campaigns, readiness
    from bot.timefmt import local_date

    db, settings = _db()
    with db.read() as s:
        rows = campaigns.listing(s, today=local_date(clock.now(), settings.tz))
        for c in rows:
            r = readiness.compute(s, c, settings.tz)
            print(f"{c.name} (launch {c.starts_on.isoformat()}): {r.percent}% ready")
            for item in r.items:
                print(f"  [{'x' if item.ok else ' '}] {item.label}" + ("" if item.ok else f" (owner {item.owner})"))
                for m in item.missing:
                    print(f"        - {m}")
    if not rows:
        print("No campaigns running or coming up.")
    return 0


def cmd_clips(args: argparse.Namespace) -> int:
    from bot.services.creators.clips import clips_for_week

    db, settings = _db()
    with db.read() as s:
        rows = clips_for_week(s, args.week, tz=settings.tz)
    for c in rows:
        where = f"{c['placement']} {c['link']}" if c["status"] == "published" else c["status"]
        views = f", {c['views']:,} views" if c["views"] is not None else ""
        print(f"#{c['id']} {c['session_title'][:30]} at {c['timestamp']}: {c['note'][:50]} [{where}{views}]")
    print(f"{len(rows)} clip(s).")
    return 0
