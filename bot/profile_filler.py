"""First contacts' profiles (users.info) filled on one thread per process, after the answer.

A crew checking in for the first time is fifty users.info calls and fifty profile writes at once. Run
from each request's own HTTP thread (after its answer), every lookup held that thread, so the next
person's check-in waited behind it; here the HTTP thread only queues the ID, and one thread fills the
profiles one by one while the HTTP threads go on answering. The thread keeps no hold on the runtime
while it waits (a stopped runtime is freed) and ends once idle.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable

log = logging.getLogger("opsbot.profiles")

IDLE_SECONDS = 5.0


class ProfileFiller:
    def __init__(self, fill: Callable[[str], None]) -> None:
        self._fill = weakref.WeakMethod(fill)  # type: ignore[arg-type]
        self._queue: deque[str] = deque()
        self._queued: set[str] = set()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def ask(self, user_id: str) -> None:
        """Fill this person's profile soon (once, however often asked before it is done)."""
        with self._wake:
            if self._closed or user_id in self._queued:
                return
            self._queued.add(user_id)
            self._queue.append(user_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="opsbot-profiles", daemon=True)
                self._thread.start()
            self._wake.notify()

    def close(self, timeout: float = 5.0) -> None:
        """Stop taking work and wait for the lookup in progress (a test's server, or the process, is stopping)."""
        with self._wake:
            self._closed = True
            self._queue.clear()
            thread = self._thread
            self._wake.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _next(self) -> str | None:
        with self._wake:
            while not self._queue:
                if self._closed or not self._wake.wait(IDLE_SECONDS) and not self._queue:
                    self._thread = None
                    return None
            return self._queue.popleft()

    def _run(self) -> None:
        while (user_id := self._next()) is not None:
            try:
                fill = self._fill()
                if fill is None:  # the runtime is gone
                    return
                fill(user_id)
                del fill
            except Exception:  # a lookup must never end the thread
                log.exception("could not fill the profile of %s", user_id)
            finally:
                with self._wake:
                    self._queued.discard(user_id)
