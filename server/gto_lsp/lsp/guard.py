"""Every handler answers: an internal error is logged (stderr and window/logMessage) and the request gets an
empty result instead of a JSON-RPC error. Nothing a document contains can end the server."""

from __future__ import annotations

import traceback
from typing import Awaitable, Callable, TypeVar

from lsprotocol import types

from gto_lsp.lsp.session.server import GtoLanguageServer

T = TypeVar("T")


def _report(ls: GtoLanguageServer, what: str, error: BaseException) -> None:
    detail = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    ls.log(f"internal error in {what}: {error!r}\n{detail}", types.MessageType.Error)


async def guarded(ls: GtoLanguageServer, what: str, work: Awaitable[T], default: T) -> T:
    try:
        return await work
    except Exception as error:
        _report(ls, what, error)
        return default


def guarded_call(ls: GtoLanguageServer, what: str, work: Callable[[], T], default: T) -> T:
    try:
        return work()
    except Exception as error:
        _report(ls, what, error)
        return default


__all__ = ["guarded", "guarded_call"]
