"""Set up right the first time: placeholder or refused tokens stop `check-config` and `run`; each channel is checked."""

from __future__ import annotations

import logging
import shutil

import pytest
from conftest import make_settings
from slack_stub import SlackStub
from test_cli import ROOT, opsbot

from bot.slack_checks import startup_refusal

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1111-2222-abcdefABCDEF", "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef"}


@pytest.fixture
def slack():
    with SlackStub() as stub:
        yield stub


def test_env_copied_unchanged_from_the_example_is_not_ready(tmp_path, slack):
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = opsbot("check-config", env={"SLACK_API_URL": slack.base_url}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Ready to run" not in result.stdout.replace("Not ready to run", "")
    assert "SLACK_BOT_TOKEN is still the placeholder from .env.example" in result.stdout
    assert slack.calls_to("auth.test") == []  # known bad without asking Slack


def test_run_refuses_a_placeholder_token_in_one_sentence(tmp_path, slack):
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = opsbot("run", env={"SLACK_API_URL": slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SLACK_BOT_TOKEN" in lines[0] and "Traceback" not in result.stderr


def test_a_token_slack_refuses_stops_check_config_and_run(tmp_path, slack):
    slack.revoked_tokens.add(GOOD["SLACK_BOT_TOKEN"])
    env = {**GOOD, "SLACK_API_URL": slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    check = opsbot("check-config", env=env, cwd=tmp_path)
    assert check.returncode == 2 and "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in check.stdout
    run = opsbot("run", env=env, cwd=tmp_path)
    assert run.returncode == 2 and "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "x.db").exists()  # refused before touching anything


def test_check_config_checks_each_channel_and_says_which_invite_is_missing(tmp_path, slack):
    slack.channels.update({
        "C0OPS1": {"name": "ops", "is_member": True},
        "C0LEGAL1": {"name": "legal", "is_member": False},  # public: the bot joins it itself
        "C0LEAD1": {"name": "leadership", "is_member": False, "is_private": True},
    })
    slack.missing_channels.add("C0GONE1")
    env = {**GOOD, "SLACK_API_URL": slack.base_url, "OPS_CHANNEL": "C0OPS1", "LEGAL_CHANNEL": "C0LEGAL1",
           "LEADERSHIP_CHANNEL": "C0LEAD1", "ESCALATION_CHANNEL": "C0GONE1"}
    result = opsbot("check-config", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}  # the Slack section
    assert "the bot is a member" in lines["OPS_CHANNEL"]
    assert "joined" in lines["LEGAL_CHANNEL"]
    assert "PROBLEM" in lines["LEADERSHIP_CHANNEL"] and "/invite @opsbot` in #leadership" in lines["LEADERSHIP_CHANNEL"]
    assert "PROBLEM" in lines["ESCALATION_CHANNEL"] and "no such channel" in lines["ESCALATION_CHANNEL"]
    assert [c.params["channel"] for c in slack.calls_to("conversations.join")] == ["C0LEGAL1"]
    assert "Not ready to run in HTTP mode" in result.stdout


def test_check_config_ready_when_token_and_channels_are_right(tmp_path, slack):
    result = opsbot("check-config", env={**GOOD, "SLACK_API_URL": slack.base_url, "OPS_CHANNEL": "C0OPS1"}, cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "bot UBOT in workspace Studio" in result.stdout and "Ready to run in HTTP mode" in result.stdout
    assert slack.violations == []


def test_a_missing_post_scope_is_a_problem(tmp_path, slack):
    slack.scopes = ("commands", "users:read")
    result = opsbot("check-config", env={**GOOD, "SLACK_API_URL": slack.base_url, "OPS_CHANNEL": "C0OPS1"}, cwd=tmp_path)
    assert result.returncode == 2 and "lacks the chat:write scope" in result.stdout


def test_slack_unreachable_at_start_warns_and_starts(db_url, caplog):
    settings = make_settings(db_url, "http://127.0.0.1:9/api/", slack_bot_token=GOOD["SLACK_BOT_TOKEN"])
    with caplog.at_level(logging.WARNING, logger="opsbot.slack_checks"):
        assert startup_refusal(settings, socket_mode=False) is None
    assert "could not be reached" in caplog.text and "starts anyway" in caplog.text


def test_start_joins_public_channels(db_url, slack):
    slack.channels["C0OPS"] = {"name": "ops", "is_member": False}
    settings = make_settings(db_url, slack.base_url)
    assert startup_refusal(settings, socket_mode=False) is None
    assert [c.params["channel"] for c in slack.calls_to("conversations.join")] == ["C0OPS"]


@pytest.mark.parametrize("args", [["outbox"], ["jobs", "list"], ["scheduler"], ["escalations", "tick"],
                                  ["run", "--no-migrate", "--no-scheduler"]])
def test_commands_on_an_unmigrated_database_say_run_migrate(tmp_path, slack, args):
    env = {**GOOD, "SLACK_API_URL": slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path}/never-migrated.db"}
    result = opsbot(*args, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "run `opsbot migrate`" in result.stderr and "Traceback" not in result.stderr
    assert "no such table" not in result.stderr


def test_check_config_says_whether_the_database_is_migrated(tmp_path, slack):
    env = {**GOOD, "SLACK_API_URL": slack.base_url, "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"}
    before = opsbot("check-config", env=env, cwd=tmp_path)
    assert before.returncode == 0 and "c.db not created yet: `opsbot migrate`" in before.stdout
    assert not (tmp_path / "c.db").exists()
    (tmp_path / "c.db").touch()
    assert "Database (sqlite): not migrated yet: `opsbot migrate`" in opsbot("check-config", env=env, cwd=tmp_path).stdout
    assert opsbot("migrate", env=env, cwd=tmp_path).returncode == 0
    assert "Database (sqlite): migrated" in opsbot("check-config", env=env, cwd=tmp_path).stdout
