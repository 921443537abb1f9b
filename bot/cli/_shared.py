"""Command-line helpers several areas share."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def get_or_add_subparser(sub: Any, name: str, help: str) -> Any:  # noqa: A002 - argparse's own word
    """The sub-subcommand group of a command several areas add to (e.g. `export approvals`, `export schedule`).

    The first area to call this creates `opsbot NAME` (which prints its own help when run bare);
    later calls return the same group, so each area adds its own `add_parser(...)` to it.
    """
    parser: argparse.ArgumentParser | None = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help)
        children = parser.add_subparsers(dest=f"{name}_command", metavar="WHAT")
        parser.set_defaults(func=lambda _args, p=parser: _usage(p))
        setattr(parser, "_opsbot_children", children)
    return getattr(parser, "_opsbot_children")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2
