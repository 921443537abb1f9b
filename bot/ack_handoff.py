"""The HTTP thread waits for a listener's ack() on an Event, not in Bolt's 10 ms sleep loop.

With process_before_response off, Bolt runs the listener on its executor and the HTTP thread polls
`ack.response` every 10 ms (slack_bolt/listener/thread_runner.py). Under a crew checking in at once
that loop is most of the wait and a steady cost in wake-ups; here the request's Ack sets an Event
the moment a response is set (by ack() or by Bolt's error path), and the executor's submit() returns
only then, so Bolt's loop finds the answer ready and never sleeps. The listener keeps running on
its pool thread after the ack: work after ack() still happens after the answer is sent.

A listener registered with `answer_inline` (the time clock: a whole crew at call time) skips the pool:
it runs on the HTTP thread, acks, and hands what follows the answer to `after_response`, which the
WSGI app runs once the response has been written (from the response's close(), as WSGI servers call it).
"""

from __future__ import annotations

import threading
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.context.ack import Ack
from slack_bolt.middleware import Middleware

ACK_WAIT_SECONDS = 3.0  # Bolt's own ack timeout; past it Bolt's loop takes over as before

_pending = threading.local()  # the Ack of the request this (HTTP) thread is dispatching
_INLINE: set[str] = set()  # slash commands answered on the HTTP thread
_spare: ThreadPoolExecutor | None = None  # after-response work where there is no WSGI response (Socket Mode)
_spare_lock = threading.Lock()
log = logging.getLogger("opsbot.app")


def answer_inline(*commands: str) -> None:
    """These commands' listeners ack at once and defer the rest with `after_response`: run them on the
    HTTP thread (no hand-off to the listener pool and back)."""
    _INLINE.update(commands)


def after_response(fn: Callable[[], None]) -> None:
    """Run `fn` once this request's answer has been sent (an inline listener's after-ack work)."""
    queue: list | None = getattr(_pending, "after", None)
    if queue is not None:
        queue.append(fn)
        return
    global _spare
    with _spare_lock:
        if _spare is None:
            _spare = ThreadPoolExecutor(max_workers=4, thread_name_prefix="opsbot-after")
    _spare.submit(_run_quietly, fn)


def _run_quietly(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:  # after the answer nobody is waiting: log it, never break the server
        log.exception("work after the answer failed")


class AfterResponse:
    """A WSGI body whose close() (called by the server once the body is written) runs the deferred work."""

    def __init__(self, body: Iterable[bytes], work: list[Callable[[], None]]) -> None:
        self.body, self.work = body, work

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            close()
        for fn in self.work:
            _run_quietly(fn)


def collecting() -> None:
    """The WSGI app starts a request: after-response work is queued for it."""
    _pending.after = []


def collected() -> list[Callable[[], None]]:
    work: list = getattr(_pending, "after", None) or []
    _pending.after = None
    return work


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
        _pending.inline = getattr(_pending, "after", None) is not None and req.body.get("command") in _INLINE
        return next()


def forget() -> None:
    """Called when a request is done: an Ack no listener took must not make a later submit wait."""
    _pending.ack = None
    _pending.inline = False


class AckWaitingExecutor(ThreadPoolExecutor):
    """The listener pool: submitting a request's listener returns once it acked (or finished)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        if getattr(_pending, "inline", False):  # an answer_inline command: right here, on the HTTP thread
            _pending.inline, _pending.ack = False, None
            done: Future = Future()
            try:
                done.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed back as a pool would
                done.set_exception(exc)
            return done
        future = super().submit(fn, *args, **kwargs)
        ack: SignallingAck | None = getattr(_pending, "ack", None)
        if ack is not None:
            _pending.ack = None  # only the listener itself waits; lazy functions never do
            future.add_done_callback(lambda _f: ack.acked.set())
            ack.acked.wait(ACK_WAIT_SECONDS)
        return future
