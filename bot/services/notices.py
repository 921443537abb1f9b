"""Plain notices: a service says what happened, to whom, with the data a message needs; it never builds one.

The Block Kit for each notice is made in bot/blocks/notices.py, which registers one renderer per notice
name when it is imported (bot/runtime.py, the CLI and the tests import it). The outbox row keeps the
notice's name next to the rendered text, so a row says which notice it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import OutboxMessage
from bot.services import outbox

# A renderer turns a notice's data into (text, blocks); registered by name from bot/blocks/notices.py.
Renderer = Callable[..., Any]
_RENDERERS: dict[str, Renderer] = {}


def register(name: str, renderer: Renderer) -> None:
    _RENDERERS[name] = renderer


def registered() -> frozenset[str]:
    return frozenset(_RENDERERS)


def render(name: str, *args: Any, **data: Any) -> Any:
    """The message for a notice (usually text and blocks); the renderers are loaded once at start (see the module docstring)."""
    renderer = _RENDERERS.get(name)
    if renderer is None:
        raise LookupError(f"no renderer for notice {name!r}: import bot.blocks.notices at start")
    return renderer(*args, **data)


def dm(session: Session, user_id: str, name: str, *args: Any, key: str | None = None,
       remember_as: str | None = None, **data: Any) -> OutboxMessage | None:
    """Queue a direct message carrying notice `name` (rendered now, in the caller's transaction)."""
    text, blocks = render(name, *args, **data)
    return outbox.dm(session, user_id, text, blocks, key=key, remember_as=remember_as, notice=name)


def post(session: Session, channel: str | None, name: str, *args: Any, key: str | None = None,
         remember_as: str | None = None, thread_of: str | None = None, **data: Any) -> OutboxMessage | None:
    """Queue a channel post carrying notice `name`; the options are those of `outbox.post`."""
    if not channel:
        return None
    text, blocks = render(name, *args, **data)
    return outbox.post(session, channel, text, blocks, key=key, remember_as=remember_as, thread_of=thread_of,
                       notice=name)


def update(session: Session, remembered: str, name: str, *args: Any, **data: Any) -> OutboxMessage | None:
    """Queue an edit of a remembered message, carrying notice `name`."""
    text, blocks = render(name, *args, **data)
    return outbox.update(session, remembered, text, blocks, notice=name)
