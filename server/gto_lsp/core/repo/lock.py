"""One writer at a time per annotations file: a lock file beside it, as git's `index.lock`.

Two annotate processes (an editor and a terminal, two terminals) used to read the same text, each add their
entry and replace the file: the second replace lost the first update. A writer now creates `<file>.lock`
exclusively (O_CREAT|O_EXCL: atomic on every local file system), reads the file, writes it and, with `--commit`,
commits it, then deletes the lock. Others wait for it (polling) up to a timeout, then give up with a sentence
that names the lock and its owner.

A lock left by a process that died (killed, power loss) is stale: its owner's pid no longer runs on this host,
or it is older than STALE_AFTER seconds. It is taken over (renamed away atomically, so two waiters never both
take it).

A lock path is only ever created, never followed: one planted in the repository as a symlink (to /dev/stdin),
a FIFO or a folder is refused with a sentence naming it (reading it would block, or read the protocol's input);
a folder where the lock cannot be created (read-only, full disk) is refused likewise, the files unchanged.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

LOCK_SUFFIX = ".lock"
STALE_AFTER = 120.0  # seconds: no annotate holds a lock this long (a commit hook may take a while)
WAIT = 30.0  # seconds a writer waits for another one (GTOLSP_LOCK_WAIT overrides it)
_POLL = 0.02
_OWNER_MAX = 256  # bytes: "<pid> <host>"; a lock is read no further
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class LockBusy(Exception):
    """Another writer holds the lock for longer than we wait."""

    def __init__(self, message: str, lock: Path) -> None:
        super().__init__(message)
        self.message = message
        self.lock = lock


class LockRefused(LockBusy):
    """The lock cannot be taken at all: its path is no lock file, or its folder takes no new file."""

    code = 2  # the command line's exit code: the repository, not the request, needs a fix


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def _owner(lock: Path) -> tuple[Optional[int], str]:
    """(pid, host) written in a lock; never follows a link, never blocks on a FIFO, reads a few bytes at most."""
    try:
        fd = os.open(lock, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return None, ""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, ""
        text = os.read(fd, _OWNER_MAX).decode("utf-8", "replace")
    except OSError:
        return None, ""
    finally:
        os.close(fd)
    parts = text.split()
    pid = int(parts[0]) if parts and parts[0].isdigit() else None
    return pid, parts[1] if len(parts) > 1 else ""


_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"))


def _not_a_lock(what: str, lock: Path, mode: int) -> LockRefused:
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return LockRefused(
        f"'{lock}' is {kind}, not a lock file gto-lsp made: {what} is not written while it is there "
        "(nothing was changed). Remove it and try again.",
        lock,
    )


_CAUSES = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "no permission to create a file there",
    errno.EPERM: "no permission to create a file there",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
}


def _cannot_create(what: str, lock: Path, error: OSError) -> LockRefused:
    cause = _CAUSES.get(error.errno or 0) or error.strerror or str(error)
    return LockRefused(
        f"Cannot write {what}: its lock file '{lock}' cannot be created in '{lock.parent}' ({cause}). "
        "Nothing was changed; make the folder writable (or free some space) and try again.",
        lock,
    )


def alive(pid: int) -> bool:
    """Whether process `pid` runs on this host (True when we cannot tell: on Windows `os.kill(pid, 0)` would end
    the process instead of probing it)."""
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by another user (or we cannot tell: assume alive)
    return True


def _stale(what: str, lock: Path, now: float) -> Optional[int]:
    """The inode of the lock when it is stale, else None; LockRefused when the lock path is no regular file."""
    try:
        info = os.lstat(lock)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_lock(what, lock, info.st_mode)
    age = now - info.st_mtime
    if age > STALE_AFTER:
        return info.st_ino
    pid, host = _owner(lock)
    if pid is None:
        return info.st_ino if age > 2.0 else None  # being written by its creator, or garbage: give it a moment
    return info.st_ino if host == socket.gethostname() and not alive(pid) else None


def _take_over(lock: Path, inode: int) -> None:
    """Remove the stale lock `inode`; renamed aside first, so that of two waiters only one removes it, and put
    back when what was renamed is a new lock another waiter made meanwhile."""
    aside = lock.with_name(f"{lock.name}.stale.{os.getpid()}")
    try:
        os.replace(lock, aside)
    except FileNotFoundError:
        return
    if os.lstat(aside).st_ino != inode:
        with contextlib.suppress(OSError, NotImplementedError):  # (Windows: no follow_symlinks)
            os.link(aside, lock, follow_symlinks=False)  # a fresh lock: give it back (unless another exists)
    with contextlib.suppress(OSError):
        os.unlink(aside)


@contextlib.contextmanager
def file_lock(path: Path, wait: Optional[float] = None, what: Optional[str] = None) -> Iterator[Path]:
    """Hold `<path>.lock` while the body reads, writes (and commits) `path`; `what` names it in messages."""
    what = what or path.name
    if wait is None:
        try:
            wait = float(os.environ.get("GTOLSP_LOCK_WAIT", WAIT))
        except ValueError:
            wait = WAIT
    lock = lock_path(path)
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o644)
            break
        except FileExistsError:
            stale = _stale(what, lock, time.time())
            if stale is not None:
                _take_over(lock, stale)
                continue
            if time.monotonic() >= deadline:
                pid, host = _owner(lock)
                who = f"process {pid}" + (f" on {host}" if host and host != socket.gethostname() else "")
                raise LockBusy(
                    f"Another program is writing {what} (its lock file '{lock}' is held by "
                    f"{who if pid else 'another process'}). Try again once it is done; if no such "
                    f"program runs, delete '{lock}'.",
                    lock,
                ) from None
            time.sleep(_POLL)
        except OSError as error:
            raise _cannot_create(what, lock, error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {socket.gethostname()}\n")
    except OSError as error:  # a full disk: the lock was made, its content was not
        with contextlib.suppress(OSError):
            os.unlink(lock)
        raise _cannot_create(what, lock, error) from None
    try:
        yield lock
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
