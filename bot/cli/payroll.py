"""`opsbot pay rate|waiver`, `opsbot payroll compute`, `opsbot export payroll`, `opsbot timesheets import|approve|unlock`.

The CLI runs with the server operator's database access, so it acts as the associate ("cli" in the audit log).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import args as args_types
from bot.cli import verb


def register(subparsers: Any) -> None:
    pay = subparsers.add_parser("pay", help="people's pay: hourly rates with effective dates, meal waivers")
    acts = pay.add_subparsers(dest="pay_command", metavar="ACTION")
    pay.set_defaults(func=lambda _a, p=pay: p.print_help(sys.stderr) or 2)
    rate = acts.add_parser("rate", help="set PERSON's hourly RATE from a day on (default today)")
    rate.add_argument("person", metavar="PERSON", help="Slack user ID, email or exact display name")
    rate.add_argument("rate", metavar="RATE", help="dollars per hour, e.g. 25.00")
    rate.add_argument("--role", choices=["host", "pa"], help="this rate only for shifts in this role")
    rate.add_argument("--from", dest="effective_from", type=args_types.archive_day, metavar="YYYY-MM-DD",
                      help="first day the rate applies (default today)")
    rate.add_argument("--contractor", action="store_true", help="1099 contractor: no overtime or premiums, paid by invoice")
    rate.set_defaults(func=cmd_rate)
    waiver = acts.add_parser("waiver", help="record (on) or withdraw (off) PERSON's meal waiver (shifts of 6 h or less)")
    waiver.add_argument("person", metavar="PERSON")
    waiver.add_argument("state", choices=["on", "off"])
    waiver.set_defaults(func=cmd_waiver)
    payroll = subparsers.add_parser("payroll", help="pay for a pay period, from the time clock, by the pay rules")
    pacts = payroll.add_subparsers(dest="payroll_command", metavar="ACTION")
    payroll.set_defaults(func=lambda _a, p=payroll: p.print_help(sys.stderr) or 2)
    comp = pacts.add_parser("compute", help="hours, premiums, gross pay and exceptions per person for the period")
    comp.add_argument("--period", required=True, type=args_types.archive_day, metavar="DATE", help="any day in the pay period")
    comp.add_argument("--json", action="store_true", help="print JSON (the shape in the README) instead of a table")
    comp.set_defaults(func=cmd_compute)
    exp = verb(subparsers, "export", "write data to a file").add_parser("payroll", help="a pay period as a Gusto or ADP CSV, or an xlsx")
    exp.add_argument("--period", required=True, type=args_types.archive_day, metavar="DATE", help="any day in the pay period")
    exp.add_argument("--format", required=True, choices=["gusto", "adp", "xlsx"])
    exp.add_argument("--out", required=True, type=Path, metavar="FILE")
    exp.add_argument("--draft", action="store_true", help="export a period that is not approved yet (marked DRAFT)")
    exp.set_defaults(func=cmd_export)
    ts = subparsers.add_parser("timesheets", help="timesheets: import punches from a workbook, approve, unlock")
    tacts = ts.add_subparsers(dest="timesheets_command", metavar="ACTION")
    ts.set_defaults(func=lambda _a, p=ts: p.print_help(sys.stderr) or 2)
    imp = tacts.add_parser("import", help="punches from an .xlsx (Person, Date, In, Out, Unpaid breaks, Notes): every row or none")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(func=cmd_import)
    appr = tacts.add_parser("approve", help="approve (lock) PERSON's timesheet for the period, or everyone's without exceptions")
    appr.add_argument("person", nargs="?", metavar="PERSON", help="Slack user ID, email or exact display name (default: all clean)")
    appr.add_argument("--period", required=True, type=args_types.archive_day, metavar="DATE", help="any day in the pay period")
    appr.set_defaults(func=cmd_approve)
    unl = tacts.add_parser("unlock", help="unlock PERSON's approved timesheet for the period (a reason is required)")
    unl.add_argument("person", metavar="PERSON")
    unl.add_argument("--period", required=True, type=args_types.archive_day, metavar="DATE", help="any day in the pay period")
    unl.add_argument("--reason", required=True, help="why (goes in the audit log)")
    unl.set_defaults(func=cmd_unlock)


def _context():  # type: ignore[no-untyped-def]
    from bot.cli.core import settings_or_exit
    from bot.db.session import Database
    from bot.services.payroll.config import PayrollConfig

    settings = settings_or_exit()
    return settings, Database(settings.database_url), PayrollConfig.from_settings(settings)


def cmd_rate(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.payroll import rates
    from bot.timefmt import local_date

    settings, db, _cfg = _context()
    now = clock.now()
    try:
        with db.transaction() as s:
            change = rates.set_rate(s, "cli", args.person, args.rate, role=args.role, contractor=args.contractor,
                                    effective_from=args.effective_from or local_date(now, settings.tz), now=now)
            line = rates.describe_change(change)
    finally:
        db.dispose()
    print(line)
    return 0


def cmd_waiver(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.payroll import rates

    _settings, db, _cfg = _context()
    try:
        with db.transaction() as s:
            person, changed = rates.set_waiver(s, "cli", args.person, args.state == "on", clock.now())
            name = person.name
    finally:
        db.dispose()
    state = "on file" if args.state == "on" else "withdrawn"
    print(f"{name}'s meal waiver is {state}." if changed else f"{name}'s meal waiver was already {state}; nothing changed.")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    from bot.services.payroll import compute
    from bot.services.payroll.table import period_table

    _settings, db, cfg = _context()
    try:
        with db.read() as s:
            result = compute.period_pay(s, args.period, cfg)
            out = json.dumps(compute.as_json(result), indent=2) if args.json else period_table(result)
    finally:
        db.dispose()
    print(out)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from bot.services.payroll import exports

    _settings, db, cfg = _context()
    try:
        with db.read() as s:
            summary = exports.export_period(s, args.period, cfg, args.format, args.out, draft=args.draft)
    finally:
        db.dispose()
    print(summary)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.payroll import imports
    from bot.services.workbooks import Limits

    if not args.file.is_file():
        print(f"opsbot: {args.file} does not exist.", file=sys.stderr)
        return 2
    settings, db, cfg = _context()
    try:
        with db.transaction() as s:
            report = imports.import_file(s, "cli", args.file, cfg, clock.now(), Limits.from_mb(settings.max_upload_uncompressed_mb))
    finally:
        db.dispose()
    if not report.ok:
        print("\n".join([*report.error_lines(), report.summary()]), file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.payroll import rates, timesheets

    _settings, db, cfg = _context()
    try:
        with db.transaction() as s:
            if args.person:
                target = rates.find_person(s, args.person).slack_user_id
                done = timesheets.approve(s, "cli", target, args.period, cfg, clock.now())
            else:
                done = timesheets.approve_all_clean(s, "cli", args.period, cfg, clock.now())
            lines = [f"Approved: {', '.join(p.person.name for p in done.done) or 'nobody new'}."]
            if done.already:
                lines.append(f"Already approved: {', '.join(p.person.name for p in done.already)}.")
            if done.held:
                lines.append(f"Left for review (exceptions): {', '.join(p.person.name for p in done.held)}.")
    finally:
        db.dispose()
    print("\n".join(lines))
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.services.payroll import rates, timesheets

    _settings, db, cfg = _context()
    try:
        with db.transaction() as s:
            person = rates.find_person(s, args.person)
            _row, changed = timesheets.unlock(s, "cli", person.slack_user_id, args.period, args.reason, cfg, clock.now())
            name = person.name
    finally:
        db.dispose()
    print(f"Unlocked {name}'s timesheet; it needs approving again." if changed else f"{name}'s timesheet was already unlocked.")
    return 0
