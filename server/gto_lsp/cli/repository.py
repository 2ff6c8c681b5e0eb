"""The repository of the registry commands' `-r`: a work tree (any folder in it), a bare repository, or a URL
(a temporary clone whose new tags are pushed back), and what they read of it (the registry, `.gto`'s stages)."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any, Optional

from gto_lsp.cli.common import CliError
from gto_lsp.core.messages import not_a_repository

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/:@\s]+@[^/:\s]+:")
_CLONES: set[Path] = set()  # repositories cloned from a URL given to -r: their tags are pushed back to it
_CLONE_PREFIX = "gto-lsp-clone-"  # + "<pid>-": a folder whose process is gone is swept by the next clone


def _sweep(tmp: str) -> None:
    """Remove the clone folders of processes that are gone: one killed with SIGKILL ran no clean-up."""
    import shutil

    from gto_lsp.core.repo.lock import alive

    with contextlib.suppress(OSError), os.scandir(tmp) as entries:
        for entry in entries:
            match = re.match(rf"{_CLONE_PREFIX}(\d+)-", entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False):
                continue
            pid = int(match[1])
            if pid != os.getpid() and not alive(pid) and entry.stat(follow_symlinks=False).st_uid == os.getuid():
                shutil.rmtree(entry.path, ignore_errors=True)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds: the running git is killed, atexit removes the clone


def _clone(url: str) -> Path:
    """GTO's `-r URL`: a temporary clone, removed when the process ends (also on SIGTERM, SIGHUP and Ctrl-C; after
    SIGKILL, by the next clone); its new tags are pushed to `url`. A remote that does not answer is given up after
    GTOLSP_GIT_TIMEOUT seconds (core.git.run_network)."""
    import atexit
    import shutil
    import signal
    import tempfile

    from gto_lsp.core.repo.run import run_network

    tmp = tempfile.gettempdir()
    _sweep(tmp)
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _exit_on_signal)
    folder = Path(tempfile.mkdtemp(prefix=f"{_CLONE_PREFIX}{os.getpid()}-", dir=tmp))
    atexit.register(shutil.rmtree, folder, True)
    res = run_network(folder, "clone", "-q", "--", url, str(folder / "repo"))
    if res.status != 0:
        why = res.err.strip() if res.err.startswith("Timeout:") else ""
        raise CliError(f"Unexpected error: Failed to clone repo '{url}' to '{folder}'" + (f": {why}" if why else ""))
    root = folder / "repo"
    _CLONES.add(root)
    return root


def is_clone(root: Path) -> bool:
    """Whether `root` was cloned from a URL given to -r (its new tags are pushed back to it)."""
    return root in _CLONES


def repo_root(repo_arg: str) -> Path:
    """The repository of -r: a work tree (any folder in it), a bare repository (tagged in place), or a URL."""
    from gto_lsp.core.repo.run import GitError, find_root, is_bare

    if _URL.match(repo_arg):
        return _clone(repo_arg)
    start = Path(repo_arg)
    if not start.exists():
        raise CliError(not_a_repository(repo_arg))
    try:
        return find_root(start)
    except GitError as error:
        if start.is_dir() and is_bare(start):
            return start.resolve()
        raise CliError(not_a_repository(repo_arg)) from error


def stages_of(root: Path) -> Optional[tuple[str, ...]]:
    from gto_lsp.core.config import read_config

    return read_config(root).stages


def registry_of(root: Path) -> Any:
    from gto_lsp.core.registry.read import read_registry

    return read_registry(root)
