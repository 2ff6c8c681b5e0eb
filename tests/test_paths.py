"""core/paths.py: the path rules check, annotate, git and the language server share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gto_lsp.core import paths


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


def test_parents() -> None:
    assert paths.parents("a/b/c.pkl") == ("a/b", "a")
    assert paths.parents("c.pkl") == ()
    assert paths.parents("") == ()


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
