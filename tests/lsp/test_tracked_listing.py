"""One listing of a repository's files at a time: the open and a first path completion ask together."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional

import pytest

from gto_lsp.lsp.session.paths import Tracked
from gto_lsp.lsp.session.repos import RepoState
from helpers.git import git, make_repo


def test_two_callers_share_one_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "a.pkl").write_text("x\n")
    make_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    (root / "notes.txt").write_text("untracked\n")
    state = RepoState(root)
    facts = state.load_facts()
    assert facts is not None
    listed = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    real = facts.tracked_files

    def slow_tracked_files() -> list[str]:
        calls.append("tracked")
        listed.set()
        assert release.wait(30)
        return real()

    monkeypatch.setattr(facts, "tracked_files", slow_tracked_files)
    results: list[Optional[Tracked]] = []

    def ask() -> None:
        results.append(state.tracked())

    first = threading.Thread(target=ask)
    first.start()
    assert listed.wait(30)
    second = threading.Thread(target=ask)
    second.start()
    second.join(0.2)  # it waits for the first listing
    assert second.is_alive()
    release.set()
    first.join(30)
    second.join(30)
    assert calls == ["tracked"]
    assert len(results) == 2 and results[0] is results[1] and results[0] is not None
    listing: Any = results[0]
    assert listing.files == ["models/a.pkl"] and listing.untracked == ["notes.txt"]


def test_a_failed_listing_answers_none_and_the_next_call_lists_again(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    make_repo(root)
    (root / "a.txt").write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a")
    state = RepoState(root)
    facts = state.load_facts()
    assert facts is not None
    original = facts.untracked_files

    def broken() -> list[str]:
        raise OSError("git is gone")

    facts.untracked_files = broken  # type: ignore[method-assign]
    assert state.tracked() is None
    facts.untracked_files = original  # type: ignore[method-assign]
    listing = state.tracked()
    assert listing is not None and listing.files == ["a.txt"]
