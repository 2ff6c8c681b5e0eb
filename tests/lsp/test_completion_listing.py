"""Path completion over the listing: what the real server offers after each change of the repository equals the
folder's entries computed from scratch from git's own lists (the folders are indexed when first asked, per
listing); a completion answers from a ready listing or its own (joining one the open started is RepoState's:
tests/lsp/test_tracked_listing.py)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Optional, cast

from gto_lsp.lsp.features.completion import tracked_lists
from gto_lsp.lsp.session.paths import Tracked
from lsp.conftest import Repo, Start
from lsp.test_completion_tracked_index import reference_folders, reference_index

# The values asked, each on its own entry's `path:` line.
TYPED = ["", "a/", "a/b", "a/b/", "a/b.", "a0/", "A", "d/", "d/part-1", "deep/er/", "ä/", "new/", "z", "nowhere/"]


def git_lists(repo: Repo) -> Tracked:
    files = sorted(set(filter(None, repo.git("ls-files", "-z", "--full-name").split("\0"))))
    others = repo.git("ls-files", "-z", "--full-name", "--others", "--exclude-standard")
    untracked = sorted(filter(None, others.split("\0")))
    return Tracked(None, files, reference_folders(files), untracked, reference_folders(untracked))


def expected_labels(lists: Tracked, typed: str) -> list[str]:
    folder, _, tail = typed.rpartition("/")
    found = reference_index(lists).get(folder)
    entries = found.entries() if found is not None else []
    out = []
    for path, is_folder, _tracked_by_git in entries:
        name = path.rpartition("/")[2]
        if name.startswith(tail):
            out.append((f"{folder}/{name}" if folder else name) + ("/" if is_folder else ""))
    return out


async def test_path_items_equal_git_lists_after_every_change(start: Start, make_repo: Callable[..., Repo]) -> None:
    first = {"a/b.txt": "", "a/b/c.txt": "", "a/b c.txt": "", "a0/x": "", "a.b": "", "d/a/x.py": "", "ä/ö.txt": ""}
    repo = make_repo(files=first | {"A/z": ""})
    editor = await start([repo.root])
    text = "".join(f"e{n}:\n  path: {typed}\n" for n, typed in enumerate(TYPED))
    doc = editor.open(repo.index, text)

    def step(number: int) -> None:
        if number == 1:
            repo.write({"a/new.txt": "", "new/f": "", "a/b/u.txt": "", "a/b.txt2": ""})
            repo.git("add", "a/b.txt2")
        elif number == 2:
            repo.git("rm", "-q", "a/b/c.txt")  # a/b: untracked files only now
            repo.commit(message="rm")
        elif number == 3:
            repo.commit({**{f"d/part-{n}": "" for n in range(30)}, "deep/er/est/f": "", "deep/er/g": ""})
        elif number == 4:
            repo.git("mv", "a0", "z0")
            repo.commit(message="mv")
        elif number == 5:  # HEAD moves to a new branch
            repo.git("checkout", "-q", "-b", "other")
            repo.git("rm", "-q", "-r", "d")
            repo.commit(message="d")
        elif number == 6:
            repo.commit({".gitignore": "*.txt2\nnew/\n", "a/ignored.txt2": "", "zz": ""})
        elif number == 7:  # HEAD moves back, everything staged
            repo.git("checkout", "-q", "main")
            repo.git("add", "-A")

    for number in range(8):
        step(number)
        lists = git_lists(repo)
        for line, typed in enumerate(TYPED):
            items = await editor.completion(doc, 2 * line + 1, len("  path: ") + len(typed))
            assert [item.label for item in items] == expected_labels(lists, typed), (number, typed)


class SlowRepo:
    """A repository whose own listing waits for `release`; `landed` is what another handler's listing left."""

    def __init__(self, own: Optional[Tracked]) -> None:
        self.own = own
        self.landed: Optional[Tracked] = None
        self.release = threading.Event()
        self.listings = 0

    def tracked_ready(self) -> Optional[Tracked]:
        return self.landed

    def tracked(self) -> Optional[Tracked]:
        self.listings += 1
        self.release.wait(30)
        return self.own


class Server:
    def __init__(self, facts: bool = True) -> None:
        self.has_facts = facts

    async def settings_for(self, path: Any) -> None:
        return None

    async def facts(self, repo: Any, settings: Any) -> Optional[object]:
        return object() if self.has_facts else None


def lists(name: str) -> Tracked:
    return Tracked(None, [name], [], [], [])


async def asked(repo: SlowRepo, server: Server) -> Optional[Tracked]:
    view = SimpleNamespace(root=Path("/repo"), path=Path("/repo/artifacts.yaml"), repo=repo)
    return await tracked_lists(cast(Any, server), cast(Any, view))


async def test_its_own_listing_answers_when_first() -> None:
    repo = SlowRepo(lists("own"))
    asyncio.get_running_loop().call_later(0.05, repo.release.set)
    assert await asyncio.wait_for(asked(repo, Server()), 30) is repo.own
    failed = SlowRepo(None)  # git failed: no lists, no items
    failed.release.set()
    assert await asyncio.wait_for(asked(failed, Server()), 30) is None


async def test_a_ready_listing_or_no_git_starts_none() -> None:
    repo = SlowRepo(lists("own"))
    repo.landed = lists("ready")
    assert await asked(repo, Server()) is repo.landed
    assert await asked(SlowRepo(lists("own")), Server(facts=False)) is None
    assert repo.listings == 0
