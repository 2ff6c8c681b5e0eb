"""One listing of a repository's files at a time: the one git's first use starts (`load_facts`, git started before
GitPython's RepoFacts), the open's and a first path completion's all join it; each repository has its own; it equals
GitPython's listing, and an index changed while it ran makes the next ask list again."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Optional

import pytest

from gto_lsp.core.repo.git_exe import Started
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


class Gate:
    """Holds every early git output until `release`: the listing load_facts starts waits there."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reading = threading.Event()
        self.release = threading.Event()
        real = Started.output

        def held(started: Started) -> bytes:
            self.reading.set()
            assert self.release.wait(30)
            return real(started)

        monkeypatch.setattr(Started, "output", held)


def refuse_gitpython_listing(monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> None:
    def tracked_files(self: RepoFacts) -> list[str]:
        calls.append("tracked")
        return []

    monkeypatch.setattr(RepoFacts, "tracked_files", tracked_files)


def test_the_listing_load_facts_starts_is_shared_by_every_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = models_repo(tmp_path)
    gate = Gate(monkeypatch)
    calls: list[str] = []
    refuse_gitpython_listing(monkeypatch, calls)  # a second listing would show here
    state = RepoState(root)
    assert state.load_facts() is not None
    assert gate.reading.wait(30)
    results: list[Optional[Tracked]] = []

    def ask() -> None:
        results.append(state.tracked())

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for asker in askers:
        asker.start()
    askers[1].join(0.2)  # they wait for the early listing
    assert askers[0].is_alive() and askers[1].is_alive() and state.tracked_ready() is None
    gate.release.set()
    for asker in askers:
        asker.join(30)
    assert calls == []
    assert len(results) == 2 and results[0] is results[1] and results[0] is not None
    assert state.tracked_ready() is results[0]
    listing: Any = results[0]
    assert listing.files == ["models/a.pkl"] and listing.untracked == ["notes.txt"]


def test_the_early_listing_equals_gitpythons(tmp_path: Path) -> None:
    files = {"a b/c.txt": "", "ä/ö.txt": "", "x/.hidden": "", "x/y/z": "", ".gitignore": "*.log\nbuild/\n", "d-e": ""}
    untracked = {"new/f.txt": "", "ä/neu.txt": "", "run.log": "", "build/out": "", "x/u v": ""}
    root = committed_repo(tmp_path / "repo", files, untracked)
    (root / "x" / "y" / "z").write_text("changed\n")
    git(root, "rm", "-q", "--cached", "d-e")
    state = RepoState(root)
    facts = state.load_facts()
    assert facts is not None
    early = state.tracked()
    assert early is not None
    assert early.files == facts.tracked_files() and early.untracked == facts.untracked_files()
    assert "d-e" in early.untracked and "run.log" not in early.untracked and "x/u v" in early.untracked


def test_an_index_changed_during_the_early_listing_is_listed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = models_repo(tmp_path)
    gate = Gate(monkeypatch)
    state = RepoState(root)
    assert state.load_facts() is not None
    assert gate.reading.wait(30)
    (root / "later.txt").write_text("x\n")
    index = root / ".git" / "index"
    before = index.stat().st_mtime_ns
    git(root, "add", "later.txt")
    os.utime(index, ns=(before + 10**9, before + 10**9))  # a stamp that moved, whatever the clock's grain
    gate.release.set()
    listing = state.tracked()
    assert listing is not None and "later.txt" in listing.files + listing.untracked
    assert state.tracked() is listing


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

    def broken(self: object) -> Any:
        raise OSError("git is gone")

    with monkeypatch.context() as patched:
        patched.setattr(Started, "output", broken)
        patched.setattr(RepoFacts, "untracked_files", broken)
        state = RepoState(root)
        assert state.load_facts() is not None  # its early listing fails: nothing is kept
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


def test_no_repository_no_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    stopped: list[Started] = []
    real = Started.stop

    def stop(started: Started) -> None:
        stopped.append(started)
        real(started)

    monkeypatch.setattr(Started, "stop", stop)
    state = RepoState(plain)
    assert state.load_facts() is None
    assert len(stopped) == 2  # the git runs started before RepoFacts said no are ended, not left behind
    assert state.load_facts() is None and len(stopped) == 2  # and not started again
    assert state.tracked() is None
