"""`opsbot claims check [--json] FILE|-` and `opsbot claims feedback --export FILE.jsonl`.

Exit codes of `check` follow linters so scripts can gate on them: 0 clean, 1 findings, 2 could not check.
"""

from __future__ import annotations

import argparse
import bisect
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from bot.services.claims.rules import ClaimRulesError, load_rules
from bot.services.claims.finding import Finding
from bot.services.claims.match import check_text

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add `claims check` and `claims feedback` to the opsbot command line."""
    claims = subparsers.add_parser("claims", help="check talk tracks and briefs for restricted claims")
    claims.set_defaults(func=lambda _args: _usage(claims))
    actions = claims.add_subparsers(dest="claims_command", metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="list restricted claims in a text",
        description="List claims live-selling rules restrict. Exit 0: none, 1: findings, 2: error.",
    )
    check.add_argument("file", nargs="?", default="-", metavar="FILE", help="text file to check; '-' or none reads stdin")
    check.add_argument("--json", action="store_true",
                       help='one JSON object per input line: {"line": N, "findings": [...]}')
    check.add_argument("--rules", type=Path, metavar="PATH", help="rules TOML to use instead of the packaged one")
    check.set_defaults(func=run_check)
    feedback = actions.add_parser(
        "feedback", help="legal's 'Not a problem' and 'Missed one' marks",
        description="Write legal's feedback in the claim corpus format (one JSON object per line).")
    feedback.add_argument("--export", required=True, type=Path, metavar="FILE.jsonl")
    feedback.set_defaults(func=run_feedback_export)


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
        if args.json:
            for row in json_lines(text, findings):
                print(json.dumps(row, ensure_ascii=False))
        else:
            for finding in findings:
                print(_as_line(finding))
        sys.stdout.flush()
    except BrokenPipeError:  # `... | head`: the reader left; silence the flush at interpreter exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def json_lines(text: str, findings: list[Finding]) -> list[dict[str, Any]]:
    """One object per input line; start/end are character offsets within that line."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    if text.endswith("\n"):
        starts.pop()
    rows: list[dict[str, Any]] = [{"line": n + 1, "findings": []} for n in range(len(starts))]
    for f in findings:
        n = bisect.bisect_right(starts, f.start) - 1
        item = f.as_json()
        item["start"], item["end"] = f.start - starts[n], f.end - starts[n]
        rows[n]["findings"].append(item)
    return rows


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
    phrase = " ".join(finding.text.split())  # a phrase wrapped over two lines stays on one output line
    tail = f"  Instead: {finding.suggestion}" if finding.suggestion else ""
    return f'{finding.line}:{finding.column}  {finding.category}  "{phrase}"  {finding.reason}{tail}'


def run_feedback_export(args: argparse.Namespace) -> int:
    """Legal's marks as corpus lines, so the team can review them and grow its own corpus."""
    from bot.cli.core import settings_or_exit
    from bot.db.session import Database
    from bot.services.claims.feedback import export_lines

    settings = settings_or_exit()
    db = Database(settings.database_url)
    try:
        with db.read() as s:
            lines = export_lines(s)
    finally:
        db.dispose()
    try:
        args.export.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        print(f"opsbot claims feedback: cannot write {args.export}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"Wrote {args.export}: {len(lines)} line(s) of legal feedback.")
    return 0
