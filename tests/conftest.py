"""Every test runs with git reading neither the developer's nor the system's config: one home for the session
(a test that needs its own config, or a fixed identity, adds it with tests/helpers/git.py).

The `slow` mark: what `scripts/test.sh --quick` leaves out (the full run and CI run everything). It is given here,
by file, so that the quick set is one list: the language-server suites beyond a smoke set (each test starts a
server), the large-input, concurrency and network tests. tests/compat and the editors are left out by folder."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from helpers.git import isolate

TESTS = Path(__file__).parent
# The server over stdio in the quick run: its start, every rule published, settings, the commands.
LSP_QUICK = {"test_diagnostics.py", "test_commands.py"}
SLOW = {  # a folder/, a file, or file::test (every parametrization of it)
    "packaging/",  # builds the wheel, the sdist and the .vsix files, and installs them
    "cli/test_pre_commit.py",  # the real pre-commit, which makes its own environment
    "cli/test_github_action.py",  # the action's steps, which install gto-lsp in a fresh venv
    "cli/test_writers.py",  # concurrent writers: many CLI processes racing for the lock
    "cli/test_cli_registry.py::test_concurrent_registers_leave_one_version_per_commit",
    "repo/test_network.py",  # silent remotes: waits for git's timeouts
    "core/test_paths.py::test_check_of_a_hostile_path_ends_in_bounded_memory",  # memory-limited subprocesses
    "core/test_paths.py::test_cli_on_a_hostile_path_answers",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            path = item.path.relative_to(TESTS).as_posix()
        except ValueError:
            continue
        test = f"{path}::{getattr(item, 'originalname', item.name)}"
        folder = path.split("/", 1)[0] + "/"
        if SLOW & {folder, path, test} or (folder == "lsp/" and item.path.name not in LSP_QUICK):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def no_developer_git_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("home"))
        yield
