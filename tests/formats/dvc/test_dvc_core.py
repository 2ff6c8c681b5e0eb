"""The dvc.yaml core: parse with positions, DVC's rules, annotate/remove keeping every other byte.
(Real DVC's verdicts on many more inputs: tests/compat/test_dvc_differential.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gto_lsp.core.codes import codes_of, refuses
from gto_lsp.core.edits import AnnotateRequest, GTOError
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.edit import annotate as annotate_dvc
from gto_lsp.core.formats.dvc.edit import remove as remove_dvc
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import read_values
from gto_lsp.core.repo.fs import RepoView

STAGES = "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - models/rf.pkl\n"


def codes(text: str) -> list[str]:
    return sorted(p.code for p in check_dvc(parse_dvc(text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("# comments only\n", []),
        ("artifacts: {}\n", []),
        ("artifacts:\n", ["section-not-mapping"]),
        ("artifacts: [a]\n", ["section-not-mapping"]),
        ("artifacts:\n  rf:\n", ["entry-not-mapping"]),
        ("artifacts:\n  rf: models/rf.pkl\n", ["entry-not-mapping"]),
        ("artifacts:\n  rf:\n    type: model\n", ["missing-path"]),
        ("artifacts:\n  rf:\n    path: m\n    description: d\n", ["extra-key"]),
        ("artifacts:\n  rf:\n    path: m\n    desc: 2024-01-01\n", ["wrong-type"]),
        ("artifacts:\n  rf:\n    path: m\n    desc: null\n", ["wrong-type"]),
        ("artifacts:\n  rf:\n    path: m\n    labels: [1.0, ok]\n", ["wrong-type"]),
        ("artifacts:\n  rf:\n    path: m\n    labels: ok\n", ["wrong-type"]),
        ("artifacts:\n  rf:\n    path: m\n    meta: null\n", []),
        ("artifacts:\n  rf:\n    path: m\n    desc: yes\n", []),
        ("artifacts:\n  rf:\n    path: m\n  rf:\n    path: n\n", ["duplicate-name"]),
        ("artifacts:\n  1.5:\n    path: m\n", ["name-not-string"]),
        ("artifacts:\n  Bad.Name:\n    path: m\n", ["invalid-name"]),
        ("artifacts:\n  ${name}:\n    path: m\n", []),
        ("artifacts:\n  rf:\n    path: m\nartifacts:\n  gb:\n    path: n\n", ["duplicate-key"]),
        (STAGES + "  broken: [\nartifacts:\n  rf:\n    path: m\n", ["yaml-syntax"]),
        (STAGES.replace("cmd", "bogus") + "artifacts:\n  rf:\n    path: m\n", []),
        ("artifacts: {rf: {path: m, virtual: true}}\n", ["extra-key"]),
        ("vars:\n  - d: &d {path: m}\nartifacts:\n  rf: *d\n", []),
    ],
)
def test_rules(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_positions_are_exact_in_an_indented_section() -> None:
    text = STAGES + "artifacts:\n    rf:\n        path: m\n        virtual: false\n"
    (problem,) = check_dvc(parse_dvc(text))
    assert problem.code == "extra-key" and refuses(problem.code, "dvc")
    assert (problem.span.start.line, problem.span.start.col, problem.span.end.col) == (8, 8, 15)
    assert problem.data == {"field": "virtual", "suggestion": None}


def test_incremental_parse_reuses_untouched_entries() -> None:
    entries = "".join(f"  a{i}:\n    path: m{i}\n" for i in range(50))
    first = parse_dvc(STAGES + "artifacts:\n" + entries)
    second = parse_dvc(first.text.replace("path: m7\n", "path: m77\n"), first)
    reused = [a.block is b.block for a, b in zip(first.entries, second.entries)]
    assert reused == [i != 7 for i in range(50)]
    assert read_values(second)["a7"] == {"path": "m77"}


def test_paths_resolve_from_the_files_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.pkl").write_text("x")
    (tmp_path / "data.csv.dvc").write_text("outs:\n- path: data.csv\n")
    text = (
        "stages:\n  s:\n    cmd: x\n    outs:\n    - out/model.pkl\n"
        "artifacts:\n  a:\n    path: m.pkl\n  b:\n    path: ../data.csv\n  c:\n    path: out/model.pkl\n"
        "  d:\n    path: gone.pkl\n  e:\n    path: /abs.pkl\n  f:\n    path: ../../x\n  g:\n    path: s3://b/k\n"
    )
    problems = check_dvc(parse_dvc(text), RepoView(tmp_path), "sub")
    assert sorted((p.code, p.artifact) for p in problems) == [
        ("path-absolute", "e"),
        ("path-escapes", "f"),
        ("path-missing", "d"),
        ("path-url", "g"),
    ]


def test_annotate_touches_only_its_entry_and_remove_restores() -> None:
    text = "# pipeline\r\n" + STAGES.replace("\n", "\r\n") + "artifacts:\r\n  gb:  # kept\r\n    path: gb.pkl\r\n"
    text += "plots:\r\n- metrics.csv\r\n"
    added = annotate_dvc(text, AnnotateRequest("rf", type="model", path="rf.pkl", description="A ${x}"))
    assert added.text.startswith(text.split("plots:")[0])
    assert added.text.endswith("plots:\r\n- metrics.csv\r\n")
    assert "  rf:\r\n    path: rf.pkl\r\n    desc: A \\${x}\r\n    type: model\r\n" in added.text
    assert read_values(parse_dvc(added.text))["rf"] == {"path": "rf.pkl", "desc": "A ${x}", "type": "model"}
    merged = annotate_dvc(added.text, AnnotateRequest("gb", labels=("b", "a"), custom={"k": 1}))
    assert read_values(parse_dvc(merged.text))["gb"] == {"path": "gb.pkl", "labels": ["a", "b"], "meta": {"k": 1}}
    assert "  gb:  # kept\r\n" in merged.text
    assert remove_dvc(added.text, "rf").text == text


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (AnnotateRequest("rf"), "requires a `path`"),
        (AnnotateRequest("bad.name", path="x"), "Invalid artifact name 'bad.name'"),
        (AnnotateRequest("rf", path="x", must_exist=True), "Nothing found in 'x'"),
    ],
)
def test_annotate_errors(request_: AnnotateRequest, message: str) -> None:
    with pytest.raises(GTOError, match=re.escape(message)):
        annotate_dvc(STAGES, request_)


def test_annotate_refuses_a_file_dvc_refuses() -> None:
    with pytest.raises(GTOError, match="fix it first"):
        annotate_dvc("artifacts:\n  x:\n    desc: 1.0\n    path: p\n", AnnotateRequest("rf", path="m"))


def test_readme_lists_the_dvc_codes_of_the_registry() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    table = readme.split("| code (dvc.yaml) | severity | meaning |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \|", table, re.M)
    assert rows == [(c.id, c.severity["dvc"]) for c in codes_of("dvc")]
