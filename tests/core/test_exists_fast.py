"""RepoView.exists resolves paths through its per-folder cache: the same answers as paths.exists_inside (realpath
of every path), symlinks out of the repository, into it and back included, before and after the links change."""

from __future__ import annotations

import os
from pathlib import Path

from gto_lsp.core.paths import exists_inside
from gto_lsp.core.repo.fs import ExistsCache, RepoView


def _layout(base: Path) -> Path:
    outside = base / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "f.pkl").write_text("x")
    (outside / "file.txt").write_text("x")
    root = base / "repo"
    (root / "models" / "m1").mkdir(parents=True)
    (root / "models" / "m1" / "model.pkl").write_text("x")
    (root / "data").mkdir()
    (root / "data" / "a.csv").write_text("x")
    os.symlink(outside, root / "out")  # a folder link out
    os.symlink(outside / "file.txt", root / "data" / "out.txt")  # a file link out
    os.symlink(root / "models", root / "alias")  # a folder link in
    os.symlink("m1/model.pkl", root / "models" / "rel.pkl")  # a relative file link in
    os.symlink("/", root / "up")  # out, then back in through the root's own path
    os.symlink("missing", root / "dangling")
    os.symlink("loop", root / "loop")
    os.symlink(outside, root / "models" / "m1" / "escape")
    return root


def _paths(root: Path) -> list[str]:
    back = str(root.resolve()).lstrip("/")
    found = [
        "models/m1/model.pkl",
        "models/m1",
        "models",
        "models/m2/model.pkl",
        "models/m1/model.pkl/x",
        "models/m1/model.pkl/",
        "data/a.csv",
        "data/out.txt",
        "out",
        "out/deep/f.pkl",
        "out/file.txt",
        "out/missing",
        "alias/m1/model.pkl",
        "alias/m1/escape/deep/f.pkl",
        "models/rel.pkl",
        "models/m1/escape",
        "models/m1/escape/file.txt",
        f"up/{back}/models/m1/model.pkl",
        f"up/{back}/out/file.txt",
        "up/tmp",
        "dangling",
        "dangling/x",
        "loop",
        "loop/x",
        "./models/m1/model.pkl",
        "models//m1/model.pkl",
        "models/../models/m1/model.pkl",
        "out/../data/a.csv",
        "../repo/data/a.csv",
        "/etc/passwd",
        "",
        ".",
        "a\x00b",
        "/".join(["a"] * 100),
        "x" * 5000,
    ]
    for name in ("models", "data", "out", "alias", "up", "loop", "dangling"):
        found.extend(f"{name}/{tail}" for tail in ("", "m1", "m1/model.pkl", "deep", "a.csv"))
    return found


def _check_all(root: Path, view: RepoView) -> None:
    real_root = os.path.realpath(root)
    for path in _paths(root):
        assert view.exists(path) == exists_inside(root, path, real_root), path


def test_same_answers_as_realpath(tmp_path: Path) -> None:
    root = _layout(tmp_path)
    _check_all(root, RepoView(root=root))  # fresh cache
    cache = ExistsCache()
    _check_all(root, RepoView(root=root, exists_cache=cache))
    _check_all(root, RepoView(root=root, exists_cache=cache))  # the folders of the first view, reused
    _check_all(root, RepoView(root=root, exists_cache={}))  # a plain dict: the view keeps the folders


def test_same_answers_after_links_change(tmp_path: Path) -> None:
    root = _layout(tmp_path)
    cache = ExistsCache()
    view = RepoView(root=root, exists_cache=cache)
    _check_all(root, view)
    # `models` becomes a link out, `out` a real folder: answers computed before must not be reused.
    os.rename(root / "models", tmp_path / "moved")
    os.symlink(tmp_path / "outside", root / "models")
    os.unlink(root / "out")
    (root / "out" / "deep").mkdir(parents=True)
    (root / "out" / "deep" / "f.pkl").write_text("x")
    cache.clear()
    _check_all(root, RepoView(root=root, exists_cache=cache))


def test_relative_root(tmp_path: Path) -> None:
    _layout(tmp_path)
    os.chdir(tmp_path)
    try:
        _check_all(Path("repo"), RepoView(root=Path("repo")))
    finally:
        os.chdir("/")
