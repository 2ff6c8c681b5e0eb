"""The command line on dvc.yaml files of real git repositories: annotate/remove/describe with --dvcfile and full
names, check over every dvc.yaml, migrate from artifacts.yaml, schema --dvc."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gto_lsp.cli.migrate as cli_migrate
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import read_values
from helpers.cli import run
from helpers.git import git

pytestmark = pytest.mark.usefixtures("git_env")

STAGES = "# pipeline\nstages:\n  train:\n    cmd: python train.py   # long enough\n    outs:\n      - out/model.pkl\n"
CONSOLE = Path(sys.executable).parent / "gto-lsp"


def console(*argv: str, cwd: Path) -> tuple[int, str, str]:
    """The installed console script, as a user runs it."""
    result = subprocess.run([str(CONSOLE), *argv], cwd=cwd, capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def dvc_repo(repo: Path) -> Path:
    (repo / "dvc.yaml").write_text(STAGES)
    (repo / "sub" / "dir").mkdir(parents=True)
    (repo / "sub" / "dir" / "clf.pkl").write_text("clf")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "pipeline")
    return repo


def test_annotate_into_dvc_yaml_keeps_the_pipeline_and_writes_dvc_fields(dvc_repo: Path) -> None:
    assert CONSOLE.exists()
    code, out, err = console(
        "annotate",
        "rf",
        "--dvcfile",
        "dvc.yaml",
        "--type",
        "model",
        "--path",
        "models/rf.pkl",
        "--label",
        "ml",
        "-d",
        "Random forest",
        "-c",
        "v1",
        cwd=dvc_repo,
    )
    assert (code, out, err) == (0, "Updated `dvc.yaml`\n", "")
    assert (dvc_repo / "dvc.yaml").read_text() == STAGES + (
        "artifacts:\n  rf:\n    path: models/rf.pkl\n    desc: Random forest\n    type: model\n    labels: [ml]\n"
        "    meta: v1\n"
    )
    assert not (dvc_repo / "artifacts.yaml").exists()
    code, out, _ = console("describe", "rf", "--dvcfile", "dvc.yaml", cwd=dvc_repo)
    assert json.loads(out) == {
        "path": "models/rf.pkl",
        "desc": "Random forest",
        "type": "model",
        "labels": ["ml"],
        "meta": "v1",
    }
    assert console("describe", "rf", "--description", cwd=dvc_repo)[1] == "Random forest\n"
    assert console("describe", "rf", "--meta", cwd=dvc_repo)[1] == "v1\n"
    code, out, _ = console("remove", "rf", "--dvcfile", "dvc.yaml", cwd=dvc_repo)
    assert (code, out) == (0, "Updated `dvc.yaml`\n")
    assert (dvc_repo / "dvc.yaml").read_text() == STAGES + "artifacts: {}\n"
    code, _, err = console("remove", "rf", "--dvcfile", "dvc.yaml", cwd=dvc_repo)
    assert (code, err) == (1, "Cannot find artifact 'rf'\n")


def test_dvcfile_is_relative_to_the_current_directory_and_full_names_name_the_file(dvc_repo: Path) -> None:
    sub = dvc_repo / "sub"
    # from sub/: `dir/dvc.yaml` (and the folder `dir`) is sub/dir/dvc.yaml; the path is relative to its folder
    code, out, err = run("annotate", "clf", "--dvcfile", "dir/dvc.yaml", "--path", "clf.pkl", "-e", cwd=sub)
    assert (code, out) == (0, "Updated `sub/dir/dvc.yaml`\n"), err
    assert (sub / "dir" / "dvc.yaml").read_text() == "artifacts:\n  clf:\n    path: clf.pkl\n"
    assert run("annotate", "clf", "--dvcfile", "dir", "--type", "model", cwd=sub)[0] == 0
    # a full name from anywhere in the repository, in either of DVC's spellings
    assert json.loads(run("describe", "sub/dir:clf", cwd=dvc_repo)[1]) == {"path": "clf.pkl", "type": "model"}
    assert run("describe", "sub/dir/dvc.yaml:clf", "--type", cwd=sub / "dir")[1] == "model\n"
    assert run("annotate", "sub/dir:clf", "--label", "x", cwd=dvc_repo)[0] == 0
    assert "labels: [x]" in (sub / "dir" / "dvc.yaml").read_text()
    # a bare name is not looked up in sub/dir/dvc.yaml (DVC does not either)
    assert run("describe", "clf", cwd=dvc_repo)[:2] == (1, "")
    before = (sub / "dir" / "dvc.yaml").read_bytes()
    for argv, code, message in [
        (["annotate", "sub/dir:clf", "--dvcfile", "dvc.yaml"], 2, "is an artifact of sub/dir/dvc.yaml"),
        (["annotate", "x", "--dvcfile", "dvc.yml"], 2, "DVC reads artifacts only from files named dvc.yaml"),
        (["annotate", "x", "--dvcfile", "../../dvc.yaml"], 2, "is outside the repository"),
        (["annotate", "x", "--dvcfile", "nowhere/dvc.yaml"], 2, "No folder 'nowhere'"),
        (["annotate", "x", "--dvcfile", "dir"], 1, "DVC requires a `path`"),
        (["annotate", "x", "--dvcfile", "dir", "-e", "--path", "gone.pkl"], 1, "Nothing found in 'sub/dir/gone.pkl'"),
        (["annotate", "a.b", "--dvcfile", "dir", "--path", "clf.pkl"], 1, "Invalid artifact name 'a.b'"),
    ]:
        result = run(*argv, cwd=sub)
        assert result[0] == code and message in result[2], (argv, result)
    assert (sub / "dir" / "dvc.yaml").read_bytes() == before


def test_crlf_mode_and_bytes_outside_the_entry_are_kept(dvc_repo: Path) -> None:
    path = dvc_repo / "dvc.yaml"
    original = STAGES.replace("\n", "\r\n") + "artifacts:\r\n  rf:  # keep\r\n    path: models/rf.pkl\r\n# end\r\n"
    path.write_bytes(original.encode())
    os.chmod(path, 0o640)
    assert run("annotate", "rf", "--dvcfile", "dvc.yaml", "--type", "model", cwd=dvc_repo)[0] == 0
    assert path.read_bytes() == original.replace("rf.pkl\r\n", "rf.pkl\r\n    type: model\r\n").encode()
    assert (os.stat(path).st_mode & 0o777) == 0o640


def test_commit_takes_only_the_dvc_yaml(dvc_repo: Path) -> None:
    (dvc_repo / "README.md").write_text("changed, not staged\n")
    (dvc_repo / "staged.txt").write_text("staged\n")
    git(dvc_repo, "add", "staged.txt")
    before = git(dvc_repo, "status", "--porcelain")
    code, out, err = console(
        "annotate", "sub/dir:clf", "--path", "clf.pkl", "--type", "model", "--commit", cwd=dvc_repo
    )
    assert (code, out) == (0, "Updated `sub/dir/dvc.yaml`\nRunning `git commit`\n"), err
    assert git(dvc_repo, "log", "-1", "--format=%s") == (
        "Annotate artifact `sub/dir:clf` of type `model` with path `clf.pkl`\n"
    )
    assert git(dvc_repo, "show", "--name-only", "--format=", "HEAD") == "sub/dir/dvc.yaml\n"
    assert git(dvc_repo, "status", "--porcelain") == before
    assert console("remove", "sub/dir:clf", "--commit", cwd=dvc_repo)[0] == 0
    assert git(dvc_repo, "log", "-1", "--format=%s") == "Remove annotation for artifact `sub/dir:clf`\n"
    # uncommitted changes in the file: refused as GTO refuses, nothing written
    (dvc_repo / "dvc.yaml").write_text(STAGES + "# mine\n")
    code, _, err = run("annotate", "rf", "--dvcfile", "dvc.yaml", "--path", "m.pkl", "--commit", cwd=dvc_repo)
    assert code == 1 and err.startswith("The command would have changed files that were not committed")
    assert (dvc_repo / "dvc.yaml").read_text() == STAGES + "# mine\n"


def test_describe_prefers_artifacts_yaml_then_the_root_dvc_yaml_and_reads_tags(dvc_repo: Path) -> None:
    (dvc_repo / "artifacts.yaml").write_text("rf:\n  path: models/rf.pkl\n  description: from gto\n")
    (dvc_repo / "dvc.yaml").write_text(
        STAGES + "artifacts:\n  rf:\n    path: x\n  nn:\n    path: nn.pkl\n    desc: dvc\n"
    )
    assert run("describe", "rf", "--description", cwd=dvc_repo)[1] == "from gto\n"
    assert run("describe", "nn", "--desc", cwd=dvc_repo)[1] == "dvc\n"
    assert run("describe", "rf", "--dvcfile", "dvc.yaml", "--path", cwd=dvc_repo)[1] == "x\n"
    # versions of a nested artifact are tags `sub/dir=clf@v...`, read at the tagged commit
    (dvc_repo / "sub" / "dir" / "dvc.yaml").write_text("artifacts:\n  clf:\n    path: clf.pkl\n    desc: one\n")
    git(dvc_repo, "add", ".")
    git(dvc_repo, "commit", "-qm", "annotate")
    git(dvc_repo, "tag", "-a", "sub/dir=clf@v1.0.0", "-m", "Registering artifact sub/dir:clf version v1.0.0")
    (dvc_repo / "sub" / "dir" / "dvc.yaml").write_text("artifacts:\n  clf:\n    path: clf.pkl\n    desc: two\n")
    assert run("describe", "sub/dir:clf", "--desc", cwd=dvc_repo)[1] == "two\n"
    assert run("describe", "sub/dir:clf@v1.0.0", "--desc", cwd=dvc_repo)[1] == "one\n"
    assert run("describe", "sub/dir:clf@latest", "--desc", cwd=dvc_repo)[1] == "one\n"
    assert run("describe", "sub/dir:clf", "--rev", "HEAD", "--desc", cwd=dvc_repo)[1] == "one\n"
    assert run("describe", "sub/dir:ghost@latest", cwd=dvc_repo)[:3] == (
        1,
        "",
        "Cannot find artifact 'sub/dir:ghost'\n",
    )


def test_check_covers_every_dvc_yaml(dvc_repo: Path) -> None:
    (dvc_repo / "artifacts.yaml").write_text("rf:\n  path: models/rf.pkl\n")
    (dvc_repo / "dvc.yaml").write_text(STAGES + "artifacts:\n  model:\n    path: out/model.pkl\n")
    (dvc_repo / "sub" / "dvc.yaml").write_text(
        "artifacts:\n  bad:\n    description: x\n    path: ../out/model.pkl\n  gone:\n    path: nothere.pkl\n"
    )
    # a stage of another dvc.yaml makes `sub/dir/built.pkl` present; an ignored dvc.yaml is not read
    (dvc_repo / "sub" / "dir" / "dvc.yaml").write_text(
        "stages:\n  build:\n    cmd: make\n    outs:\n    - built.pkl\nartifacts:\n  built:\n    path: built.pkl\n"
    )
    (dvc_repo / "ignored").mkdir()
    (dvc_repo / "ignored" / "dvc.yaml").write_text("artifacts:\n  x: 1\n")
    (dvc_repo / ".gitignore").write_text("ignored/\n")
    code, out, _ = console("check", cwd=dvc_repo)
    assert code == 1
    *lines, summary = out.splitlines()
    assert summary == "1 error, 1 warning in 1 file"
    assert [line.split(" ", 3)[:3] for line in lines] == [
        ["sub/dvc.yaml:3:5:", "error", "extra-key"],
        ["sub/dvc.yaml:6:11:", "warning", "path-missing"],
    ]
    assert "Did you mean `desc`?" in lines[0]
    assert "`sub/nothere.pkl` from the repository root" in lines[1]
    rows = json.loads(console("check", "--format", "json", cwd=dvc_repo / "sub")[1])
    assert [(r["file"], r["line"], r["column"], r["code"]) for r in rows] == [
        ("dvc.yaml", 3, 5, "extra-key"),
        ("dvc.yaml", 6, 11, "path-missing"),
    ]
    github = console("check", "--format", "github", cwd=dvc_repo)[1].splitlines()
    assert github[0].startswith("::error file=sub/dvc.yaml,line=3,col=5,endLine=3,endColumn=16,title=gto extra-key::")
    # artifacts.yaml's problems come first, and a clean repository passes
    (dvc_repo / "artifacts.yaml").write_text("a.b: {}\n")
    assert run("check", cwd=dvc_repo)[1].splitlines()[0].startswith("artifacts.yaml:1:1: error invalid-name")
    (dvc_repo / "artifacts.yaml").unlink()
    (dvc_repo / "sub" / "dvc.yaml").write_text("artifacts:\n  good:\n    path: dir/clf.pkl\n")
    assert run("check", cwd=dvc_repo)[:2] == (0, "No problems found\n")


def test_check_without_any_annotations_file_passes(repo: Path) -> None:
    assert run("check", cwd=repo) == (0, f"No annotations found in {repo}: nothing to check.\n", "")
    (repo / "dvc.yaml").write_text("stages: {}\n")
    assert run("check", cwd=repo)[:2] == (0, "No problems found\n")


GTO = (
    "# registry\n"
    "rf:\n  type: model\n  path: models/rf.pkl\n  description: Random forest\n  labels: [zz, aa]\n"
    "  custom: {a: 1}\n  virtual: false\n  descripton: typo\n"
    "nopath:\n  type: model\n"
    "ds:\n  path: sub/dir/clf.pkl\n"
)


def test_migrate_moves_entries_to_the_root_dvc_yaml_in_one_commit(dvc_repo: Path) -> None:
    (dvc_repo / "artifacts.yaml").write_text(GTO)
    git(dvc_repo, "add", "artifacts.yaml")
    git(dvc_repo, "commit", "-qm", "registry")
    (dvc_repo / "README.md").write_text("changed, not staged\n")
    before = git(dvc_repo, "status", "--porcelain")
    code, out, err = console("migrate", "--commit", cwd=dvc_repo)
    assert code == 1, err  # one entry could not move
    assert out.splitlines() == [
        "Moved `rf` to dvc.yaml",
        "Moved `ds` to dvc.yaml",
        "Dropped `descripton` of `rf`: DVC refuses fields it does not know",
        "Dropped `virtual: false` of `rf`: DVC has no `virtual` (it never checks that a path is committed)",
        "Skipped `nopath`: DVC requires a path",
        "Updated `dvc.yaml`",
        "Updated `artifacts.yaml`",
        "Moves 2 artifacts to dvc.yaml; drops `virtual` of 1 and `descripton` of `rf`;"
        " 1 stays (nopath: DVC requires a path).",
        "Running `git commit`",
    ]
    assert (dvc_repo / "artifacts.yaml").read_text() == "# registry\nnopath:\n  type: model\n"
    text = (dvc_repo / "dvc.yaml").read_text()
    assert text.startswith(STAGES)
    assert read_values(parse_dvc(text)) == {
        "rf": {
            "path": "models/rf.pkl",
            "desc": "Random forest",
            "type": "model",
            "labels": ["zz", "aa"],
            "meta": {"a": 1},
        },
        "ds": {"path": "sub/dir/clf.pkl"},
    }
    assert git(dvc_repo, "log", "-1", "--format=%s") == (
        "Move annotations of 2 artifacts from artifacts.yaml to dvc.yaml\n"
    )
    assert git(dvc_repo, "show", "--name-only", "--format=", "HEAD") == "artifacts.yaml\ndvc.yaml\n"
    assert git(dvc_repo, "status", "--porcelain") == before
    # names already moved are reported and nothing changes
    code, out, _ = run("migrate", "rf", "nopath", cwd=dvc_repo)
    assert (code, out) == (1, "Skipped `nopath`: DVC requires a path\nSkipped `rf`: not in artifacts.yaml\n")


def test_migrate_to_a_nested_dvc_yaml_rebases_paths_and_creates_the_file(dvc_repo: Path) -> None:
    (dvc_repo / "artifacts.yaml").write_text(GTO)
    code, out, err = run("migrate", "ds", "--to", "dvc.yaml", cwd=dvc_repo / "sub" / "dir")
    assert code == 0, err
    assert out.splitlines()[0] == "Moved `ds` to sub/dir/dvc.yaml as `sub/dir:ds`"
    assert "sub/dir=NAME@vX.Y.Z" in out
    assert (dvc_repo / "sub" / "dir" / "dvc.yaml").read_text() == "artifacts:\n  ds:\n    path: clf.pkl\n"
    assert check_dvc(parse_dvc((dvc_repo / "sub" / "dir" / "dvc.yaml").read_text())) == []
    assert "ds:" not in (dvc_repo / "artifacts.yaml").read_text()
    assert run("migrate", "--to", "dvc.yml", cwd=dvc_repo)[0] == 2


def test_migrate_writes_both_files_or_neither(dvc_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (dvc_repo / "artifacts.yaml").write_text(GTO)
    real = cli_migrate.write_atomic  # type: ignore[attr-defined]  # the name as migrate sees it

    def failing(path: Path, text: str) -> None:
        if path.name == "artifacts.yaml":
            raise PermissionError(13, "Permission denied")
        real(path, text)

    monkeypatch.setattr(cli_migrate, "write_atomic", failing)
    code, _, err = run("migrate", cwd=dvc_repo)
    assert code == 1 and "Cannot write" in err and "dvc.yaml was restored" in err
    assert (dvc_repo / "dvc.yaml").read_text() == STAGES
    assert (dvc_repo / "artifacts.yaml").read_text() == GTO
    code, _, err = run("migrate", "--to", "sub/dir/dvc.yaml", cwd=dvc_repo)
    assert code == 1 and not (dvc_repo / "sub" / "dir" / "dvc.yaml").exists()


def test_migrate_refuses_unreadable_files_and_dirty_commits(dvc_repo: Path) -> None:
    assert run("migrate", cwd=dvc_repo)[0] == 1  # no artifacts.yaml
    (dvc_repo / "artifacts.yaml").write_text(GTO)
    (dvc_repo / "dvc.yaml").write_text(STAGES + "artifacts:\n  x: 1\n")
    code, _, err = run("migrate", cwd=dvc_repo)
    assert code == 1 and "dvc.yaml has an error DVC refuses" in err
    assert (dvc_repo / "artifacts.yaml").read_text() == GTO
    (dvc_repo / "dvc.yaml").write_text(STAGES)
    code, _, err = run("migrate", "--commit", cwd=dvc_repo)  # artifacts.yaml is not committed
    assert code == 1 and err.startswith("The command would have changed files that were not committed")
    (dvc_repo / "artifacts.yaml").write_text("{}\n")
    assert run("migrate", cwd=dvc_repo)[:2] == (0, "No artifacts in artifacts.yaml: nothing to migrate.\n")


def test_schema_dvc(tmp_path: Path) -> None:
    code, out, _ = console("schema", "--dvc", cwd=tmp_path)
    schema = json.loads(out)
    assert code == 0 and schema["required"] == ["path"]
    assert set(schema["properties"]) == {"path", "desc", "type", "labels", "meta"}


def test_commit_files_commits_new_and_changed_files_together(repo: Path) -> None:
    from gto_lsp.core.repo.commit import commit_files
    from gto_lsp.core.repo.run import CommitRefused

    (repo / "README.md").write_text("changed\n")
    (repo / "new.yaml").write_text("new\n")
    (repo / "other.txt").write_text("untracked, stays\n")
    with pytest.raises(CommitRefused, match=r"'models/rf\.pkl' is unchanged"):
        commit_files(repo, ["models/rf.pkl"], "nothing")
    result = commit_files(repo, ["README.md", "new.yaml", "models/rf.pkl"], "both")
    assert result.message == "both"
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "README.md\nnew.yaml\n"
    assert git(repo, "status", "--porcelain") == "?? other.txt\n"
    with pytest.raises(CommitRefused, match=r"'README\.md' and 'new\.yaml' are unchanged"):
        commit_files(repo, ["README.md", "new.yaml"], "again")


def test_a_bare_name_only_in_the_root_dvc_yaml_is_updated_there(dvc_repo: Path) -> None:
    (dvc_repo / "dvc.yaml").write_text(STAGES + "artifacts:\n  rf:\n    path: models/rf.pkl\n")
    code, out, _ = run("annotate", "rf", "--type", "model", cwd=dvc_repo)
    assert (code, out) == (0, "Updated `dvc.yaml`\n")
    assert not (dvc_repo / "artifacts.yaml").exists()
    assert read_values(parse_dvc((dvc_repo / "dvc.yaml").read_text()))["rf"]["type"] == "model"
    # a new name still goes to artifacts.yaml, and a name in artifacts.yaml stays there
    assert run("annotate", "nn", cwd=dvc_repo)[1] == "Updated `artifacts.yaml`\n"
    (dvc_repo / "artifacts.yaml").write_text("rf: {}\n")
    assert run("annotate", "rf", "--label", "x", cwd=dvc_repo)[1] == "Updated `artifacts.yaml`\n"
    (dvc_repo / "artifacts.yaml").unlink()
    assert run("remove", "rf", cwd=dvc_repo)[:2] == (0, "Updated `dvc.yaml`\n")
    assert (dvc_repo / "dvc.yaml").read_text() == STAGES + "artifacts: {}\n"


# --- issue 12: every write is read back; an emptied artifacts.yaml goes -----------------------------------------


def test_flow_style_dvc_yaml_is_annotated_as_yaml_dvc_reads(dvc_repo: Path) -> None:
    """Annotate exited 0 and wrote block lines after `{...}`: not YAML, and DVC refused the whole project."""
    from gto_lsp.core.yaml.render import load

    for text in (
        "{stages: {train: {cmd: python train.py}}, artifacts: {rf: {path: m.pkl}}}\n",  # root flow mapping
        "stages: {train: {cmd: python train.py}}\nartifacts: {rf: {path: m.pkl}}\n",  # flow `artifacts:`
        "stages: {train: {cmd: python train.py}}\nartifacts:\n  rf: {path: m.pkl}\n",  # flow entry
    ):
        (dvc_repo / "dvc.yaml").write_text(text)
        code, out, err = run("annotate", "rf", "--dvcfile", "dvc.yaml", "--type", "model", cwd=dvc_repo)
        assert (code, out) == (0, "Updated `dvc.yaml`\n"), err
        written = (dvc_repo / "dvc.yaml").read_text()
        assert check_dvc(parse_dvc(written)) == [], written
        assert load(written)["stages"] == {"train": {"cmd": "python train.py"}}
        assert read_values(parse_dvc(written)) == {"rf": {"path": "m.pkl", "type": "model"}}
        assert run("remove", "rf", "--dvcfile", "dvc.yaml", cwd=dvc_repo)[0] == 0
        assert read_values(parse_dvc((dvc_repo / "dvc.yaml").read_text())) == {}


def test_a_write_that_would_not_read_back_is_refused_and_the_file_is_unchanged(dvc_repo: Path) -> None:
    text = "{stages: {train: {cmd: python train.py}}, artifacts: null}\n"
    (dvc_repo / "dvc.yaml").write_text(text)
    code, out, err = run("annotate", "rf", "--dvcfile", "dvc.yaml", "--path", "m.pkl", cwd=dvc_repo)
    assert (code, out) == (2, "")
    assert "dvc.yaml is written in flow style ({...}); gto-lsp cannot edit it without rewriting it" in err
    assert "Nothing was written" in err and "Traceback" not in err
    assert (dvc_repo / "dvc.yaml").read_text() == text


def test_migrate_of_every_entry_removes_artifacts_yaml_in_the_same_commit(dvc_repo: Path) -> None:
    """It left `{}` behind, which GTO reads as no artifacts; GTO reads a missing artifacts.yaml the same way."""
    (dvc_repo / "artifacts.yaml").write_text("# registry\nrf:  # the forest\n  path: models/rf.pkl\n  virtual: false\n")
    git(dvc_repo, "add", "artifacts.yaml")
    git(dvc_repo, "commit", "-qm", "registry")
    code, out, err = run("migrate", "--commit", cwd=dvc_repo)
    assert code == 0, err
    assert out.splitlines()[-3:] == [
        "Removed `artifacts.yaml`: nothing is left in it",
        "Moves 1 artifact to dvc.yaml; drops 2 comments and `virtual` of 1;"
        " removes artifacts.yaml (nothing is left in it).",
        "Running `git commit`",
    ]
    assert not (dvc_repo / "artifacts.yaml").exists()
    assert git(dvc_repo, "show", "--name-status", "--format=", "HEAD") == "D\tartifacts.yaml\nM\tdvc.yaml\n"


def test_flow_style_artifacts_yaml_is_annotated_as_gto_reads_it(repo: Path) -> None:
    """Root flow mapping and flow entries of artifacts.yaml: written as GTO writes them, read back before."""
    from gto_lsp.core.yaml.render import load

    for text in ("{rf: {path: models/rf.pkl}, nn: {}}\n", "rf: {path: models/rf.pkl}  # c\nnn: {}\n"):
        (repo / "artifacts.yaml").write_text(text)
        code, out, err = run("annotate", "rf", "--type", "model", "--label", "ml", cwd=repo)
        assert (code, out) == (0, "Updated `artifacts.yaml`\n"), err
        assert load((repo / "artifacts.yaml").read_text()) == {
            "rf": {"path": "models/rf.pkl", "type": "model", "labels": ["ml"]},
            "nn": {},
        }
        assert run("remove", "rf", cwd=repo)[0] == 0
        assert load((repo / "artifacts.yaml").read_text()) == {"nn": {}}
    code, out, err = run("annotate", "nn", "-d", "nel\x85char", cwd=repo)  # GTO would write what reads 'nel char'
    assert (code, out) == (2, "") and "would read back with description 'nel char'" in err
    assert load((repo / "artifacts.yaml").read_text()) == {"nn": {}}
