"""check --registry's findings (cli/integrity.registry_findings) and --fix, against real GTO 1.10.1: on scripted
registries GTO fails on, `gto show` fails before the fix and works after it, showing the same state where GTO
could read it before; a problem without a safe fix is left alone; locations are real files of the repository."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from typing import Callable

import pytest

from compat import gto_runner as gr
from gto_lsp.cli.integrity import registry_findings
from gto_lsp.cli.report import write_report
from helpers.git import T0, git, make_repo

pytestmark = pytest.mark.compat

INDEX = "rf:\n  type: model\n  path: rf.pkl\n"


def _repo(path: Path, tags: list[tuple[str, bool]]) -> Path:
    """A repository annotating rf at one commit, with `tags` (name, annotated) one second apart."""
    root = make_repo(path)
    (root / "artifacts.yaml").write_text(INDEX)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "one", when=T0)
    for n, (name, annotated) in enumerate(tags):
        args = ["tag", "-a", name, "-m", name] if annotated else ["tag", name]
        git(root, *args, when=T0 + 10 + n)
    return root


def _tags(root: Path) -> list[str]:
    return git(root, "tag", "-l").split()


SCRIPTS: dict[str, tuple[list[tuple[str, bool]], list[str], Callable[[str], bool]]] = {
    # name: (tags, `gto show` args that fail before the fix, what the failure says)
    "twice": ([("rf@v1.0.0", True), ("rf@v1.0.0#2", True)], ["show", "rf"], lambda out: "Multiple registr" in out),
    "re-registered": (
        [("rf@v1.0.0", True), ("rf#prod#2", True), ("rf@v1.0.0!#3", True), ("rf@v1.0.0#4", True)],
        ["show", "rf"],
        lambda out: "Multiple registr" in out,
    ),
    "created": ([("rf@v1.0.0", True), ("rf@created", True)], ["show"], lambda out: "'action'" in out),
}


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_fix_makes_gto_work_again(case: str, tmp_path: Path) -> None:
    tags, failing, says = SCRIPTS[case]
    root = _repo(tmp_path / case, tags)
    before = gr.run_gto110(root, failing)
    assert before.exit_code == 1 and says(before.output), before.output
    state_before = gr.run_gto110(root, ["show", "rf", "-d", "--json"])
    log = io.StringIO()
    left = registry_findings(root, fix=True, log=log)
    ran = log.getvalue().splitlines()
    assert len(ran) == 1 and ran[0].startswith("Ran: git tag -d ") and "push" not in log.getvalue()
    assert [f.code for f in left if f.severity == "error"] == []
    after = gr.run_gto110(root, failing)
    assert after.exit_code == 0, after.output
    if state_before.exit_code == 0:  # GTO read the versions before: the same ones, the same stages
        state_after = gr.run_gto110(root, ["show", "rf", "-d", "--json"])
        keep = ("version", "is_active", "stages")

        def shown(out: str) -> list[object]:
            return [{k: v.get(k) if k != "stages" else len(v[k]) for k in keep} for v in json.loads(out)]

        assert shown(state_after.stdout) == shown(state_before.stdout)


def test_without_fix_nothing_changes_and_the_commands_are_in_the_message(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", [("rf@v1.0.0", True), ("rf@v1.0.0#2", True)])
    found = registry_findings(root)
    assert [(f.code, f.severity, f.path, f.line, f.column, f.end_line, f.end_column) for f in found] == [
        ("version-registered-twice", "error", "artifacts.yaml", 1, 1, 1, 3)
    ]
    assert "git tag -d 'rf@v1.0.0#2'" in found[0].message
    assert "git push origin ':refs/tags/rf@v1.0.0#2'" in found[0].message
    assert _tags(root) == ["rf@v1.0.0", "rf@v1.0.0#2"]


def test_no_fix_for_problems_without_a_safe_one(tmp_path: Path) -> None:
    root = _repo(
        tmp_path / "r",
        [("rf@v1.0.0", True), ("rf#prod#2", True), ("rf@v1.0.0!#3", True), ("rf@v1", True), ("rf@v2.0.0", False)],
    )
    tags = _tags(root)
    log = io.StringIO()
    found = registry_findings(root, fix=True, log=log)
    assert log.getvalue() == "" and _tags(root) == tags
    assert sorted(f.code for f in found) == ["stage-on-deprecated", "tag-lightweight", "tag-unparsable"]


def test_locations_are_files_of_the_repository(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", [("ghost@v1.0.0", True)])
    (root / "sub").mkdir()
    (root / "sub" / "dvc.yaml").write_text("artifacts:\n  nn:\n    path: nn.pt\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "two", when=T0 + 100)
    git(root, "tag", "-a", "sub=nn@v1.0.0", "-m", "x", "HEAD~1", when=T0 + 101)
    found = registry_findings(root)
    assert sorted((f.code, f.path, f.line, f.column) for f in found) == [
        ("artifact-undeclared", "artifacts.yaml", 1, 1),  # its versions are not said one by one
        ("version-undeclared", "sub/dvc.yaml", 2, 3),
    ]
    assert all(os.path.isfile(f.file) for f in found)  # relative to the current folder
    out = io.StringIO()
    write_report(found, "json", out)
    assert {row["code"] for row in json.loads(out.getvalue())} == {"artifact-undeclared", "version-undeclared"}


def test_a_repository_without_tags_has_no_registry_problem(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", [])
    assert registry_findings(root) == []


def test_versions_sharing_a_staged_commit_are_an_error_gto_shares(tmp_path: Path) -> None:
    root = _repo(tmp_path / "r", [("rf@v1.0.0", True), ("rf@v2.0.0", True), ("rf#prod#3", True)])
    gto = gr.run_gto110(root, ["show"])
    assert gto.exit_code == 1 and "Multiple versions are not allowed on the same Git commit" in gto.output
    found = registry_findings(root, fix=True, log=io.StringIO())
    assert [(f.code, f.severity) for f in found] == [("versions-share-commit", "error")]
    assert "Multiple versions are not allowed on the same Git commit" in found[0].message
    assert _tags(root) == ["rf#prod#3", "rf@v1.0.0", "rf@v2.0.0"]  # no safe fix: nothing deleted
    git(root, "tag", "-d", "rf@v1.0.0")  # what the message says to do
    assert gr.run_gto110(root, ["show"]).exit_code == 0
    assert registry_findings(root) == []


def test_a_tag_naming_a_folder_outside_never_makes_check_read_there(tmp_path: Path) -> None:
    """A tag object's stored name is not checked by git (`hash-object --literally`): `../outside=rf@v1.0.0` names
    the artifact `../outside:rf`, whose dvc.yaml would be outside the repository. It is located in the repository."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "dvc.yaml").write_text("artifacts:\n  rf:\n    path: m.pkl\n")
    root = _repo(tmp_path / "repo", [])
    head = git(root, "rev-parse", "HEAD").strip()
    body = f"object {head}\ntype commit\ntag ../outside=rf@v1.0.0\ntagger A <a@b> {T0} +0000\n\nRegistering\n"
    made = subprocess.run(
        ["git", "hash-object", "-t", "tag", "-w", "--stdin", "--literally"],
        cwd=root,
        input=body,
        capture_output=True,
        text=True,
        check=True,
    )
    obj = made.stdout.strip()
    git(root, "update-ref", "refs/tags/outside=rf@v1.0.0", obj)
    found = [f for f in registry_findings(root) if f.artifact == "../outside:rf"]
    assert found, "the tag is reported"
    assert {(f.path, f.line) for f in found} == {("artifacts.yaml", 1)}
