"""The `opsbot` command line: one subcommand module per area, registered here."""

from __future__ import annotations

import argparse
import importlib
import sys

# Each module exposes `register(subparsers)`; the parser it adds sets `func(args) -> int`.
SUBCOMMAND_MODULES = [
    "bot.cli.core",
    "bot.cli.claims",
    "bot.cli.escalations",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsbot", description="opsbot: TikTok Shop LIVE operations in Slack")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a module still being written must not break the others
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
