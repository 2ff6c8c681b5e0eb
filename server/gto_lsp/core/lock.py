"""One writer at a time per annotations file: a lock file beside it, as git's `index.lock`.

Two annotate processes (an editor and a terminal, two terminals) used to read the same text, each add their
entry and replace the file: the second replace lost the first update. A writer now creates `<file>.lock`
exclusively (O_CREAT|O_EXCL: atomic on every local file system), reads the file, writes it and, with `--commit`,
commits it, then deletes the lock. Others wait for it (polling) up to a timeout, then give up with a sentence
that names the lock and its owner.

A lock left by a process that died (killed, power loss) is stale: its owner's pid no longer runs on this host,
or it is older than STALE_AFTER seconds. It is taken over (renamed away atomically, so two waiters never both
take it).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from pathlib import Path
from typing import Iterator, Optional

LOCK_SUFFIX = ".lock"
STALE_AFTER = 120.0  # seconds: no annotate holds a lock this long (a commit hook may take a while)
WAIT = 30.0  # seconds a writer waits for another one (GTOLSP_LOCK_WAIT overrides it)
_POLL = 0.02


class LockBusy(Exception):
    """Another writer holds the lock for longer than we wait."""

    def __init__(self, message: str, lock: Path) -> None:
        super().__init__(message)
        self.message = message
        self.lock = lock


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def _owner(lock: Path) -> tuple[Optional[int], str]:
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, ""
    parts = text.split()
    pid = int(parts[0]) if parts and parts[0].isdigit() else None
    return pid, parts[1] if len(parts) > 1 else ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by another user (or we cannot tell: assume alive)
    return True


def _stale(lock: Path, now: float) -> Optional[int]:
    """The inode of the lock when it is stale, else None."""
    try:
        info = lock.stat()
    except FileNotFoundError:
        return None
    age = now - info.st_mtime
    if age > STALE_AFTER:
        return info.st_ino
    pid, host = _owner(lock)
    if pid is None:
        return info.st_ino if age > 2.0 else None  # being written by its creator, or garbage: give it a moment
    return info.st_ino if host == socket.gethostname() and not _alive(pid) else None


def _take_over(lock: Path, inode: int) -> None:
    """Remove the stale lock `inode`; renamed aside first, so that of two waiters only one removes it, and put
    back when what was renamed is a new lock another waiter made meanwhile."""
    aside = lock.with_name(f"{lock.name}.stale.{os.getpid()}")
    try:
        os.replace(lock, aside)
    except FileNotFoundError:
        return
    if aside.stat().st_ino != inode:
        with contextlib.suppress(FileExistsError):
            os.link(aside, lock)  # a fresh lock: give it back (unless yet another one exists by now)
    aside.unlink()


@contextlib.contextmanager
def file_lock(path: Path, wait: Optional[float] = None) -> Iterator[Path]:
    """Hold `<path>.lock` while the body reads, writes (and commits) `path`."""
    if wait is None:
        try:
            wait = float(os.environ.get("GTOLSP_LOCK_WAIT", WAIT))
        except ValueError:
            wait = WAIT
    lock = lock_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            stale = _stale(lock, time.time())
            if stale is not None:
                _take_over(lock, stale)
                continue
            if time.monotonic() >= deadline:
                pid, host = _owner(lock)
                who = f"process {pid}" + (f" on {host}" if host and host != socket.gethostname() else "")
                raise LockBusy(
                    f"Another program is writing {path.name} (its lock file '{lock}' is held by "
                    f"{who if pid else 'another process'}). Try again once it is done; if no such "
                    f"program runs, delete '{lock}'.",
                    lock,
                ) from None
            time.sleep(_POLL)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {socket.gethostname()}\n")
        yield lock
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)
