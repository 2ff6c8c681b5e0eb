"""Tests of the real-GTO harness itself (tests/compat/gto_runner.py).

They need the venvs from scripts/gto-venvs.sh and are skipped without them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compat import gto_runner as gr

pytestmark = pytest.mark.compat

CASE2_ARGS = [
    "rf",
    "--type",
    "model",
    "--path",
    "models/rf.pkl",
    "--label",
    "bb",
    "--label",
    "aa",
    "--label",
    "bb",
    "-d",
    "Random forest",
    "-c",
    '{"a": 1}',
]

CASE2_FILE = """\
rf:
  custom: '{"a": 1}'
  description: Random forest
  labels:
  - bb
  - aa
  - bb
  path: models/rf.pkl
  type: model
"""

CASE2_STATE = {
    "rf": {
        "type": "model",
        "path": "models/rf.pkl",
        "virtual": True,
        "labels": ["bb", "aa", "bb"],
        "description": "Random forest",
        "custom": '{"a": 1}',
    }
}

INVALID_NAME_110 = (
    "Invalid value 'a.b'. Only letters, numbers, '_', '-', '/' are allowed. "
    "Value must be of len >= 2 and must start and end with a letter or a number."
)


def _need(*which: gr.Which) -> None:
    for w in which:
        if gr.venv_python(w) is None:
            pytest.skip(gr.missing_venv_message(w))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return gr.init_git_repo(tmp_path / "repo")


def _artifacts(repo: Path) -> str:
    return (repo / "artifacts.yaml").read_text(encoding="utf-8")


def test_gto028_annotate_case2_writes_spec_file(repo: Path) -> None:
    _need("gto028")
    res = gr.annotate_with_gto028(repo, CASE2_ARGS)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "Updated `artifacts.yaml`"
    assert _artifacts(repo) == CASE2_FILE


def test_gto028_describe_and_remove(repo: Path) -> None:
    _need("gto028")
    assert gr.annotate_with_gto028(repo, CASE2_ARGS).exit_code == 0
    desc = gr.describe_with_gto028(repo, ["rf", "--path"])
    assert (desc.exit_code, desc.stdout.strip()) == (0, "models/rf.pkl")

    missing = gr.remove_with_gto028(repo, ["nosuch"])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "Cannot find artifact 'nosuch'"  # GTO_EMOJIS=false: no "❌ "

    assert gr.remove_with_gto028(repo, ["rf"]).exit_code == 0
    assert _artifacts(repo) == "{}\n"


def test_gto110_reader_accepts_case2_file(repo: Path) -> None:
    _need("gto110")
    (repo / "artifacts.yaml").write_text(CASE2_FILE, encoding="utf-8")
    res = gr.read_with_gto110(repo)
    assert res.ok, res.error
    assert res.exists is True
    assert res.state == CASE2_STATE


def test_gto110_reader_on_file_written_by_gto028(repo: Path) -> None:
    _need("gto028", "gto110")
    assert gr.annotate_with_gto028(repo, CASE2_ARGS).exit_code == 0
    assert gr.read_with_gto110(repo).state == CASE2_STATE


def test_gto110_reader_at_a_commit(repo: Path) -> None:
    _need("gto110")
    (repo / "artifacts.yaml").write_text("nn:\n  type: model\n", encoding="utf-8")
    gr.git(repo, "add", "artifacts.yaml")
    gr.git(repo, "commit", "-q", "-m", "annotate nn")
    (repo / "artifacts.yaml").write_text("rf:\n", encoding="utf-8")  # uncommitted and broken
    at_head = gr.read_with_gto110(repo, rev="HEAD")
    assert at_head.ok, at_head.error
    assert at_head.state is not None and at_head.state["nn"]["type"] == "model"
    assert gr.read_with_gto110(repo).ok is False


def test_gto110_reader_tags_non_json_custom_values(repo: Path) -> None:
    _need("gto110")
    (repo / "artifacts.yaml").write_text("rf:\n  custom: {when: 2024-01-01, n: [1, 2.5]}\n", encoding="utf-8")
    res = gr.read_with_gto110(repo)
    assert res.ok, res.error
    assert res.state is not None
    assert res.state["rf"]["custom"] == {"when": {"$date": "2024-01-01"}, "n": [1, 2.5]}


def test_gto110_reader_missing_file_is_empty(repo: Path) -> None:
    _need("gto110")
    res = gr.read_with_gto110(repo)
    assert (res.ok, res.state, res.exists) == (True, {}, False)


def test_gto110_reader_rejects_null_entry(repo: Path) -> None:
    _need("gto110")
    (repo / "artifacts.yaml").write_text("rf:\n", encoding="utf-8")
    res = gr.read_with_gto110(repo)
    assert not res.ok
    assert res.state is None
    assert res.error == "artifacts.yaml file doesn't conform to GTO format"
    assert res.error_type == "WrongArtifactsYaml"


def test_gto110_reader_rejects_invalid_top_level_name(repo: Path) -> None:
    _need("gto110")
    (repo / "artifacts.yaml").write_text("a.b:\n  type: model\n", encoding="utf-8")
    res = gr.read_with_gto110(repo)
    assert not res.ok
    assert res.error == INVALID_NAME_110


def test_gto110_core_shim_matches_gto028_case2(tmp_path: Path) -> None:
    _need("gto028", "gto110")
    old = gr.init_git_repo(tmp_path / "old")
    new = gr.init_git_repo(tmp_path / "new")
    assert gr.annotate_with_gto028(old, CASE2_ARGS).exit_code == 0
    res = gr.annotate_with_gto110_core(
        new,
        "rf",
        type="model",
        path="models/rf.pkl",
        labels=["bb", "aa", "bb"],
        description="Random forest",
        custom='{"a": 1}',
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == "Updated `artifacts.yaml`"
    assert _artifacts(new) == _artifacts(old) == CASE2_FILE


def test_gto110_core_shim_reports_errors(repo: Path) -> None:
    _need("gto110")
    bad = gr.annotate_with_gto110_core(repo, "a.b")
    assert (bad.exit_code, bad.stderr.strip()) == (1, INVALID_NAME_110)
    assert not (repo / "artifacts.yaml").exists()

    no_path = gr.annotate_with_gto110_core(repo, "rf", must_exist=True)
    assert no_path.exit_code == 1
    assert no_path.stderr.strip() == "`path` is required when `must_exist` is set to True"

    assert gr.annotate_with_gto110_core(repo, "rf").exit_code == 0
    assert _artifacts(repo) == "rf: {}\n"
    assert gr.remove_with_gto110_core(repo, "rf").exit_code == 0
    assert _artifacts(repo) == "{}\n"
