"""The opsbot command line: configuration errors in plain words, masked secrets, migrate."""

from __future__ import annotations

import os
import subprocess
import time
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPSBOT_", "DATABASE_URL", "TEAM_", "OPS_", "LEGAL_", "LEADERSHIP_", "ESCALATION_"))}


def opsbot(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60,
                          env={**BASE_ENV, "PYTHONPATH": str(ROOT), **(env or {})}, cwd=cwd or ROOT / "tests")


def test_missing_tokens_say_what_to_set_and_exit_2(tmp_path):
    result = opsbot("run", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "OAuth & Permissions" in result.stderr
    assert "SLACK_SIGNING_SECRET" in result.stderr and "Basic Information" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("env, name", [
    ({"TEAM_TIMEZONE": "Mars/Olympus"}, "TEAM_TIMEZONE"),
    ({"SLACK_API_URL": "not a url"}, "SLACK_API_URL"),
    ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
    ({"DATABASE_URL": "::::"}, "DATABASE_URL"),
    ({"OPS_CHANNEL": "#ops"}, "OPS_CHANNEL"),
    ({"OPSBOT_ADMINS": "U123,bob"}, "OPSBOT_ADMINS"),
    ({"PORT": "eighty"}, "PORT"),
])
def test_bad_value_stops_startup_with_one_sentence(tmp_path, env, name):
    result = opsbot("run", env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", **env}, cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and name in lines[0]
    assert "Traceback" not in result.stderr


def test_check_config_masks_secrets(tmp_path):
    secret = "xoxb-1234567890-abcdefghijkl"
    result = opsbot("check-config", env={"SLACK_BOT_TOKEN": secret, "SLACK_SIGNING_SECRET": "supersecretvalue123",
                                         "TEAM_TIMEZONE": "Nowhere/Land"}, cwd=tmp_path)
    assert secret not in result.stdout and "supersecretvalue123" not in result.stdout
    assert "xoxb-…ijkl" in result.stdout
    assert "TEAM_TIMEZONE" in result.stdout and "WRONG" in result.stdout
    assert result.returncode == 2


def test_check_config_ready(tmp_path):
    result = opsbot("check-config", env={"SLACK_BOT_TOKEN": "xoxb-1-2-3-4", "SLACK_SIGNING_SECRET": "abcdefghijkl"}, cwd=tmp_path)
    assert result.returncode == 0 and "Ready to run in HTTP mode" in result.stdout


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv-file\nSLACK_SIGNING_SECRET=abcdefghijkl\nTEAM_TIMEZONE=America/New_York\n")
    result = opsbot("check-config", cwd=tmp_path)
    assert "America/New_York" in result.stdout and result.returncode == 0


def test_migrate_creates_schema(tmp_path):
    url = f"sqlite:///{tmp_path}/fresh.db"
    result = opsbot("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    again = opsbot("migrate", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert again.returncode == 0


def test_log_lines_never_show_tokens():
    import io
    import logging

    from bot.logs import SecretScrubber

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretScrubber(["my-signing-secret-value"]))
    logger = logging.getLogger("opsbot.test-scrub")
    logger.addHandler(handler)
    logger.propagate = False
    logger.warning("token %s secret %s", "xoxb-123-456-abcdef", "my-signing-secret-value")
    out = stream.getvalue()
    assert "xoxb-123" not in out and "my-signing-secret-value" not in out and "xoxb-****" in out


def test_several_processes_migrating_at_once_is_safe(tmp_path):
    """Web processes that start together each run migrations; the lock makes that safe."""
    pg = os.environ.get("OPSBOT_TEST_DATABASE_URL")
    if pg:
        from sqlalchemy import text

        from bot.db.session import Database

        admin = Database(pg)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("DROP DATABASE IF EXISTS opsbot_migrate_race"))
            conn.execute(text("CREATE DATABASE opsbot_migrate_race"))
        admin.dispose()
        url = pg.rsplit("/", 1)[0] + "/opsbot_migrate_race"
    else:
        url = f"sqlite:///{tmp_path}/race.db"
    env = {**BASE_ENV, "PYTHONPATH": str(ROOT), "DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "migrate"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs


def _roster(url: str, roles: dict[str, str]) -> None:
    from conftest import give_roles

    from bot.db.migrate import upgrade
    from bot.db.session import Database

    db = Database(url)
    upgrade(db.engine)
    give_roles(db, roles)
    db.dispose()


def _serve(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", *args], env={**BASE_ENV, "PYTHONPATH": str(ROOT), **env},
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_run_over_http_serves_healthz_and_signed_commands(tmp_path):
    """`opsbot run` as a new user starts it: migrations, then gunicorn serving /healthz and /slack/events."""
    import json
    import socket
    import urllib.request

    from slack_signing import SlackClient
    from slack_stub import SlackStub

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with SlackStub() as stub:
        env = {"SLACK_BOT_TOKEN": "xoxb-run-test", "SLACK_SIGNING_SECRET": "run-secret-123456", "SLACK_API_URL": stub.base_url,
               "DATABASE_URL": f"sqlite:///{tmp_path}/run.db", "PORT": str(port), "WEB_CONCURRENCY": "1", "OPS_CHANNEL": "C0OPS"}
        _roster(env["DATABASE_URL"], {"UHOST001": "host"})  # only rostered hosts and PAs clock in
        proc = _serve(["run", "--http"], env, tmp_path)
        try:
            deadline = time.time() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                        assert json.loads(resp.read())["database"] == "ok"
                        break
                except OSError:
                    assert time.time() < deadline and proc.poll() is None, proc.stdout.read() if proc.poll() is not None else "timeout"
                    time.sleep(0.3)
            status, body = SlackClient(f"http://127.0.0.1:{port}/slack/events", "run-secret-123456").command("/checkin", "", "UHOST001")
            assert status == 200 and "Clocked in" in body["text"]
            stub.wait_for("chat.postMessage", timeout=10)  # the notifier in the worker posts the board
        finally:
            proc.terminate()
            out = proc.communicate(timeout=20)[0]
        assert "command /checkin user=UHOST001 status=200" in out  # one log line per request
        assert "run-secret-123456" not in out and "xoxb-run-test" not in out
        assert stub.violations == []


def test_run_in_socket_mode_connects_with_the_app_token(tmp_path):
    from slack_stub import SlackStub

    with SlackStub() as stub:
        env = {"SLACK_BOT_TOKEN": "xoxb-run-test", "SLACK_APP_TOKEN": "xapp-1-socket-test", "SLACK_API_URL": stub.base_url,
               "DATABASE_URL": f"sqlite:///{tmp_path}/socket.db"}
        proc = _serve(["run", "--no-scheduler"], env, tmp_path)
        try:
            [call] = stub.wait_for("apps.connections.open", timeout=20)[:1]
            assert call.headers["authorization"] == "Bearer xapp-1-socket-test"
        finally:
            proc.kill()
            proc.communicate(timeout=20)
