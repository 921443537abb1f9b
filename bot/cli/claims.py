"""`opsbot claims check [FILE]`: run the claim checker on a talk track or brief.

Exit codes follow linters so scripts can gate on them: 0 clean, 1 findings, 2 could not check.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from bot.services.claims import ClaimRulesError, Finding, check_text, load_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add `claims check` to the opsbot command line."""
    claims = subparsers.add_parser("claims", help="check talk tracks and briefs for restricted claims")
    claims.set_defaults(func=lambda _args: _usage(claims))
    actions = claims.add_subparsers(dest="claims_command", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="list restricted phrases in a text",
        description="List phrases live-selling rules restrict. Exit 0: none, 1: findings, 2: error.",
    )
    check.add_argument("file", nargs="?", default="-", metavar="FILE", help="text file to check; '-' or none reads stdin")
    check.add_argument("--json", action="store_true", help="one JSON object per finding and line")
    check.add_argument("--rules", type=Path, metavar="PATH", help="rules TOML to use instead of the packaged one")
    check.set_defaults(func=run_check)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def run_check(args: argparse.Namespace) -> int:
    """Check one text; every expected failure becomes a one-line message and exit 2, never a traceback."""
    try:
        rules = load_rules(args.rules)
        text = _read_text(args.file)
    except (ClaimRulesError, _InputError) as exc:
        print(f"opsbot claims check: {exc}", file=sys.stderr)
        return EXIT_ERROR
    findings = check_text(text, rules)
    if isinstance(sys.stdout, io.TextIOWrapper):  # a non-UTF-8 terminal must not crash on a curly quote
        sys.stdout.reconfigure(errors="replace")
    try:
        for finding in findings:
            print(_as_json(finding) if args.json else _as_line(finding))
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; silence the flush at interpreter exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_FINDINGS if findings else EXIT_CLEAN


class _InputError(Exception):
    """The text to check could not be read."""


def _read_text(name: str) -> str:
    """Read FILE (or stdin for '-') as UTF-8, with newlines normalized so line numbers match editors."""
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise _InputError(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _InputError(f"{'standard input' if name == '-' else name} is not UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _as_line(finding: Finding) -> str:
    phrase = " ".join(finding.phrase.split())  # a phrase wrapped over two lines stays on one output line
    return f'{finding.line}:{finding.column}  {finding.category}  "{phrase}"  {finding.reason}'


def _as_json(finding: Finding) -> str:
    return json.dumps(
        {
            "line": finding.line,
            "column": finding.column,
            "category": finding.category,
            "phrase": finding.phrase,
            "reason": finding.reason,
        },
    )
