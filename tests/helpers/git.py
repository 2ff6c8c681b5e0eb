"""Real git repositories for tests and benchmarks, made with the git binary, in an environment where git reads
neither the developer's nor the system's config (tests/conftest.py applies it to every test)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

if TYPE_CHECKING:
    import pytest  # only the fixture type: benchmarks import this module without pytest

T0 = 1_700_000_000  # a fixed clock: tag order and commit ids do not depend on how fast a test runs

# Variables a developer's shell (or a git hook running the tests) may set: another repository, who, when.
INHERITED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_DATE",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
)
IDENTITY_CONFIG = "[user]\n  name = Test\n  email = test@example.com\n"


def isolation(home: Path, config: str = "") -> dict[str, str]:
    """The variables that make git read `home/.gitconfig` (written with `config`) as its only config."""
    home.mkdir(parents=True, exist_ok=True)
    (home / ".gitconfig").write_text(config)
    return {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "XDG_CONFIG_HOME": str(home / ".config"),
    }


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path, config: str = "") -> None:
    """Apply `isolation(home, config)` to os.environ and drop the INHERITED variables, until the test ends."""
    for name in INHERITED:
        monkeypatch.delenv(name, raising=False)
    for name, value in isolation(home, config).items():
        monkeypatch.setenv(name, value)


def isolated_env(
    home: Optional[Path] = None, config: str = "", drop: tuple[str, ...] = ("GIT_", "GTO_")
) -> dict[str, str]:
    """A subprocess's environment: os.environ without the variables starting with `drop`, and git reading
    `home`'s config only (an empty one when there is no `home`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    if home is None:
        env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    else:
        env.update(isolation(home, config))
    return env


class GitFailed(subprocess.CalledProcessError):
    """A git command that failed, with what git said (CalledProcessError's text leaves it out)."""

    def __str__(self) -> str:
        return f"{super().__str__()}\n{self.stderr}"


def git(cwd: Path, *args: str, when: Optional[int] = None, env: Optional[Mapping[str, str]] = None) -> str:
    """git `args` in `cwd` with `env` (default: os.environ as it is now): its output; raises GitFailed.
    `when` (seconds since the epoch) is the author and committer date."""
    full = dict(os.environ if env is None else env)
    if when is not None:
        full["GIT_AUTHOR_DATE"] = full["GIT_COMMITTER_DATE"] = f"{when} +0000"
    done = subprocess.run(["git", *args], cwd=cwd, env=full, capture_output=True, text=True)
    if done.returncode != 0:
        raise GitFailed(done.returncode, done.args, done.stdout, done.stderr)
    return done.stdout


def make_repo(path: Path, env: Optional[Mapping[str, str]] = None) -> Path:
    """An empty repository on branch main whose own config names its author and signs nothing."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main", env=env)
    git(path, "config", "user.name", "Test User", env=env)
    git(path, "config", "user.email", "test@example.com", env=env)
    git(path, "config", "commit.gpgsign", "false", env=env)
    git(path, "config", "tag.gpgsign", "false", env=env)
    return path
