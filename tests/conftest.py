"""Every test runs with git reading neither the developer's nor the system's config: one home for the session
(a test that needs its own config, or a fixed identity, adds it with tests/helpers/git.py)."""

from __future__ import annotations

from typing import Iterator

import pytest

from helpers.git import isolate


@pytest.fixture(scope="session", autouse=True)
def no_developer_git_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("home"))
        yield
