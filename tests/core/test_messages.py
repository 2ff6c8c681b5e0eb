"""What a new user reads when something is wrong (issue 12, item 15): each message names the field, the artifact,
the version or the repository at fault and how to go on, where GTO's own text is a Python repr, names the wrong
artifact, says nothing, or calls a plain mistake an "Unexpected error". The deliberate differences from GTO's
texts are listed in tests/compat/known_differences.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gto_lsp.cli import main
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, GTOError
from gto_lsp.core.formats.gto.check import check
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.formats.gto.edit import annotate
from helpers.git import T0, git

IDENTITY = {"NAME": "Tess", "EMAIL": "tess@example.com"}


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def empty_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    identity = {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in IDENTITY.items()}
    for key, value in {**identity, "GTO_EMOJIS": "false"}.items():
        monkeypatch.setenv(key, value)
    for key in ("GTO_STAGES", "GTO_TYPES", "GTO_INDEX"):
        monkeypatch.delenv(key, raising=False)
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main", when=T0)
    monkeypatch.chdir(r)
    return r


@pytest.fixture
def repo(empty_repo: Path) -> Path:
    git(empty_repo, "commit", "-q", "--allow-empty", "-m", "c1", when=T0)
    return empty_repo


# --- the field is named ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["annotate", "a.b"], "artifact name 'a.b'"),
        (["annotate", "rf", "--label", "x.y"], "label 'x.y'"),
        (["annotate", "rf", "--type", "Bad Type"], "type 'Bad Type'"),
    ],
)
def test_annotate_names_the_field_of_an_invalid_value(repo: Path, args: list[str], field: str) -> None:
    code, _, err = run(*args)
    assert code == 1
    assert err.startswith(f"Invalid {field}: only letters, numbers, '_', '-' and '/' are allowed"), err
    assert "Invalid value" not in err and "len >= 2" not in err  # GTO's rule accepts one character


def test_registry_names_the_field_of_an_invalid_value(repo: Path) -> None:
    assert run("register", "Rf!")[2].startswith("Invalid artifact name 'Rf!': only letters")
    run("register", "rf")
    assert run("assign", "rf", "--stage", "Prod!")[2].startswith("Invalid stage 'Prod!': only letters")


def test_check_names_the_field_of_an_invalid_value() -> None:
    messages = [p.message for p in check(parse("a.b: {labels: [x.y], type: t.t}\n"))]
    assert any(m.startswith("Invalid artifact name 'a.b':") for m in messages), messages
    assert any(m.startswith("Invalid label 'x.y':") for m in messages), messages
    assert any(m.startswith("Invalid type 't.t':") for m in messages), messages


# --- lists as people write them ----------------------------------------------------------------------------------


def test_type_not_allowed_lists_the_types_plainly() -> None:
    config = Config(types=("model", "dataset"))
    with pytest.raises(GTOError) as raised:
        annotate("", AnnotateRequest("rf", type="nn"), config)
    assert raised.value.message == "Type 'nn' is not allowed by .gto: use one of 'model', 'dataset'"
    (problem,) = [p for p in check(parse("rf: {type: nn}\n"), config=config) if p.code == "type-not-allowed"]
    assert "[" not in problem.message and "use one of `model`, `dataset`" in problem.message, problem.message


def test_stage_not_allowed_lists_the_stages_plainly(repo: Path) -> None:
    (repo / ".gto").write_text("stages: [dev, prod]\n")
    run("register", "rf")
    assert run("assign", "rf", "--stage", "qa") == (
        1,
        "",
        "Stage 'qa' is not allowed by .gto: use one of 'dev', 'prod'\n",
    )


# --- the conflicting artifact is named ---------------------------------------------------------------------------


def test_path_conflict_names_the_other_artifact(repo: Path) -> None:
    assert run("annotate", "rf", "--path", "models")[0] == 0
    code, _, err = run("annotate", "rf2", "--path", "models/rf2.pkl")
    assert code == 1
    assert err.splitlines()[0] == (
        "Provided path 'models/rf2.pkl' conflicts with artifact 'rf', whose path is 'models'"
    ), err
    assert "None" not in err and "--allow-same-path" in err


# --- plain mistakes are not "Unexpected error" -------------------------------------------------------------------


def test_unknown_revision_is_a_plain_error(repo: Path) -> None:
    code, _, err = run("register", "rf", "nosuchref")
    assert code == 1
    assert err == "Unknown Git revision 'nosuchref': no commit, branch or tag of this repository has that name\n"


def test_not_a_repository_is_a_plain_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GTO_EMOJIS", "false")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("register", "rf", "-r", str(tmp_path / "nowhere"))
    assert code == 1 and "Unexpected error" not in err
    assert "is not in a git repository" in err and "-r/--repo" in err, err


def test_register_before_the_first_commit_says_commit_first(empty_repo: Path) -> None:
    code, _, err = run("register", "rf")
    assert code == 1
    assert err == "The repository has no commits yet: GTO's tags point at commits. Commit first, then try again.\n"
    assert run("assign", "rf", "--stage", "prod")[2] == err


def test_no_git_identity_is_a_plain_error_with_the_fix(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        for what in IDENTITY:
            monkeypatch.delenv(f"GIT_{who}_{what}")
    code, _, err = run("register", "rf")
    assert code == 1 and "Unexpected error" not in err
    assert "git config user.name" in err and "git config user.email" in err, err


# --- an unknown version names the versions there are -------------------------------------------------------------


def test_deprecate_unknown_version_names_the_versions(repo: Path) -> None:
    for n in range(1, 8):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"c{n + 1}", when=T0)
        assert run("register", "rf")[0] == 0
    code, _, err = run("deprecate", "rf", "v9.9.9")
    assert code == 1
    assert err == (
        "Version 'v9.9.9' is not registered for 'rf': its versions are "
        "v0.0.7, v0.0.6, v0.0.5, v0.0.4, v0.0.3 and 2 more\n"
    )
    assert run("deprecate", "rf", "v9.9.9", "prod")[2] == err
    assert run("deprecate", "ghost", "v0.0.1")[2] == "No versions found for 'ghost'\n"  # GTO's text: right here


# --- describe of nothing is an error -----------------------------------------------------------------------------


def test_describe_unknown_name_is_an_error(repo: Path) -> None:
    assert run("describe", "nope") == (1, "", "Cannot find artifact 'nope'\n")
    run("annotate", "rf", "--path", "rf.pkl")
    assert run("describe", "rf", "--rev", "HEAD") == (1, "", "Cannot find artifact 'rf' at 'HEAD'\n")
    assert run("describe", "rf")[0] == 0
    assert run("describe", "rf", "--type") == (0, "", "")  # a field the entry lacks: nothing, as in GTO


def test_describe_shortcut_without_a_version_is_an_error(repo: Path) -> None:
    run("annotate", "rf", "--path", "rf.pkl", "--commit")
    assert run("register", "rf")[0] == 0
    assert run("describe", "rf@v9.9.9") == (1, "", "'rf@v9.9.9': version 'v9.9.9' of 'rf' is not registered\n")
    assert run("describe", "rf#prod") == (1, "", "'rf#prod': no version of 'rf' is in stage 'prod'\n")
    assert run("describe", "rf@latest")[0] == 0
