"""A minimal LSP client over stdio for the benchmark: asyncio subprocess, Content-Length framing, timestamps.

It answers the requests a server sends to its client (workspace/configuration from a settings dict,
client/registerCapability, window/workDoneProgress/create, ...) at once, so no server stalls waiting for us, and
records every textDocument/publishDiagnostics with the time its last byte arrived (before JSON decoding, so the
client's own parsing is not counted in the server's latency).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence


@dataclass
class Published:
    """One textDocument/publishDiagnostics as received."""

    at: float  # time.perf_counter() when the message was fully read
    uri: str
    version: Optional[int]
    diagnostics: list[dict[str, Any]]


class LspError(Exception):
    pass


def lookup(settings: dict[str, Any], section: Optional[str]) -> Any:
    """The value of a dotted section (`yaml`, `gto.checks`) in the settings; None when absent."""
    if not section:
        return settings
    value: Any = settings
    for part in section.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


class LspClient:
    def __init__(
        self,
        command: Sequence[str],
        settings: dict[str, Any],
        cwd: Optional[Path] = None,
        env: Optional[dict[str, str]] = None,
        stderr_path: Optional[Path] = None,
    ) -> None:
        self.command = list(command)
        self.settings = settings
        self.cwd = cwd
        self.env = env
        self.stderr_path = stderr_path
        self.proc: Optional[asyncio.subprocess.Process] = None
        self.started_at = 0.0
        self.published: list[Published] = []
        self.server_requests: list[str] = []  # methods of the requests the server sent us, in order
        self.progress: list[tuple[float, Any, str]] = []  # $/progress: (arrived, token, kind: begin/report/end)
        self.last_message_at = 0.0
        self._next_id = 0
        self._pending: dict[int, tuple[float, asyncio.Future[tuple[Any, float]]]] = {}
        self._arrived = asyncio.Event()
        self._reader: Optional[asyncio.Task[None]] = None
        self._stderr_file: Any = None

    # --- process ------------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._stderr_file = open(self.stderr_path, "wb") if self.stderr_path else None  # noqa: SIM115
        self.started_at = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            *self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._stderr_file if self._stderr_file is not None else asyncio.subprocess.DEVNULL,
            cwd=str(self.cwd) if self.cwd else None,
            env=self.env,
            limit=1 << 20,
        )
        self._reader = asyncio.ensure_future(self._read_loop())

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def stop(self, timeout: float = 10.0) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.request("shutdown", None), timeout)
            with contextlib.suppress(Exception):
                self.notify("exit", None)
                await asyncio.wait_for(proc.wait(), timeout)
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self._stderr_file is not None:
            self._stderr_file.close()

    # --- sending ------------------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> float:
        """Write one message; returns the time after encoding, just before the write."""
        assert self.proc is not None and self.proc.stdin is not None
        body = json.dumps(message, separators=(",", ":")).encode()
        frame = b"Content-Length: %d\r\n\r\n" % len(body) + body
        sent = time.perf_counter()
        self.proc.stdin.write(frame)
        return sent

    def notify(self, method: str, params: Any) -> float:
        """Send a notification; returns the time just before it was handed to the pipe."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        return self._send(message)

    async def drain(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        await self.proc.stdin.drain()

    async def request(self, method: str, params: Any) -> tuple[Any, float]:
        """Send a request and wait for its answer: (result, milliseconds from sending to the answer's arrival)."""
        self._next_id += 1
        request_id = self._next_id
        future: asyncio.Future[tuple[Any, float]] = asyncio.get_running_loop().create_future()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self._pending[request_id] = (self._send(message), future)
        assert self.proc is not None and self.proc.stdin is not None
        await self.proc.stdin.drain()
        return await future

    # --- receiving ----------------------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        stdout = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = await stdout.readline()
                    if not line:
                        raise EOFError
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = await stdout.readexactly(length)
                arrived = time.perf_counter()
                self.last_message_at = arrived
                self._dispatch(json.loads(body), arrived)
        except (EOFError, asyncio.IncompleteReadError, ConnectionResetError):
            error = LspError(f"server exited (code {self.proc.returncode}); see {self.stderr_path}")
            for _, future in self._pending.values():
                if not future.done():
                    future.set_exception(error)
            self._pending.clear()
            self._arrived.set()

    def _dispatch(self, message: dict[str, Any], arrived: float) -> None:
        if "method" in message and "id" in message:
            self.server_requests.append(message["method"])
            self._answer(message)
        elif "method" in message:
            if message["method"] == "textDocument/publishDiagnostics":
                params = message.get("params") or {}
                self.published.append(
                    Published(arrived, params.get("uri", ""), params.get("version"), params.get("diagnostics") or [])
                )
                self._arrived.set()
            elif message["method"] == "$/progress":
                params = message.get("params") or {}
                self.progress.append((arrived, params.get("token"), (params.get("value") or {}).get("kind", "")))
                self._arrived.set()
        elif "id" in message:
            pending = self._pending.pop(message["id"], None)
            if pending is None:
                return
            sent, future = pending
            if future.done():
                return
            if "error" in message:
                future.set_exception(LspError(json.dumps(message["error"])))
            else:
                future.set_result((message.get("result"), (arrived - sent) * 1000))

    def _answer(self, message: dict[str, Any]) -> None:
        method = message["method"]
        params = message.get("params") or {}
        result: Any = None
        if method == "workspace/configuration":
            result = [lookup(self.settings, item.get("section")) for item in params.get("items", [])]
        elif method == "workspace/applyEdit":
            result = {"applied": False, "failureReason": "benchmark client"}
        elif method == "workspace/workspaceFolders":
            result = self.settings.get("__folders__")
        # client/registerCapability, client/unregisterCapability, window/workDoneProgress/create,
        # window/showMessageRequest, workspace/*/refresh: null is a valid answer.
        self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    # --- waiting ------------------------------------------------------------------------------------------

    async def wait_published(
        self, match: Callable[[Published], bool], start: int = 0, timeout: float = 120.0
    ) -> tuple[int, Published]:
        """The first publishDiagnostics at index >= start for which `match` holds: (its index, it)."""
        deadline = time.perf_counter() + timeout
        index = start
        while True:
            while index < len(self.published):
                item = self.published[index]
                if match(item):
                    return index, item
                index += 1
            if self.proc is not None and self.proc.returncode is not None:
                raise LspError(f"server exited (code {self.proc.returncode}); see {self.stderr_path}")
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise LspError(f"no matching publishDiagnostics within {timeout:.0f} s")
            self._arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def wait_whole(
        self, match: Callable[[Published], bool], start: int = 0, timeout: float = 120.0
    ) -> tuple[Published, Published]:
        """(first, whole): the first publishDiagnostics at index >= start for which `match` holds, and the last
        once the server's check is done. gto-lsp publishes a large file's first entries' diagnostics first,
        within a progress ("gto-check-") begun before them and ended before the whole file's."""
        _, first = await self.wait_published(match, start, timeout)
        await self.progress_ended("gto-check-", timeout)
        ends = [at for at, token, kind in self.progress if kind == "end" and str(token).startswith("gto-check-")]
        if not ends or ends[-1] < first.at:
            return first, [item for item in self.published[start:] if match(item)][-1]
        # The progress ends just before the whole file's diagnostics are written: wait for them.
        after = next((k for k, item in enumerate(self.published) if item.at >= ends[-1]), len(self.published))
        _, whole = await self.wait_published(match, max(start, after), timeout)
        return first, whole

    async def progress_ended(self, prefix: str, timeout: float = 300.0) -> bool:
        """Wait until every progress begun with a token starting with `prefix` has ended; False on timeout."""
        deadline = time.perf_counter() + timeout
        while True:
            kinds: dict[Any, str] = {}
            for _, token, kind in self.progress:
                if isinstance(token, str) and token.startswith(prefix):
                    kinds[token] = kind
            if all(kind == "end" for kind in kinds.values()):
                return True
            left = deadline - time.perf_counter()
            if left <= 0:
                return False
            self._arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(left, 0.5))

    async def settle(self, quiet: float, timeout: float = 120.0) -> None:
        """Wait until the server has sent nothing for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            idle = time.perf_counter() - max(self.last_message_at, self.started_at)
            if idle >= quiet:
                return
            await asyncio.sleep(quiet - idle)


# --- memory -------------------------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def process_tree(pid: int) -> list[int]:
    children = _children()
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_cpu_ms(pid: int) -> float:
    """CPU time (user + system) used so far by `pid` and its live descendants, in ms (clock-tick resolution)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for current in process_tree(pid):
        try:
            with open(f"/proc/{current}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return total * 1000 / ticks


def tree_memory_mb(pid: int) -> tuple[float, float, int]:
    """(resident MB, peak resident MB, number of processes) of `pid` and all its descendants."""
    pids = process_tree(pid)
    rss = sum(_status_kb(p, "VmRSS") for p in pids)
    peak = sum(_status_kb(p, "VmHWM") for p in pids)
    return rss / 1024, peak / 1024, len(pids)
