"""`opsbot check-config`'s Slack part: the token (auth.test) and each configured channel, in plain lines."""

from __future__ import annotations

from bot.config import Settings
from bot.slack_checks import check_channels, check_token, startup_client


def print_slack_report(settings: Settings) -> int:
    """Print what Slack says of the token and channels; the number of problems (Slack unreachable is not one)."""
    client = startup_client(settings)
    token = check_token(settings, client, settings.socket_mode)
    print("\nSlack")
    if token.refusal:
        print(f"  token    REFUSED  {token.refusal}")
        return 1
    if token.warning:
        print(f"  token    not checked  {token.warning}")
        return 0
    print(f"  token    ok       bot {token.bot_user} in workspace {token.team or '?'}")
    report = check_channels(settings, client, token)
    for check in report.checks:
        status = "ok      " if check.ok else "PROBLEM "
        print(f"  {check.setting:<19} {check.channel:<12} {status} {check.message}")
    if not report.checks:
        print("  channels none set (OPS_CHANNEL, LEGAL_CHANNEL, LEADERSHIP_CHANNEL, ESCALATION_CHANNEL): posts have nowhere to go")
    return len(report.problems)


def print_database_report(settings: Settings) -> None:
    """One line on the database: migrated, not yet (not a problem: `opsbot run` and the release step migrate), or unreachable."""
    import os

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db.migrate import pending
    from bot.db.session import Database

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") and not os.path.exists(url.database):
        print(f"\nDatabase (sqlite): {url.database} not created yet: `opsbot migrate` (or `opsbot run`) creates it")
        return  # checking must not leave an empty file behind
    db = Database(settings.database_url)
    try:
        state = "not migrated yet: `opsbot migrate` (or `opsbot run`) applies the migrations" if pending(db.engine) else "migrated"
    except SQLAlchemyError as exc:
        state = f"could not connect ({type(exc.orig or exc).__name__})"
    finally:
        db.dispose()
    print(f"\nDatabase ({db.backend}): {state}")
