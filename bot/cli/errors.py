"""The CLI's one error boundary: every failure ends as one sentence on stderr and a non-zero exit.

Known failures (bad input, a database or Slack that cannot be reached, a file that cannot be written)
are explained in plain words; anything else is a bug and gets a reference, with the traceback written
to a file (and printed only with `--debug`), never on the terminal by default.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
import uuid
from collections.abc import Callable
from typing import Any
from urllib.error import URLError
from urllib.parse import urlsplit

log = logging.getLogger("opsbot.cli")

EXIT_FAILED, EXIT_USAGE = 1, 2


class CliError(Exception):
    """A failure the user can fix, already worded for them."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _setting(name: str, default: str = "") -> str:
    """A setting as the process sees it (environment or .env), only to word an error."""
    try:
        from bot.config import load_settings

        return str(getattr(load_settings(), name.lower()) or default)
    except Exception:  # noqa: BLE001
        return os.environ.get(name, default)


def _database_url() -> str:
    return _setting("DATABASE_URL")


def describe_database(url: str) -> str:
    """'PostgreSQL on db.internal:5432' / 'SQLite file ./x.db', without the password."""
    if not url:
        return "the database"
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1] or ":memory:"
        return f"the SQLite file {path}"
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    name = parts.path.lstrip("/") or "(no database name)"
    return f"PostgreSQL database '{name}' on {host}{port}"


def _database_reason(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.rstrip(".")


def _is_unmigrated(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def explain(exc: BaseException, url_for_db: Callable[[], str] = _database_url) -> CliError | None:
    """The plain-words version of a known failure, or None for a bug."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError

    from bot.config import ConfigError
    from bot.services.errors import OpsError

    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, ConfigError):
        return CliError(str(exc))
    if isinstance(exc, OpsError):
        return CliError(exc.message)
    if isinstance(exc, (OperationalError, ProgrammingError, InterfaceError, DBAPIError)):
        if _is_unmigrated(exc):
            return CliError(f"{describe_database(url_for_db())} is not set up yet: run `opsbot migrate` first.")
        return CliError(f"cannot use {describe_database(url_for_db())} (DATABASE_URL): {_database_reason(exc)}. "
                        "Check that the server is running and DATABASE_URL is right.")
    slack = _slack_unreachable(exc)
    if slack is not None:
        return slack
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        return CliError(f"cannot use {exc.filename}: {exc.strerror or exc}.")
    return None


def _slack_unreachable(exc: BaseException) -> CliError | None:
    from slack_sdk.errors import SlackApiError, SlackClientError

    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if exc.response is not None else None
        return CliError(f"Slack refused the request ({error or exc}); check SLACK_BOT_TOKEN and SLACK_APP_TOKEN.")
    if isinstance(exc, (URLError, ConnectionError, TimeoutError, SlackClientError)):
        reason = getattr(exc, "reason", None) or exc
        api = _setting("SLACK_API_URL", "https://slack.com/api/")
        return CliError(f"cannot reach Slack at {api} (SLACK_API_URL): {reason}. Check the network and try again.")
    return None


def _quiet_stdout() -> None:
    """After a closed pipe (`opsbot jobs list | head`), send what is left of stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _report_bug(exc: BaseException, debug: bool) -> int:
    ref = uuid.uuid4().hex[:8]
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    path = os.path.join(tempfile.gettempdir(), f"opsbot-error-{ref}.txt")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(details)
        where = f"details in {path}"
    except OSError:
        where = "details with --debug"
    log.error("unexpected error ref=%s %s: %s", ref, type(exc).__name__, exc)
    if debug:
        print(details, file=sys.stderr, end="")
    print(f"opsbot: something went wrong (ref {ref}); this is a bug: {where}; rerun with --debug to see them.",
          file=sys.stderr)
    return EXIT_FAILED


def guarded(func: Callable[[Any], int | None], args: Any, *, debug: bool = False) -> int:
    """Run one subcommand inside the boundary and return its exit code."""
    try:
        code = int(func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, inside the boundary, not at interpreter exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        print("opsbot: interrupted.", file=sys.stderr)
        return 130
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - this is the boundary
        known = explain(exc)
        if known is None:
            return _report_bug(exc, debug)
        log.debug("cli error", exc_info=exc)
        if debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        _print(f"opsbot: {known.message}")
        return known.code


def _print(line: str) -> None:
    try:
        print(line, file=sys.stderr)
    except (BrokenPipeError, ValueError):
        pass
