"""Helpers every handler shares: refusals in plain words, and a guard so no stack trace reaches a person."""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.blocks.common import error_message, escape, modal, section
from bot.handlers.outage import answer_for
from bot.logs import SLACK
from bot.services.errors import Invalid, OpsError

log = logging.getLogger("opsbot.handlers")

OOPS = "Something went wrong on our side and nothing was changed. Try again in a minute; if it keeps happening, tell the associate (ref {ref})."


def user_id_of(body: dict[str, Any]) -> str:
    """The clicking/typing user's ID in any payload shape."""
    if "user_id" in body:
        return body["user_id"]
    user = body.get("user") or {}
    return user.get("id") or body.get("event", {}).get("user", "")


def tell(body: dict[str, Any], client: WebClient, respond: Any, text: str) -> None:
    """Answer one person privately wherever they clicked: the message's response_url, or a DM."""
    safe = escape(text)
    if body.get("response_url") and respond is not None:
        respond(text=safe, blocks=error_message(safe), response_type="ephemeral", replace_original=False)
        return
    try:
        client.chat_postMessage(channel=user_id_of(body), text=safe, blocks=error_message(safe))
    except Exception as exc:
        if answer_for(exc) is None:
            log.exception("could not tell %s: %s", user_id_of(body), text)
        else:
            SLACK.down(f"could not tell {user_id_of(body)}: {type(exc).__name__}")


def guarded(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a listener so refusals and unexpected errors become plain, private answers.

    kind: 'command' answers in the ack; 'action' answers via response_url or DM;
    'view' answers as a modal field error (falls back to a generic error on the first block).
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(ack: Any, body: dict[str, Any], client: WebClient, respond: Any = None, **kw: Any) -> None:
            acked = {"done": False}

            def ack_once(*args: Any, **kwargs: Any) -> None:
                if not acked["done"]:
                    acked["done"] = True
                    ack(*args, **kwargs)

            try:
                fn(ack=ack_once, body=body, client=client, respond=respond, **kw)
            except OpsError as exc:
                _refuse(kind, exc, ack_once, acked["done"], body, client, respond)
            except Exception as exc:
                answer = answer_for(exc)  # an outage or rate limit, said plainly (and logged once a minute)
                if answer is None:
                    ref = uuid.uuid4().hex[:8]
                    log.exception("listener %s failed (ref %s)", fn.__name__, ref)
                    answer = OOPS.format(ref=ref)
                _refuse(kind, OpsError(answer), ack_once, acked["done"], body, client, respond)
            finally:
                if not acked["done"]:
                    ack_once()

        return wrapper

    return deco


def _refuse(kind: str, exc: OpsError, ack: Any, acked: bool, body: dict[str, Any], client: WebClient, respond: Any) -> None:
    text = escape(exc.message)
    if kind == "command" and not acked:
        ack(text=text, blocks=error_message(text))
        return
    if kind == "view" and not acked:
        if isinstance(exc, Invalid) and exc.fields:
            ack(response_action="errors", errors=exc.fields)
            return
        block_id = _first_input_block(body)
        if block_id:
            ack(response_action="errors", errors={block_id: exc.message[:150]})
        else:
            ack(response_action="update", view=modal("Couldn't do that", [section(f":warning: {text}")]))
        return
    if not acked:
        ack()
    tell(body, client, respond, exc.message)


def _first_input_block(body: dict[str, Any]) -> str | None:
    for block in (body.get("view") or {}).get("blocks", []):
        if block.get("type") == "input":
            return block.get("block_id")
    return None


def input_value(body: dict[str, Any], block_id: str, action_id: str = "value") -> Any:
    """The submitted value of one input in a view submission, whatever its element type."""
    state = body["view"]["state"]["values"].get(block_id, {}).get(action_id, {})
    for key in ("value", "selected_date", "selected_time", "selected_user", "selected_date_time"):
        if key in state:
            return state[key]
    if "selected_option" in state:
        opt = state["selected_option"]
        return opt["value"] if opt else None
    if "selected_options" in state:
        return [o["value"] for o in state["selected_options"]]
    if "selected_users" in state:
        return state["selected_users"]
    return None


def view_meta(body: dict[str, Any]) -> dict[str, Any]:
    """A modal's private_metadata as a dict ({} when it is missing or not a JSON object)."""
    try:
        data = json.loads((body.get("view") or {}).get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
