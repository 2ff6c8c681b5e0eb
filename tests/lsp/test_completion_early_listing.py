"""The file listing starts when git is first asked for a repository (at the open), and the first path completion
joins it: one untracked walk per repository (counted from git's own trace), each repository its own lists."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Callable

from lsp.conftest import Repo, Start


def walks_per_worktree(trace: Path) -> Counter[str]:
    """How many `git ls-files --others` each worktree ran, from GIT_TRACE2_EVENT's records."""
    argv: dict[str, list[str]] = {}
    worktree: dict[str, str] = {}
    for line in trace.read_text().splitlines():
        event = json.loads(line)
        if event.get("event") == "start":
            argv[event["sid"]] = event["argv"]
        elif event.get("event") == "def_repo" and "worktree" in event:
            worktree[event["sid"]] = event["worktree"]
    return Counter(
        str(Path(worktree[sid]).resolve())
        for sid, args in argv.items()
        if "ls-files" in args and "--others" in args and sid in worktree
    )


async def test_the_open_starts_the_listing_and_the_first_completion_joins_it(
    start: Start, make_repo: Callable[..., Repo], env: dict[str, str], tmp_path: Path
) -> None:
    first = make_repo("first", files={"data/a.csv": "", "data/b.csv": "", "src/x.py": ""})
    first.write({"data/new.csv": ""})  # untracked: only the untracked walk knows it
    second = make_repo("second", files={"data/c.csv": "", "docs/d.md": ""})
    trace = tmp_path / "trace2.json"
    editor = await start([first.root], server_env=env | {"GIT_TRACE2_EVENT": str(trace)})
    text = "m:\n  path: data/\n"

    doc = editor.open(first.index, text)
    await editor.diagnostics(doc.uri)
    items = await editor.completion(doc, 1, len("  path: data/"))
    assert [item.label for item in items] == ["data/a.csv", "data/b.csv", "data/new.csv"]
    assert [item.detail for item in items][-1] == "file (not tracked by git)"
    await editor.settle()  # the warm-up's own ask for the lists, after the tags: it joins the same listing
    assert walks_per_worktree(trace) == Counter({str(first.root.resolve()): 1})

    later = editor.open(second.index, text)  # a repository outside the workspace, opened later: its own listing
    await editor.diagnostics(later.uri)
    items = await editor.completion(later, 1, len("  path: data/"))
    assert [item.label for item in items] == ["data/c.csv"]
    await editor.settle()
    assert walks_per_worktree(trace) == Counter({str(first.root.resolve()): 1, str(second.root.resolve()): 1})
