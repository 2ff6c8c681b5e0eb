"""Differences with DVC 3.67.1 found by the differential run, closed (issue 14, item 5): each input as DVC reads
it (checked against real DVC by tests/compat/test_dvc_differential.py on the same cases); here without DVC."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gto_lsp.core.codes import CheckSettings, refuses
from gto_lsp.core.edits import AnnotateRequest
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.edit import annotate, describe, remove
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import read_values
from gto_lsp.core.repo.fs import RepoView
from helpers.cli import run
from helpers.git import make_repo


def _refusals(text: str) -> list[tuple[str, int]]:
    problems = check_dvc(parse_dvc(text), RepoView(), "", CheckSettings(), frozenset())
    return [(p.code, p.span.start.line) for p in problems if refuses(p.code, "dvc")]


@pytest.mark.parametrize(
    "text",
    [
        "artifacts:\n  rf: &a {path: x}\n  nn: &a {path: y}\n  mm: *a\n",  # ruamel: the later anchor wins
        "%FOO bar\n---\nartifacts:\n  rf: {path: x}\n",  # ruamel skips an unknown directive
        "artifacts:\n  rf:\n    path: x\n    meta: {=: 1}\n",  # `=` as a key is the text "="
    ],
)
def test_dvc_loads_it_and_so_do_we(text: str) -> None:
    assert _refusals(text) == []


def test_a_reused_anchor_reads_the_later_value() -> None:
    values = read_values(parse_dvc("artifacts:\n  rf: &a {path: x}\n  nn: &a {path: y}\n  mm: *a\n"))
    assert values["mm"] == {"path": "y"}


@pytest.mark.parametrize("meta", ["=", "{a: =}", "[b, =]"])
def test_a_plain_equals_value_in_meta_is_refused(meta: str) -> None:
    assert _refusals(f"artifacts:\n  rf:\n    path: x\n    meta: {meta}\n") == [("unsupported-tag", 3)]


@pytest.mark.parametrize(
    ("meta", "value"),
    [
        ("!!binary aGVsbG8=", b"hello"),
        ("!!set {a}", {"a"}),
        ("!!omap [{a: 1}, {b: 2}]", {"a": 1, "b": 2}),
        ("!!pairs [{a: 1}, {a: 2}]", [("a", 1), ("a", 2)]),
        ("{[a, b]: c}", {("a", "b"): "c"}),
    ],
)
def test_tagged_meta_reads_as_ruamel_builds_it(meta: str, value: Any) -> None:
    text = f"artifacts:\n  rf:\n    path: x\n    meta: {meta}\n"
    assert describe(text, "rf") == {"path": "x", "meta": value}


@pytest.mark.parametrize(
    ("desc", "value"), [("a\x85b", "a b"), ("'a\x85b'", "a b"), ("a\x85\x85b", "a\nb"), ("a\u2028b", "a\u2028b")]
)
def test_nel_is_a_line_break_folded_as_ruamel_folds_it(desc: str, value: str) -> None:
    text = f"artifacts:\n  rf:\n    path: x\n    desc: {desc}\n  nn:\n    path: y\n"
    assert describe(text, "rf") == {"path": "x", "desc": value}
    assert [p.span.start.line for p in check_dvc(parse_dvc(text), RepoView(), "", CheckSettings(), frozenset())] == []


def test_a_nel_that_ends_a_block_scalar_is_a_syntax_error_as_for_ruamel() -> None:
    assert _refusals("artifacts:\n  rf:\n    path: x\n    desc: |\n      a\x85  b\n") == [("yaml-syntax", 4)]


def test_entries_merged_into_the_section_are_described() -> None:
    text = "vars:\n  - arts: &a\n      rf: {path: x}\n      nn: {path: w}\nartifacts:\n  <<: *a\n  nn: {path: y}\n"
    assert read_values(parse_dvc(text)) == {"nn": {"path": "y"}, "rf": {"path": "x"}}
    assert describe(text, "rf") == {"path": "x"}
    assert describe(text, "nn") == {"path": "y"}  # the section's own entry wins over the merged one


def test_describe_names_holding_colon_or_hash(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    (root / "dvc.yaml").write_text('artifacts:\n  "a:b": {path: x}\n  c#d: {path: y}\n  e@f: {path: z}\n')
    for name, path in (("a:b", "x"), ("c#d", "y"), ("e@f", "z")):
        code, out, err = run("describe", name, "--path", cwd=root)
        assert (code, out.strip()) == (0, path), err
        code, out, err = run("describe", name, "--dvcfile", "dvc.yaml", "--path", cwd=root)
        assert (code, out.strip()) == (0, path), err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("vars:\n  - base: &b {path: 5}\nartifacts:\n  rf:\n    <<: *b\n", 4),  # DVC: artifacts -> rf -> path
        ("vars:\n  - base: &b 5\nartifacts:\n  rf:\n    path: *b\n", 4),
        ("vars:\n  - e: &e {path: x, desc: 1}\nartifacts:\n  rf: *e\n", 3),
    ],
)
def test_a_problem_of_an_aliased_value_is_on_the_alias_line(text: str, line: int) -> None:
    assert _refusals(text) == [("wrong-type", line)]


def test_the_same_anchor_aliased_twice_is_reported_at_each_alias() -> None:
    text = "artifacts:\n  rf:\n    path: &p 5\n  nn:\n    path: *p\n  mm:\n    path: *p\n"
    assert _refusals(text) == [("wrong-type", 2), ("wrong-type", 4), ("wrong-type", 6)]


def test_an_alias_bomb_is_still_caught() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    text = "vars:\n  - " + "\n    ".join(lines) + "\nartifacts:\n  rf:\n    path: x\n    meta: *a8\n"
    assert ("alias-expansion", len(lines) + 2) in [
        (p.code, p.span.start.line) for p in check_dvc(parse_dvc(text), RepoView(), "", CheckSettings(), frozenset())
    ]


FLOW = "stages: {}\nartifacts: {rf: {path: x},  # c\n  nn: {path: y}, }\nplots: []\n"


def test_annotate_into_a_flow_section_stays_flow() -> None:
    added = annotate(FLOW, AnnotateRequest("mm", path="m.pkl", type="model")).text
    assert added == FLOW.replace("{path: y}, }", "{path: y}, mm: {path: m.pkl, type: model}, }")
    changed = annotate(FLOW, AnnotateRequest("rf", description="a, b")).text
    assert changed == FLOW.replace("rf: {path: x}", "rf: {path: x, desc: 'a, b'}")
    assert remove(FLOW, "nn").text == FLOW.replace("nn: {path: y}, }", "}")
    assert remove(FLOW, "rf").text == FLOW.replace("rf: {path: x},  # c\n  ", "")
    assert annotate("artifacts: {}\n", AnnotateRequest("mm", path="m")).text == "artifacts: {mm: {path: m}}\n"


BLOCK = "artifacts:\n  rf:\n    path: x\n    desc: |\n      line\n\n  nn:\n    path: y\n"


def test_the_blank_line_after_a_block_scalar_stays() -> None:
    assert annotate(BLOCK, AnnotateRequest("rf", description="new")).text == BLOCK.replace("|\n      line\n", "new\n")
    assert annotate(BLOCK, AnnotateRequest("rf", type="t")).text == BLOCK.replace("line\n", "line\n    type: t\n")
    assert remove(BLOCK, "rf").text == "artifacts:\n\n  nn:\n    path: y\n"
    kept = BLOCK.replace("|", "|+")  # the blank line is the value's own: it stays with it
    assert annotate(kept, AnnotateRequest("rf", type="t")).text == kept.replace("\n\n", "\n\n    type: t\n", 1)
