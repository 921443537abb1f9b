"""Running `opsbot` in-process (fast) with a clean environment: `cli(argv, database_url) -> (exit code, output)`."""

from __future__ import annotations

import logging
import os

import pytest

from bot.cli import main

UNREACHABLE_PG = "postgresql+psycopg://opsbot:secret@127.0.0.1:1/opsbot"


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    for key in list(os.environ):
        if key.startswith(("SLACK_", "DATABASE_URL", "TEAM_", "OPS_", "LEGAL_", "LEADERSHIP_", "ESCALATION_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-sweep-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "sweep-signing-secret")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:1/api/")

    def run(argv: list[str], database_url: str) -> tuple[int, str]:
        monkeypatch.setenv("DATABASE_URL", database_url)
        logging.getLogger().handlers.clear()  # an earlier in-process run left a handler on a closed capture
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        out = capsys.readouterr()
        return code, out.out + out.err

    return run
