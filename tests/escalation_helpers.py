"""Shared steps for escalation tests: roles, sessions, the /escalate modal, clicks and DMs."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from conftest import ADMIN, HOST, LEADER, LEGAL, PA  # noqa: F401
from slack_signing import view_submission_body
from sqlalchemy import select

from bot import clock
from bot.db.escalations import Escalation, EscalationEvent
from bot.db.models import LiveSession, Shift
from bot.services import people

ESC_CHANNEL = "C0ESC"


def grant(db, user_id: str, role: str) -> None:
    with db.transaction() as s:
        people.grant(s, people.get_or_create(s, user_id), role, actor="test")


def add_session(db, title: str, start: datetime, hours: float = 2, status: str = "live",
                crew: dict[str, str] | None = None) -> int:
    """A LIVE session with shifts {user_id: role}; returns its id."""
    with db.transaction() as s:
        live = LiveSession(title=title, starts_at=start, ends_at=start + timedelta(hours=hours), status=status,
                           created_at=clock.now())
        s.add(live)
        s.flush()
        for uid, role in (crew or {}).items():
            person = people.get_or_create(s, uid)
            s.add(Shift(session_id=live.id, person_id=person.id, role=role, starts_at=live.starts_at - timedelta(minutes=30),
                        ends_at=live.ends_at, created_at=clock.now()))
        return live.id


def open_modal(server, user: str, text: str = "") -> dict[str, Any]:
    before = len(server.stub.calls_to("views.open"))
    status, body = server.command("/escalate", text, user)
    assert status == 200, body
    opened = server.stub.wait_for("views.open", before + 1)
    assert len(opened) == before + 1, body
    return opened[-1].params["view"]


def state(summary: str | None = "Checkout link dead on hero bundle", severity: str | None = "1",
          session: str | None = None, affected: str | None = "product", details: str | None = None,
          legal: bool = False) -> dict[str, Any]:
    def option(value: str | None) -> dict[str, Any]:
        return {"value": {"type": "static_select", "selected_option": {"value": value} if value else None}}

    return {
        "summary": {"value": {"type": "plain_text_input", "value": summary}},
        "severity": option(severity),
        "session": option(session),
        "affected": option(affected),
        "details": {"value": {"type": "plain_text_input", "value": details}},
        "legal": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}] if legal else []}},
    }


def submit(server, user: str, view: dict[str, Any], retry_num: int | None = None, **fields: Any) -> tuple[int, Any]:
    body = view_submission_body("escalation_raise", user, state(**fields), private_metadata=view["private_metadata"],
                                blocks=view["blocks"])
    return server.slack._parsed(body, retry_num=retry_num)


def raise_one(server, user: str = HOST, **fields: Any) -> int:
    view = open_modal(server, user)
    status, body = submit(server, user, view, **fields)
    assert status == 200 and body.get("response_action") == "update", body
    with server.rt.db.read() as s:
        return s.scalars(select(Escalation.id).order_by(Escalation.id.desc())).first()


def _answers(server) -> int:
    return len(server.stub.calls_to("response_url")) + len(server.stub.calls_to("views.open"))


def click(server, action_id: str, esc_id: int, user: str) -> tuple[int, Any]:
    """Click a button on the escalation message and wait for the bot's answer (a private reply or a modal):
    Bolt acks first and works after, like Slack expects."""
    before = _answers(server)
    result = server.slack.action(action_id, str(esc_id), user, channel_id=ESC_CHANNEL)
    deadline = time.monotonic() + 5
    while _answers(server) == before and time.monotonic() < deadline:
        time.sleep(0.01)
    return result


def replies(server) -> list[str]:
    """Private answers sent through response_url, oldest first."""
    return [c.params.get("text", "") for c in server.stub.calls_to("response_url")]


def dms(server) -> list[tuple[str, str]]:
    """(user id, text) of every DM delivered."""
    return [(c.params["channel"][1:], c.params.get("text", "")) for c in server.stub.calls_to("chat.postMessage")
            if str(c.params.get("channel", "")).startswith("D")]


def channel_posts(server, channel: str = ESC_CHANNEL) -> list[Any]:
    return [c for c in server.stub.calls_to("chat.postMessage") if c.params.get("channel") == channel]


def escalation(db, esc_id: int) -> Escalation:
    with db.read() as s:
        esc = s.get(Escalation, esc_id)
        assert esc is not None
        return esc


def event_kinds(db, esc_id: int) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(EscalationEvent.kind).where(EscalationEvent.escalation_id == esc_id)
                              .order_by(EscalationEvent.id)))
