"""gto.server.registryState says where a push would go (`remote`), or null when the repository has no remote: the
client offers Push only when there is one (issue 12, item 16)."""

from __future__ import annotations

from typing import Callable

from lsp.conftest import Repo, Start
from lsp.test_code_lens import CLIENT


async def test_registry_state_names_the_remote_or_none(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n"})
    editor = await start([repo.root], CLIENT)
    arg = {"repository": str(repo.root), "name": "rf"}
    state = await editor.command("gto.server.registryState", arg)
    assert state["ok"] is True and state["remote"] is None
    repo.git("remote", "add", "upstream", str(repo.root.parent / "elsewhere.git"))
    state = await editor.command("gto.server.registryState", arg)
    assert state["remote"] == "upstream"  # the only remote; no 'origin'


async def test_context_names_where_a_commits_push_goes(start: Start, make_repo: Callable[..., Repo]) -> None:
    """Annotate/remove "commit and push" pushes the branch to its upstream: offered only when there is one."""
    repo = make_repo(files={"artifacts.yaml": "rf:\n  type: model\n"})
    editor = await start([repo.root], CLIENT)
    arg = {"repository": str(repo.root)}
    assert (await editor.command("gto.server.context", arg))["pushRemote"] is None
    bare = repo.root.parent / "origin.git"
    repo.git("init", "-q", "--bare", str(bare))
    repo.git("remote", "add", "origin", str(bare))
    branch = repo.git("symbolic-ref", "--short", "HEAD").strip()
    repo.git("push", "-q", "-u", "origin", branch)
    assert (await editor.command("gto.server.context", arg))["pushRemote"] == "origin"
