"""`opsbot run`, `migrate`, `check-config`, `outbox`: starting, upgrading and inspecting the bot."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from pydantic import ValidationError

from bot.config import SECRET_FIELDS, ConfigError, Settings, describe_validation_error, load_settings, mask

log = logging.getLogger("opsbot.cli")

WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) on your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the Signing Secret on your app's Basic Information page",
    "SLACK_APP_TOKEN": "an App-Level Token (xapp-...) with connections:write, Basic Information > App-Level Tokens",
}


def register(sub: Any) -> None:
    run = sub.add_parser("run", help="serve Slack (HTTP on PORT, or Socket Mode when SLACK_APP_TOKEN is set)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--http", action="store_true", help="serve HTTP even if SLACK_APP_TOKEN is set")
    mode.add_argument("--socket-mode", action="store_true", help="require Socket Mode")
    run.add_argument("--no-scheduler", action="store_true", help="do not host the scheduler in this process")
    run.add_argument("--no-migrate", action="store_true", help="skip applying migrations at start")
    run.set_defaults(func=cmd_run)

    migrate = sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    migrate.set_defaults(func=cmd_migrate)

    check = sub.add_parser("check-config", help="show what is set, missing and wrong (secrets masked)")
    check.set_defaults(func=cmd_check_config)

    out = sub.add_parser("outbox", help="show Slack messages waiting or failed")
    out.add_argument("--retry", type=int, metavar="ID", help="send a failed message again")
    out.set_defaults(func=cmd_outbox)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        print(f"opsbot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _missing_tokens(settings: Settings, socket_mode: bool) -> list[str]:
    needed = ["SLACK_BOT_TOKEN"] + (["SLACK_APP_TOKEN"] if socket_mode else ["SLACK_SIGNING_SECRET"])
    return [n for n in needed if not getattr(settings, n.lower())]


def _setup_logging(settings: Settings) -> None:
    from bot import logs

    logs.setup(settings.log_level, [settings.slack_bot_token or "", settings.slack_signing_secret or "", settings.slack_app_token or ""])


def _claim_rules_load() -> bool:
    """A malformed claim rules file stops start-up here, naming the file and line."""
    from bot.services.claims.rules import ClaimRulesError, load_rules

    try:
        load_rules()
    except ClaimRulesError as exc:
        print(f"opsbot can't start: {exc}", file=sys.stderr)
        return False
    return True


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    if not _claim_rules_load():
        return 2
    _setup_logging(settings)
    from bot.db.migrate import upgrade
    from bot.db.session import Database

    db = Database(settings.database_url)
    upgrade(db.engine)
    print(f"Database is up to date ({db.backend}).")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = settings_or_exit()
    socket_mode = args.socket_mode or (settings.socket_mode and not args.http)
    missing = _missing_tokens(settings, socket_mode)
    if missing:
        print("opsbot can't start: these settings are missing.", file=sys.stderr)
        for name in missing:
            print(f"  {name}: {WHERE[name]}", file=sys.stderr)
        print("Set them in the environment or in a .env file (see .env.example).", file=sys.stderr)
        return 2
    if not _claim_rules_load():
        return 2
    _setup_logging(settings)
    from bot.cli.dbcheck import require_reachable
    from bot.slack_checks import startup_refusal

    require_reachable(settings)  # the database first: without it nothing works, whatever Slack says
    refusal = startup_refusal(settings, socket_mode)
    if refusal:
        print(f"opsbot can't start: {refusal}", file=sys.stderr)
        return 2
    from bot.db.migrate import upgrade
    from bot.db.session import Database
    from bot.runtime import Runtime

    db = Database(settings.database_url)
    if args.no_migrate:
        from bot.cli.dbcheck import require_migrated

        require_migrated(settings)
    else:
        upgrade(db.engine)
    Runtime.build(settings, db).bootstrap_roles()
    db.dispose()  # workers open their own connections after fork
    with_scheduler = not args.no_scheduler
    if socket_mode:
        return _run_socket_mode(settings, with_scheduler)
    return _run_http(settings, with_scheduler)


def _build(settings: Settings, with_scheduler: bool):  # type: ignore[no-untyped-def]
    """The process's runtime and Bolt app; the notifier starts, and the scheduler stands by unless told not to."""
    from bot.app import create_app
    from bot.runtime import Runtime

    rt = Runtime.build(settings)
    app = create_app(rt)
    rt.notifier.start()
    if with_scheduler:
        from bot.jobs.scheduler import Scheduler

        Scheduler(rt).start()  # only the process holding the leader lock runs jobs
    import gc

    # Everything built so far (settings, the app, compiled statements, caches) lives as long as the process:
    # keep it out of the garbage collector's scans, which otherwise cost every request about a tenth of its CPU.
    gc.freeze()
    return rt, app


def _run_socket_mode(settings: Settings, with_scheduler: bool) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    rt, app = _build(settings, with_scheduler)
    log.info("opsbot serving Slack over Socket Mode")
    try:
        SocketModeHandler(app, settings.slack_app_token).start()
    finally:
        rt.notifier.stop()
    return 0


def wsgi_app(settings: Settings | None = None, with_scheduler: bool = False):  # type: ignore[no-untyped-def]
    """The WSGI application (one per worker process), for `gunicorn 'bot.cli.core:wsgi_app()'` too."""
    from bot.server import OpsbotWSGI

    settings = settings or settings_or_exit()
    _setup_logging(settings)
    rt, app = _build(settings, with_scheduler)
    return OpsbotWSGI(app, rt.db, settings.slack_signing_secret)


def _run_http(settings: Settings, with_scheduler: bool) -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": f"0.0.0.0:{settings.port}",
                "workers": settings.web_concurrency,
                "worker_class": "gthread",
                "threads": settings.web_threads,
                "timeout": 30,
                "graceful_timeout": 20,
                "keepalive": 5,
                "accesslog": None,
                "loglevel": settings.log_level.lower(),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):  # type: ignore[no-untyped-def]
            return wsgi_app(settings, with_scheduler)

    log.info("opsbot serving Slack over HTTP on port %s (POST /slack/events, GET /healthz)", settings.port)
    Server().run()
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    from dotenv import dotenv_values

    raw: dict[str, Any] = {k.upper(): v for k, v in dotenv_values(".env").items()} if os.path.exists(".env") else {}
    raw.update({k: v for k, v in os.environ.items()})
    wrong: dict[str, str] = {}
    settings: Settings | None = None
    try:
        settings = Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]).upper()
            wrong[name] = describe_validation_error(ValidationError.from_exception_data(exc.title, [err]))  # type: ignore[arg-type]
    problems = 0
    print(f"{'SETTING':<30} STATUS")
    for name, field in Settings.model_fields.items():
        env = name.upper()
        if env in wrong:
            status = f"WRONG   {wrong[env]}"
            problems += 1
        elif env in raw and raw[env] not in (None, ""):
            value = raw[env]
            status = f"set     {mask(value) if name in SECRET_FIELDS else value}"
        else:
            default = field.get_default(call_default_factory=True)
            shown = ",".join(default) if isinstance(default, list) else ("" if default is None else str(default))
            status = "missing" if name in ("slack_bot_token", "slack_signing_secret") else f"default {shown or '(not set)'}"
            if status == "missing":
                status += f"  ({WHERE.get(env, '')})"
        print(f"{env:<30} {status}")
    if settings is not None:
        missing = _missing_tokens(settings, settings.socket_mode)
        mode = "Socket Mode" if settings.socket_mode else "HTTP"
        if missing:
            print(f"\nNot ready to run in {mode} mode: set {', '.join(missing)}.")
            problems += 1
        else:
            from bot.cli.slack_report import print_database_report, print_slack_report

            print_database_report(settings)
            slack_problems = print_slack_report(settings)
            problems += slack_problems
            print(f"\nReady to run in {mode} mode." if not slack_problems else f"\nNot ready to run in {mode} mode: fix the Slack problems above.")
    return 2 if problems else 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from sqlalchemy import update

    from bot.db.models import OutboxMessage
    from bot.db.session import Database
    from bot.services import outbox

    settings = settings_or_exit()
    db = Database(settings.database_url)
    if args.retry:
        from datetime import timedelta

        from bot import clock

        now = clock.now()
        with db.transaction() as s:  # a fresh retry horizon from now; the chain's waiting children follow it
            res = s.execute(update(OutboxMessage).where(OutboxMessage.id == args.retry, OutboxMessage.status == "failed")
                            .values(status="pending", next_attempt_at=now, attempts=0, claimed_until=None,
                                    give_up_at=now + timedelta(hours=settings.outbox_retry_horizon_hours)))
        print("Queued again." if res.rowcount else "No failed message with that ID.")
        return 0 if res.rowcount else 1
    with db.read() as s:
        rows = outbox.pending_and_failed(s)
        if not rows:
            print("Nothing waiting: every message was delivered.")
            return 0
        print(f"{'ID':>6} {'STATUS':<8} {'KIND':<6} {'TO':<12} {'TRIES':>5}  {'NEXT TRY (UTC)':<20} LAST ERROR / TEXT")
        for m in rows:
            summary = m.last_error or (m.payload.get("text") or m.payload.get("board") or "")[:60]
            print(f"{m.id:>6} {m.status:<8} {m.kind:<6} {(m.channel or '-'):<12} {m.attempts:>5}  "
                  f"{m.next_attempt_at:%Y-%m-%d %H:%M:%S}  {summary}")
    return 0
