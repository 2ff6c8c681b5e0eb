"""Which dvc.yaml files gto-lsp checks: those DVC reads (issue 14, item 4). Not those a `.dvcignore` excludes, nor
inside `.dvc/` or a stage's output folder; a dvc.yaml that is not UTF-8 is one problem and the others are still
checked. The last test asks real DVC 3.67.1 (`collect_files`, what `dvc status` reads) on the same repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compat import gto_runner as gr
from gto_lsp.core.formats.dvc.files import dvc_files, inside_outputs
from gto_lsp.core.formats.dvc.reads import DvcIgnore
from helpers.cli import run
from helpers.git import git, make_repo

# Every dvc.yaml of the scenario has an artifact whose name DVC loads with a warning (`invalid-name`) and
# whose path is missing, so each file check reads shows in its output.
BROKEN = "artifacts:\n  Bad_Name:\n    path: nowhere.pkl\n"
STAGE_OUT = "stages:\n  s:\n    cmd: echo\n    outs:\n      - {out}\n"

SCENARIO = {
    "dvc.yaml": STAGE_OUT.format(out="data") + BROKEN,
    ".dvcignore": "# scratch space\nscratch/\n*.bak.d\n!keep.bak.d\ndeep/**/skip\n",
    "scratch/dvc.yaml": BROKEN,  # ignored folder
    "x/scratch/dvc.yaml": BROKEN,  # a rule without a slash matches at any depth
    "old.bak.d/dvc.yaml": BROKEN,
    "keep.bak.d/dvc.yaml": BROKEN,  # `!` includes it again
    "deep/a/skip/dvc.yaml": BROKEN,
    "deep/a/dvc.yaml": BROKEN,
    "data/dvc.yaml": BROKEN,  # inside the root stage's output `data`
    "data/sub/dvc.yaml": BROKEN,
    "models/dvc.yaml": STAGE_OUT.format(out="gen") + BROKEN,
    "models/gen/dvc.yaml": BROKEN,  # inside models' stage output models/gen
    "sub/.dvcignore": "hidden\n/only_here/\n",
    "sub/dvc.yaml": BROKEN,
    "sub/hidden/dvc.yaml": BROKEN,
    "sub/only_here/dvc.yaml": BROKEN,
    "sub/x/only_here/dvc.yaml": BROKEN,  # `/only_here/` is anchored to sub/
    "hidden/dvc.yaml": BROKEN,  # sub/.dvcignore's rules apply only below sub/
}
READ = {
    "dvc.yaml",
    "keep.bak.d/dvc.yaml",
    "deep/a/dvc.yaml",
    "models/dvc.yaml",
    "sub/dvc.yaml",
    "sub/x/only_here/dvc.yaml",
    "hidden/dvc.yaml",
}

# Negations, `**`, escapes, a `*` that a `!dvc.yaml` opens again, a rule naming dvc.yaml itself.
RULES = {
    "dvc.yaml": BROKEN,
    ".dvcignore": "**/tmp\n!keep/tmp\nlogs/*\n\\#hash\n  spaced  \n",
    "tmp/dvc.yaml": BROKEN,
    "x/tmp/dvc.yaml": BROKEN,
    "keep/tmp/dvc.yaml": BROKEN,
    "logs/dvc.yaml": BROKEN,
    "logs/a/dvc.yaml": BROKEN,
    "#hash/dvc.yaml": BROKEN,
    "spaced/dvc.yaml": BROKEN,
    "a/.dvcignore": "!x\n*.d/\nsub/deep/\n",
    "a/x/dvc.yaml": BROKEN,
    "a/y.d/dvc.yaml": BROKEN,
    "a/sub/deep/dvc.yaml": BROKEN,
    "a/sub/dvc.yaml": BROKEN,
    "a/sub/deep2/dvc.yaml": BROKEN,
    "b/.dvcignore": "*\n!dvc.yaml\n",
    "b/dvc.yaml": BROKEN,
    "b/c/dvc.yaml": BROKEN,
    "d/.dvcignore": "dvc.yaml\n",
    "d/dvc.yaml": BROKEN,
    "d/e/dvc.yaml": BROKEN,
}
RULES_READ = {"dvc.yaml", "keep/tmp/dvc.yaml", "a/x/dvc.yaml", "a/sub/dvc.yaml", "a/sub/deep2/dvc.yaml", "b/dvc.yaml"}


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _checked(root: Path) -> set[str]:
    code, out, err = run("check", "--format", "json", cwd=root)
    assert code in (0, 1), err
    return {Path(row["file"]).as_posix() for row in json.loads(out)}


def test_ignore_rules_follow_dvcs_gitignore_reading() -> None:
    texts = {".dvcignore": "  # comment\n\nlogs/\n*.tmp\n!a.tmp\n", "s/.dvcignore": "/anchored\nany\n"}
    ignore = DvcIgnore(texts.get)
    assert ignore.reason("logs/dvc.yaml") == "`.dvcignore` line 3 (`logs/`) excludes it"
    assert ignore.reason("x/b.tmp/dvc.yaml") == "`.dvcignore` line 4 (`*.tmp`) excludes it"
    assert ignore.reason("a.tmp/dvc.yaml") is None
    assert ignore.reason("logs") is None  # `logs/` names folders only: a file called logs stays
    assert ignore.reason("s/anchored/dvc.yaml") == "`s/.dvcignore` line 1 (`/anchored`) excludes it"
    assert ignore.reason("s/t/anchored/dvc.yaml") is None
    assert ignore.reason("s/t/any/dvc.yaml") == "`s/.dvcignore` line 2 (`any`) excludes it"
    assert ignore.reason("any/dvc.yaml") is None
    assert ignore.reason(".dvc/dvc.yaml") == "it is inside `.dvc/`, where DVC never looks"
    assert ignore.reason("a/.git/dvc.yaml") == "it is inside `.git/`, where DVC never looks"


def test_a_dvcignore_inside_an_ignored_folder_or_itself_ignored_is_not_read() -> None:
    asked: list[str] = []

    def read(rel: str) -> str | None:
        asked.append(rel)
        return {".dvcignore": ".dvcignore\n", "a/.dvcignore": "x\n"}.get(rel)

    ignore = DvcIgnore(read)
    assert ignore.reason("a/x/dvc.yaml") is None  # a/.dvcignore is ignored by the root's rule: never read
    assert asked == [".dvcignore"]


def test_dvc_files_skips_ignored_and_dvc_folders() -> None:
    listed = ["dvc.yaml", ".dvc/dvc.yaml", "tmp/dvc.yaml", "ok/dvc.yaml", "nested/.dvc/config", "nested/dvc.yaml"]
    ignore = DvcIgnore({".dvcignore": "tmp\n"}.get)
    assert dvc_files(listed, ignore) == ["dvc.yaml", "ok/dvc.yaml"]


def test_inside_outputs_counts_outputs_below_their_own_dvc_yaml() -> None:
    outputs = {"dvc.yaml": ["data"], "a/dvc.yaml": ["a/o", "b"], "data/dvc.yaml": ["c"]}
    files = ["dvc.yaml", "data/dvc.yaml", "a/dvc.yaml", "a/o/x/dvc.yaml", "b/dvc.yaml", "c/dvc.yaml"]
    assert inside_outputs(files, outputs) == {
        "data/dvc.yaml": "it is inside `data/`, an output of a stage of dvc.yaml",
        "a/o/x/dvc.yaml": "it is inside `a/o/`, an output of a stage of a/dvc.yaml",
    }  # b: DVC has listed the root's folders before it reads a/dvc.yaml; c: data/dvc.yaml is never read


@pytest.mark.parametrize(("files", "read"), [(SCENARIO, READ), (RULES, RULES_READ)], ids=["outputs", "rules"])
def test_check_reads_the_files_dvc_reads(tmp_path: Path, files: dict[str, str], read: set[str]) -> None:
    root = make_repo(tmp_path / "repo")
    _write(root, files)
    assert _checked(root) == read


def test_a_dvc_yaml_not_utf8_is_one_problem_and_the_others_are_checked(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    _write(root, {"dvc.yaml": BROKEN, "b/dvc.yaml": BROKEN})
    (root / "a").mkdir()
    (root / "a" / "dvc.yaml").write_bytes(b"artifacts:\n  m:\n    desc: caf\xe9\n")
    code, out, err = run("check", "--format", "json", cwd=root)
    assert code == 1, err
    rows = json.loads(out)
    assert [(r["file"], r["code"]) for r in rows if r["file"] == "a/dvc.yaml"] == [("a/dvc.yaml", "file-encoding")]
    bad = next(r for r in rows if r["file"] == "a/dvc.yaml")
    assert (bad["line"], bad["column"], bad["severity"]) == (3, 14, "error")
    assert {r["file"] for r in rows} == {"dvc.yaml", "a/dvc.yaml", "b/dvc.yaml"}


DVC_READS = """
import json, sys
from dvc.repo import Repo
from dvc.repo.index import collect_files
repo = Repo(sys.argv[1])
print(json.dumps(sorted(repo.fs.relpath(path, repo.root_dir) for path, _ in collect_files(repo))))
"""


@pytest.mark.parametrize(("files", "read"), [(SCENARIO, READ), (RULES, RULES_READ)], ids=["outputs", "rules"])
def test_the_files_we_skip_are_the_ones_dvc_skips(tmp_path: Path, files: dict[str, str], read: set[str]) -> None:
    python = gr.venv_python("dvc367")
    if python is None:
        pytest.skip(gr.missing_venv_message("dvc367"))
    root = make_repo(tmp_path / "repo")
    _write(root, files)
    subprocess.run([str(python), "-m", "dvc", "init", "-q"], cwd=root, check=True, capture_output=True)
    git(root, "add", ".")
    git(root, "commit", "-qm", "scenario")
    env = {"DVC_NO_ANALYTICS": "1", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(python), "-c", DVC_READS, str(root)], capture_output=True, text=True, env=env, timeout=30, check=True
    )
    assert set(json.loads(done.stdout)) == read
    assert _checked(root) == read
