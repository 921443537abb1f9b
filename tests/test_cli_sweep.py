"""Every `opsbot` subcommand, found by walking the argparse tree, run with bad arguments and with a database
that is unreachable or missing: one sentence on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import UNREACHABLE_PG, cli  # noqa: F401 (fixture)

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
# commands that serve forever when everything is fine: only run them where something is wrong
SERVES = {("run",), ("scheduler",)}
NO_DATABASE = {("check-config",)}  # reads settings only (its own checks live in tests/test_cli.py)


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(command path, parser) for every runnable subcommand."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(path, parser)]
    out = []
    for action in subs:
        for name, child in action.choices.items():
            out.extend(leaves(child, (*path, name)))
    return out


ALL = leaves(build_parser())


def bad_value(dest: str, missing: Path) -> str:
    """A value each option accepts at parse time but that cannot work."""
    table = {"file": str(missing / "in.xlsx"), "out": str(missing / "out.xlsx"), "week": "2026-W99",
             "start": "2026-01-01", "end": "2026-01-31", "date": "2026-01-01", "name": "no-such-job", "retry": "1",
             "weeks": "1", "seed": "1", "rules": str(missing / "rules.toml"), "export": str(missing / "feedback.jsonl"), "database_url": UNREACHABLE_PG,
             "period": "2026-01-01", "format": "gusto", "person": "nobody-known", "rate": "25.00", "role": "host",
             "effective_from": "2026-01-01", "state": "on", "reason": "wrong hours"}
    assert dest in table, f"add a bad value for option '{dest}' to the CLI sweep"
    return table[dest]


def argv_for(path: tuple[str, ...], parser: argparse.ArgumentParser, missing: Path) -> list[str]:
    argv = list(path)
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._StoreTrueAction, argparse._StoreFalseAction)):
            continue
        if not action.option_strings:
            argv.append(bad_value(action.dest, missing))
        else:
            argv.extend([action.option_strings[-1], bad_value(action.dest, missing)])
    return argv


def test_every_subcommand_has_a_description():
    for path, parser in ALL:
        assert parser.description, f"`opsbot {' '.join(path)}` has no description"


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=lambda p: " ".join(p))
def test_unreachable_database_and_bad_arguments_never_show_a_traceback(cli, tmp_path, path):
    parser = dict(ALL)[path]
    missing = tmp_path / "no-such-folder"
    argv = argv_for(path, parser, missing)
    code, out = cli(argv, UNREACHABLE_PG)
    assert (code != 0 or path in NO_DATABASE) and "Traceback" not in out, (argv, out)
    code, out = cli([*argv, "--no-such-option"], f"sqlite:///{tmp_path}/sweep.db")
    lines = [line for line in out.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "--help" in lines[0], out
    if path not in SERVES and argv != list(path):  # a command without arguments has no bad ones
        code, out = cli(argv, f"sqlite:///{tmp_path}/sweep.db")
        assert code != 0 and "Traceback" not in out, (argv, out)


@pytest.mark.parametrize("command", [["migrate"], ["run"], ["jobs", "list"], ["outbox"]])
@pytest.mark.parametrize("url, words", [
    (UNREACHABLE_PG, "on 127.0.0.1:1"),
    ("sqlite:////no-such-folder/opsbot.db", "/no-such-folder/opsbot.db"),
])
def test_database_unreachable_or_missing_names_it_and_exits_2(cli, command, url, words):
    code, out = cli(command, url)
    lines = [line for line in out.splitlines() if line.strip()]
    assert code == 2, out
    assert len(lines) == 1 and "DATABASE_URL" in lines[0] and words in lines[0], out
    assert "secret" not in out  # the password never shows


def test_unexpected_error_gets_a_reference_not_a_traceback(cli, monkeypatch):
    from bot.cli import core

    def boom(_settings):  # a bug somewhere below the CLI
        raise RuntimeError("kaboom")

    monkeypatch.setattr(core, "_setup_logging", boom)
    code, out = cli(["migrate"], "sqlite:///x.db")
    assert code == 1 and "Traceback" not in out and "(ref " in out and "--debug" in out
    code, out = cli(["--debug", "migrate"], "sqlite:///x.db")
    assert "Traceback" in out and "kaboom" in out


def test_export_into_a_missing_folder_is_one_sentence(cli, tmp_path):
    url = f"sqlite:///{tmp_path}/x.db"
    assert cli(["migrate"], url)[0] == 0
    code, out = cli(["export", "schedule", "--week", "2026-W48", "--out", str(tmp_path / "nope" / "w.xlsx")], url)
    lines = [line for line in out.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "nope" in lines[0] and "Traceback" not in out, out


def test_jobs_list_into_a_closed_pipe_exits_quietly(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "OPSBOT_"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path}/pipe.db")
    subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True)
    cmd = f"{sys.executable} -m bot jobs list | true; echo rc=${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", cmd], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert result.stderr.strip() == "" and "rc=0" in result.stdout


def test_socket_mode_with_slack_unreachable_is_one_sentence(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "OPSBOT_"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=f"sqlite:///{tmp_path}/socket.db", SLACK_BOT_TOKEN="xoxb-sweep-1",
               SLACK_APP_TOKEN="xapp-1-sweep", SLACK_API_URL="http://127.0.0.1:1/api/")
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--no-scheduler"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach Slack at http://127.0.0.1:1/api/" in lines[0], result.stderr


@pytest.mark.parametrize("command", [["jobs", "list"], ["outbox"], ["export", "schedule", "--week", "2026-W48", "--out", "w.xlsx"]])
def test_an_unmigrated_database_says_run_migrate(cli, tmp_path, command):
    code, out = cli(command, f"sqlite:///{tmp_path}/empty.db")
    lines = [line for line in out.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "run `opsbot migrate`" in lines[0], out
