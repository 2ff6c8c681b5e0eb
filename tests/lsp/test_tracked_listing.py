"""One listing of a repository's files at a time: the one git's first use starts (`load_facts`), the open's and a
first path completion's all join it; each repository has its own."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional

import pytest

from gto_lsp.core.repo.reader import RepoFacts
from gto_lsp.lsp.session.paths import Tracked
from gto_lsp.lsp.session.repos import RepoState
from helpers.git import git, make_repo


def committed_repo(root: Path, files: dict[str, str], untracked: dict[str, str]) -> Path:
    for name, text in {**files, **untracked}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    make_repo(root)
    git(root, "add", *files)
    git(root, "commit", "-q", "-m", "files")
    return root


def models_repo(tmp_path: Path) -> Path:
    return committed_repo(tmp_path / "repo", {"models/a.pkl": "x\n"}, {"notes.txt": "untracked\n"})


def test_the_listing_load_facts_starts_is_shared_by_every_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = models_repo(tmp_path)
    listed = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    real = RepoFacts.tracked_files

    def slow_tracked_files(self: RepoFacts) -> list[str]:
        calls.append("tracked")
        listed.set()
        assert release.wait(30)
        return real(self)

    # Patched before git is known usable: the listing load_facts starts in its thread is the slow one.
    monkeypatch.setattr(RepoFacts, "tracked_files", slow_tracked_files)
    state = RepoState(root)
    assert state.load_facts() is not None
    assert listed.wait(30)
    results: list[Optional[Tracked]] = []

    def ask() -> None:
        results.append(state.tracked())

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for asker in askers:
        asker.start()
    askers[1].join(0.2)  # they wait for the early listing
    assert askers[0].is_alive() and askers[1].is_alive() and state.tracked_ready() is None
    release.set()
    for asker in askers:
        asker.join(30)
    assert calls == ["tracked"]
    assert len(results) == 2 and results[0] is results[1] and results[0] is not None
    assert state.tracked_ready() is results[0]
    listing: Any = results[0]
    assert listing.files == ["models/a.pkl"] and listing.untracked == ["notes.txt"]


def test_each_repository_gets_its_own_early_listing(tmp_path: Path) -> None:
    first = models_repo(tmp_path / "one")
    second = committed_repo(tmp_path / "two", {"b.txt": "b\n"}, {})
    states = [RepoState(first), RepoState(second)]
    for state in states:
        assert state.load_facts() is not None
    listings = [state.tracked() for state in states]
    assert [listing.files if listing else None for listing in listings] == [["models/a.pkl"], ["b.txt"]]
    assert [state.tracked_ready() for state in states] == listings


def test_a_failed_listing_answers_none_and_the_next_call_lists_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = committed_repo(tmp_path / "repo", {"a.txt": "x\n"}, {})

    def broken(self: RepoFacts) -> list[str]:
        raise OSError("git is gone")

    with monkeypatch.context() as patched:
        patched.setattr(RepoFacts, "untracked_files", broken)
        state = RepoState(root)
        assert state.load_facts() is not None  # its early listing fails too: nothing is kept
        assert state.tracked() is None and state.tracked_ready() is None
    listing = state.tracked()
    assert listing is not None and listing.files == ["a.txt"]


def test_callers_at_once_share_one_repo_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = models_repo(tmp_path)
    made: list[RepoFacts] = []
    real = RepoFacts.__init__
    entered = threading.Event()
    release = threading.Event()

    def slow_init(self: RepoFacts, path: Path) -> None:
        made.append(self)
        entered.set()
        assert release.wait(30)
        real(self, path)

    monkeypatch.setattr(RepoFacts, "__init__", slow_init)
    state = RepoState(root)
    results: list[Optional[RepoFacts]] = []
    callers = [threading.Thread(target=lambda: results.append(state.load_facts())) for _ in range(3)]
    callers[0].start()
    assert entered.wait(30)
    for caller in callers[1:]:
        caller.start()
    release.set()
    for caller in callers:
        caller.join(30)
    assert len(made) == 1 and results == [made[0]] * 3
