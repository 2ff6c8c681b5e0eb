"""core.registry.integrity and integrity_read: each kind of registry problem on one real repository (tags made by
git at fixed dates), the safe-fix choice by replay, and the bounds on hostile inputs (10,000+ tags, 10 kB names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gto_lsp.core.codes import CODES, codes_of
from gto_lsp.core.registry.integrity import (
    MAX_PROBLEMS,
    RegistryProblem,
    artifact_problems,
    shown,
    tag_problems,
)
from gto_lsp.core.registry.integrity_read import Ancestry, Integrity, apply_fixes, declaring_files, read_integrity
from gto_lsp.core.registry.state import ArtifactRegistry, TagRef
from helpers.git import T0, git, make_repo

INDEX = "rf:\n  type: model\n  path: rf.pkl\ndup: {}\nrr: {}\ndep: {}\n"
DVC = "artifacts:\n  nn:\n    path: nn.pt\n"


def _tag(root: Path, name: str, when: int, target: str = "HEAD") -> None:
    git(root, "tag", "-a", name, "-m", name, target, when=when)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("integrity") / "repo")
    (root / "artifacts.yaml").write_text(INDEX)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one", when=T0)
    first = git(root, "rev-parse", "HEAD").strip()
    (root / "sub").mkdir()
    (root / "sub" / "dvc.yaml").write_text(DVC)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "two", when=T0 + 100)
    # rf: v2.0.0 on the older commit (version-order); a tag GTO ignores; a lightweight one
    _tag(root, "rf@v1.0.0", T0 + 110)
    _tag(root, "rf@v2.0.0", T0 + 111, first)
    _tag(root, "rf@v1", T0 + 112)
    git(root, "tag", "rf@v3.0.0", when=T0 + 113)
    # dup: registered twice; deleting the later tag changes nothing GTO shows
    _tag(root, "dup@v1.0.0", T0 + 120)
    _tag(root, "dup@v1.0.0#2", T0 + 121)
    # rr: registered, deregistered, registered again: only deleting the first registration is safe
    _tag(root, "rr@v1.0.0", T0 + 130)
    _tag(root, "rr@v1.0.0!#2", T0 + 131)
    _tag(root, "rr@v1.0.0#3", T0 + 132)
    # dep: prod stays on a deregistered version
    _tag(root, "dep@v1.0.0", T0 + 140)
    _tag(root, "dep#prod#2", T0 + 141)
    _tag(root, "dep@v1.0.0!#3", T0 + 142)
    # ghost: declared nowhere; sub:nn registered on a commit before its dvc.yaml existed, then on HEAD
    _tag(root, "ghost@v1.0.0", T0 + 150)
    _tag(root, "sub=nn@v1.0.0", T0 + 151, first)
    _tag(root, "sub=nn@v1.1.0", T0 + 152)
    # not GTO's and for no known artifact: never reported
    _tag(root, "release@2024", T0 + 160)
    _tag(root, "v1.0.0", T0 + 161)
    return root


@pytest.fixture(scope="module")
def found(repo: Path) -> Integrity:
    return read_integrity(repo)


def _by(found: Integrity) -> dict[tuple[str, str | None], RegistryProblem]:
    return {(p.code, p.artifact): p for p in found.problems}


def test_every_kind_of_problem_is_found_once(found: Integrity) -> None:
    assert sorted((p.code, p.artifact, p.version) for p in found.problems) == [
        ("artifact-undeclared", "ghost", None),
        ("stage-on-deprecated", "dep", "v1.0.0"),
        ("tag-lightweight", "rf", None),
        ("tag-unparsable", "rf", None),
        ("version-order", "rf", "v2.0.0"),
        ("version-registered-twice", "dup", "v1.0.0"),
        ("version-registered-twice", "rr", "v1.0.0"),
        ("version-undeclared", "sub:nn", "v1.0.0"),
    ]
    assert not found.truncated
    for p in found.problems:
        assert p.severity == CODES[p.code].severity["registry"]


def test_messages_name_the_problem_and_the_fix(found: Integrity) -> None:
    by = _by(found)
    dup = by[("version-registered-twice", "dup")]
    assert "Multiple registrations are not supported currently" in dup.message
    assert dup.fix == (("tag", "-d", "dup@v1.0.0#2"),)
    assert dup.publish == (("push", "origin", ":refs/tags/dup@v1.0.0#2"),)
    assert "git tag -d 'dup@v1.0.0#2'" in dup.message and "git push origin" in dup.message
    # the later tag's deletion would deregister rr: the earlier one is deleted instead
    assert by[("version-registered-twice", "rr")].fix == (("tag", "-d", "rr@v1.0.0"),)
    assert "`rf@v1`" in by[("tag-unparsable", "rf")].message
    assert "lightweight" in by[("tag-lightweight", "rf")].message
    assert "prod" in by[("stage-on-deprecated", "dep")].message
    assert "gto deprecate dep v1.0.0 prod" in by[("stage-on-deprecated", "dep")].message
    order = by[("version-order", "rf")].message
    assert "v2.0.0" in order and "v1.0.0" in order and "@latest" in order
    assert [p.fix for p in found.problems if p.code not in ("version-registered-twice",)] == [()] * 6


def test_fixes_delete_only_the_safe_tags_and_never_push(repo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    git(tmp_path, "clone", "-q", str(repo), str(copy))
    git(copy, "fetch", "-q", "origin", "refs/tags/*:refs/tags/*")
    before = read_integrity(copy)
    done = apply_fixes(copy, before.problems)
    assert [(args, ok) for args, ok, _ in done] == [
        (("tag", "-d", "dup@v1.0.0#2"), True),
        (("tag", "-d", "rr@v1.0.0"), True),
    ]
    after = read_integrity(copy)
    assert [p.code for p in after.problems].count("version-registered-twice") == 0
    for name in ("dup", "rr"):  # what GTO shows is the same
        old, new = before.registry.artifacts[name], after.registry.artifacts[name]
        assert (new.latest, new.stages, [(v.version, v.active) for v in new.versions]) == (
            old.latest,
            old.stages,
            [(v.version, v.active) for v in old.versions],
        )
        assert new.latest == "v1.0.0"
    assert "rr@v1.0.0" in git(repo, "tag", "-l").split()  # the origin keeps it: nothing was pushed


def test_declaring_files() -> None:
    assert declaring_files("rf", "artifacts.yaml") == [("artifacts.yaml", ""), ("dvc.yaml", "")]
    assert declaring_files("a/b:nn", "artifacts.yaml") == [("a/b/dvc.yaml", "a/b")]


def _ref(name: str, annotated: bool = True, obj: str | None = None) -> TagRef:
    return TagRef(name, "0" * 40, annotated, 1.0, (obj if obj is not None else name) if annotated else "")


def test_tags_gto_fails_on() -> None:
    found = tag_problems({"rf@created": _ref("rf@created"), "rf@v2.0.0": _ref("rf@v2.0.0", obj="rf@v9")}, ["rf"])
    assert [(p.code, p.severity, p.tags) for p in found] == [
        ("tag-unreadable", "error", ("rf@created",)),
        ("tag-unreadable", "error", ("rf@v2.0.0",)),
    ]
    assert found[0].fix == (("tag", "-d", "rf@created"),) and found[1].fix == ()
    assert "Cannot parse tag name 'rf@v9'" in found[1].message
    assert "(`git push origin :refs/tags/rf@created`)" in found[0].message
    # a ref whose tag object is named `@created`: GTO fails the same way
    pointed = tag_problems({"rf@v1.0.0": _ref("rf@v1.0.0", obj="rf@created")}, ["rf"])
    assert [(p.code, p.fix) for p in pointed] == [("tag-unreadable", ())]


def test_hostile_tag_names_are_cut_and_bounded() -> None:
    long = "rf@" + "x" * 10_000
    tags = {long: _ref(long), "rf@v1\u0085": _ref("rf@v1\u0085")}
    tags.update({f"rf@v{i}": _ref(f"rf@v{i}") for i in range(MAX_PROBLEMS + 500)})
    found = tag_problems(tags, ["rf"])
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-1].message == "502 more tags with problems are not listed."
    assert all(len(p.message) < 1_000 for p in found)
    assert "\\x85" in found[1].message
    assert shown("a\nb") == "a\\nb"


def test_an_artifact_without_tags_has_no_problem() -> None:
    art = ArtifactRegistry("rf", (), None, {}, False, registered=False)
    assert artifact_problems(art, False) == []


def test_version_order_follows_ancestry_across_branches(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "branches")
    (root / "artifacts.yaml").write_text("x: {}\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "c1", when=T0)
    c1 = git(root, "rev-parse", "HEAD").strip()
    git(root, "commit", "-q", "--allow-empty", "-m", "c2", when=T0 + 1)
    c2 = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "-b", "side", c1)
    git(root, "commit", "-q", "--allow-empty", "-m", "c3", when=T0 + 2)
    c3 = git(root, "rev-parse", "HEAD").strip()
    ancestry = Ancestry(root, {c1, c2, c3})
    assert (ancestry(c1, c3), ancestry(c1, c2), ancestry(c3, c2), ancestry(c2, c3), ancestry(c2, c1)) == (
        True,
        True,
        False,
        False,
        False,
    )
    assert ancestry("0" * 40, c1) is None
    _tag(root, "x@v1.0.0", T0 + 10, c2)
    _tag(root, "x@v2.0.0", T0 + 11, c3)  # on a side branch: not older than v1.0.0's commit
    _tag(root, "x@v3.0.0", T0 + 12, c1)  # an ancestor of v2.0.0's commit
    found = read_integrity(root)
    assert [(p.code, p.version) for p in found.problems] == [("version-order", "v3.0.0")]


def test_a_tag_name_starting_with_a_dash_is_deleted_as_a_name() -> None:
    found = tag_problems({"-d=rf@created": _ref("-d=rf@created")}, [])
    assert [p.fix for p in found] == [(("tag", "-d", "--", "-d=rf@created"),)]


def test_hostile_tags_in_a_real_repository(tmp_path: Path) -> None:
    """A tag object whose name holds control characters and 10 kB, and a 10 kB ref name (packed-refs)."""
    root = make_repo(tmp_path / "hostile")
    (root / "artifacts.yaml").write_text("rf: {}\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "c", when=T0)
    commit = git(root, "rev-parse", "HEAD").strip()
    body = f"object {commit}\ntype commit\ntag rf@v1\x07\x1b[31m{'y' * 10_000}\ntagger T <t@e> {T0} +0000\n\nm\n"
    (tmp_path / "obj").write_text(body)
    obj = git(root, "hash-object", "-t", "tag", "-w", "--literally", str(tmp_path / "obj")).strip()
    git(root, "update-ref", "refs/tags/rf@v1.0.0", obj)
    with open(root / ".git" / "packed-refs", "a") as packed:
        packed.write(f"{commit} refs/tags/rf@{'x' * 10_000}\n")
    found = read_integrity(root)
    assert sorted(p.code for p in found.problems) == ["tag-unparsable", "tag-unreadable"]
    assert all(len(p.message) < 1_500 and "\x1b" not in p.message for p in found.problems)
    assert all("xxxxx" * 100 not in p.message for p in found.problems)


def test_readme_lists_the_registry_codes() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "| code (registry) | severity | meaning |" in readme, "the README's registry table is missing"
    table = readme.split("| code (registry) | severity | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \|", table, re.M)
    assert rows == [(c.id, c.severity["registry"]) for c in codes_of("registry")]
