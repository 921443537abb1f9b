"""The HTTP thread waits for a listener's ack() on an Event, not in Bolt's 10 ms sleep loop.

With process_before_response off, Bolt runs the listener on its executor and the HTTP thread polls
`ack.response` every 10 ms (slack_bolt/listener/thread_runner.py). Under a crew checking in at once
that loop is most of the wait and a steady cost in wake-ups; here the request's Ack sets an Event
the moment a response is set (by ack() or by Bolt's error path), and the executor's submit() returns
only then, so Bolt's loop finds the answer ready and never sleeps. The listener keeps running on
its pool thread after the ack: work after ack() still happens after the answer is sent.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.context.ack import Ack
from slack_bolt.middleware import Middleware

ACK_WAIT_SECONDS = 3.0  # Bolt's own ack timeout; past it Bolt's loop takes over as before

_pending = threading.local()  # the Ack of the request this (HTTP) thread is dispatching


class SignallingAck(Ack):
    """Bolt's Ack, plus an Event set as soon as a response is set."""

    def __init__(self) -> None:
        self.acked = threading.Event()
        super().__init__()

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None:
            self.acked.set()


class SignallingAckMiddleware(Middleware):
    """Give each request a SignallingAck before Bolt's listener runner asks the context for one."""

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Any) -> BoltResponse:  # noqa: A002
        # Bolt's middleware is a flat loop (next() only sets a flag), so the Ack stays pending on this
        # thread until the executor takes it; forget() drops one no listener took.
        ack = SignallingAck()
        req.context["ack"] = ack
        _pending.ack = ack
        return next()


def forget() -> None:
    """Called when a request is done: an Ack no listener took must not make a later submit wait."""
    _pending.ack = None


class AckWaitingExecutor(ThreadPoolExecutor):
    """The listener pool: submitting a request's listener returns once it acked (or finished)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        future = super().submit(fn, *args, **kwargs)
        ack: SignallingAck | None = getattr(_pending, "ack", None)
        if ack is not None:
            _pending.ack = None  # only the listener itself waits; lazy functions never do
            future.add_done_callback(lambda _f: ack.acked.set())
            ack.acked.wait(ACK_WAIT_SECONDS)
        return future
