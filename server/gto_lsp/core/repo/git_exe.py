"""Which `git` runs: an absolute path found on PATH's absolute entries, fixed once at start-up (the command line's
`main`, which also starts the server), before GitPython is imported: its import runs `git version`.

A relative or empty PATH entry (`.`, ``) makes "git" mean the current folder's `git`: a workspace's own script,
run before any trust check. PATH loses those entries for this process and what it starts (git's hooks too).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from typing import MutableMapping, Optional

ENV = "GIT_PYTHON_GIT_EXECUTABLE"


def pin_git(environ: Optional[MutableMapping[str, str]] = None) -> Optional[str]:
    """Drop PATH's relative and empty entries, and point GitPython at the absolute git found on what is left (an
    absolute GIT_PYTHON_GIT_EXECUTABLE the user set is kept). The git chosen, or None when there is none."""
    env = os.environ if environ is None else environ
    entries = [e for e in env.get("PATH", os.defpath).split(os.pathsep) if e and os.path.isabs(e)]
    env["PATH"] = os.pathsep.join(entries)
    chosen = env.get(ENV, "")
    found = chosen if os.path.isabs(chosen) else _which(os.path.basename(chosen) or "git", entries)
    if found is None:
        env.pop(ENV, None)  # a relative choice is not followed; GitPython then says git is missing
        return None
    env[ENV] = found
    if environ is None and "git" in sys.modules:  # imported already (an embedding program): tell GitPython too
        import git

        git.refresh(found)
    return found


def _which(name: str, folders: list[str]) -> Optional[str]:
    """`shutil.which` over these folders only (on Windows it would try the current folder first)."""
    endings = [""]
    if sys.platform == "win32":
        endings = [e.lower() for e in os.environ.get("PATHEXT", ".EXE;.CMD;.BAT").split(os.pathsep) if e] + [""]
    for folder in folders:
        for ending in endings:
            candidate = os.path.join(folder, name + ending)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


class Started:
    """A git command started now and read later, without GitPython: the file listing starts git's walk before
    GitPython's import (~150 ms) is done. The binary, locale and stdin are GitPython's (`run_git`'s)."""

    def __init__(self, cwd: str | os.PathLike[str], *args: str) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        self._process = subprocess.Popen(
            [os.environ.get(ENV) or "git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,  # the server's stdin is the protocol
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "LANGUAGE": "C", "LC_ALL": "C"},
            creationflags=flags,
        )

    def output(self) -> bytes:
        """What git wrote (whatever its exit status, as `run_git`'s callers read it)."""
        out, _ = self._process.communicate()
        return out

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._process.kill()
        self._process.wait()
