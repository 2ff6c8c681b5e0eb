"""core/paths.py: the path rules check, annotate, git and the language server share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gto_lsp.core import paths
from helpers.git import git, isolated_env


@pytest.mark.parametrize(
    ("path", "external", "absolute", "norm", "escapes"),
    [
        ("models/rf.pkl", False, False, "models/rf.pkl", False),
        ("./models//rf.pkl", False, False, "models/rf.pkl", False),
        ("models\\rf.pkl", False, False, "models/rf.pkl", False),
        ("/abs/rf.pkl", False, True, "/abs/rf.pkl", False),
        ("C:\\models\\rf.pkl", False, True, "C:/models/rf.pkl", False),
        ("C:/models", False, True, "C:/models", False),
        ("../out", False, False, "../out", True),
        ("a/../../out", False, False, "../out", True),
        ("..", False, False, "..", True),
        ("a/..", False, False, ".", False),
        ("..x/y", False, False, "..x/y", False),
        ("s3://bucket/rf.pkl", True, False, "s3:/bucket/rf.pkl", False),
        ("git+ssh://host/x", True, False, "git+ssh:/host/x", False),
    ],
)
def test_string_rules(path: str, external: bool, absolute: bool, norm: str, escapes: bool) -> None:
    assert paths.is_external(path) is external
    assert paths.is_absolute(path) is absolute
    assert paths.normalise(path) == norm
    assert paths.escapes(paths.normalise(path)) is escapes


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("models/rf.pkl", "models", True),
        ("models", "models/rf.pkl", True),
        ("models/rf.pkl", "./models/rf.pkl", True),
        ("models/rf.pkl", "models/rf.pk", False),
        ("Models/rf.pkl", "models/rf.pkl", False),
        ("a\\b", "a/b", False),  # GTO: a backslash is a plain character
        ("/", "anything", True),  # '/' contains everything
        (".", "models", True),
    ],
)
def test_conflict_is_gtos_rule(a: str, b: str, expected: bool) -> None:
    assert paths.conflict(a, b) is expected


def test_inside_follows_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "out")
    assert paths.inside(root / "sub", root) and paths.inside(root, root)
    assert not paths.inside(root / "out", root)
    assert not paths.inside(tmp_path, root)
    real_root = os.path.realpath(root)
    assert paths.exists_inside(root, "sub", real_root)
    assert not paths.exists_inside(root, "out", real_root)
    assert not paths.exists_inside(root, "missing", real_root)


# --- issue 12 item 1: `//x`, `\\server\share` and very long paths end, in linear memory -----------------------

HOSTILE_PATHS = {
    "double-slash": "//x",
    "unc": "\\\\\\\\server\\\\share",  # YAML double-quoted: \\server\share
    "slashes": "//",
    "long": "a/" * 100_000 + "m.pkl",  # 200 KB: every prefix kept would be 10 GB
}


def _limited(code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a Python limited to 1 GB of address space: a runaway loop fails instead of eating the host."""
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
    return subprocess.run(
        [sys.executable, "-c", limit + code, *args], cwd=cwd, capture_output=True, text=True, timeout=30
    )


# The process's own peak resident memory (VmHWM starts afresh at exec; ru_maxrss keeps the forking pytest's peak).
PRINT_PEAK = "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')) / 1024)\n"


def _peak_mb(done: subprocess.CompletedProcess[str]) -> float:
    return float(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(HOSTILE_PATHS))
def test_check_of_a_hostile_path_ends_in_bounded_memory(tmp_path: Path, case: str) -> None:
    text = f'rf:\n  type: model\n  path: "{HOSTILE_PATHS[case]}"\nnn:\n  path: "{HOSTILE_PATHS[case]}/x"\n'
    (tmp_path / "artifacts.yaml").write_text(text)
    code = (
        "import sys\n"
        "from gto_lsp.core.formats.gto.check import check\n"
        "from gto_lsp.core.formats.gto.document import parse\n"
        "found = check(parse(open('artifacts.yaml').read()))\n"
        "print(sorted({p.code for p in found}))\n" + PRINT_PEAK
    )
    done = _limited(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _peak_mb(done) < 300


def test_folder_keys_end_and_are_linear() -> None:
    assert paths.folder_keys("//x")[1] == ()  # '//' is no folder of a path: no loop, nothing kept
    key, folders = paths.folder_keys("a/b/c.pkl")
    assert folders == (paths.folder_keys("a/b")[0], paths.folder_keys("a")[0])
    assert key != paths.folder_keys("a/b/c.pk")[0]
    assert paths.folder_keys("c.pkl")[1] == () and paths.folder_keys("")[1] == ()
    long = "a/" * 100_000 + "m.pkl"
    assert paths.folder_keys(long)[1] == ()  # longer than PATH_MAX: names no file, no folder kept
    assert len(paths.folder_keys("a/" * 2000 + "m")[1]) == 2000


@pytest.mark.parametrize("case", list(HOSTILE_PATHS))
@pytest.mark.parametrize("command", ["check", "annotate"])
def test_cli_on_a_hostile_path_answers(tmp_path: Path, case: str, command: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", env=isolated_env())
    text = f'rf:\n  type: model\n  path: "{HOSTILE_PATHS[case]}"\n'
    (root / "artifacts.yaml").write_text(text)
    args = ["check"] if command == "check" else ["annotate", "nn", "--path", "m/x.pkl"]
    code = "import sys\nfrom gto_lsp.cli import main\ncode = main(sys.argv[1:])\n" + PRINT_PEAK + "sys.exit(code)\n"
    done = _limited(code, root, *args)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert _peak_mb(done) < 300
