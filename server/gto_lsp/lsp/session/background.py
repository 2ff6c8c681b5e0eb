"""Background work gives way to requests.

The warm-up after an open (every artifact of a 10,000-tag registry computed, in a worker thread) held the GIL for
over a second: a first hover or path completion sent meanwhile waited behind it. The transport counts the
requests in flight (`FOREGROUND.begin` when the reader frames one, `end` when its answer is written), and a
background run calls its `Pauses` between small steps: each waits while another request is in flight, a bounded
time, and a run's waits add up to `PATIENCE` at most, so background work is delayed, never starved.

Work done for a request (in a thread started from the request's task: `serving` holds its id, copied with the
context) never pauses while that request is in flight: a request never waits for the others, nor for itself.
What such work started and left running after the answer pauses like any background work.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from typing import Any, Hashable, Iterator

from gto_lsp.core.pause import PAUSE

PAUSE_MAX = 0.25  # seconds one pause waits at most
PATIENCE = 3.0  # seconds one background run waits in all, at most
STALE = 10.0  # a request counted longer ago is no longer waited for (its answer may never be written)
MAX_COUNTED = 1000  # requests counted at once, at most (a client that never reads its answers)

# The id of the request whose handler runs this code (set by the transport while it hands a request to pygls,
# whose tasks and `asyncio.to_thread` copy it); None in work started by a notification or by the server.
serving: contextvars.ContextVar[Any] = contextvars.ContextVar("gto_lsp_serving", default=None)


def _key(msg_id: Any) -> Hashable:
    return (type(msg_id).__name__, msg_id)  # 1 and "1" are two requests


class Foreground:
    """The requests in flight: framed by the reader, not yet answered."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._pending: dict[Hashable, float] = {}

    def begin(self, msg_id: Any) -> None:
        with self._changed:
            if len(self._pending) >= MAX_COUNTED:
                self._pending.clear()  # no answers written for a long time: nothing to give way to
            self._pending[_key(msg_id)] = time.monotonic()

    def end(self, msg_id: Any) -> None:
        if not self._pending:
            return
        with self._changed:
            if self._pending.pop(_key(msg_id), None) is not None:
                self._changed.notify_all()

    def pending(self, msg_id: Any) -> bool:
        """Request `msg_id` is in flight."""
        with self._changed:
            return _key(msg_id) in self._pending

    def in_flight(self, own: Any = None) -> int:
        """Requests in flight other than `own`, counted less than STALE seconds ago."""
        if not self._pending:
            return 0
        with self._changed:
            return self._busy(own)

    def wait(self, limit: float, own: Any = None) -> float:
        """Wait while a request other than `own` is in flight, `limit` seconds at most; the seconds waited."""
        if not self._pending or limit <= 0:
            return 0.0
        start = time.monotonic()
        deadline = start + limit
        with self._changed:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self._busy(own):
                    break
                self._changed.wait(left)
        return time.monotonic() - start

    def _busy(self, own: Any) -> int:
        mine = _key(own) if own is not None else None
        oldest = time.monotonic() - STALE
        return sum(1 for key, since in self._pending.items() if since > oldest and key != mine)


FOREGROUND = Foreground()


class Pauses:
    """The pauses of one background run (make it in the thread that runs, so `serving` is that thread's):
    calling it waits for the requests in flight, `PAUSE_MAX` at a time and `PATIENCE` in all."""

    def __init__(self, gate: Foreground = FOREGROUND, patience: float = PATIENCE) -> None:
        self.gate = gate
        self.left = patience
        self.own = serving.get()
        self.waited = 0.0

    def end(self) -> None:
        """No more pauses: a request waits for this run."""
        self.left = 0.0

    def __call__(self) -> None:
        if self.left > 0 and (self.own is None or not self.gate.pending(self.own)):
            waited = self.gate.wait(min(PAUSE_MAX, self.left), self.own)
            self.left -= waited
            self.waited += waited


@contextlib.contextmanager
def giving_way() -> Iterator[Pauses]:
    """Within: the core's long loops (core/pause.py) pause for the requests in flight. Enter it in the thread
    that runs the work (a large first parse or check), so the pauses are that thread's; a request that waits for
    the work ends them (`Pauses.end`)."""
    pauses = Pauses()
    token = PAUSE.set(pauses)
    try:
        yield pauses
    finally:
        PAUSE.reset(token)
