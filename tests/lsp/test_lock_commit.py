"""Issue 12 item 4 against the real server: a commit whose lock path is planted as a symlink to /dev/stdin (the
server's stdin is the protocol), a FIFO or a folder used to never answer and swallow the next request (or give
a traceback); it now answers at once with ok false and a message naming the lock, and the server goes on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from lsp.conftest import Repo, Start
from lsp.test_hostile import answer, errors

PLANT: dict[str, Callable[[Path], None]] = {
    "stdin-link": lambda lock: os.symlink("/dev/stdin", lock),
    "fifo": os.mkfifo,
    "folder": Path.mkdir,
}


@pytest.mark.parametrize("kind", list(PLANT))
async def test_commit_with_a_planted_lock_answers(start: Start, make_repo: Callable[..., Repo], kind: str) -> None:
    repo = make_repo(files={"artifacts.yaml": "nn:\n  type: model\n"})
    text = "nn:\n  type: model\nrf:\n  type: model\n"
    repo.write({"artifacts.yaml": text})
    lock = repo.root / "artifacts.yaml.lock"
    PLANT[kind](lock)
    editor = await start([repo.root])
    doc = editor.open(repo.index, text)
    args = {"repository": str(repo.root), "name": "rf", "action": "annotate", "type": "model"}
    result = await answer(editor.command("gto.server.commit", args))
    assert result["ok"] is False and str(lock) in result["message"] and "Remove it" in result["message"]
    assert repo.git("log", "--format=%s").strip() == "c"  # nothing committed
    await answer(editor.hover(doc, 2, 0))  # the next request is answered: the lock did not read the protocol
    assert errors(editor) == []


async def test_commit_in_a_read_only_folder_answers(start: Start, make_repo: Callable[..., Repo]) -> None:
    """Issue 12 item 14: the lock cannot be created (a read-only bind mount): ok false naming the folder and cause."""
    import subprocess

    repo = make_repo(files={"artifacts.yaml": "nn:\n  type: model\n"})
    text = "nn:\n  type: model\nrf:\n  type: model\n"
    repo.write({"artifacts.yaml": text})
    root = str(repo.root)
    if subprocess.run(["mount", "--bind", root, root], capture_output=True).returncode != 0:
        pytest.skip("cannot mount here: needs root")
    try:
        if subprocess.run(["mount", "-o", "remount,bind,ro", root], capture_output=True).returncode != 0:
            pytest.skip("cannot remount read-only here")
        editor = await start([repo.root])
        editor.open(repo.index, text)
        args = {"repository": root, "name": "rf", "action": "annotate", "type": "model"}
        result = await answer(editor.command("gto.server.commit", args))
    finally:
        subprocess.run(["umount", "-l", root], capture_output=True)
    assert result["ok"] is False and f"'{root}'" in result["message"] and "read-only" in result["message"]
    assert errors(editor) == []
