"""A yield point for long loops over user data: the first check of 18,000 entries holds the GIL for ~2 s, and a
request answered meanwhile waited behind it. Whoever runs such a loop in the background sets `PAUSE` (a callable
that returns once the requests in flight are answered, or a bounded time passed) in that thread's context; the
loops call it every `EVERY` items. Core never knows why it waits, and without a `PAUSE` nothing changes."""

from __future__ import annotations

import contextvars
from typing import Callable, Optional

PAUSE: contextvars.ContextVar[Optional[Callable[[], None]]] = contextvars.ContextVar("gto_lsp_pause", default=None)
EVERY = 128  # items between two calls: ~2 ms of a first check's work
