"""Run the real GTO from PyPI in subprocesses, so tests can compare gto-lsp with it.

The virtualenvs are installed by ``scripts/gto-venvs.sh`` under ``$GTO_VENVS`` (default
``<repo>/.cache/gto-venvs``):

* ``gto110``: gto 1.10.1 (latest release). No annotate CLI, but ``gto.index`` still has the
  ``artifacts.yaml`` reader and the annotate core (``RepoIndexManager.add``).
* ``gto028``: gto 0.2.8, the last release with ``gto annotate``/``remove``/``describe``.
* ``dvc367``: dvc 3.67.1, for ``dvc.yaml`` artifacts (driven by ``dvc_runner.py``).

Every subprocess runs with ``cwd=repo``, ``GTO_EMOJIS=false``, a private ``HOME`` whose
``.gitconfig`` sets a user (so git works in throw-away repos), no inherited ``GTO_*``/``GIT_*``
variables, and ``COLUMNS`` set wide so rich does not wrap GTO's messages at 80 columns.
Pass ``env=`` to add variables (e.g. ``{"GTO_TYPES": '["model"]'}``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping, Optional, Sequence

import helpers.git

Which = Literal["gto110", "gto028", "dvc367"]

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "gto-venvs.sh"
STAMP_NAME = ".gto-venvs-stamp"
TIMEOUT = 120.0
_JSON_MARK = "GTO_RUNNER_JSON:"
_ISOLATED_PREFIXES = ("GTO_", "GIT_")
_DROPPED_VARS = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr together, stripped (GTO prints errors to stderr)."""
        return (self.stdout + self.stderr).strip()


@dataclass(frozen=True)
class ReadResult:
    ok: bool
    # name -> {type, path, virtual, labels, description, custom} (all fields, defaults included)
    state: Optional[dict[str, dict[str, Any]]]
    error: Optional[str]  # GTO's exception message, e.g. "artifacts.yaml file doesn't conform ..."
    error_type: Optional[str] = None  # exception class name, e.g. "WrongArtifactsYaml"
    exists: Optional[bool] = None  # whether the index file was there (None when reading failed)


def venvs_dir() -> Path:
    return Path(os.environ.get("GTO_VENVS") or REPO_ROOT / ".cache" / "gto-venvs")


def venv_python(which: Which) -> Optional[Path]:
    """The venv's python, or None when that venv is not (completely) installed."""
    if which not in ("gto110", "gto028", "dvc367"):
        raise ValueError(f"unknown GTO venv {which!r}")
    root = venvs_dir() / which
    python = root / "bin" / "python"
    if not (root / STAMP_NAME).is_file() or not python.exists():
        return None
    return python


def missing_venv_message(which: Which) -> str:
    return (
        f"real GTO venv '{which}' is not installed under {venvs_dir()}; "
        f"run scripts/gto-venvs.sh (takes under a minute) to enable the compat tests"
    )


def _require(which: Which) -> Path:
    python = venv_python(which)
    if python is None:
        raise RuntimeError(missing_venv_message(which))
    return python


_home: Optional[Path] = None


def _fake_home() -> Path:
    """A HOME with a .gitconfig good enough for git/GitPython/dulwich/pygit2 in temp repos."""
    global _home
    if _home is None or not _home.is_dir():
        home = Path(tempfile.mkdtemp(prefix="gto-compat-home-"))
        (home / ".gitconfig").write_text(
            "[user]\n"
            "\tname = GTO Compat\n"
            "\temail = gto-compat@example.com\n"
            "[init]\n"
            "\tdefaultBranch = main\n"
            "[safe]\n"
            "\tdirectory = *\n"
            "[commit]\n"
            "\tgpgsign = false\n"
            "[tag]\n"
            "\tgpgsign = false\n",
            encoding="utf-8",
        )
        _home = home
    return _home


def gto_env(extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """The environment used for every GTO subprocess."""
    env = {
        k: v for k, v in os.environ.items() if not k.upper().startswith(_ISOLATED_PREFIXES) and k not in _DROPPED_VARS
    }
    home = _fake_home()
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GTO_EMOJIS="false",
        COLUMNS="10000",
        NO_COLOR="1",
        TERM="dumb",
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONWARNINGS="ignore",
    )
    if extra:
        env.update(extra)
    return env


def _run(
    cmd: Sequence[str],
    cwd: Path,
    env: Optional[Mapping[str, str]],
    timeout: float = TIMEOUT,
    input: Optional[str] = None,
) -> CliResult:
    proc = subprocess.run(
        list(cmd),
        cwd=str(cwd),
        env=gto_env(env),
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# --- gto 0.2.8: the real CLI -------------------------------------------------------------------


def run_gto028(repo: Path, args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> CliResult:
    """`gto <args>` of gto 0.2.8, run in `repo`."""
    python = _require("gto028")
    return _run([str(python.parent / "gto"), *args], Path(repo), env)


def annotate_with_gto028(repo: Path, args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> CliResult:
    return run_gto028(repo, ["annotate", *args], env)


def remove_with_gto028(repo: Path, args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> CliResult:
    return run_gto028(repo, ["remove", *args], env)


def describe_with_gto028(repo: Path, args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> CliResult:
    return run_gto028(repo, ["describe", *args], env)


# --- gto 1.10.1: the CLI (show, history, ...) and Python shims for gto.index -------------------


def run_gto110(repo: Path, args: Sequence[str], env: Optional[Mapping[str, str]] = None) -> CliResult:
    """`gto <args>` of gto 1.10.1 (no annotate there: show, history, register, ...)."""
    python = _require("gto110")
    return _run([str(python.parent / "gto"), *args], Path(repo), env)


# Both shims report exceptions the way GTO's CLI does (cli.py `inner`): a GTOException prints its
# message, anything else prints "Unexpected error: <e>"; exit code 1 either way.

_READ_SHIM = r"""
import base64, datetime, json, os, sys
from gto.exceptions import GTOException
from gto.index import RepoIndexManager

repo, rev = sys.argv[1], (sys.argv[2] or None)

def dump(index):
    return {name: art.model_dump() for name, art in index.state.items()}

def encode(o):  # YAML values JSON cannot hold (only possible inside `custom`)
    if isinstance(o, datetime.datetime):
        return {"$datetime": o.isoformat()}
    if isinstance(o, datetime.date):
        return {"$date": o.isoformat()}
    if isinstance(o, bytes):
        return {"$bytes": base64.b64encode(o).decode()}
    return {"$repr": repr(o)}

try:
    with RepoIndexManager.from_url(repo) as manager:
        if rev is None:
            # What annotate/remove read: the working-tree file (Index.read -> Index.read_state).
            exists = os.path.exists(manager.index_path())
            index = manager.get_index()
        else:
            # What show/describe/register read: the file committed at `rev`.
            index = manager.get_commit_index(rev)
            exists = index is not None
        out = {"ok": True, "state": dump(index) if index is not None else {}, "exists": exists}
except GTOException as e:
    out = {"ok": False, "error": str(e), "error_type": type(e).__name__}
except Exception as e:
    out = {"ok": False, "error": "Unexpected error: %s" % e, "error_type": type(e).__name__}
print(__MARK__ + json.dumps(out, default=encode))
""".replace("__MARK__", repr(_JSON_MARK))

_ANNOTATE_SHIM = r"""
import json, sys
from gto.exceptions import GTOException
from gto.index import RepoIndexManager

op, kw = sys.argv[1], json.loads(sys.argv[2])
try:
    with RepoIndexManager.from_url(".") as manager:
        if op == "add":
            manager.add(update=True, commit=False, push=False, **kw)
        else:
            manager.remove(commit=False, push=False, **kw)
except GTOException as e:
    print(e, file=sys.stderr)
    sys.exit(1)
except Exception as e:
    print("Unexpected error: %s" % e, file=sys.stderr)
    sys.exit(1)
print("Updated `artifacts.yaml`")
"""


def read_with_gto110(repo: Path, rev: Optional[str] = None, env: Optional[Mapping[str, str]] = None) -> ReadResult:
    """Read `repo`'s artifacts.yaml with gto 1.10.1's reader.

    rev=None reads the working-tree file, as annotate does (a missing file is ok, state {}).
    A rev reads the file committed there, as `gto show`/`describe` do.
    Name checks apply to top-level keys only; labels/types in the file are not validated on read.
    `state` is `Artifact.model_dump()` per name, sent as JSON: YAML values JSON cannot hold (only
    possible in `custom`) come back tagged, e.g. `2024-01-01` -> {"$date": "2024-01-01"}, and
    non-string mapping keys inside `custom` come back as strings.
    """
    python = _require("gto110")
    res = _run([str(python), "-c", _READ_SHIM, str(repo), rev or ""], Path(repo), env)
    for line in reversed(res.stdout.splitlines()):
        if line.startswith(_JSON_MARK):
            data = json.loads(line[len(_JSON_MARK) :])
            return ReadResult(
                ok=data["ok"],
                state=data.get("state"),
                error=data.get("error"),
                error_type=data.get("error_type"),
                exists=data.get("exists"),
            )
    raise RuntimeError(f"gto110 reader produced no result (exit {res.exit_code}):\n{res.output}")


def annotate_with_gto110_core(
    repo: Path,
    name: str,
    type: Optional[str] = None,
    path: Optional[str] = None,
    must_exist: bool = False,
    allow_same_path: bool = False,
    labels: Sequence[str] = (),
    description: str = "",
    custom: Any = None,
    env: Optional[Mapping[str, str]] = None,
) -> CliResult:
    """gto 1.10.1's RepoIndexManager.add(..., update=True) with the 0.2.8 CLI defaults, no commit.

    Prints "Updated `artifacts.yaml`" on success; the error text on stderr with exit 1 on failure.
    `custom` may be any JSON value (the 0.2.8 CLI only ever passes a string).
    """
    python = _require("gto110")
    kw = {
        "name": name,
        "type": type,
        "path": path,
        "must_exist": must_exist,
        "allow_same_path": allow_same_path,
        "labels": list(labels),
        "description": description,
        "custom": custom,
    }
    return _run([str(python), "-c", _ANNOTATE_SHIM, "add", json.dumps(kw)], Path(repo), env)


def remove_with_gto110_core(repo: Path, name: str, env: Optional[Mapping[str, str]] = None) -> CliResult:
    """gto 1.10.1's RepoIndexManager.remove(name), no commit."""
    python = _require("gto110")
    return _run([str(python), "-c", _ANNOTATE_SHIM, "remove", json.dumps({"name": name})], Path(repo), env)


# --- helpers for tests ------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    """git in `repo` with the harness environment (GTO's own home and config)."""
    return helpers.git.git(repo, *args, env=gto_env())


def init_git_repo(repo: Path) -> Path:
    """`git init` plus a user in the repo's own config (no commit)."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "GTO Compat")
    git(repo, "config", "user.email", "gto-compat@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    return repo


if __name__ == "__main__":  # quick manual check: python tests/compat/gto_runner.py
    for w in ("gto110", "gto028"):
        print(w, venv_python(w) or missing_venv_message(w))
    sys.exit(0)
