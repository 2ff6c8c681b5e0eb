"""Differential test of dvc.yaml's pipeline schema (formats/dvc/pipeline/validate.py) against real DVC 3.67.1.

For ~180 dvc.yaml texts (hand cases, and a complete valid file mutated at every key and value: wrong types, typo'd
and unknown keys, missing required keys), DVC refuses the file (what `dvc status` meets building the index:
YAML, the schema, building the stages) exactly when the document's parse problems and `schema_problems` hold a
problem whose code refuses the file for DVC. Cases stay clear of what other modules decide (`${}` resolution,
vars files, the outputs' graph): every `${}` here resolves and no vars file is named.
"""

from __future__ import annotations

import copy
import datetime
import random
import re
from typing import Any, Iterator

import pytest
import yaml
from ruamel.yaml import YAML

from compat import dvc_runner
from compat import gto_runner as gr
from gto_lsp.core.codes import refuses
from gto_lsp.core.formats.dvc.document import parse_dvc
from gto_lsp.core.formats.dvc.pipeline.schema import json_schema
from gto_lsp.core.formats.dvc.pipeline.validate import schema_problems

pytestmark = pytest.mark.compat

_FLAGS = {"cache": False, "persist": True, "push": False, "remote": "r", "checkpoint": False, "desc": "d"}
BASE: dict[str, Any] = {
    "vars": [{"x": 1, "names": ["a", "b"]}],
    "stages": {
        "train": {
            "cmd": "python train.py",
            "wdir": ".",
            "deps": ["data.csv"],
            "params": ["lr", {"custom.yaml": ["a", "b"]}],
            "outs": ["model.pkl", {"big": {**_FLAGS, "type": "model", "labels": ["l"], "meta": {"a": 1}}}],
            "metrics": [{"m.json": {"cache": False}}],
            "plots": ["p.csv", {"q.csv": {"x": "a", "y": "b", "header": True, "template": "linear", "title": "t"}}],
            "frozen": False,
            "always_changed": False,
            "desc": "Train",
            "meta": {"owner": "me"},
        },
        # No `${item}` in these: mutated items would make them resolution cases (interpolation decides those).
        "each": {"foreach": ["a", "b"], "do": {"cmd": "echo each"}},
        "grid": {"matrix": {"p": [1, 2], "q": ["u"]}, "cmd": "echo grid"},
    },
    "params": ["extra.yaml"],
    "metrics": ["dvclive/metrics.json"],
    "plots": [
        "a.csv",
        {"roc": {"x": "fpr", "y": {"roc.json": ["tpr"]}, "title": "ROC", "x_label": "a", "y_label": "b"}},
        {"named.csv": None},
    ],
    "datasets": [{"name": "d", "type": "dvc", "url": "u"}],
}
VALUES: list[Any] = [None, 1, 1.5, "x", [], {}, True, datetime.date(2020, 1, 1), ["x"], {"k": "v"}, [1], {"k": 1}]
TYPOS = {"cmd": "Cmd", "deps": "dep", "outs": "out", "stages": "stage", "plots": "plot", "cache": "cahce"}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from _paths(value, (*path, index))


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


def _dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _mutations() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("base", _dump(BASE))]
    rng = random.Random(14)
    paths = list(_paths(BASE))
    for path in paths:
        name = "/".join(str(p) for p in path)
        if path[0] == "vars":
            continue  # a string there names a vars file: resolution, not the schema
        for value in rng.sample(VALUES, 2):
            doc = copy.deepcopy(BASE)
            _parent(doc, path)[path[-1]] = value
            out.append((f"set {name} = {value!r}", _dump(doc)))
        key = path[-1]
        if isinstance(key, str):
            doc = copy.deepcopy(BASE)
            parent = _parent(doc, path)
            renamed = TYPOS.get(key, key + "s")
            parent[renamed] = parent.pop(key)
            out.append((f"rename {name} -> {renamed}", _dump(doc)))
            doc = copy.deepcopy(BASE)
            del _parent(doc, path)[key]
            out.append((f"delete {name}", _dump(doc)))
    return out


HAND: list[tuple[str, str]] = [
    ("anchor holder", "x-common: &c\n  cmd: x\nstages:\n  a: *c\n"),
    ("artifact typo", "artifact:\n  m:\n    path: m.pkl\n"),
    ("Artifacts", "Artifacts: {}\n"),
    ("int top key", "1: x\n"),
    ("yes bool", "stages:\n  a:\n    cmd: x\n    frozen: yes\n"),
    ("True bool", "stages:\n  a:\n    cmd: x\n    frozen: True\n"),
    ("quoted bool", "stages:\n  a:\n    cmd: x\n    frozen: 'true'\n"),
    ("date desc", "stages:\n  a:\n    cmd: x\n    desc: 2020-01-01\n"),
    ("binary cmd", "stages:\n  a:\n    cmd: !!binary aGVsbG8=\n"),
    ("str tag", "stages:\n  a:\n    cmd: !!str 1\n"),
    ("bare =", "stages:\n  a:\n    cmd: x\n    desc: =\n"),
    ("custom tag", "stages:\n  a:\n    cmd: !foo x\n"),
    ("merge", "stages:\n  a: &b\n    cmd: x\n  b:\n    <<: *b\n    desc: d\n"),
    ("merge bad", "stages:\n  a: &b\n    cmd: x\n  b:\n    <<: *b\n    desc: 1\n"),
    ("merge wrong", "stages:\n  a: &b\n    cmd: 1\n  b:\n    <<: *b\n"),
    ("alias list", "stages:\n  a:\n    cmd: x\n    deps: &d [a]\n  b:\n    cmd: x\n    deps: [*d]\n"),
    ("empty stage", "stages:\n  a:\n"),
    ("stage list", "stages:\n  a:\n    - cmd: x\n"),
    ("stage at", "stages:\n  a@b:\n    cmd: x\n"),
    ("stage at foreach", "stages:\n  a@b:\n    foreach: [1]\n    do:\n      cmd: x\n"),
    ("stage at matrix", "stages:\n  a@b:\n    matrix: {x: [1]}\n    cmd: x\n"),
    ("stage slash", "stages:\n  a/b:\n    cmd: x\n"),
    ("stage colon", "stages:\n  'a:b':\n    cmd: x\n"),
    ("stage empty name", "stages:\n  '':\n    cmd: x\n"),
    ("stage int name", "stages:\n  1:\n    cmd: x\n"),
    ("stage null name", "stages:\n  null:\n    cmd: x\n"),
    ("foreach expr", "vars: [{l: [1, 2]}]\nstages:\n  a:\n    foreach: ${l}\n    do:\n      cmd: echo ${item}\n"),
    ("foreach empty", "stages:\n  a:\n    foreach: []\n    do:\n      cmd: x\n"),
    ("foreach and cmd", "stages:\n  a:\n    foreach: [1]\n    cmd: x\n"),
    ("do alone", "stages:\n  a:\n    do:\n      cmd: x\n"),
    ("do null", "stages:\n  a:\n    foreach: [1]\n    do:\n"),
    ("do matrix", "stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n      matrix: {y: [1]}\n"),
    ("foreach matrix", "stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n    matrix: {y: [1]}\n"),
    ("matrix empty", "stages:\n  a:\n    matrix: {}\n    cmd: x\n"),
    ("matrix empty list", "stages:\n  a:\n    matrix: {x: []}\n    cmd: x\n"),
    ("matrix str", "stages:\n  a:\n    matrix: {x: abc}\n    cmd: x\n"),
    ("matrix int key", "stages:\n  a:\n    matrix: {1: [a]}\n    cmd: x\n"),
    ("params file int", "stages:\n  a:\n    cmd: x\n    params: [{f.yaml: 5}]\n"),
    ("params file str", "stages:\n  a:\n    cmd: x\n    params: [{f.yaml: k}]\n"),
    ("params file empty", "stages:\n  a:\n    cmd: x\n    params: [{f.yaml: ''}, {g.yaml: []}, {h.yaml: 0}]\n"),
    ("plots empty item", "plots:\n  - {}\n"),
    ("plots two names", "plots:\n  - a:\n    b:\n"),
    ("plots header", "plots:\n  - a: {header: true}\n"),
    ("plots y map", "plots:\n  - a: {y: {f.csv: [1]}}\n"),
    ("stage plots list", "stages:\n  a:\n    cmd: x\n    plots:\n      - a: [{x: a}, {header: true}]\n"),
    ("stage plots empty list", "stages:\n  a:\n    cmd: x\n    plots:\n      - a: []\n"),
    ("stage plots flags", "stages:\n  a:\n    cmd: x\n    plots:\n      - a: {x: a, y: b, header: false}\n"),
    ("stage plots null", "stages:\n  a:\n    cmd: x\n    plots:\n      - a:\n"),
    ("outs two paths", "stages:\n  a:\n    cmd: x\n    outs:\n      - a: {}\n        b: {cache: false}\n"),
    ("outs null flags", "stages:\n  a:\n    cmd: x\n    outs:\n      - a:\n"),
    ("outs md5", "stages:\n  a:\n    cmd: x\n    md5: abc\n"),
    ("datasets null", "datasets:\n"),
    ("datasets str", "datasets: abc\n"),
    ("datasets map", "datasets: {a: 1}\n"),
    ("datasets items", "datasets: [1, x]\n"),
    ("empty", ""),
    ("stages null", "stages:\n"),
    ("stages flow", "stages: {a: {cmd: x, frozen: 1}}\n"),
    ("indent 4", "stages:\n    a:\n        cmd: x\n        frozen: no\n"),
    ("params null", "params:\n"),
    ("metrics str", "metrics: m.json\n"),
    ("cmd empty list", "stages:\n  a:\n    cmd: []\n"),
    ("cmd mixed list", "stages:\n  a:\n    cmd: [1, [2], {a: 1}]\n"),
    ("cmd mapping", "stages:\n  a:\n    cmd: {}\n"),
    ("frozen null", "stages:\n  a:\n    cmd: x\n    frozen: null\n"),
    ("outs empty path", "stages:\n  a:\n    cmd: x\n    outs: ['']\n"),
    ("deps empty path", "stages:\n  a:\n    cmd: x\n    deps: ['']\n"),
    ("deps blank path", "stages:\n  a:\n    cmd: x\n    deps: [' ']\n"),
    ("merge list", "stages:\n  t: &t\n    cmd: x\n  u: &u\n    cmd: y\n    desc: d\n  v:\n    <<: [*t, *u]\n"),
    ("merge overridden", "stages:\n  t: &t\n    cmd: 1\n  v:\n    <<: *t\n    cmd: ok\n"),
    ("vars empty", "vars:\n  - {}\n  - []\n"),
    ("plots y empty", "plots:\n  - a: {y: {}}\n"),
    ("params file mapping", "stages:\n  a:\n    cmd: x\n    params: [{f.yaml: {a: 1}}]\n"),
    ("params file true", "stages:\n  a:\n    cmd: x\n    params: [{f.yaml: true}]\n"),
    ("params file empty mapping", "stages:\n  a:\n    cmd: x\n    params: [{}, {f.yaml: {}}]\n"),
    ("matrix mapping value", "stages:\n  a:\n    matrix:\n      x: [1]\n      y: {a: 1}\n    cmd: x\n"),
    ("foreach set", "stages:\n  a:\n    foreach: !!set {a, b}\n    do:\n      cmd: x\n"),
    ("datasets set", "datasets: !!set {a}\n"),
    ("meta binary", "stages:\n  a:\n    cmd: x\n    meta: !!binary aGVsbG8=\n"),
    ("list stage name", "stages:\n  ? [a]\n  : cmd: x\n"),
    ("stage name space", "stages:\n  A B:\n    cmd: x\n"),
    ("stages omap", "stages: !!omap\n  - a: {cmd: x}\n"),
    ("stage omap", "stages:\n  a: !!omap\n    - cmd: x\n"),
    ("stage omap bad", "stages:\n  a: !!omap\n    - cmd: 1\n"),
    ("live", "stages:\n  train:\n    cmd: python train.py\n    live:\n      logs:\n        summary: true\n"),
    ("checkpoints", "stages:\n  train:\n    cmd: python train.py\n    checkpoints:\n      - model.pt\n"),
]

CASES = HAND + _mutations()


def _refusals(text: str) -> list[str]:
    document = parse_dvc(text)
    problems = [*document.problems, *schema_problems(document.top, document.stages)]
    return [f"{p.code} {p.span.start.line}:{p.span.start.col} {p.message}" for p in problems if refuses(p.code, "dvc")]


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict[str, Any]]:
    if gr.venv_python("dvc367") is None:
        pytest.skip(gr.missing_venv_message("dvc367"))
    results = dvc_runner.run_dvc([{"files": {"dvc.yaml": text}} for _, text in CASES])
    out = {}
    for (name, _), result in zip(CASES, results):
        assert "crash" not in result, f"{name}: {result['crash']}"
        out[name] = result["verdicts"]["dvc.yaml"]
    return out


def test_enough_cases() -> None:
    assert len(CASES) >= 150 and len({name for name, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "text"), CASES, ids=[name for name, _ in CASES])
def test_dvc_refuses_exactly_when_we_report_a_refusal(
    verdicts: dict[str, dict[str, Any]], name: str, text: str
) -> None:
    verdict = verdicts[name]
    ours = _refusals(text)
    dvc_refuses = not verdict["ok"]
    said = "loads it" if verdict["ok"] else f"refuses it ({verdict['kind']}): {verdict['error']} {verdict['errors']}"
    assert dvc_refuses == bool(ours), f"\n{text}\nDVC {said}\nours: {ours}"


# --- the exported JSON schema (pipeline/schema.py's json_schema) against DVC's schema verdicts ----------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"  # a date, bytes, a set: JSON has none


def _valid(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    """The subset of draft-07 json_schema() uses (no JSON schema library in the project's environment)."""
    if "$ref" in schema:
        return _valid(value, root["definitions"][schema["$ref"].rsplit("/", 1)[-1]], root)
    if "anyOf" in schema and not any(_valid(value, s, root) for s in schema["anyOf"]):
        return False
    if "oneOf" in schema and sum(_valid(value, s, root) for s in schema["oneOf"]) != 1:
        return False
    kind = _json_type(value)
    if "const" in schema and (value != schema["const"] or _json_type(schema["const"]) != kind):
        return False
    types = schema.get("type")
    if types is not None:
        allowed = {types} if isinstance(types, str) else set(types)
        if kind not in allowed and not (kind == "integer" and "number" in allowed):
            return False
    if kind == "string":
        if len(value) < schema.get("minLength", 0):
            return False
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            return False
    if kind == "array" and "items" in schema:
        return all(_valid(item, schema["items"], root) for item in value)
    if kind == "object":
        if not schema.get("minProperties", 0) <= len(value) <= schema.get("maxProperties", len(value)):
            return False
        if any(k not in value for k in schema.get("required", [])):
            return False
        properties = schema.get("properties", {})
        for key, item in value.items():
            rule = properties[key] if key in properties else schema.get("additionalProperties", True)
            if rule is False or (key not in properties and not isinstance(key, str)):
                return False
            if isinstance(rule, dict) and not _valid(item, rule, root):
                return False
    return True


SCHEMA_CASES = [(name, text) for name, text in CASES if "!!" not in text and "=" not in text]


@pytest.mark.parametrize(("name", "text"), SCHEMA_CASES, ids=[name for name, _ in SCHEMA_CASES])
def test_the_json_schema_agrees_with_dvcs_schema(verdicts: dict[str, dict[str, Any]], name: str, text: str) -> None:
    """Where DVC loads the file or refuses it for its schema (not for resolution), the JSON schema says the same."""
    verdict = verdicts[name]
    if not verdict["ok"] and verdict["kind"] != "schema":
        pytest.skip(f"DVC refuses it for {verdict['kind']}, which a JSON schema does not express")
    data = YAML(typ="safe").load(text) or {}
    assert _valid(data, json_schema(), json_schema()) == verdict["ok"], f"\n{text}\nDVC: {verdict}"
