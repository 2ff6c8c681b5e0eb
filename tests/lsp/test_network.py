"""Issue 12 item 5 against the real server: pushing tags to a remote that accepts the connection and never
answers (a real listener on 127.0.0.1) answers with the timeout said, instead of never answering."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Callable, Iterator

import pytest

from lsp.conftest import Repo, Start
from lsp.test_code_lens import CLIENT
from lsp.test_registry_commands import rf_repo, tags


@pytest.fixture
def silent() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


async def test_push_to_a_silent_remote_answers(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str], silent: int, tmp_path: Path
) -> None:
    repo, _, _ = rf_repo(make_repo)
    repo.git("remote", "add", "origin", f"git://127.0.0.1:{silent}/repo.git")
    editor = await start([repo.root], CLIENT, server_env={**env, "GTOLSP_GIT_TIMEOUT": "3"})
    base = {"repository": str(repo.root), "name": "rf"}
    pushed = await asyncio.wait_for(editor.command("gto.server.register", {**base, "push": True}), 30)
    assert pushed["ok"] is True and pushed["pushed"] is False
    assert "no answer from the remote within 3 s" in pushed["pushError"]
    assert pushed["tag"] in tags(repo)  # kept locally
    again = await asyncio.wait_for(
        editor.command("gto.server.pushTags", {"repository": str(repo.root), "tags": [pushed["tag"]]}), 30
    )
    assert again["ok"] is False and "no answer from the remote within 3 s" in again["message"]
