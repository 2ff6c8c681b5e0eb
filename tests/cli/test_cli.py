"""The gto-lsp command line on real git repositories, as a new user would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gto_lsp.core.names import invalid_name_message
from helpers.cli import run
from helpers.git import git

pytestmark = pytest.mark.usefixtures("git_env")


def test_annotate_describe_remove_round_trip(repo: Path) -> None:
    code, out, _ = run(
        "annotate",
        "rf",
        "--type",
        "model",
        "--path",
        "models/rf.pkl",
        "--label",
        "bb",
        "--label",
        "aa",
        "-d",
        "Random forest",
        "-c",
        '{"a": 1}',
        cwd=repo,
    )
    assert (code, out) == (0, "Updated `artifacts.yaml`\n")
    assert (repo / "artifacts.yaml").read_text() == (
        "rf:\n  custom: '{\"a\": 1}'\n  description: Random forest\n  labels:\n  - bb\n  - aa\n"
        "  path: models/rf.pkl\n  type: model\n"
    )
    code, out, _ = run("describe", "rf", cwd=repo)
    assert code == 0
    assert json.loads(out) == {
        "type": "model",
        "path": "models/rf.pkl",
        "labels": ["bb", "aa"],
        "description": "Random forest",
        "custom": '{"a": 1}',
    }
    assert out.startswith('{\n    "type": "model"')  # GTO's 4-space JSON in model order
    assert run("describe", "rf", "--path", cwd=repo)[1] == "models/rf.pkl\n"
    assert run("describe", "nosuch", cwd=repo) == (1, "", "Cannot find artifact 'nosuch'\n")
    assert run("remove", "rf", cwd=repo)[0] == 0
    assert (repo / "artifacts.yaml").read_text() == "{}\n"
    code, _, err = run("remove", "rf", cwd=repo)
    assert (code, err) == (1, "Cannot find artifact 'rf'\n")


def test_works_from_a_subfolder_and_with_repo_option(repo: Path) -> None:
    sub = repo / "models"
    assert run("annotate", "rf", "--path", "models/rf.pkl", cwd=sub)[0] == 0
    assert (repo / "artifacts.yaml").exists() and not (sub / "artifacts.yaml").exists()
    assert run("annotate", "nn", "-r", str(sub), cwd=repo.parent)[0] == 0
    assert "nn: {}" in (repo / "artifacts.yaml").read_text()
    assert json.loads(run("describe", "rf", cwd=sub)[1]) == {"path": "models/rf.pkl"}


def test_errors_leave_the_file_exactly_as_it_was(repo: Path) -> None:
    original = "# hand-written\r\nrf:   # keep me\r\n  path: models/rf.pkl\r\n"
    (repo / "artifacts.yaml").write_bytes(original.encode())
    cases = [
        (["annotate", "a.b"], invalid_name_message("a.b", "artifact name")),
        (["annotate", "nn", "-e"], "`path` is required when `must_exist` is set to True"),
        (
            ["annotate", "nn", "-e", "--path", "untracked.pkl"],
            "Nothing found in 'untracked.pkl' for checked out commit",
        ),
        (
            ["annotate", "nn", "--path", "models"],
            "Provided path 'models' conflicts with artifact 'rf', whose path is 'models/rf.pkl'",
        ),
    ]
    for argv, message in cases:
        code, _, err = run(*argv, cwd=repo)
        assert code == 1
        assert err.splitlines()[0] == message
        assert (repo / "artifacts.yaml").read_bytes() == original.encode()


def test_write_keeps_crlf_mode_and_other_bytes(repo: Path) -> None:
    path = repo / "artifacts.yaml"
    path.write_bytes(b"# registry\r\nrf:   # keep me\r\n  path: models/rf.pkl\r\n")
    os.chmod(path, 0o640)
    assert run("annotate", "rf", "--type", "model", cwd=repo)[0] == 0
    assert path.read_bytes() == b"# registry\r\nrf:   # keep me\r\n  path: models/rf.pkl\r\n  type: model\r\n"
    assert (os.stat(path).st_mode & 0o777) == 0o640
    assert [p.name for p in repo.iterdir() if p.name.endswith(".tmp")] == []


def test_must_exist_uses_the_head_commit(repo: Path) -> None:
    (repo / "new.pkl").write_text("x")
    assert run("annotate", "nn", "-e", "--path", "new.pkl", cwd=repo)[0] == 1
    assert run("annotate", "rf", "-e", "--path", "models/rf.pkl", cwd=repo)[0] == 0
    assert "virtual: false" in (repo / "artifacts.yaml").read_text()


def test_commit_takes_only_artifacts_yaml(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text("{}\n")
    git(repo, "add", "artifacts.yaml")
    git(repo, "commit", "-qm", "registry")
    (repo / "README.md").write_text("changed, not staged\n")
    (repo / "staged.txt").write_text("staged\n")
    git(repo, "add", "staged.txt")
    (repo / "untracked.txt").write_text("untracked\n")
    before = git(repo, "status", "--porcelain")
    code, out, err = run("annotate", "rf", "--type", "model", "--path", "models/rf.pkl", "--commit", cwd=repo)
    assert code == 0, err
    assert out == "Updated `artifacts.yaml`\nRunning `git commit`\n"
    assert git(repo, "log", "-1", "--format=%s") == "Annotate artifact `rf` of type `model` with path `models/rf.pkl`\n"
    assert git(repo, "show", "--name-only", "--format=", "HEAD") == "artifacts.yaml\n"
    assert git(repo, "status", "--porcelain") == before
    assert run("remove", "rf", "--commit", cwd=repo)[0] == 0
    assert git(repo, "log", "-1", "--format=%s") == "Remove annotation for artifact `rf`\n"


def test_commit_refuses_uncommitted_artifacts_yaml_like_gto(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text("rf: {}\n")
    code, _, err = run("annotate", "nn", "--commit", cwd=repo)
    assert code == 1
    assert err.startswith("The command would have changed files that were not committed")
    assert (repo / "artifacts.yaml").read_text() == "rf: {}\n"


def test_push_without_upstream_keeps_the_commit(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text("{}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "registry")
    code, _, err = run("annotate", "rf", "--push", cwd=repo)
    assert code == 1
    assert "upstream" in err or "remote" in err
    assert git(repo, "log", "-1", "--format=%s") == "Annotate artifact `rf`\n"


def test_push_to_upstream(repo: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    (repo / "artifacts.yaml").write_text("{}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "registry")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "-u", "origin", "HEAD:main")
    code, out, err = run("annotate", "rf", "--push", cwd=repo)
    assert code == 0, err
    assert "Running `git push`" in out
    assert git(remote, "log", "-1", "--format=%s", "main") == "Annotate artifact `rf`\n"


def test_not_a_repository(tmp_path: Path) -> None:
    code, _, err = run("annotate", "rf", cwd=tmp_path)
    assert code == 1
    assert "No Git repo found" in err


def test_check_formats_and_exit_codes(repo: Path) -> None:
    (repo / "artifacts.yaml").write_text("rf:\n  descripton: x\n  path: gone.pkl\n  virtual: false\n")
    (repo / ".gto").write_text("typs: [model]\n")
    code, out, _ = run("check", cwd=repo)
    assert code == 1
    assert out.splitlines() == [
        ".gto:1:1: error config-unknown-key Unknown key `typs` in `.gto`: GTO refuses the whole config "
        "('Wrong config file'). Known keys: types, stages, index, emojis, log_level, debug, enrichments, "
        "autoload_enrichments.",
        "artifacts.yaml:2:3: warning unknown-field Unknown field `descripton`: GTO ignores it and drops it the next "
        "time it writes the file. Did you mean `description`?",
        "artifacts.yaml:3:9: error path-missing Path `gone.pkl` does not exist, but the artifact says "
        "`virtual: false` (its file is committed). Restore the file, fix the path, or set `virtual: true`.",
        "2 errors, 1 warning in 2 files",
    ]
    rows = json.loads(run("check", "--format", "json", cwd=repo)[1])
    assert [r["code"] for r in rows] == ["config-unknown-key", "unknown-field", "path-missing"]
    github = run("check", "--format", "github", cwd=repo)[1].splitlines()
    assert github[1].startswith(  # errors first
        "::error file=artifacts.yaml,line=3,col=9,endLine=3,endColumn=17,title=gto path-missing::"
    )
    (repo / ".gto").unlink()
    (repo / "artifacts.yaml").write_text("rf:\n  path: models/rf.pkl\n  virtual: false\n")
    assert run("check", cwd=repo)[:2] == (0, "No problems found\n")
    assert run("check", "-r", str(repo / "nowhere"), cwd=repo)[0] == 2


def test_check_outside_a_repository_still_checks(tmp_path: Path) -> None:
    (tmp_path / "artifacts.yaml").write_text("a.b: {}\n")
    code, out, _ = run("check", cwd=tmp_path)
    assert code == 1 and "invalid-name" in out


def test_schema_and_console_script(repo: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "gto_lsp", "schema"], capture_output=True, text=True, check=True)
    schema = json.loads(result.stdout)
    assert "virtual" in schema["definitions"]["artifact"]["properties"]
    result = subprocess.run(
        [sys.executable, "-m", "gto_lsp", "annotate", "x.y"], cwd=repo, capture_output=True, text=True
    )
    assert result.returncode == 1 and "Invalid artifact name 'x.y'" in result.stderr
    assert subprocess.run([sys.executable, "-m", "gto_lsp", "nonsense"], capture_output=True).returncode == 2
