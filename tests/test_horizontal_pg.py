"""The production shape on PostgreSQL: two web processes (`opsbot run --http --no-scheduler`) and two workers
(`opsbot scheduler`) at once. Every scheduled post goes out exactly once, even when the leading worker is
killed and the other takes over, and no outbox message is lost when a process is killed mid-send.

Real processes, real signals (SIGKILL: no clean shutdown). PostgreSQL only: SQLite is one machine's file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ADMIN, BOT_TOKEN, HOST, OPS_CHANNEL, PG_URL, SIGNING_SECRET, give_roles
from slack_signing import command_body, sign
from sqlalchemy import func, select

from bot import clock
from bot.db.jobs import JobRun
from bot.db.models import OutboxMessage
from bot.services import outbox
from bot.timefmt import to_local

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (set OPSBOT_TEST_DATABASE_URL)")

ROOT = Path(__file__).resolve().parents[1]
LOAD_CHANNEL, LOAD = "C0LOAD", 24


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(what, timeout: float, step: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = what()
        if got:
            return got
        time.sleep(step)
    return what()


def test_two_web_processes_and_two_workers(db, db_url, stub):
    give_roles(db, {HOST: "host"})
    local = to_local(clock.now() - timedelta(minutes=2), __import__("zoneinfo").ZoneInfo("America/Los_Angeles"))
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": stub.base_url,
           "DATABASE_URL": db_url, "OPS_CHANNEL": OPS_CHANNEL, "OPSBOT_ADMINS": ADMIN, "LOG_LEVEL": "WARNING",
           "WEB_CONCURRENCY": "1", "WEB_THREADS": "4", "NOTIFIER_POLL_SECONDS": "0.2", "CHANNEL_PACE_SECONDS": "0.1",
           "OUTBOX_CLAIM_SECONDS": "2", "SCHEDULER_STANDBY_POLL_SECONDS": "0.5", "BOARD_MIN_INTERVAL_SECONDS": "0",
           # the daily run-of-show was due two minutes ago: the leader posts it on taking over (catch-up)
           "RUN_OF_SHOW_TIME": f"{local:%H:%M}",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    for name in ("SLACK_APP_TOKEN", "LEGAL_CHANNEL", "LEADERSHIP_CHANNEL", "ESCALATION_CHANNEL"):
        env.pop(name, None)
    ports = [_free_port(), _free_port()]
    procs = {f"web{i}": subprocess.Popen([sys.executable, "-m", "bot", "run", "--http", "--no-scheduler", "--no-migrate"],
                                         env={**env, "PORT": str(port)}, cwd=ROOT,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i, port in enumerate(ports)}
    def worker() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "bot", "scheduler"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    procs["worker0"] = worker()
    try:
        # 1. the first worker leads and posts the run-of-show that was due; then a second stands by
        runs = _until(lambda: _runs(db, "run-of-show"), 25)
        assert runs == 1
        procs["worker1"] = worker()
        scheduled = _until(lambda: _ops_posts(stub), 10)
        assert scheduled, "the run-of-show was never posted"

        # 2. both web processes take check-ins; a queue of messages is waiting for the notifiers
        import urllib.request

        for port in ports:
            body = command_body("/checkin" if port == ports[0] else "/checkout", "", HOST)
            req = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                         headers=sign(body, SIGNING_SECRET), method="POST")
            _until(lambda req=req: _answers(req), 15, 0.3)
        with db.transaction() as s:
            for n in range(LOAD):
                outbox.post(s, LOAD_CHANNEL, f"load {n}", key=f"load:{n}")

        # 3. a web process dies mid-send, and so does the leading worker
        _until(lambda: len(_load_posts(stub)) >= 4, 15, 0.02)
        procs["web0"].send_signal(signal.SIGKILL)
        procs["worker0"].send_signal(signal.SIGKILL)  # the leader: worker1 takes the lock and catches up

        # 4. the rest is delivered by the survivors; the new leader does not post the run-of-show again
        _until(lambda: {t for t in _load_posts(stub)} == {f"load {n}" for n in range(LOAD)}, 25)
        time.sleep(2)  # the new leader's catch-up has run by now
        sent = Counter(_load_posts(stub))
        assert set(sent) == {f"load {n}" for n in range(LOAD)}, sorted(sent)  # none lost
        assert sum(sent.values()) - LOAD <= 1, sent  # at most the one in flight when its process died, twice
        assert _runs(db, "run-of-show") == 1
        assert _ops_posts(stub) == scheduled  # the scheduled post exactly once
        with db.read() as s:
            waiting = s.scalar(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.channel == LOAD_CHANNEL))
        assert waiting == 0
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def _answers(req) -> bool:  # type: ignore[no-untyped-def]
    import urllib.request

    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status == 200
    except Exception:
        return False


def _runs(db, job: str) -> int:  # type: ignore[no-untyped-def]
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == job)) or 0


def _ops_posts(stub) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.params.get("text", "") for c in stub.calls_to("chat.postMessage")
            if c.ok and c.params.get("channel") == OPS_CHANNEL and "On set today" not in c.params.get("text", "")]


def _load_posts(stub) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.params["text"] for c in stub.calls_to("chat.postMessage") if c.ok and c.params.get("channel") == LOAD_CHANNEL]
