"""dvc.yaml's sections against DVC 3.67.1's schema (formats/dvc/pipeline/validate.py): each case asserts the codes
and their spans (line, start column, end line, end column; 0-based)."""

from __future__ import annotations

import json
from typing import Any, Optional

import pytest

from gto_lsp.core.codes import CODES, refuses
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.pipeline.schema import json_schema
from gto_lsp.core.formats.dvc.pipeline.validate import schema_problems

Found = tuple[str, tuple[int, int, int, int]]


def _found(text: str) -> list[Found]:
    document = parse_dvc(text)
    return [
        (p.code, (p.span.start.line, p.span.start.col, p.span.end.line, p.span.end.col))
        for p in schema_problems(document.top, document.stages)
    ]


VALID = [
    "",
    "stages: {}\n",
    "stages:\n  train:\n    cmd: python train.py\n",
    "stages:\n  a:\n    cmd: [echo a, echo b]\n    wdir: sub\n    deps: [a.txt]\n    frozen: true\n"
    "    always_changed: false\n    desc: Train\n    meta: {owner: me}\n",
    "stages:\n  a:\n    cmd: x\n    outs:\n      - m.pkl\n      - {}\n      - d:\n          cache: false\n"
    "          persist: true\n          push: false\n          remote: r\n          checkpoint: true\n"
    "          desc: d\n          type: model\n          labels: [a]\n          meta: 1\n",
    "stages:\n  a:\n    cmd: x\n    metrics:\n      - m.json:\n          cache: false\n",
    "stages:\n  a:\n    cmd: x\n    plots:\n      - p.csv:\n          x: step\n          y: loss\n"
    "          header: true\n      - q.csv: {template: linear}\n      - r.png\n",
    "stages:\n  a:\n    cmd: x\n    params:\n      - lr\n      - custom.yaml: [a, b.c]\n      - whole.yaml:\n",
    "stages:\n  a:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${item}\n",
    "stages:\n  a:\n    foreach: ${items}\n    do:\n      cmd: echo ${item}\n",
    "stages:\n  a:\n    foreach: {x: 1}\n    do:\n      cmd: echo ${key}\n      matrix: {y: [1]}\n",
    "stages:\n  a:\n    matrix:\n      x: [1, 2]\n      y: ${list}\n    cmd: echo ${item.x}\n",
    "vars:\n  - params.yaml\n  - {x: 1}\nstages:\n  a:\n    cmd: echo\n    vars: [b.yaml, {y: 2}]\n",
    "params: [a.yaml]\nmetrics: [m.json]\n",
    "plots:\n  - a.csv\n  - b:\n  - c:\n      x: step\n      y: {a.csv: [loss, acc], b.csv: loss}\n"
    "      x_label: s\n      y_label: l\n      title: t\n      template: linear\n",
    "plots:\n  - c:\n      x: {a.csv: step}\n      y: [loss]\n",
    "datasets:\n  - name: x\n    type: dvc\n    url: u\n",
    "datasets: {a: 1}\n",
    "artifacts:\n  m:\n    pth: x\n",  # artifacts are checked elsewhere
    "stages:\n  base: &b\n    cmd: x\n  other:\n    <<: *b\n    desc: d\n",
    "stages:\n  a:\n    cmd: !!str 1\n",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_files_have_no_problem(text: str) -> None:
    assert _found(text) == []


CASES: list[tuple[str, list[Found]]] = [
    ("artifact:\n  m:\n    path: x\n", [("dvc-unknown-key", (0, 0, 0, 8))]),
    ("Artifacts: {}\n", [("dvc-unknown-key", (0, 0, 0, 9))]),
    ("x-common: &c\n  cmd: x\nstages:\n  a: *c\n", [("dvc-unknown-key", (0, 0, 0, 8))]),
    ("1: x\n", [("dvc-unknown-key", (0, 0, 0, 1))]),
    ("stage:\n  a:\n    cmd: x\n", [("dvc-unknown-key", (0, 0, 0, 5))]),
    ("stages:\n", [("dvc-wrong-type", (0, 0, 0, 6))]),
    ("stages: []\n", [("dvc-wrong-type", (0, 8, 0, 10))]),
    ("stages:\n  a:\n", [("dvc-missing-key", (1, 2, 1, 3))]),
    ("stages:\n  a:\n    desc: x\n", [("dvc-missing-key", (1, 2, 1, 3))]),
    ("stages:\n  a:\n    cmd:\n", [("dvc-wrong-type", (2, 4, 2, 7))]),
    ("stages:\n  a:\n    cmd: 1\n", [("dvc-wrong-type", (2, 9, 2, 10))]),
    ("stages:\n  a:\n    cmd: !!binary aGVsbG8=\n", [("dvc-wrong-type", (2, 9, 2, 26))]),
    ("stages:\n  a:\n    cmd: x\n    Cmd: y\n", [("dvc-unknown-key", (3, 4, 3, 7))]),
    ("stages:\n  a:\n    cmd: x\n    dep: [a]\n", [("dvc-unknown-key", (3, 4, 3, 7))]),
    ("stages:\n  a:\n    cmd: x\n    md5: abc\n", [("dvc-unknown-key", (3, 4, 3, 7))]),
    ("stages:\n  a:\n    cmd: x\n    desc: 2020-01-01\n", [("dvc-wrong-type", (3, 10, 3, 20))]),
    ("stages:\n  a:\n    cmd: x\n    frozen: yes\n", [("dvc-wrong-type", (3, 12, 3, 15))]),
    ("stages:\n  a:\n    cmd: x\n    always_changed: 1\n", [("dvc-wrong-type", (3, 20, 3, 21))]),
    ("stages:\n  a:\n    cmd: x\n    wdir:\n", [("dvc-wrong-type", (3, 4, 3, 8))]),
    ("stages:\n  a:\n    cmd: x\n    deps:\n", [("dvc-wrong-type", (3, 4, 3, 8))]),
    ("stages:\n  a:\n    cmd: x\n    deps: [a, 1]\n", [("dvc-wrong-type", (3, 14, 3, 15))]),
    ("stages:\n  a:\n    cmd: x\n    deps: a.txt\n", [("dvc-wrong-type", (3, 10, 3, 15))]),
    ("stages:\n  a:\n    cmd: x\n    outs: [5]\n", [("dvc-wrong-type", (3, 11, 3, 12))]),
    ("stages:\n  a:\n    cmd: x\n    outs:\n      - a:\n", [("dvc-wrong-type", (4, 8, 4, 9))]),
    ("stages:\n  a:\n    cmd: x\n    outs:\n      - a: {cache: yes}\n", [("dvc-wrong-type", (4, 19, 4, 22))]),
    ("stages:\n  a:\n    cmd: x\n    outs:\n      - a: {cahce: false}\n", [("dvc-unknown-key", (4, 12, 4, 17))]),
    ("stages:\n  a:\n    cmd: x\n    outs:\n      - a: {labels: [1]}\n", [("dvc-wrong-type", (4, 21, 4, 22))]),
    ("stages:\n  a:\n    cmd: x\n    metrics:\n      - a: {header: true}\n", [("dvc-unknown-key", (4, 12, 4, 18))]),
    ("stages:\n  a:\n    cmd: x\n    plots:\n      - a:\n", [("dvc-wrong-type", (4, 8, 4, 9))]),
    ("stages:\n  a:\n    cmd: x\n    plots:\n      - b: {y: [a]}\n", [("dvc-wrong-type", (4, 15, 4, 18))]),
    ("stages:\n  a:\n    cmd: x\n    params: [{f: 5}]\n", [("dvc-wrong-type", (3, 17, 3, 18))]),
    ("stages:\n  a:\n    cmd: x\n    params: [1]\n", [("dvc-wrong-type", (3, 13, 3, 14))]),
    ("stages:\n  a:\n    cmd: x\n    vars: [1]\n", [("dvc-wrong-type", (3, 11, 3, 12))]),
    (
        "stages:\n  a:\n    foreach: [1]\n    cmd: x\n",
        [("dvc-unknown-key", (3, 4, 3, 7)), ("dvc-missing-key", (1, 2, 1, 3))],
    ),
    ("stages:\n  a:\n    do:\n      cmd: x\n", [("dvc-missing-key", (1, 2, 1, 3))]),
    ("stages:\n  a:\n    foreach: 5\n    do:\n      cmd: x\n", [("dvc-wrong-type", (2, 13, 2, 14))]),
    # A text that is no list resolves to a text: interpolation's dvc-foreach-type, not the schema.
    ("stages:\n  a:\n    foreach: abc\n    do:\n      cmd: x\n", []),
    ("stages:\n  a:\n    foreach: [1]\n    do:\n", [("dvc-wrong-type", (3, 4, 3, 6))]),
    (
        "stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n    matrix: {x: [1]}\n",
        [("dvc-unknown-key", (5, 4, 5, 10))],
    ),
    (
        "stages:\n  a:\n    foreach: [1]\n    do:\n      cmdd: x\n",
        [("dvc-unknown-key", (4, 6, 4, 10)), ("dvc-missing-key", (3, 4, 3, 6))],
    ),
    ("stages:\n  a:\n    foreach: [[2020-01-01]]\n    do:\n      cmd: x\n", [("dvc-invalid-value", (2, 15, 2, 25))]),
    ("vars:\n  - d: 2020-01-01\n", [("dvc-invalid-value", (1, 7, 1, 17))]),
    ("stages:\n  a:\n    matrix: {x: [2020-01-01]}\n    cmd: x\n", [("dvc-invalid-value", (2, 17, 2, 27))]),
    ("stages:\n  a:\n    matrix: {}\n    cmd: x\n", [("dvc-invalid-value", (2, 12, 2, 14))]),
    ("stages:\n  a:\n    matrix:\n      x: 5\n    cmd: x\n", [("dvc-wrong-type", (3, 9, 3, 10))]),
    ("stages:\n  a@b:\n    cmd: x\n", [("dvc-invalid-stage-name", (1, 2, 1, 5))]),
    ("stages:\n  '':\n    cmd: x\n", [("dvc-invalid-stage-name", (1, 2, 1, 4))]),
    ("stages:\n  1:\n    cmd: x\n", [("dvc-invalid-stage-name", (1, 2, 1, 3))]),
    ("stages:\n  a/b:\n    cmd: x\n", [("dvc-stage-name", (1, 2, 1, 5))]),
    ("stages:\n  a@b:\n    foreach: [1]\n    do:\n      cmd: x\n", [("dvc-stage-name", (1, 2, 1, 5))]),
    ("stages:\n  a:\n    cmd: x\n    deps: ['']\n", [("dvc-invalid-value", (3, 11, 3, 13))]),
    ("stages:\n  a: !!omap\n    - cmd: 1\n", [("dvc-wrong-type", (2, 11, 2, 12))]),
    ("stages: !!omap\n  - a: {cmd: x, fozen: true}\n", [("dvc-unknown-key", (1, 16, 1, 21))]),
    ("vars:\n", [("dvc-wrong-type", (0, 0, 0, 4))]),
    ("vars: {}\n", [("dvc-wrong-type", (0, 6, 0, 8))]),
    ("vars:\n  - 1\n", [("dvc-wrong-type", (1, 4, 1, 5))]),
    ("params: [{a: 1}]\n", [("dvc-wrong-type", (0, 9, 0, 15))]),
    ("metrics: [a, 1]\n", [("dvc-wrong-type", (0, 13, 0, 14))]),
    ("metrics: m.json\n", [("dvc-wrong-type", (0, 9, 0, 15))]),
    ("plots: {}\n", [("dvc-wrong-type", (0, 7, 0, 9))]),
    ("plots:\n  - {}\n", [("dvc-missing-key", (1, 4, 1, 6))]),
    ("plots:\n  - b: {x: 1}\n", [("dvc-wrong-type", (1, 11, 1, 12))]),
    ("plots:\n  - b: {header: true}\n", [("dvc-unknown-key", (1, 8, 1, 14))]),
    ("plots:\n  - b: {y: {f: [1]}}\n", [("dvc-wrong-type", (1, 16, 1, 17))]),
    ("datasets: 5\n", [("dvc-wrong-type", (0, 10, 0, 11))]),
    ("datasets:\n", [("dvc-wrong-type", (0, 0, 0, 8))]),
    ("stages:\n  a:\n    cmd: x\n    desc: =\n", [("unsupported-tag", (3, 10, 3, 11))]),
    ("stages:\n  a:\n    cmd: !foo x\n", [("unsupported-tag", (2, 9, 2, 15))]),
    # The alias is where the problem is reported, not the anchor.
    ("stages:\n  a: &b\n    cmd: x\n  b:\n    <<: *b\n    desc: 1\n", [("dvc-wrong-type", (5, 10, 5, 11))]),
    (
        "stages:\n  a:\n    cmd: x\n    deps: &d [a]\n  b:\n    cmd: x\n    outs: *d\n    deps: [*d]\n",
        [("dvc-wrong-type", (7, 11, 7, 13))],
    ),
    # One broken stage does not hide the others.
    (
        "stages:\n  a:\n    cmd: 1\n  b:\n    cmd: x\n  c:\n    cnd: x\n",
        [("dvc-wrong-type", (2, 9, 2, 10)), ("dvc-unknown-key", (6, 4, 6, 7)), ("dvc-missing-key", (5, 2, 5, 3))],
    ),
    # Indented by 4 and after other sections: positions in the document.
    ("vars: [a.yaml]\nstages:\n    a:\n        cmd: x\n        frozen: no\n", [("dvc-wrong-type", (4, 16, 4, 18))]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_problem_codes_and_spans(text: str, expected: list[Found]) -> None:
    assert sorted(_found(text)) == sorted(expected)


def test_every_schema_code_refuses_for_dvc_but_the_name_warning() -> None:
    for code in ("dvc-unknown-key", "dvc-missing-key", "dvc-wrong-type", "dvc-invalid-value", "dvc-invalid-stage-name"):
        assert refuses(code, "dvc"), code
    assert not refuses("dvc-stage-name", "dvc") and CODES["dvc-stage-name"].severity["dvc"] == "warning"


def test_suggestions_for_typos() -> None:
    document = parse_dvc("artifact: {}\nstages:\n  a:\n    cmd: x\n    dep: [a]\n    frozen: yes\n")
    data = {p.code + ":" + str(p.span.start.line): p.data for p in schema_problems(document.top, document.stages)}
    assert data["dvc-unknown-key:0"] == {"suggestion": "artifacts", "field": "artifact"}
    assert data["dvc-unknown-key:4"] == {"suggestion": "deps", "field": "dep"}
    assert data["dvc-wrong-type:5"] == {"suggestion": "true"}


@pytest.mark.parametrize(
    ("text", "suggestion", "words"),
    [
        ("stages:\n  a:\n    command: x\n", "cmd", "Did you mean `cmd`?"),
        ("stages:\n  a:\n    cmd: x\n    locked: true\n", "frozen", "Did you mean `frozen`?"),
        ("stages:\n  a:\n    cmd: x\n    Outputs: [a]\n", "outs", "Did you mean `outs`?"),
        ("stages:\n  a:\n    cmd: x\n    live:\n      dvclive: {}\n", None, "DVC 3 dropped `live:`"),
        ("stages:\n  a:\n    cmd: x\n    checkpoints: [m]\n", None, "`persist: true`"),
        ("stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n    deps: [a]\n", None, "Move it under `do:`"),
        ("x-common: &c\n  cmd: x\n", None, "anchor"),
    ],
)
def test_unknown_keys_say_what_to_write(text: str, suggestion: Optional[str], words: str) -> None:
    document = parse_dvc(text)
    (found,) = [p for p in schema_problems(document.top, document.stages) if p.code == "dvc-unknown-key"]
    assert (found.data or {}).get("suggestion") == suggestion
    assert words in found.message


def test_an_unchanged_stage_is_not_checked_again() -> None:
    text = "stages:\n  a:\n    cmd: 1\n  b:\n    cmd: x\n"
    first = parse_dvc(text)
    schema_problems(first.top, first.stages)
    second = parse_dvc(text.replace("cmd: x", "cmd: y"), first)
    assert second.stages[0].block is first.stages[0].block  # the parse reused the untouched stage
    from gto_lsp.core.formats.dvc.pipeline import validate

    memo = validate._MEMO.get(id(second.stages[0].block))
    assert memo is not None and "schema" in memo
    assert [p.code for p in schema_problems(second.top, second.stages)] == ["dvc-wrong-type"]


HOSTILE = [
    "stages:\n  a: &a\n    cmd: x\n    meta: *a\n",
    "a: &a [*a]\n",
    "stages:\n  ? [1, 2]\n  : cmd: x\n",
    "stages:\n  null:\n    cmd: x\n",
    "stages:\n  a:\n    <<: [*x]\n",
    "stages:\n  a:\n    cmd: x\n    outs: [" + ", ".join(str(i) for i in range(5000)) + "]\n",
    "plots:\n  - !!set {a, b}\n",
    "stages:\n  a: !!omap [{cmd: x}]\n",
    "stages:\n  a:\n    - cmd: x\n",
    "---\nstages: {}\n---\n",
    "stages:\n\ta: 1\n",
    "\ufeffstages:\n  a:\n    cmd: 1\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_never_raises(text: str) -> None:
    document = parse_dvc(text)
    problems = schema_problems(document.top, document.stages)
    assert len(problems) <= 1000
    assert not [p for p in problems if "could not check" in p.message]


def test_a_huge_list_reports_a_bounded_number_of_problems() -> None:
    text = "stages:\n  a:\n    cmd: x\n    outs: [" + ", ".join(str(i) for i in range(5000)) + "]\n"
    document = parse_dvc(text)
    problems = schema_problems(document.top, document.stages)
    assert 900 < len(problems) < 1000 and {p.code for p in problems} == {"dvc-wrong-type"}


def test_json_schema_covers_every_section() -> None:
    schema: dict[str, Any] = json.loads(json.dumps(json_schema()))
    assert schema["$schema"].startswith("http://json-schema.org/draft-07")
    assert set(schema["properties"]) == {"stages", "vars", "params", "metrics", "plots", "datasets", "artifacts"}
    assert schema["additionalProperties"] is False
    assert schema["definitions"]["stage"]["required"] == ["cmd"]
    assert schema["definitions"]["foreach"]["required"] == ["foreach", "do"]
    assert "path" in schema["definitions"]["artifact"]["properties"]
