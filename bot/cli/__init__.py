"""The `opsbot` command line: one subcommand module per area, registered here."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, NoReturn

import bot.blocks.notices  # noqa: F401 - registers how each service notice renders (jobs run from the CLI post)

# Each module exposes `register(subparsers)`; the parser it adds sets `func(args) -> int`.
SUBCOMMAND_MODULES = [
    "bot.cli.core",
    "bot.cli.claims",
    "bot.cli.jobs",
    "bot.cli.briefs",
    "bot.cli.schedule",
    "bot.cli.escalations",
    "bot.cli.metrics",
    "bot.cli.creators",
    "bot.cli.payroll",
    "bot.cli.talent",
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


class Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake said in one sentence (subcommands inherit the class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message.rstrip('.')} (see `{self.prog} --help`).\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="opsbot", description="opsbot: TikTok Shop LIVE operations in Slack")
    parser.add_argument("--debug", action="store_true", help="print the full traceback when something fails")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand without its own description its one-line help as one, so `--help` says what it does."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, child in action.choices.items():
                if not child.description and helps.get(name):
                    text = str(helps[name])
                    child.description = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
                _describe(child)


def main(argv: list[str] | None = None) -> int:
    """Parse and run one subcommand inside the error boundary (bot/cli/errors.py): no traceback reaches the terminal."""
    from bot.cli.errors import guarded

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    return guarded(_run, args, debug=args.debug)


def _run(args: object) -> int:
    """A command that needs the database first checks it is migrated, so it says "run `opsbot migrate`"."""
    from bot.cli.dbcheck import needs_database, require_migrated

    if needs_database(args):
        from bot.cli.core import settings_or_exit

        require_migrated(settings_or_exit())
    return int(args.func(args) or 0)  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
