"""The `opsbot` command line: one subcommand module per area, registered here."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

# Each module exposes `register(subparsers)`; the parser it adds sets `func(args) -> int`.
SUBCOMMAND_MODULES = [
    "bot.cli.core",
    "bot.cli.claims",
    "bot.cli.jobs",
    "bot.cli.briefs",
    "bot.cli.schedule",
    "bot.cli.escalations",
    "bot.cli.metrics",
]


def verb(subparsers: Any, name: str, help: str) -> Any:  # noqa: A002
    """The sub-subparsers of a shared verb such as `export` or `import`, created by whichever area registers first,
    so `opsbot export schedule` and another area's `opsbot export ...` can coexist."""
    existing = subparsers.choices.get(name)
    if existing is None:
        existing = subparsers.add_parser(name, help=help)
        existing.set_defaults(func=lambda _args, p=existing: p.print_help(sys.stderr) or 2)
        existing._opsbot_things = existing.add_subparsers(dest=f"{name}_what", metavar="WHAT")
    return existing._opsbot_things


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsbot", description="opsbot: TikTok Shop LIVE operations in Slack")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from bot.cli.dbcheck import needs_database, require_migrated

    if needs_database(args):
        from bot.cli.core import settings_or_exit

        require_migrated(settings_or_exit())
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
