"""`${}`, vars and params of a dvc.yaml (formats/dvc/pipeline: interpolate, scope, variables, variable_help), with
real files in a temporary repository. What DVC 3.67.1 itself says is in tests/compat/test_dvc_variables_differential.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

from gto_lsp.core.codes import CODES, refuses
from gto_lsp.core.formats.dvc.document import DvcDocument, parse_dvc
from gto_lsp.core.formats.dvc.pipeline.interpolate import Context, references, resolve, resolve_text, to_str
from gto_lsp.core.formats.dvc.pipeline.scope import MAX_GENERATED, expand, stage_contexts, top_context
from gto_lsp.core.formats.dvc.pipeline.variable_help import (
    variable_definitions,
    variable_hover,
    variable_suggestions,
)
from gto_lsp.core.formats.dvc.pipeline.variables import variable_problems
from gto_lsp.core.navigation import Place
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.repo.fs import RepoView


def _repo(tmp_path: Path, files: dict[str, str]) -> RepoView:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return RepoView(tmp_path)


def _place(repo: RepoView, file: str = "dvc.yaml") -> Place:
    return Place(repo, os.path.dirname(file), file)


def _problems(tmp_path: Path, text: str, files: Optional[dict[str, str]] = None) -> list[Problem]:
    repo = _repo(tmp_path, files or {})
    document = parse_dvc(text)
    return variable_problems(document.top, document.stages, _place(repo), document.entries)


def _codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def _names(tmp_path: Path, text: str, files: Optional[dict[str, str]] = None) -> dict[str, list[str]]:
    repo = _repo(tmp_path, files or {})
    document = parse_dvc(text)
    place = _place(repo)
    context = top_context(document.top, place)
    return {str(s.name): [name for name, _ in stage_contexts(s, context, place)] for s in document.stages}


# --- the grammar and resolution ----------------------------------------------------------------------------------


def test_references_follow_dvcs_grammar() -> None:
    found = references(r"a ${x.y[0]} \${esc} ${} ${ b } ${a..b}")
    assert [(r.inner, r.parts) for r in found] == [
        ("x.y[0]", ("x", "y", "0")),
        ("", None),
        (" b ", ("b",)),
        ("a..b", None),
    ]
    assert (found[0].start, found[0].end) == (2, 11)
    assert references("${a\n}") == []  # one line only


def test_resolution_as_dvc_writes_values() -> None:
    context = Context({"n": 3, "on": True, "f": 0.5, "d": {"lr": 0.1, "deep": {"x": "a b"}}, "l": [1, 2]})
    assert resolve("${n}", context).value == 3  # a whole `${}` keeps its type
    assert resolve_text("${on}-${f}/${l[1]}", context) == "true-0.5/2"
    assert resolve_text(r"\${n} ${n}", context) == "${n} 3"
    assert resolve("${d}", context, "cmd").value == {"lr": 0.1, "deep": {"x": "a b"}}
    assert resolve("run ${d}", context, "cmd").value == "run --lr 0.1 --deep.x 'a b'"
    assert resolve("${d}", context, "outs").error == "type"
    assert resolve("${l}", context, "cmd").error == "type"
    assert resolve("${d}", context, None).ok  # artifacts and top-level sections take any value
    assert resolve("${missing}", context).error == "undefined"
    assert resolve("${l[5]}", context).error == "undefined"
    assert resolve("${n.x}", context).error == "undefined"
    assert resolve_text("${d}", context) is None
    assert to_str(False) == "false" and to_str(None) == "None"


def test_a_deep_expression_is_bounded() -> None:
    nested: dict[str, Any] = {}
    assert resolve("${" + ".".join(["a"] * 100_000) + "}", Context({"a": nested})).error == "undefined"


# --- contexts ------------------------------------------------------------------------------------------------------


def test_params_yaml_and_vars_define_names_with_their_places(tmp_path: Path) -> None:
    files = {
        "params.yaml": "lr: 0.1\ntrain:\n  epochs: 3\n",
        "cfg.json": json.dumps({"batch": 32, "train": {"seed": 1}}),
        "more.toml": "[opt]\nname = 'adam'\n",
    }
    text = "vars:\n  - cfg.json\n  - more.toml:opt\n  - inline: {a: 1}\nstages:\n  s:\n    cmd: echo ${lr}\n"
    repo = _repo(tmp_path, files)
    document = parse_dvc(text)
    context = top_context(document.top, _place(repo))
    assert context.problems == []  # on Python < 3.11 (no TOML reader) `opt` is unknown, not missing
    toml = {"opt": {"name": "adam"}} if sys.version_info >= (3, 11) else {}
    assert context.values == {"lr": 0.1, "train": {"epochs": 3, "seed": 1}, "batch": 32, **toml, "inline": {"a": 1}}
    defined = context.definition_of(("train", "epochs"))
    assert defined is not None and defined[0].file == "params.yaml" and defined[1].start == Pos(2, 2)
    defined = context.definition_of(("train", "seed"))
    assert defined is not None and defined[0].file == "cfg.json" and defined[0].origin == "cfg.json"
    defined = context.definition_of(("inline", "a"))
    assert defined is not None and defined[0].file == "dvc.yaml" and defined[1] == Span(Pos(3, 13), Pos(3, 14))


def test_params_yaml_of_the_dvc_yaml_folder_only(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"params.yaml": "root: 1\n", "sub/params.yaml": "sub: 2\n"})
    document = parse_dvc("stages:\n  s:\n    cmd: echo ${sub}\n")
    assert top_context(document.top, _place(repo, "sub/dvc.yaml")).values == {"sub": 2}
    assert _codes(variable_problems(document.top, document.stages, _place(repo, "sub/dvc.yaml"))) == []
    assert _codes(variable_problems(document.top, document.stages, _place(repo))) == ["dvc-variable-undefined"]


@pytest.mark.parametrize(
    ("text", "files", "code"),
    [
        ("vars:\n  - nope.yaml\n", {}, "dvc-vars-file-missing"),
        ("vars:\n  - p.yaml:a,zz\n", {"p.yaml": "a: 1\n"}, "dvc-vars-key-missing"),
        ("vars:\n  - p.yaml\n", {"p.yaml": "- 1\n"}, "dvc-vars-file-invalid"),
        ("vars:\n  - p.yaml\n", {"p.yaml": "a: [1\n"}, "dvc-vars-file-invalid"),
        ("vars:\n  - {a: 2}\n", {"params.yaml": "a: 1\n"}, "dvc-vars-conflict"),
        ("vars:\n  - params.yaml:a\n", {"params.yaml": "a: 1\n"}, "dvc-vars-conflict"),
        ("vars:\n  - p.yaml:a\n  - p.yaml\n", {"p.yaml": "a: 1\n"}, "dvc-vars-conflict"),
        ("vars:\n  - ${x}.yaml\n", {}, "dvc-vars-interpolated"),
        ("stages:\n  s:\n    cmd: echo\n    vars: [{a: 2}]\n", {"params.yaml": "a: 1\n"}, "dvc-vars-conflict"),
        ("stages:\n  s:\n    cmd: echo\n    vars: [nope.yaml]\n", {}, "dvc-vars-file-missing"),
        (
            "stages:\n  s:\n    foreach: [1]\n    do:\n      cmd: echo\n      vars: [{item: 2}]\n",
            {},
            "dvc-vars-conflict",
        ),
    ],
)
def test_vars_problems_dvc_refuses(tmp_path: Path, text: str, files: dict[str, str], code: str) -> None:
    found = _problems(tmp_path, text, files)
    assert _codes(found) == [code], found
    assert refuses(code, "dvc") and CODES[code].severity["dvc"] == "error"


def test_loading_params_yaml_again_and_merging_mappings_are_allowed(tmp_path: Path) -> None:
    files = {"params.yaml": "a: {x: 1}\n"}
    text = "vars:\n  - params.yaml\n  - {a: {y: 2}}\nstages:\n  s:\n    cmd: echo ${a.x} ${a.y}\n"
    assert _problems(tmp_path, text, files) == []


def test_a_vars_file_linked_out_of_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("a: 1\n")
    repo_root = tmp_path / "repo"
    repo_root.mkdir()
    (repo_root / "p.yaml").symlink_to(outside / "secret.yaml")
    found = _problems(repo_root, "vars:\n  - p.yaml\nstages:\n  s:\n    cmd: echo ${a}\n")
    assert _codes(found) == ["dvc-vars-file-missing", "dvc-variable-undefined"]
    assert RepoView(repo_root).read_text("p.yaml") is None
    assert RepoView(repo_root).read_text("../outside/secret.yaml") is None


def test_a_file_too_large_to_read_makes_no_name_undefined(tmp_path: Path) -> None:
    files = {"big.json": json.dumps({"items": list(range(1_000_000))})}
    text = "vars: [big.json]\nstages:\n  f:\n    foreach: ${items}\n    do:\n      cmd: echo ${item}\n"
    assert _problems(tmp_path, text, files) == []


def test_read_text_is_cached_until_invalidated(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"p.yaml": "a: 1\n"})
    assert repo.read_text("p.yaml") == "a: 1\n"
    (tmp_path / "p.yaml").write_text("a: 2\n")
    assert repo.read_text("p.yaml") == "a: 1\n"
    repo.invalidate()
    assert repo.read_text("p.yaml") == "a: 2\n"
    (tmp_path / "p.yaml").write_text("a: 3\n")
    repo.exists_cache.clear()  # what the server's file watcher does
    assert repo.read_text("p.yaml") == "a: 3\n"
    assert repo.read_text(".") is None and RepoView().read_text("p.yaml") is None


# --- stages ----------------------------------------------------------------------------------------------------


def test_generated_stage_names_are_dvcs(tmp_path: Path) -> None:
    text = (
        "stages:\n"
        "  plain:\n    cmd: echo\n"
        "  lst:\n    foreach: [a, 1, true]\n    do:\n      cmd: echo ${item}\n"
        "  dct:\n    foreach:\n      x: 1\n      y: 2\n    do:\n      cmd: echo ${key} ${item}\n"
        "  objs:\n    foreach: ${models}\n    do:\n      cmd: echo ${item.name}\n"
        "  mat:\n    matrix:\n      m: [a, b]\n      n: [1, {k: v}]\n    cmd: echo ${item.m} ${key}\n"
    )
    names = _names(tmp_path, text, {"params.yaml": "models:\n  - name: a\n  - name: b\n"})
    assert names == {
        "plain": ["plain"],
        "lst": ["lst@a", "lst@1", "lst@true"],
        "dct": ["dct@x", "dct@y"],
        "objs": ["objs@0", "objs@1"],
        "mat": ["mat@a-1", "mat@a-n1", "mat@b-1", "mat@b-n1"],
    }
    assert _problems(tmp_path, text) == []


def test_foreach_and_matrix_of_the_wrong_shape(tmp_path: Path) -> None:
    files = {"params.yaml": "n: 3\ns: ab\n"}
    text = "stages:\n  f:\n    foreach: ${n}\n    do:\n      cmd: echo ${item}\n"
    assert _codes(_problems(tmp_path, text, files)) == ["dvc-foreach-type"]
    text = "stages:\n  m:\n    matrix:\n      x: ${s}\n    cmd: echo ${item.x}\n"
    assert _codes(_problems(tmp_path, text, files)) == ["dvc-foreach-type"]
    # A string written as is: DVC iterates its characters (stages m@a, m@b).
    text = "stages:\n  m:\n    matrix:\n      x: ab\n    cmd: echo ${item.x}\n"
    assert _codes(_problems(tmp_path, text, files)) == []
    text = "stages:\n  f:\n    foreach: ${nope}\n    do:\n      cmd: echo ${item}\n"
    assert _codes(_problems(tmp_path, text, files)) == ["dvc-variable-undefined"]


def test_a_huge_foreach_is_bounded(tmp_path: Path) -> None:
    files = {"big.json": json.dumps({"items": list(range(200_000))})}
    text = "vars: [big.json]\nstages:\n  f:\n    foreach: ${items}\n    do:\n      cmd: echo ${item} ${nope}\n"
    repo = _repo(tmp_path, files)
    document = parse_dvc(text)
    place = _place(repo)
    context = top_context(document.top, place)
    assert len(expand(document.stages[0], context, place).stages) == MAX_GENERATED
    found = variable_problems(document.top, document.stages, place)
    assert _codes(found) == ["dvc-variable-undefined"]  # one problem, not one per generated stage


def test_stage_values_resolve_in_their_context(tmp_path: Path) -> None:
    files = {"params.yaml": "d: {a: 1}\nl: [1, 2]\nname: x\n"}
    text = (
        "stages:\n"
        "  ok:\n    cmd: python train.py ${d}\n    deps: [data/${name}]\n"
        "  bad:\n    cmd: echo ${l}\n    outs:\n      - ${d}\n      - out/${missing}\n"
        "  wd:\n    wdir: sub\n    vars: [local.yaml]\n    cmd: echo ${here}\n"
    )
    files["sub/local.yaml"] = "here: 1\n"
    found = _problems(tmp_path, text, files)
    assert [(p.code, p.span) for p in found] == [
        ("dvc-variable-type", Span(Pos(5, 14), Pos(5, 18))),
        ("dvc-variable-type", Span(Pos(7, 8), Pos(7, 12))),
        ("dvc-variable-undefined", Span(Pos(8, 12), Pos(8, 22))),
    ]


def test_escapes_and_syntax(tmp_path: Path) -> None:
    text = 'stages:\n  s:\n    cmd: "echo \\\\${literal} ${a..b}"\n'
    found = _problems(tmp_path, text)
    assert _codes(found) == ["dvc-variable-syntax"]
    assert found[0].span == Span(Pos(2, 28), Pos(2, 35))


# --- artifacts and top-level sections -------------------------------------------------------------------------


def test_artifacts_and_sections_resolve_with_the_files_variables(tmp_path: Path) -> None:
    files = {"params.yaml": "n: 1\nd: {a: 1}\n"}
    text = "metrics:\n  - ${nope}.json\nartifacts:\n  ${n}:\n    path: ${d}/m\n  m:\n    path: ${x}/m.pkl\n"
    found = _problems(tmp_path, text, files)
    assert [(p.code, p.span.start) for p in found] == [
        ("dvc-variable-type", Pos(3, 2)),
        ("dvc-variable-undefined", Pos(6, 10)),
        ("dvc-variable-undefined", Pos(1, 4)),
    ]


# --- params ---------------------------------------------------------------------------------------------------


def test_stage_params_missing_from_their_files_are_warnings(tmp_path: Path) -> None:
    files = {"params.yaml": "lr: 1\ntrain:\n  seed: 2\n", "other.yaml": "x: 1\n"}
    text = (
        "stages:\n  s:\n    cmd: echo\n    params:\n      - lr\n      - train.seed\n      - nope\n"
        "      - other.yaml: [x, y]\n      - gone.yaml:\n"
    )
    found = _problems(tmp_path, text, files)
    assert [(p.code, p.severity, p.span.start) for p in found] == [
        ("dvc-param-missing", "warning", Pos(6, 8)),
        ("dvc-param-missing", "warning", Pos(7, 24)),
        ("dvc-params-file-missing", "warning", Pos(8, 8)),
    ]


# --- the editor ----------------------------------------------------------------------------------------------


def _document(tmp_path: Path) -> tuple[DvcDocument, Place]:
    files = {"params.yaml": "lr: 0.1\ntrain:\n  epochs: 3\n", "cfg.yaml": "batch: 8\n"}
    text = (
        "vars:\n  - cfg.yaml:batch\nstages:\n"
        "  s:\n    foreach: [a, b]\n    do:\n      cmd: echo ${item} ${train.epochs}\n"
        "  p:\n    cmd: echo ${lr}\n    params:\n      - train.epochs\n      - \n"
    )
    return parse_dvc(text), _place(_repo(tmp_path, files))


def test_hover_shows_values_and_where_they_come_from(tmp_path: Path) -> None:
    document, place = _document(tmp_path)
    args = (document.top, document.stages, document.text)
    hover = variable_hover(*args, Pos(6, 20), place)
    assert hover is not None and "s@a: `a`" in hover and "s@b: `b`" in hover and "foreach" in hover
    hover = variable_hover(*args, Pos(6, 30), place)
    assert hover is not None and "`3`" in hover and "params.yaml, line 3" in hover
    hover = variable_hover(*args, Pos(10, 10), place)
    assert hover == "`train.epochs` = `3`\n\nIn params.yaml, line 3."
    assert variable_hover(*args, Pos(8, 6), place) is None
    assert variable_hover(*args, Pos(1, 6), place) == "cfg.yaml: 1 variable: `batch`"


def test_definitions_lead_to_the_defining_line(tmp_path: Path) -> None:
    document, place = _document(tmp_path)
    args = (document.top, document.stages, document.text)
    assert [(t.path, t.span.start) for t in variable_definitions(*args, Pos(6, 30), place)] == [
        ("params.yaml", Pos(2, 2))
    ]
    assert [(t.path, t.span.start) for t in variable_definitions(*args, Pos(8, 15), place)] == [
        ("params.yaml", Pos(0, 0))
    ]
    assert [(t.path, t.span.start) for t in variable_definitions(*args, Pos(10, 12), place)] == [
        ("params.yaml", Pos(2, 2))
    ]
    assert [(t.path, t.span.start) for t in variable_definitions(*args, Pos(1, 16), place)] == [("cfg.yaml", Pos(0, 0))]


def test_suggestions_after_dollar_brace_and_in_params(tmp_path: Path) -> None:
    document, place = _document(tmp_path)
    text = document.text.replace("echo ${lr}", "echo ${tr")
    document = parse_dvc(text)
    args = (document.top, document.stages, document.text)
    found = variable_suggestions(*args, Pos(8, 18), place)
    assert found is not None and {"lr", "train", "batch"} <= {s.label for s in found}
    assert found[0].replace == Span(Pos(8, 16), Pos(8, 18))
    text = document.text.replace("echo ${tr", "echo ${train.")
    document = parse_dvc(text)
    found = variable_suggestions(document.top, document.stages, document.text, Pos(8, 22), place)
    assert found is not None and [s.label for s in found] == ["epochs"]
    text = document.text.replace("echo ${train.", "echo ${it")
    document = parse_dvc(text.replace("  p:\n    cmd: echo ${it", "  p:\n    cmd: echo x"))
    found = variable_suggestions(document.top, document.stages, document.text, Pos(6, 20), place)
    assert found is not None and "item" in {s.label for s in found}
    found = variable_suggestions(document.top, document.stages, document.text, Pos(11, 8), place)
    assert found is not None and {"lr", "train", "train.epochs"} == {s.label for s in found}
    assert variable_suggestions(document.top, document.stages, document.text, Pos(8, 8), place) is None


def test_params_yaml_reads_as_dvcs_ruamel_reads_it(tmp_path: Path) -> None:
    from gto_lsp.core.formats.dvc.pipeline.params import read_params
    from gto_lsp.core.yaml.render import load

    text = (
        "a: 0o17\nb: 0x1F\nc: 1_000\nd: +5\ne: 1e3\nf: -.Inf\ng: 0b101\nh: 017\ni: '1:20'\nj: 5.\nk: yes\n"
        "l: ~\nm: true\nn: !!str 3\no: [1, {p: 2.5}]\nbase: &b {q: 1}\nmerged:\n  <<: *b\n  r: 2\n"
    )
    repo = _repo(tmp_path, {"params.yaml": text, "dup.yaml": "a: 1\na: 2\n"})
    assert read_params(repo, "params.yaml").data == load(text)
    assert read_params(repo, "dup.yaml").error == "syntax"  # ruamel refuses a repeated key, and so does DVC


def test_problems_follow_their_block_when_lines_are_added_above(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {})
    text = "vars:\n  - nope.yaml\nstages:\n  s:\n    cmd: echo ${x}\n"
    document = parse_dvc(text)
    first = variable_problems(document.top, document.stages, _place(repo))
    moved = parse_dvc("# a comment\n" + text, document)
    again = variable_problems(moved.top, moved.stages, _place(repo))
    assert [p.span.start.line + 1 for p in first] == [p.span.start.line for p in again] == [2, 5]


def test_generated_stages_share_the_files_variables(tmp_path: Path) -> None:
    files = {"p.json": json.dumps({**{f"k{i}": i for i in range(1000)}, "items": list(range(20))})}
    text = "vars: [p.json]\nstages:\n  f:\n    foreach: ${items}\n    do:\n      cmd: echo ${item} ${k1}\n"
    repo = _repo(tmp_path, files)
    document = parse_dvc(text)
    context = top_context(document.top, _place(repo))
    made = stage_contexts(document.stages[0], context, _place(repo))
    assert [c.select(("item",)) for _, c in made[:2]] == [(True, 0), (True, 1)]
    assert all(c.values.maps[-1] is context.values for _, c in made)  # type: ignore[attr-defined]
    assert context.select(("item",)) == (False, None)


def test_a_whole_reference_as_a_key_of_foreach_data(tmp_path: Path) -> None:
    files = {"params.yaml": "name: x\nl: [1]\n"}
    text = "stages:\n  f:\n    foreach:\n      ${name}: 1\n      ${name}_b: 2\n    do:\n      cmd: echo ${key}\n"
    found = _problems(tmp_path, text, files)
    assert [(p.code, p.span.start) for p in found] == [("dvc-variable-type", Pos(3, 6))]
    text = "artifacts:\n  m:\n    path: p\n    meta:\n      ${l}: 1\n      ${name}: 2\n"
    assert [(p.code, p.span.start) for p in _problems(tmp_path, text, files)] == [("dvc-variable-type", Pos(4, 6))]


def test_python_params_as_dvc_reads_them(tmp_path: Path) -> None:
    from gto_lsp.core.formats.dvc.pipeline.params import read_params

    text = (
        "import os\nLR = 0.1\nA = B = 2\nN: int = 3\nPATH = os.path.join('a')\n"
        "class Train:\n    EPOCHS = 5\n    def __init__(self):\n        self.seed = 7\n        other = 1\n"
    )
    repo = _repo(tmp_path, {"params.py": text})
    assert read_params(repo, "params.py").data == {"LR": 0.1, "N": 3, "Train": {"EPOCHS": 5, "seed": 7}}


def test_plain_numbers_read_as_ruamel_reads_them() -> None:
    """The shortcut for plain numbers (foreach lists of thousands) gives what a ruamel load gives."""
    from gto_lsp.core.formats.dvc.pipeline.interpolate import Context
    from gto_lsp.core.formats.dvc.pipeline.nodes import Where, resolve_node
    from gto_lsp.core.yaml.nodes import MappingNode
    from gto_lsp.core.yaml.render import load

    texts = ["0", "-12", "+3", "12345678901234567890", "1.5", ".5", "1.", "-2.5e3", "1e5", "007", "0o17", "1_000"]
    text = "stages:\n  s:\n    foreach: [" + ", ".join(texts) + "]\n    do:\n      cmd: echo ${item}\n"
    document = parse_dvc(text)
    definition = document.stages[0].block.value
    assert isinstance(definition, MappingNode)
    node = definition.value[0][1]
    found = resolve_node(Where.of(document.stages[0]), node, Context(), None, data=True)
    expected = load(text)["stages"]["s"]["foreach"]
    assert [(type(v), v) for v in found] == [(type(v), v) for v in expected]
