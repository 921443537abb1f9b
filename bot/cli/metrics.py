"""`opsbot import metrics FILE` and `opsbot demo`.

The CLI runs with the server operator's database access, so it acts as the associate ("cli" in the audit log).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli import args as args_types
from bot.cli import verb


def register(subparsers: Any) -> None:
    imp = verb(subparsers, "import", "read data from a file").add_parser(
        "metrics", help="LIVE metrics from a Seller Center export (.xlsx or .csv): every row or none")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(func=cmd_import)
    demo = subparsers.add_parser("demo", help="a demo database with 4 weeks of history; prints today's run-of-show and last week's scorecard")
    demo.add_argument("--database-url", default="sqlite:///demo.db", help="where to build it (default sqlite:///demo.db)")
    demo.add_argument("--seed", type=args_types.count(0, 2**31 - 1), default=7, help="random seed (same seed, same data)")
    demo.add_argument("--out", type=Path, default=Path("."), help="folder for the scorecard xlsx and chart (default .)")
    demo.set_defaults(func=cmd_demo)


def cmd_import(args: argparse.Namespace) -> int:
    from bot import clock
    from bot.cli.core import settings_or_exit
    from bot.db.session import Database
    from bot.services.metrics import store as metrics
    from bot.services.metrics.parsing import MetricsFileError
    from bot.services.workbooks import Limits

    settings = settings_or_exit()
    db = Database(settings.database_url)
    try:
        with db.transaction() as s:
            report = metrics.import_file(s, "cli", args.file, tz=settings.tz, now=clock.now(),
                                         tolerance=metrics.match_tolerance(settings),
                                         limits=Limits.from_mb(settings.max_upload_uncompressed_mb))
    except MetricsFileError as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from datetime import timedelta as td

    from bot import clock
    from bot.blocks.run_of_show import day_text
    from bot.blocks.scorecard import scorecard_text
    from bot.config import load_settings
    from bot.db.migrate import upgrade
    from bot.db.session import Database
    from bot.services import demo
    from bot.services.run_of_show import plan
    from bot.services.scorecard import compute
    from bot.services.scorecard.chart import card_chart, heatmap
    from bot.services.scorecard.model import ScorecardConfig
    from bot.services.scorecard.xlsx import build_workbook
    from bot.timefmt import local_date

    settings = load_settings(database_url=args.database_url)
    db = Database(settings.database_url)
    try:
        upgrade(db.engine)
        now = clock.now()
        today = local_date(now, settings.tz)
        this_monday = today - td(days=today.weekday())
        with db.transaction() as s:
            if demo.is_demo(s):
                print(f"{args.database_url} already holds the demo; showing it (delete the file to rebuild).")
            elif not demo.is_empty(s):
                print(f"opsbot: {args.database_url} has real data (no demo marker); refusing to touch it. "
                      "Point --database-url at a new file.", file=sys.stderr)
                return 1
            else:
                counts = demo.generate(s, demo.Plan(monday=this_monday - td(weeks=4), weeks=5), settings.tz, now, seed=args.seed)
                print("Demo database built: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()))
        with db.read() as s:
            print("\n" + day_text(today, plan.day_plan(s, today, settings.tz), settings.tz))
            card = compute.build(s, this_monday - td(weeks=1), ScorecardConfig.from_settings(settings), now)
        print("\n" + scorecard_text(card, settings.tz))
        args.out.mkdir(parents=True, exist_ok=True)
        xlsx, png = args.out / f"scorecard-{card.week}.xlsx", args.out / f"scorecard-{card.week}.png"
        xlsx.write_bytes(build_workbook(card, settings.tz))
        png.write_bytes(card_chart(card, settings.tz))
        slots_png = args.out / f"scorecard-{card.week}-slots.png"
        cfg = ScorecardConfig.from_settings(settings)
        slots_png.write_bytes(heatmap(card, cfg.min_slot_sessions, cfg.slot_weeks))
        print(f"\nWrote {xlsx}, {png} (GMV by day as bars, conversion as a line) and {slots_png} (day x hour heatmap).")
        return 0
    finally:
        db.dispose()
