"""Issue 12 items 4 and 14: the lock beside an annotations file is only ever created. A lock path planted as a
symlink to /dev/stdin, a FIFO or a folder, and a folder that takes no new file (read-only, full disk), get a
clear refusal naming the path (exit 2), in time, with the files unchanged; real repositories, the real CLI."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from gto_lsp.core.repo.lock import LockBusy, LockRefused, file_lock
from helpers.cli import finish
from helpers.git import IDENTITY_CONFIG, git, isolated_env


def git_env(tmp_path: Path) -> dict[str, str]:
    return {**isolated_env(tmp_path / "home", IDENTITY_CONFIG), "GTO_EMOJIS": "false"}


def make_repo(root: Path, env: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = {"artifacts.yaml": "rf:\n  type: model\n", "dvc.yaml": "artifacts:\n  nn:\n    path: n.pkl\n", "m.pkl": "x"}
    for name, text in files.items():
        (root / name).write_text(text)
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "init"]):
        git(root, *args, env=env)
    return root


def plant(lock: Path, kind: str) -> None:
    if kind == "stdin-link":
        os.symlink("/dev/stdin", lock)
    elif kind == "fifo":
        os.mkfifo(lock)
    else:
        lock.mkdir()
        (lock / "inside").write_text("x")


def annotate(root: Path, env: dict[str, str], dvc: bool) -> tuple[int, str]:
    """The CLI's annotate with its stdin an open pipe that never sends anything (a terminal's, a CI step's)."""
    args = ["annotate", "nn", "--label", "a", "--dvcfile", "dvc.yaml"] if dvc else ["annotate", "xx", "--path", "m.pkl"]
    with subprocess.Popen(
        [sys.executable, "-m", "gto_lsp", *args, "--commit"],
        cwd=root,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        return finish(proc)


def snapshot(root: Path) -> dict[str, str]:
    return {name: (root / name).read_text() for name in ("artifacts.yaml", "dvc.yaml")} | {
        "HEAD": git(root, "rev-parse", "HEAD")
    }


@pytest.mark.parametrize("dvc", [False, True], ids=["artifacts.yaml", "dvc.yaml"])
@pytest.mark.parametrize("kind", ["stdin-link", "fifo", "folder"])
def test_a_planted_lock_path_is_refused_in_time(tmp_path: Path, kind: str, dvc: bool) -> None:
    env = git_env(tmp_path)
    root = make_repo(tmp_path / "repo", env)
    lock = root / ("dvc.yaml.lock" if dvc else "artifacts.yaml.lock")
    plant(lock, kind)
    before = snapshot(root)
    code, output = annotate(root, env, dvc)
    assert "Traceback" not in output, output
    assert code == 2, output
    assert str(lock) in output and "Remove it" in output, output
    assert snapshot(root) == before
    assert os.path.lexists(lock)  # not ours: left as it was


# --- a folder that takes no new file ------------------------------------------------------------------------------


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or done.returncode}): needs root")


@contextlib.contextmanager
def mounted(where: Path, *args: str) -> Iterator[None]:
    _mount(*args)
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_a_read_only_repository_folder(tmp_path: Path) -> None:
    env = git_env(tmp_path)
    root = make_repo(tmp_path / "repo", env)
    before = snapshot(root)
    with mounted(root, "--bind", str(root), str(root)):
        _mount("-o", "remount,bind,ro", str(root))
        code, output = annotate(root, env, dvc=False)
    assert "Traceback" not in output, output
    assert code == 2, output
    assert f"'{root}'" in output and "read-only" in output, output
    assert snapshot(root) == before


def test_a_full_disk(tmp_path: Path) -> None:
    env = git_env(tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    with mounted(disk, "-t", "tmpfs", "-o", "size=4m,nr_inodes=200", "tmpfs", str(disk)):
        root = make_repo(disk / "repo", env)
        before = snapshot(root)
        with contextlib.suppress(OSError):  # fill every inode: no new file, as on a full disk
            for i in range(1000):
                (disk / f"fill{i}").touch()
        code, output = annotate(root, env, dvc=False)
        after = snapshot(root)
    assert "Traceback" not in output, output
    assert code == 2, output
    assert "disk is full" in output and str(root / "artifacts.yaml.lock") in output, output
    assert after == before


def test_the_core_refuses_without_reading(tmp_path: Path) -> None:
    target = tmp_path / "artifacts.yaml"
    os.mkfifo(tmp_path / "artifacts.yaml.lock")
    with pytest.raises(LockRefused) as refused, file_lock(target, wait=0):
        pass
    assert isinstance(refused.value, LockBusy) and "a FIFO" in refused.value.message


def test_liveness_never_signals_a_process_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows os.kill(pid, 0) terminates the process: a lock's owner (or the editor) must not be probed."""
    from gto_lsp.core.repo import lock

    def kill(pid: int, sig: int) -> None:
        raise AssertionError(f"os.kill({pid}, {sig}) would end the process on Windows")

    monkeypatch.setattr(lock.sys, "platform", "win32")  # type: ignore[attr-defined]
    monkeypatch.setattr(lock.os, "kill", kill)  # type: ignore[attr-defined]
    assert lock.alive(os.getpid()) is True
