"""Building the Bolt app prints no misleading warnings (Bolt reads SLACK_BOT_TOKEN from the environment itself)."""

from __future__ import annotations

import logging

from conftest import BOT_TOKEN, make_settings


def test_no_token_unused_warning_with_the_token_in_the_environment(db, db_url, monkeypatch, caplog):
    from bot.app import create_app
    from bot.runtime import Runtime

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)  # as in production: settings come from the environment
    with caplog.at_level(logging.DEBUG):
        create_app(Runtime.build(make_settings(db_url), db))
    assert "will be unused" not in caplog.text
    assert "token" not in " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
