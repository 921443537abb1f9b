"""Is this exception the database being out of reach (down, restarting, network), not a bug?

Used to answer people in plain words and to log an outage once a minute instead of a traceback
per request (see bot.logs.OutageLog).
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_SIGNS = (
    "connection refused", "could not connect", "server closed the connection", "connection reset",
    "terminating connection", "the database system is", "connection timed out", "timeout expired",
    "no route to host", "connection is closed", "unable to open database file", "disk i/o error",
    "name or service not known", "connection to server",
)


def unreachable(exc: BaseException) -> bool:
    """True for lost or refused connections (PostgreSQL down, SQLite file gone), False for bugs and locks."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (OperationalError, InterfaceError)) or _driver_error(exc):
        text = str(exc).lower()
        return any(sign in text for sign in _SIGNS)
    return False


def _driver_error(exc: BaseException) -> bool:
    """The driver's own OperationalError/InterfaceError, unwrapped: the punch runs on the raw DBAPI connection."""
    return any(cls.__name__ in ("OperationalError", "InterfaceError") and cls.__module__.split(".")[0] in ("sqlite3", "psycopg")
               for cls in type(exc).__mro__)
