"""Profile /checkin and /checkout in one process: `python bench/profile_checkin.py [DATABASE_URL]`.

The real WSGI app (edge, Bolt, handlers) is called directly with signed requests; Bolt's listener pool is
replaced by an inline executor so the after-ack work runs on the profiled thread too, and the notifier
delivers every 10 requests. Prints CPU per request, then cProfile's top entries (SORT=tottime|cumulative,
TOP=N; NOPROF=1 for the CPU figure alone). The Web API is the stand-in from tests/slack_stub.py.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from slack_signing import command_body, sign  # noqa: E402
from slack_stub import SlackStub  # noqa: E402

import bot.app as botapp  # noqa: E402


class Inline(Executor):
    def submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller like a pool would
            future.set_exception(exc)
        return future


botapp.AckWaitingExecutor = lambda **kw: Inline()  # type: ignore[assignment,misc]

from bot.config import Settings  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.session import Database  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.server import OpsbotWSGI  # noqa: E402

SECRET = "profile-secret"


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/profile.db"
    db = Database(url)
    if db.backend == "postgresql":
        from sqlalchemy import text

        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(db.engine)
    stub = SlackStub(validate=False).start()
    settings = Settings(_env_file=None, slack_bot_token="xoxb-profile", slack_signing_secret=SECRET,  # type: ignore[call-arg]
                        slack_api_url=stub.base_url, database_url=url, ops_channel="C0OPS",
                        opsbot_admins=["UADMIN01"], open_checkin=True)
    rt = Runtime.build(settings, db)
    rt.bootstrap_roles()
    app = OpsbotWSGI(botapp.create_app(rt), db, SECRET)

    def call(command: str, user: str) -> None:
        body = command_body(command, "", user).encode()
        headers = sign(body.decode(), SECRET)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1",
                   "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": headers["Content-Type"], "wsgi.input": io.BytesIO(body),
                   "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
                   "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"]}
        status: list[str] = []
        b"".join(app(environ, lambda s, h: status.append(s)))
        assert status[0].startswith("200"), status

    n = int(os.environ.get("N", "400"))
    users = [f"UP{i:04d}" for i in range(20)]
    for u in users:  # everyone has used the bot before
        call("/checkin", u)
        call("/checkout", u)
    rt.notifier.deliver_due()
    if os.environ.get("FREEZE"):
        import gc

        gc.freeze()
        if os.environ.get("FREEZE") == "2":
            gc.set_threshold(10_000, 20, 20)
    profiler = cProfile.Profile()
    started = time.process_time()
    if not os.environ.get("NOPROF"):
        profiler.enable()
    for i in range(n):
        call("/checkin" if (i // len(users)) % 2 == 0 else "/checkout", users[i % len(users)])
        if i % 10 == 9:
            rt.notifier.deliver_due()
    profiler.disable()
    print(f"CPU per request: {(time.process_time() - started) / n * 1000:.2f} ms{'' if os.environ.get('NOPROF') else ' (profiled)'}")
    if not os.environ.get("NOPROF"):
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "30")))
    stub.stop()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
