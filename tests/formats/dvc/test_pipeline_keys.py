"""Keys of dvc.yaml's pipeline for the editor (formats/dvc/pipeline/keys.py): completion from the lines, hover from
the nodes; and the quick fixes of the schema's problems (pipeline/repair.py through formats/dvc/fixes.py). `|`
marks the cursor."""

from __future__ import annotations

import argparse
import io
import json
from typing import Optional

import pytest

from gto_lsp.cli import cmd_schema
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.fixes import fixes_for
from gto_lsp.core.formats.dvc.pipeline.keys import explain_key, suggest_keys
from gto_lsp.core.formats.dvc.pipeline.schema import FOREACH, OUT_FLAGS, PLOT_DEFINITION, PLOT_FLAGS, STAGE, TOP
from gto_lsp.core.formats.dvc.pipeline.validate import schema_problems
from gto_lsp.core.problems import Pos

STAGE_KEYS = ["cmd", "wdir", "deps", "params", "outs", "metrics", "plots", "vars", "frozen", "always_changed"]
STAGE_KEYS += ["desc", "meta", "matrix"]
OUT_OPTIONS = ["desc", "type", "labels", "meta", "cache", "persist", "checkpoint", "remote", "push"]


def _at(marked: str) -> tuple[str, Pos]:
    index = marked.index("|")
    text = marked.replace("|", "", 1)
    line = text.count("\n", 0, index)
    return text, Pos(line, index - (text.rfind("\n", 0, index) + 1))


def _labels(marked: str) -> Optional[list[str]]:
    text, pos = _at(marked)
    document = parse_dvc(text)
    found = suggest_keys(document.top, document.stages, text, pos)
    return None if found is None else [s.label for s in found]


COMPLETIONS: list[tuple[str, Optional[list[str]]]] = [
    ("|", ["stages", "vars", "params", "metrics", "plots", "datasets", "artifacts"]),
    ("stages:\n  a:\n    cmd: x\n|", ["vars", "params", "metrics", "plots", "datasets", "artifacts"]),
    ("stages:\n  a:\n    |\n", [*STAGE_KEYS, "foreach", "do"]),
    ("stages:\n  a:\n    cmd: x\n    |", STAGE_KEYS[1:]),
    ("stages:\n  a:\n    cmd: x\n    # a comment\n    fro|", STAGE_KEYS[1:]),
    ("stages:\n  a:\n    |\n    cmd: x\n    deps: [a]\n", [k for k in STAGE_KEYS if k not in ("cmd", "deps")]),
    ("stages:\n  a:\n    foreach: [1]\n    |\n", ["do"]),
    ("stages:\n  a:\n    foreach: [1]\n    do:\n      |\n", STAGE_KEYS),
    ("stages:\n  a:\n    cmd: x\n    outs:\n      - m.pkl:\n          |\n", OUT_OPTIONS),
    (
        "stages:\n  a:\n    cmd: x\n    outs:\n      - m.pkl:\n          cache: false\n          |\n",
        [k for k in OUT_OPTIONS if k != "cache"],
    ),
    ("stages:\n  a:\n    cmd: x\n    metrics:\n      - m.json:\n          |\n", OUT_OPTIONS),
    (
        "stages:\n  a:\n    cmd: x\n    plots:\n      - p.csv:\n          |\n",
        [*OUT_OPTIONS, "template", "x", "y", "x_label", "y_label", "title", "header"],
    ),
    ("plots:\n  - roc:\n      x: a\n      |\n", ["y", "template", "x_label", "y_label", "title"]),
    ("stages:\n    a:\n        cmd: x\n        |\n", STAGE_KEYS[1:]),  # indented by 4
    # Booleans get their values.
    ("stages:\n  a:\n    cmd: x\n    frozen: |\n", ["true", "false"]),
    ("stages:\n  a:\n    cmd: x\n    outs:\n      - m:\n          cache: f|\n", ["true", "false"]),
    ("stages:\n  a:\n    desc: |\n", []),
    # Inside a pipeline section, nothing to offer: stage names, list items, free-form values.
    ("stages:\n  |\n", []),
    ("vars:\n  - |\n", []),
    ("stages:\n  a:\n    cmd: x\n    meta:\n      |\n", []),
    # Not a pipeline section: none.
    ("artifacts:\n  m:\n    |\n", None),
    ("artifacts:\n  m:\n    path: x\n    type: |\n", None),
    ("stages:\n  a:\n    cmd: echo |", None),
]


@pytest.mark.parametrize(("marked", "expected"), COMPLETIONS)
def test_completion(marked: str, expected: Optional[list[str]]) -> None:
    assert _labels(marked) == expected


def test_a_completion_item_has_docs_a_snippet_for_collections_and_replaces_the_typed_word() -> None:
    text, pos = _at("stages:\n  a:\n    cmd: x\n    ou|")
    document = parse_dvc(text)
    found = {s.label: s for s in suggest_keys(document.top, document.stages, text, pos) or []}
    outs, frozen = found["outs"], found["frozen"]
    assert outs.snippet and outs.insert == "outs:\n      - $0"
    assert not frozen.snippet and frozen.insert == "frozen: "
    assert outs.replace is not None and (outs.replace.start, outs.replace.end) == (Pos(3, 4), Pos(3, 6))
    assert "**`outs`**" in outs.doc and "cache" in outs.doc


def test_completion_on_a_file_being_typed() -> None:
    assert _labels("stages:\n  a:\n    cmd: [unclosed\n    |\n") == STAGE_KEYS[1:]
    assert _labels("stages:\n  a:\n    cmd: x\n    outs:\n      - m.pkl:\n          cache: : :\n          |") == [
        k for k in OUT_OPTIONS if k != "cache"
    ]


HOVERS: list[tuple[str, Optional[str]]] = [
    ("sta|ges:\n  a:\n    cmd: x\n", "**`stages`** (dvc.yaml)"),
    ("stages:\n  a:\n    c|md: x\n", "**`cmd`** (a stage) — required"),
    (
        "stages:\n  a:\n    cmd: x\n    outs:\n      - m:\n          cac|he: false\n",
        "**`cache`** (an output's options)",
    ),
    ("stages:\n  a:\n    foreach: [1]\n    d|o:\n      cmd: x\n", "**`do`** (a foreach stage) — required"),
    ("stages:\n  a:\n    foreach: [1]\n    do:\n      cm|d: x\n", "**`cmd`** (a stage) — required"),
    ("plots:\n  - roc:\n      |x: a\n", "**`x`** (a plot)"),
    ("stages: {a: {cmd: x, fro|zen: true}}\n", "**`frozen`** (a stage)"),
    (
        "vars: [a.yaml]\nstages:\n    a:\n        cmd: x\n        al|ways_changed: true\n",
        "**`always_changed`** (a stage)",
    ),
    ("artifacts:\n  m:\n    pa|th: x\n", None),
    ("stages:\n  |a:\n    cmd: x\n", None),
    ("stages:\n  a:\n    cmd: x|\n", None),
    ("stages:\n  a:\n    cmd: x\n    unknown|: 1\n", None),
]


@pytest.mark.parametrize(("marked", "first_line"), HOVERS)
def test_hover(marked: str, first_line: Optional[str]) -> None:
    text, pos = _at(marked)
    document = parse_dvc(text)
    found = explain_key(document.top, document.stages, pos)
    assert (found.split("\n")[0] if found is not None else None) == first_line


def _fixed(text: str, code: str, title_start: str) -> str:
    document = parse_dvc(text)
    lines = text.split("\n")
    problem = next(p for p in schema_problems(document.top, document.stages) if p.code == code)
    fix = next(f for f in fixes_for(document, lines, None, problem) if f.title.startswith(title_start))
    ((span, new),) = fix.edits
    start = sum(len(line) + 1 for line in lines[: span.start.line]) + span.start.col
    end = sum(len(line) + 1 for line in lines[: span.end.line]) + span.end.col
    return text[:start] + new + text[end:]


FIXES = [
    (
        "stages:\n  a:\n    cmd: x\n    dep: [a]\n",
        "dvc-unknown-key",
        "Rename",
        "stages:\n  a:\n    cmd: x\n    deps: [a]\n",
    ),
    ("artifact:\n  m:\n    path: x\n", "dvc-unknown-key", "Rename", "artifacts:\n  m:\n    path: x\n"),
    (
        "stages:\n  a:\n    cmd: x\n    bogus:\n      - 1\n    desc: d\n",
        "dvc-unknown-key",
        "Remove",
        "stages:\n  a:\n    cmd: x\n    desc: d\n",
    ),
    ("stages:\n  a:\n    desc: d\n", "dvc-missing-key", "Add", "stages:\n  a:\n    cmd: \n    desc: d\n"),
    ("stages:\n  a:\n", "dvc-missing-key", "Add", "stages:\n  a:\n    cmd: \n"),
    (
        "stages:\n    a:  # train\n        deps: [x]\n",
        "dvc-missing-key",
        "Add",
        "stages:\n    a:  # train\n        cmd: \n        deps: [x]\n",
    ),
    ("stages:\n  a:\n    foreach: [1]\n", "dvc-missing-key", "Add", "stages:\n  a:\n    do: \n    foreach: [1]\n"),
    (
        "stages:\n  a:\n    cmd: x\n    frozen: yes\n",
        "dvc-wrong-type",
        "Replace",
        "stages:\n  a:\n    cmd: x\n    frozen: true\n",
    ),
    (
        "stages:\n  a:\n    cmd: x\n    desc: 2020-01-01\n",
        "dvc-wrong-type",
        "Quote",
        "stages:\n  a:\n    cmd: x\n    desc: '2020-01-01'\n",
    ),
    ("stages:\n  a@b:\n    cmd: x\n", "dvc-invalid-stage-name", "Replace", "stages:\n  a-b:\n    cmd: x\n"),
    ("stages:\n  1:\n    cmd: x\n", "dvc-invalid-stage-name", "Quote", "stages:\n  '1':\n    cmd: x\n"),
    (
        "stages:\n  a:\n    cmd: x\n    desc: =\n",
        "unsupported-tag",
        "Quote",
        "stages:\n  a:\n    cmd: x\n    desc: '='\n",
    ),
]


@pytest.mark.parametrize(("text", "code", "title", "expected"), FIXES)
def test_quick_fix(text: str, code: str, title: str, expected: str) -> None:
    fixed = _fixed(text, code, title)
    assert fixed == expected
    document = parse_dvc(fixed)
    remaining = [p.code for p in schema_problems(document.top, document.stages)]
    assert code not in remaining or (code == "dvc-missing-key" and "dvc-wrong-type" in remaining)


@pytest.mark.parametrize(
    "text",
    [
        "artifacts: {}\nstages: {}\nartifact:\n  m:\n    path: x\n",
        "stages:\n  a:\n    cmd: x\n    Cmd: y\n",
    ],
)
def test_no_rename_to_a_key_the_mapping_has(text: str) -> None:
    document = parse_dvc(text)
    (problem,) = [p for p in schema_problems(document.top, document.stages) if p.code == "dvc-unknown-key"]
    titles = [f.title for f in fixes_for(document, text.split("\n"), None, problem)]
    assert titles and not [t for t in titles if t.startswith("Rename")]


def test_schema_command_prints_the_whole_dvc_yaml_schema() -> None:
    out = io.StringIO()
    assert cmd_schema(argparse.Namespace(format="dvc", dvc=False), out) == 0
    schema = json.loads(out.getvalue())
    assert schema["title"] == "dvc.yaml" and "stages" in schema["properties"]
    assert schema["definitions"]["stage"]["properties"]["outs"]["type"] == "array"


KNOWN = {k.name for t in (TOP, STAGE, FOREACH, OUT_FLAGS, PLOT_FLAGS, PLOT_DEFINITION) for k in t.keys} | {
    "true",
    "false",
}


def test_sane_answers_anywhere_in_odd_files() -> None:
    from compat.test_dvc_schema_differential import CASES

    texts = [text for _, text in CASES[::20]] + ["stages:\n\ta:\n  - : :\n", "\ufeffstages:\r\n  a:\r\n    cmd: x\r\n"]
    for text in texts:
        document = parse_dvc(text)
        lines = text.split("\n")
        for line in range(len(lines) + 1):
            for col in range(0, len(lines[line]) + 2 if line < len(lines) else 1, 3):
                found = suggest_keys(document.top, document.stages, text, Pos(line, col))
                for suggestion in found or []:
                    assert suggestion.label in KNOWN and suggestion.replace is not None
                    assert suggestion.replace.start.line == line
                hover = explain_key(document.top, document.stages, Pos(line, col))
                assert hover is None or hover.startswith("**`")
