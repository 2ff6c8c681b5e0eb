"""Inputs for the differential tests against real DVC 3.67.1 (test_dvc_differential.py).

* read_cases(): `dvc.yaml` files (and a few `sub/dvc.yaml`, `params.yaml`) for DVC's reader verdict, what it reads
  and its invalid-name warnings: dvc-artifacts-spec.md §2 (each field with every YAML scalar kind, nulls, missing
  path, extra keys, non-mapping entries and sections), §3-§4 (names), YAML oddities (duplicates, anchors, merge keys,
  comments, CRLF, BOM, flow style, documents, syntax errors inside and outside the section), the section among
  stages/plots/params/metrics/vars, nested folders, `${}` interpolation (``interp=True``: values are not compared),
  plus seeded random entries and line mutations. Stages, plots and the rest are always valid (our checker never
  diagnoses them beyond YAML syntax).
* ANNOTATE_FILES x ANNOTATE_OPS: hand-written files (or no file) and one annotate/remove call.
* MIGRATE_CASES: an artifacts.yaml (and maybe a dvc.yaml), what DVC must read after `migrate`, what is skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Optional

from compat import cases as C


@dataclass(frozen=True)
class DvcCase:
    id: str
    files: dict[str, str]  # relpath -> text, written byte for byte
    interp: bool = False  # `${...}` in the artifacts: DVC resolves it, we read the raw text

    @property
    def dvcfiles(self) -> list[str]:
        return sorted(rel for rel in self.files if rel.rsplit("/", 1)[-1] == "dvc.yaml")


# --- the rest of a dvc.yaml: always valid ---------------------------------------------------------------------

STAGES = (
    "stages:\n"
    "  train:\n"
    "    cmd: python train.py --lr 0.1 --epochs 10 --output models/rf.pkl --log-dir logs/train --seed 42\n"
    "    deps:\n"
    "      - train.py\n"
    "      - data/train.csv\n"
    "    outs:\n"
    "    - models/rf.pkl\n"
)
PLOTS = "plots:\n  - plots/metrics.json\n  - plots/roc.json:\n      x: fpr\n      y: tpr\n"
PARAMS = "params:\n- params.yaml\n"
METRICS = "metrics:\n  - metrics.json\n"
VARS = "vars:\n  - lr: 0.1\n    name: from-vars\n    n: 3\n    d: {a: 1}\n    lst: [a, b]\n    bad: a.b\n"
SECTIONS = {"stages": STAGES, "plots": PLOTS, "params": PARAMS, "metrics": METRICS, "vars": VARS}

ENTRY = "  rf:\n    path: models/rf.pkl\n    type: model\n    desc: Random forest\n    labels:\n    - aa\n    - bb\n"
SECTION = "artifacts:\n" + ENTRY + "  nn:\n    path: nn.pkl\n"


def _indent(value: str, by: int) -> str:
    """`value` with every line after the first moved right by `by` spaces (blank lines stay blank)."""
    first, *rest = value.split("\n")
    return "\n".join([first, *((" " * by + line) if line.strip() else line for line in rest)])


def _one(id: str, text: str, interp: bool = False) -> tuple[str, DvcCase]:
    return id, DvcCase(id, {"dvc.yaml": text}, interp)


# --- §2: every field with every kind of YAML value -----------------------------------------------------------------

# Written for a field at indent 0 (continuation lines relative to it).
KINDS = [
    "hello",
    "'quoted'",
    '"double"',
    "5",
    "-1",
    "0x1F",
    "0o17",
    "1_000",
    "1.0",
    "1e3",
    ".inf",
    ".nan",
    "true",
    "false",
    "True",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "Null",
    "~",
    "",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "12:30",
    "'123'",
    '"true"',
    "''",
    '""',
    "[a, b]",
    "[]",
    "[1]",
    "[a, null]",
    "[a, [b]]",
    "{a: 1}",
    "{}",
    "|\n  block\n  text",
    ">-\n  folded\n  text",
    "|-\n",
    "\n  - a\n  - b",
    "\n- a\n- b",
    "\n  - 1\n  - a",
    "\n  a: 1\n  b: [x]",
    "!!str 5",
    '!!int "5"',
    "!!binary aGVsbG8=",
    "!!set {a}",
    "!foo x",
    "&v anchored",
    "a # comment",
    "a#b",
    "${not_interpolated_here",
    "Ünïcödé 🚀",
    "C:\\models\\rf.pkl",
    "s3://bucket/rf.pkl",
    "/abs/rf.pkl",
    "../outside.pkl",
]

# GTO's field-value table of the artifacts.yaml tests, under DVC's names (written for a field at indent 2).
_GTO_FIELDS = {"desc": "description", "meta": "custom", "path": "path", "type": "type", "labels": "labels"}


def _field_values(name: str) -> list[str]:
    values = [_indent(v, 2) for v in KINDS]  # at indent 2, like the GTO table
    values += C._FIELD_VALUES[_GTO_FIELDS[name]]
    return list(dict.fromkeys(values))


def _field_cases() -> list[tuple[str, DvcCase]]:
    out = []
    for name in _GTO_FIELDS:
        path = "" if name == "path" else "    path: models/rf.pkl\n"
        for i, value in enumerate(_field_values(name)):
            block = _indent(value, 2)  # the field is at indent 4 in dvc.yaml
            sep = "" if block.startswith("\n") or block == "" else " "
            out.append(_one(f"field-{name}-{i}", f"artifacts:\n  rf:\n{path}    {name}:{sep}{block}\n"))
            if "\n" not in value and not value.startswith(("!", "&", "|", ">")) and len(value) < 200:
                flow_path = "" if name == "path" else "path: models/rf.pkl, "
                out.append(_one(f"field-{name}-{i}-flow", f"artifacts:\n  rf: {{{flow_path}{name}: {value}}}\n"))
    return out


# --- §2: entries and the section ---------------------------------------------------------------------------------

_ENTRY_SHAPES = {
    "no-path": "rf:\n    type: model\n",
    "no-path-flow": "rf: {type: model, desc: x}\n",
    "empty-flow": "rf: {}\n",
    "null": "rf:\n",
    "null-word": "rf: null\n",
    "tilde": "rf: ~\n",
    "string": "rf: models/rf.pkl\n",
    "int": "rf: 5\n",
    "list": "rf: [models/rf.pkl]\n",
    "block-list": "rf:\n    - path: x\n",
    "empty-string": "rf: ''\n",
    "tagged-map": "rf: !!map {path: x}\n",
    "omap": "rf: !!omap [{path: x}]\n",
    "set": "rf: !!set {path}\n",
    "block-scalar": "rf: |\n    path: x\n",
    "anchored": "rf: &e\n    path: x\n",
    "only-path": "rf:\n    path: x\n",
    "all-fields": "rf:\n    path: x\n    desc: d\n    type: t\n    labels: [l]\n    meta: {k: v}\n",
    "dvclive-order": "rf:\n    path: x\n    type: t\n    desc: d\n    labels: [l]\n    meta: m\n",
    "keys-reversed": "rf:\n    meta: m\n    labels: [l]\n    type: t\n    desc: d\n    path: x\n",
    "explicit-field-key": "rf:\n    ? path\n    : x\n",
    "value-next-line": "rf:\n    path:\n      models/rf.pkl\n",
    "plain-multiline": "rf:\n    path: x\n    desc: a\n      b\n",
    "int-field-key": "rf: {path: x, 1: a}\n",
    "null-field-key": "rf: {path: x, null: a}\n",
    "list-field-key": "rf: {path: x, [a]: b}\n",
    "quoted-field-key": "rf: {'path': x, \"desc\": y}\n",
    "tagged-field-key": "rf: {!!str path: x}\n",
}
_EXTRA_KEYS = ["description", "custom", "virtual", "owner", "Path", "PATH", "desc ", "label", "metadata", "name"]


def _entry_cases() -> list[tuple[str, DvcCase]]:
    out = [_one(f"entry-{k}", "artifacts:\n  " + v + "  nn: {path: nn.pkl}\n") for k, v in _ENTRY_SHAPES.items()]
    for key in _EXTRA_KEYS:
        out.append(_one(f"extra-{key.strip()}-block", f"artifacts:\n  rf:\n    path: x\n    {key}: 1\n"))
        out.append(_one(f"extra-{key.strip()}-flow", f"artifacts:\n  rf: {{path: x, '{key}': v}}\n"))
    out += [
        _one("extra-virtual-false", "artifacts:\n  rf:\n    path: x\n    virtual: false\n"),
        _one("extra-gto-copy", "artifacts:\n  rf:\n    path: x\n    description: d\n    custom: {a: 1}\n"),
        _one("extra-nested", "artifacts:\n  rf:\n    path: x\n    foo:\n      bar: [1, {a: b}]\n"),
        _one("extra-and-missing-path", "artifacts:\n  rf:\n    description: d\n"),
        _one("extra-null", "artifacts:\n  rf:\n    path: x\n    custom:\n"),
    ]
    return out


_SECTIONS = {
    "null": "artifacts:\n",
    "null-word": "artifacts: null\n",
    "tilde": "artifacts: ~\n",
    "empty-flow": "artifacts: {}\n",
    "empty-list": "artifacts: []\n",
    "list": "artifacts: [rf]\n",
    "block-list": "artifacts:\n  - rf:\n      path: x\n",
    "string": "artifacts: rf\n",
    "int": "artifacts: 5\n",
    "bool": "artifacts: true\n",
    "empty-string": "artifacts: ''\n",
    "block-scalar": "artifacts: |\n  rf:\n    path: x\n",
    "tagged-map": "artifacts: !!map\n  rf: {path: x}\n",
    "omap": "artifacts: !!omap\n  - rf: {path: x}\n",
    "set": "artifacts: !!set {rf}\n",
    "flow": "artifacts: {rf: {path: x, type: model}, nn: {path: y}}\n",
    "flow-multiline": "artifacts: {\n  rf: {path: x,\n    type: model},\n  nn: {path: y}\n}\n",
    "flow-null-entry": "artifacts: {rf: }\n",
    "flow-key-only": "artifacts: {rf}\n",
    "flow-trailing-comma": "artifacts: {rf: {path: x}, }\n",
    "anchored": "artifacts: &a\n  rf: {path: x}\n",
    "comment-only-body": "artifacts:\n  # nothing yet\n",
    "indent-4": "artifacts:\n    rf:\n        path: x\n        labels:\n            - a\n",
    "indent-1": "artifacts:\n rf:\n  path: x\n  labels:\n  - a\n",
    "list-indented": "artifacts:\n  rf:\n    path: x\n    labels:\n      - a\n      - b\n",
    "list-not-indented": "artifacts:\n  rf:\n    path: x\n    labels:\n    - a\n",
}
_TOPS = {
    "empty": "",
    "newline": "\n",
    "comment": "# only a comment\n",
    "null": "null\n",
    "empty-map": "{}\n",
    "empty-list": "[]\n",
    "zero": "0\n",
    "false": "false\n",
    "empty-string": "''\n",
    "string": "artifacts\n",
    "list": "- artifacts\n",
    "int": "5\n",
    "flow-top": "{artifacts: {rf: {path: x}}, stages: {}}\n",
    "flow-top-multiline": "{\n  artifacts: {rf: {path: x}},\n  metrics: [m.json]\n}\n",
    "only-stages": STAGES,
    "tagged-top": "!!map\nartifacts:\n  rf: {path: x}\n",
    "anchored-top": "&t\nartifacts:\n  rf: {path: x}\n",
}


def _section_cases() -> list[tuple[str, DvcCase]]:
    out = [_one(f"section-{k}", v) for k, v in _SECTIONS.items()]
    out += [_one(f"top-{k}", v) for k, v in _TOPS.items()]
    return out


# --- §4: names -------------------------------------------------------------------------------------------------------

_NON_STRING_KEYS = {
    "int": "123",
    "float": "1.5",
    "true": "true",
    "null": "null",
    "tilde": "~",
    "date": "2024-01-01",
    "hex": "0x1F",
    "inf": ".inf",
    "list": "[a]",
    "map-explicit": "? {a: 1}\n ",
    "tagged-int": "!!int 5",
    "tagged-str": "!!str 5",
    "binary": "!!binary aGVsbG8=",
    "empty-quoted": "''",
}


def _name_cases() -> list[tuple[str, DvcCase]]:
    out = []
    names = [
        *C.VALID_NAMES,
        *C.INVALID_NAMES,
        *C.YAML_LOOKING_NAMES,
        C.LONG_NAME_90,
        C.LONG_NAME_140,
        "nlp/bert",
        "a/b/c",
        "dir/",
        "sub/dir:clf",
        "sub/dir/dvc.yaml:clf",
        "rf@v1",
        "rf#prod",
        "Bad.Name",
        "My Model",
        "ab__cd",
        "a--b",
        "a_",
        "Ω",
    ]
    for i, name in enumerate(dict.fromkeys(names)):
        out.append(_one(f"name-{i}-quoted", f"artifacts:\n  {C._q(name)}:\n    path: x\n"))
        out.append(_one(f"name-{i}-dq", f"artifacts:\n  {C._dq(name)}: {{path: x}}\n"))
        out.append(_one(f"name-{i}-plain", f"artifacts:\n  {name}:\n    path: x\n"))
        out.append(_one(f"name-{i}-flow", f"artifacts: {{{name}: {{path: x}}}}\n"))
    for kind, key in _NON_STRING_KEYS.items():
        out.append(_one(f"key-{kind}", f"artifacts:\n  {key}: {{path: x}}\n  rf: {{path: y}}\n"))
    out.append(_one("names-two-invalid", "artifacts:\n  a.b: {path: x}\n  c d: {path: y}\n  ok: {path: z}\n"))
    return out


# --- duplicates, anchors, merge keys -----------------------------------------------------------------------------

_DUPLICATES = {
    "dup-name": "artifacts:\n  rf: {path: x}\n  rf: {path: y}\n",
    "dup-name-far": "artifacts:\n  rf: {path: x}\n  nn: {path: z}\n  rf: {path: y}\n",
    "dup-name-quoted": "artifacts:\n  rf: {path: x}\n  'rf': {path: y}\n",
    "dup-name-dq": 'artifacts:\n  rf: {path: x}\n  "r\\u0066": {path: y}\n',
    "dup-name-int-and-str": "artifacts:\n  '123': {path: x}\n  123: {path: y}\n",
    "dup-name-case": "artifacts:\n  rf: {path: x}\n  RF: {path: y}\n",
    "dup-name-flow": "artifacts: {rf: {path: x}, rf: {path: y}}\n",
    "dup-path": "artifacts:\n  rf:\n    path: x\n    path: y\n",
    "dup-path-flow": "artifacts:\n  rf: {path: x, path: x}\n",
    "dup-labels-key": "artifacts:\n  rf:\n    path: x\n    labels: [a]\n    labels: [b]\n",
    "dup-meta-inner": "artifacts:\n  rf:\n    path: x\n    meta:\n      a: 1\n      a: 2\n",
    "dup-meta-in-list": "artifacts:\n  rf:\n    path: x\n    meta: [{a: 1, a: 2}]\n",
    "dup-labels-items": "artifacts:\n  rf:\n    path: x\n    labels: [a, a]\n",
    "dup-section": "artifacts:\n  rf: {path: x}\nartifacts:\n  nn: {path: y}\n",
    "dup-section-empty": "artifacts: {}\n" + STAGES + "artifacts:\n  nn: {path: y}\n",
    "dup-stage": "stages:\n  a:\n    cmd: echo a\n  a:\n    cmd: echo b\nartifacts:\n  rf: {path: x}\n",
    "dup-in-metrics": "metrics:\n  - {a: 1, a: 2}\nartifacts:\n  rf: {path: x}\n",
    "same-name-two-files-ok": "artifacts:\n  rf: {path: x}\n",
}

_ANCHORS = {
    "alias-entry": "artifacts:\n  rf: &e {path: x, type: model}\n  nn: *e\n",
    "alias-path": "artifacts:\n  rf:\n    path: &p models/rf.pkl\n  nn:\n    path: *p\n",
    "alias-labels": "artifacts:\n  rf:\n    path: x\n    labels: &l [a, b]\n  nn:\n    path: y\n    labels: *l\n",
    "alias-meta": "artifacts:\n  rf:\n    path: x\n    meta: &m {a: [1, 2]}\n  nn:\n    path: y\n    meta: *m\n",
    "alias-from-vars": "vars:\n  - base: &b {path: x, type: model}\nartifacts:\n  rf: *b\n",
    "merge-entry": "artifacts:\n  rf: &e {path: x, type: model}\n  nn:\n    <<: *e\n    path: y\n",
    "merge-from-vars": "vars:\n  - base: &b {type: model, desc: d}\nartifacts:\n  rf:\n    <<: *b\n    path: x\n",
    "merge-inline": "artifacts:\n  rf:\n    <<: {path: x}\n    type: t\n",
    "merge-list": "artifacts:\n  rf:\n    <<: [{path: a}, {type: b}]\n",
    "merge-override": "artifacts:\n  rf: &e {path: x, type: a}\n  nn:\n    <<: *e\n    type: b\n",
    "merge-scalar": "artifacts:\n  rf:\n    path: x\n    <<: 5\n",
    "merge-bad-field": "vars:\n  - base: &b {path: 5}\nartifacts:\n  rf:\n    <<: *b\n",
    "merge-bad-field-overridden": "vars:\n  - base: &b {path: 5}\nartifacts:\n  rf:\n    <<: *b\n    path: x\n",
    "merge-into-section": "vars:\n  - arts: &a\n      rf: {path: x}\nartifacts:\n  <<: *a\n  nn: {path: y}\n",
    "merge-extra-key": "vars:\n  - base: &b {virtual: false}\nartifacts:\n  rf:\n    <<: *b\n    path: x\n",
    "alias-undefined": "artifacts:\n  rf: *nope\n",
    "alias-recursive-meta": "artifacts:\n  rf: &a\n    path: x\n    meta: *a\n",
    "anchor-reused": "artifacts:\n  rf: &a {path: x}\n  nn: &a {path: y}\n  mm: *a\n",
    "alias-section": "vars:\n  - arts: &a {rf: {path: x}}\nartifacts: *a\n",
    "alias-name": "artifacts:\n  &n rf: {path: x}\n  nn: {path: y, desc: *n}\n",
    "merge-scalar-in-section": "artifacts:\n  rf: {path: x}\n  <<: model\n",
    "merge-map-in-section": "artifacts:\n  rf: {path: x}\n  <<: {type: model, path: y}\n",
    "merge-entries-in-section": "artifacts:\n  <<: {rf: {path: x}, nn: {path: y}}\n",
    "merge-quoted-key": "artifacts:\n  rf:\n    path: x\n    '<<': {type: a}\n",
    "merge-entries-overridden": "artifacts:\n  <<: {rf: {path: x}, nn: {path: y}}\n  rf: {path: z, type: t}\n",
    "merge-entries-list": "vars:\n  - a: &a {rf: {path: x}}\n  - b: &b {nn: {path: y}, rf: {path: w}}\n"
    "artifacts:\n  <<: [*a, *b]\n",
    "anchor-reused-block": "artifacts:\n  rf: &a\n    path: x\n  nn: &a\n    path: y\n  mm: *a\n",
    "anchor-reused-meta": "artifacts:\n  rf:\n    path: x\n    meta: {a: &v 1, b: &v 2, c: *v}\n",
    # a plain `=` is YAML's value tag: ruamel's safe constructor refuses it as a value, reads it as a key
    "meta-equals": "artifacts:\n  rf:\n    path: x\n    meta: =\n",
    "meta-equals-nested": "artifacts:\n  rf:\n    path: x\n    meta: {a: [b, =]}\n",
    "meta-equals-key": "artifacts:\n  rf:\n    path: x\n    meta: {=: 1}\n",
    "meta-equals-text": "artifacts:\n  rf:\n    path: x\n    meta: {a: =b, c: '='}\n",
}


def _structure_cases() -> list[tuple[str, DvcCase]]:
    out = [_one(k, v) for k, v in (*_DUPLICATES.items(), *_ANCHORS.items())]
    two = {"dvc.yaml": "artifacts:\n  rf: {path: x}\n", "sub/dvc.yaml": "artifacts:\n  rf: {path: y}\n"}
    out.append(("dup-across-files", DvcCase("dup-across-files", two)))
    return out


# --- layout: comments, line ends, BOM, documents, the section among the others -------------------------------------

_LAYOUT = {
    "comments-everywhere": "# top\nartifacts:  # section\n  # before rf\n  rf:  # rf line\n    path: x  # p\n"
    "    # inside\n    type: model\n  # between\n  nn:\n    path: y\n# end\n",
    "comment-in-flow": "artifacts: {rf: {path: x,  # c\n    type: m}}\n",
    "hash-in-values": "artifacts:\n  rf:\n    path: 'a #b'\n    desc: a#b\n    labels: ['#x']\n",
    "crlf": SECTION.replace("\n", "\r\n"),
    "crlf-stages": (STAGES + SECTION).replace("\n", "\r\n"),
    "crlf-mixed": "artifacts:\r\n  rf:\n    path: x\r\n",
    "cr-only": "artifacts:\r  rf:\r    path: x\r",
    "bom": "\ufeff" + SECTION,
    "bom-crlf": ("\ufeff# c\n" + SECTION).replace("\n", "\r\n"),
    "bom-mid-line": "artifacts:\n  rf: {path: x}\n\ufeff  nn: {path: y}\n",
    "bom-in-value": "artifacts:\n  rf:\n    path: \ufeffx\n",
    "no-final-newline": SECTION.rstrip("\n"),
    "no-final-newline-flow": "artifacts: {rf: {path: x}}",
    "trailing-spaces": "artifacts:   \n  rf:   \n    path: x   \n",
    "blank-lines": "\n\nartifacts:\n\n  rf:\n\n    path: x\n\n\n  nn:\n    path: y\n\n",
    "tabs-indent": "artifacts:\n\trf:\n\t\tpath: x\n",
    "tab-after-colon": "artifacts:\n  rf:\n    path:\tx\n",
    "tab-in-value": "artifacts:\n  rf:\n    path: x\n    desc: a\tb\n",
    "tab-comment-line": "artifacts:\n\t# c\n  rf:\n    path: x\n",
    "nel-in-value": "artifacts:\n  rf:\n    path: x\n    desc: a\x85b\n",
    "nel-in-quoted": "artifacts:\n  rf:\n    path: x\n    desc: 'a\x85b'\n    labels: [\"c\x85d\"]\n",
    "nel-twice": "artifacts:\n  rf:\n    path: x\n    desc: a\x85\x85b\n    meta: {k: v\x85w}\n",
    "nel-in-literal": "artifacts:\n  rf:\n    path: x\n    desc: |\n      a\x85  b\n",
    "ls-in-value": "artifacts:\n  rf:\n    path: x\n    desc: a\u2028b\n",
    "control-in-value": "artifacts:\n  rf:\n    path: x\n    desc: a\x07b\n",
    "nul-in-value": "artifacts:\n  rf:\n    path: x\n    desc: a\x00b\n",
    "non-ascii": "artifacts:\n  rf:\n    path: données/x.pkl\n    desc: Ünïcödé 🚀\n    meta: {🚀: ü}\n",
    "doc-start": "---\n" + SECTION,
    "doc-start-end": "---\n" + SECTION + "...\n",
    "two-docs": SECTION + "---\nstages: {}\n",
    "two-docs-empty-second": SECTION + "---\n",
    "yaml-12": "%YAML 1.2\n---\n" + SECTION,
    "yaml-11": "%YAML 1.1\n---\nartifacts:\n  rf:\n    path: x\n    desc: yes\n    type: on\n",
    "yaml-11-labels": "%YAML 1.1\n---\nartifacts:\n  rf:\n    path: x\n    labels: [no, 1_000]\n",
    "directive-unknown": "%FOO bar\n---\n" + SECTION,
    "directive-unknown-bare": "%FOO\n---\n" + SECTION,
    "directive-unknown-with-tag": "%FOO bar baz\n%TAG !e! tag:example.com,2000:\n---\n" + SECTION,
    "indented-top": "  artifacts:\n    rf:\n      path: x\n",
    "long-lines": "artifacts:\n  rf:\n    path: models/" + "deep/" * 30 + "rf.pkl\n    desc: " + "word " * 300 + "\n",
    "many-entries": "artifacts:\n" + "".join(f"  m{i}:\n    path: m{i}.pkl\n" for i in range(80)),
    "block-scalars": "artifacts:\n  rf:\n    path: x\n    desc: |\n      line one\n      line two\n    type: >-\n"
    "      folded\n      type\n",
    "block-scalar-last-then-stages": "artifacts:\n  rf:\n    path: x\n    desc: |\n      line one\n" + STAGES,
    "folded-last-then-plots": "artifacts:\n  rf:\n    path: x\n    desc: >\n      folded\n      text\n\n" + PLOTS,
    "keep-last-then-stages": "artifacts:\n  rf:\n    path: x\n    desc: |+\n      kept\n\n" + STAGES,
    "cr-in-flow": "artifacts:\n  rf:\n    path: x\n    labels: [z\rz, aa]\n",
    "cr-in-plain": "artifacts:\n  rf:\n    path: x\n    desc: a\rb\n",
    "block-header-comment-no-space": "artifacts:\n  rf:\n    path: x\n    desc: >#c\n      folded\n",
    "quotes": "artifacts:\n  rf:\n    path: 'models/rf.pkl'\n    desc: \"it's\"\n    type: 'mo''del'\n",
    "dq-escapes": 'artifacts:\n  rf:\n    path: "a\\tb"\n    desc: "\\u00e9 \\x41 \\U0001F680"\n',
}


def _layout_cases() -> list[tuple[str, DvcCase]]:
    out = [_one(f"layout-{k}", v) for k, v in _LAYOUT.items()]
    # the section before, after and among the other top-level keys
    orders = [
        ("stages",),
        ("stages", "plots"),
        ("vars", "stages"),
        ("params", "metrics", "plots"),
        ("vars", "stages", "params", "metrics", "plots"),
    ]
    for order in orders:
        for at in range(len(order) + 1):
            parts = [SECTIONS[k] for k in order]
            parts.insert(at, SECTION)
            out.append(_one(f"among-{'-'.join(order)}-at{at}", "".join(parts)))
            out.append(_one(f"among-{'-'.join(order)}-at{at}-comments", "# c\n\n".join(parts) + "# end\n"))
    out.append(_one("among-flow-section", STAGES + "artifacts: {rf: {path: x}}\n" + PLOTS))
    out.append(_one("among-empty-stages", "stages: {}\n" + SECTION + "plots: []\n"))
    out.append(_one("among-comment-before-stages", SECTION + "# comment before stages\n" + STAGES))
    return out


# --- nested folders --------------------------------------------------------------------------------------------------

_NESTED: dict[str, dict[str, str]] = {
    "sub-ok": {"sub/dvc.yaml": SECTION},
    "sub-dir-ok": {"sub/dir/dvc.yaml": "artifacts:\n  clf:\n    path: ../../models/clf.pkl\n"},
    "sub-bad-root-ok": {"dvc.yaml": STAGES + SECTION, "sub/dvc.yaml": "artifacts:\n  rf:\n    type: model\n"},
    "sub-ok-root-bad": {"dvc.yaml": "artifacts:\n  rf: {path: 5}\n", "sub/dvc.yaml": SECTION},
    "sub-invalid-name": {"sub/dvc.yaml": "artifacts:\n  Bad.Name: {path: x}\n", "dvc.yaml": SECTION},
    "sub-syntax": {"sub/dvc.yaml": "artifacts:\n  rf: {path: x\n", "dvc.yaml": STAGES},
    "sub-only-stages": {"sub/dvc.yaml": STAGES.replace("train", "prep"), "dvc.yaml": SECTION},
    "three": {
        "dvc.yaml": SECTION,
        "a/dvc.yaml": "artifacts:\n  x: {path: x, labels: [a]}\n",
        "a/b/dvc.yaml": "artifacts:\n  y: {path: y, meta: {k: 1}}\n",
    },
    "dvc-yml-ignored": {"dvc.yml": "artifacts:\n  rf: {path: 5}\n", "dvc.yaml": SECTION},
}


def _nested_cases() -> list[tuple[str, DvcCase]]:
    return [(f"nested-{k}", DvcCase(f"nested-{k}", v)) for k, v in _NESTED.items()]


# --- YAML syntax errors, inside and outside the section --------------------------------------------------------------

_SYNTAX = {
    "in-unclosed-flow": "artifacts:\n  rf: {path: x\n",
    "in-bad-bracket": "artifacts:\n  rf: {path: [}\n",
    "in-unclosed-quote": "artifacts:\n  rf:\n    path: 'x\n",
    "in-unclosed-dq": 'artifacts:\n  rf:\n    path: x\n    desc: "abc\n',
    "in-bad-dedent": "artifacts:\n  rf:\n    path: x\n   type: m\n",
    "in-over-indent": "artifacts:\n  rf:\n      path: x\n    type: m\n",
    "in-seq-in-map": "artifacts:\n  rf:\n    path: x\n    - a\n",
    "in-two-colons": "artifacts:\n  rf: {}: c\n",
    "in-at-start": "artifacts:\n  @rf: {path: x}\n",
    "in-backtick": "artifacts:\n  rf:\n    path: `x`\n",
    "in-alias-with-props": "artifacts:\n  rf:\n    path: &a *b\n",
    "in-comment-no-space": "artifacts:\n  rf: {path: x}#c\n",
    "in-tab-indent": "artifacts:\n  rf:\n\tpath: x\n",
    "in-flow-interp": "artifacts:\n  rf: {path: ${p}}\n",
    "in-value-dedented": "artifacts:\n  rf:\n  path: x\n",
    "in-bad-block-scalar": "artifacts:\n  rf:\n    path: x\n    desc: |x\n      a\n",
    "out-stages-unclosed": "stages:\n  train:\n    cmd: [python train.py\n" + SECTION,
    "out-stages-bad-indent": "stages:\n  train:\n    cmd: python train.py\n   deps: [a]\n" + SECTION,
    "out-plots-tab": "plots:\n\t- a.json\n" + SECTION,
    "out-after-section": SECTION + "metrics: [m.json\n",
    "out-plain-after": SECTION + "foo\n",
    "out-list-after": SECTION + "- a\n",
    "out-vars-quote": "vars:\n  - a: 'x\n" + SECTION,
    "out-last-line": SECTION + "plots:\n  - {x: 1\n",
    "out-comment-no-space": STAGES + "#ok\nmetrics: [m.json]#c\n" + SECTION,
}


def _syntax_cases() -> list[tuple[str, DvcCase]]:
    return [_one(f"syntax-{k}", v) for k, v in _SYNTAX.items()]


# --- ${} interpolation (values not compared) ---------------------------------------------------------------------

_INTERP = {
    "desc-var": VARS + "artifacts:\n  rf:\n    path: x\n    desc: ${name}\n",
    "desc-dict": VARS + "artifacts:\n  rf:\n    path: x\n    desc: ${d}\n    type: ${n}\n",
    "path-var": VARS + "artifacts:\n  rf:\n    path: models/${name}.pkl\n",
    "labels-var": VARS + "artifacts:\n  rf:\n    path: x\n    labels: ${lst}\n",
    "labels-item-var": VARS + "artifacts:\n  rf:\n    path: x\n    labels: [a, '${name}']\n",
    "meta-var": VARS + "artifacts:\n  rf:\n    path: x\n    meta: {lr: '${lr}'}\n",
    "name-var": VARS + "artifacts:\n  ${name}:\n    path: x\n",
    "name-var-suffix": VARS + "artifacts:\n  model-${n}:\n    path: x\n",
    "name-int": VARS + "artifacts:\n  ${n}:\n    path: x\n",
    "name-bad": VARS + "artifacts:\n  ${bad}:\n    path: x\n",
    "missing-var": "artifacts:\n  rf:\n    path: ${missing}\n",
    "escaped": "artifacts:\n  rf:\n    path: x\n    desc: costs \\${n} dollars\n",
    "quoted": VARS + "artifacts:\n  rf:\n    path: x\n    desc: '${name}'\n",
    "params-yaml": "artifacts:\n  rf:\n    path: x\n    desc: ${model.desc}\n",
    "unclosed": "artifacts:\n  rf:\n    path: x\n    desc: ${name\n",
    "in-stage-only": VARS + "stages:\n  t:\n    cmd: python t.py --lr ${lr}\n" + SECTION,
}


def _interp_cases() -> list[tuple[str, DvcCase]]:
    out = []
    for k, v in _INTERP.items():
        files = {"dvc.yaml": v}
        if k == "params-yaml":
            files["params.yaml"] = "model:\n  desc: from params\n"
        out.append((f"interp-{k}", DvcCase(f"interp-{k}", files, interp=True)))
    return out


# --- seeded random entries -----------------------------------------------------------------------------------------

_RANDOM_NAMES = ["rf", "nn", "a/b", "Bad.Name", "'123'", "m-1", "x_y", "über", "'a b'", "Z9"]


def random_cases(seed: int = 3671, n: int = 150) -> list[tuple[str, DvcCase]]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        entries = []
        for name in rng.sample(_RANDOM_NAMES, rng.randint(1, 3)):
            fields = []
            for fname in rng.sample(list(_GTO_FIELDS), rng.randint(0, 5)):
                value = rng.choice([v for v in _field_values(fname) if "\n" not in v and not v.startswith("&")])
                fields.append((fname, value))
            if rng.random() < 0.15:
                fields.append((rng.choice(["description", "custom", "virtual", "foo"]), "1"))
            if rng.random() < 0.5 and all(not v.startswith(("!", "|", ">")) for _, v in fields):
                body = ", ".join(f"{f}: {v}" for f, v in fields)
                entries.append(f"  {name}: {{{body}}}\n")
            else:
                entries.append(f"  {name}:\n" + "".join(f"    {f}: {v}\n" for f, v in fields))
        text = "artifacts:\n" + "".join(entries)
        if rng.random() < 0.3:
            text = STAGES + text if rng.random() < 0.5 else text + PLOTS
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        out.append((f"rand-{k:03d}", DvcCase(f"rand-{k:03d}", {"dvc.yaml": text})))
    return out


_MUTATION_BASES = [
    "rf:\n  path: models/rf.pkl\n  type: model\n  desc: Random forest\n  labels:\n  - aa\n  - bb\n  meta:\n    k: v\n"
    "nn:\n  path: nn.pkl\n",
    "# artifacts\nrf:   # the forest\n  path: 'models/rf.pkl'\n  labels: [zz, aa]\n  desc: >\n    folded text\n"
    "    here\nnn: {type: model, path: models/nn.pkl}\n",
    "rf: {path: x}\nnn:\n  path: y\n  labels:\n  - aa\n  desc: 'yes'\n",
]


def mutation_cases(seed: int = 20261201, n: int = 200) -> list[tuple[str, DvcCase]]:
    """The seeded line mutations of the artifacts.yaml tests (cases._mutate) applied to a section's entries, the
    section then placed among valid stages and plots (every line stays inside the section)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        body = rng.choice(_MUTATION_BASES)
        for _ in range(rng.choice((1, 1, 2, 3))):
            body = C._mutate(body, rng)
        section = "artifacts:\n" + "".join(f"  {line}\n" if line else "\n" for line in body.split("\n")[:-1])
        text = rng.choice(["", STAGES]) + section + rng.choice(["", PLOTS, METRICS])
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        out.append((f"mut-{k:03d}", DvcCase(f"mut-{k:03d}", {"dvc.yaml": text})))
    return out


def read_cases() -> list[DvcCase]:
    pairs = [
        *_field_cases(),
        *_entry_cases(),
        *_section_cases(),
        *_name_cases(),
        *_structure_cases(),
        *_layout_cases(),
        *_nested_cases(),
        *_syntax_cases(),
        *_interp_cases(),
        *random_cases(),
        *mutation_cases(),
    ]
    ids = [i for i, _ in pairs]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    # the same file twice adds nothing
    seen: set[tuple[tuple[str, str], ...]] = set()
    out = []
    for _, case in pairs:
        key = tuple(sorted(case.files.items()))
        if key not in seen:
            seen.add(key)
            out.append(case)
    return out


# --- annotate / remove -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnotateFile:
    id: str
    text: Optional[str]  # None: no file yet
    rel: str = "dvc.yaml"


ANNOTATE_FILES = [
    AnnotateFile("missing-file", None),
    AnnotateFile("missing-file-sub", None, "sub/dir/dvc.yaml"),
    AnnotateFile("empty", ""),
    AnnotateFile("comments-only", "# pipeline to come\n# really\n"),
    AnnotateFile("only-stages", STAGES),
    AnnotateFile("only-stages-no-newline", STAGES.rstrip("\n")),
    AnnotateFile("section-empty", "artifacts: {}\n"),
    AnnotateFile("section-null", STAGES + "artifacts:\n"),
    AnnotateFile("section-null-first", "artifacts:\n" + STAGES),
    AnnotateFile("plain", SECTION),
    AnnotateFile("stages-before", STAGES + SECTION),
    AnnotateFile("stages-after", SECTION + STAGES),
    AnnotateFile("among", VARS + STAGES + SECTION + METRICS + PLOTS),
    AnnotateFile("comments", _LAYOUT["comments-everywhere"]),
    AnnotateFile("comment-before-stages", SECTION + "# comment before stages\n" + STAGES),
    AnnotateFile("crlf", (STAGES + SECTION).replace("\n", "\r\n")),
    AnnotateFile("bom", "\ufeff" + SECTION + PLOTS),
    AnnotateFile("bom-crlf", ("\ufeff# c\n" + SECTION).replace("\n", "\r\n")),
    AnnotateFile("flow-section", STAGES + "artifacts: {rf: {path: models/rf.pkl, labels: [aa]}, nn: {path: nn.pkl}}\n"),
    AnnotateFile(
        "flow-multiline", "artifacts: {\n  rf: {path: models/rf.pkl,\n    type: model},\n  nn: {path: y}\n}\n"
    ),
    AnnotateFile("flow-section-lines", "artifacts: {rf: {path: x, labels: [aa]},  # c\n  nn: {path: y}, }\n" + STAGES),
    AnnotateFile("flow-file", "{stages: {}, artifacts: {rf: {path: x}, nn: {path: y}}}\n"),
    AnnotateFile(
        "block-scalar-blank", "artifacts:\n  rf:\n    path: x\n    desc: |\n      line\n\n  nn:\n    path: y\n"
    ),
    AnnotateFile(
        "block-scalar-kept", "artifacts:\n  rf:\n    path: x\n    desc: |+\n      kept\n\n  nn:\n    path: y\n"
    ),
    AnnotateFile("indent-4", "artifacts:\n    rf:\n        path: models/rf.pkl\n        labels:\n            - aa\n"),
    AnnotateFile("no-final-newline", STAGES + SECTION.rstrip("\n")),
    AnnotateFile("block-scalars", _LAYOUT["block-scalars"] + STAGES),
    AnnotateFile("quotes", _LAYOUT["quotes"]),
    AnnotateFile("labels-unsorted", "artifacts:\n  rf:\n    path: x\n    labels: [zz, aa, zz]\n  nn: {path: y}\n"),
    AnnotateFile(
        "glued-comment", "artifacts:\n  rf:\n    path: 'models/rf.pkl'#c\n    type: \"model\"#t\n  nn: {path: y}\n"
    ),
    AnnotateFile(
        "odd-labels",
        "artifacts:\n  rf:\n    path: x\n    labels:\n    - aa]\n    - 'b, c'\n    - '{d}'\n    - '#e'\n"
        "  nn:\n    path: y\n    labels: ['x]', 'y, z']\n",
    ),
    AnnotateFile("meta-nested", "artifacts:\n  rf:\n    path: x\n    meta:\n      a: [1, 2]\n      b: {c: d}\n"),
    AnnotateFile("nested", SECTION, "sub/dvc.yaml"),
    AnnotateFile("nested-deep", STAGES + SECTION, "sub/dir/dvc.yaml"),
    AnnotateFile("long-stage-cmd", STAGES + "artifacts:\n  rf:\n    path: x\n"),
    AnnotateFile("refused-missing-path", "artifacts:\n  rf:\n    type: model\n"),
]

ANNOTATE_OPS: list[C.Op] = [
    C.add("rf", labels=["cc"]),
    C.add("rf", type="dataset"),
    C.add("rf", path="models/rf2.pkl"),
    C.add("rf", description="new text"),
    C.add("rf", description=C.LONG_TEXT),
    C.add("rf", description="yes"),
    C.add("rf", description="${not_a_var}"),
    C.add("rf", custom="c9"),
    C.add("rf", custom={"k": [1, "two"], "n": None}),
    C.add("rf", type="model", path="models/rf.pkl", labels=["bb", "aa"], description="Random forest", custom="c1"),
    C.add("rf"),
    C.add("nn", labels=["zz", "aa"], description="a: b"),
    C.add("new", path="models/new.pkl"),
    C.add("new", path="models/new.pkl", type="model", labels=["b", "a", "b"], description="'quoted'", custom="x"),
    C.add("new", path="2024-01-01", type="123", labels=["true"], description="1.0"),
    C.add("new"),
    C.add("a/b", path="ab.pkl"),
    C.add("a.b", path="ab.pkl"),
    C.rm("rf"),
    C.rm("nn"),
    C.rm("nosuch"),
]


# --- where DVC's lookups find an artifact's path ---------------------------------------------------------------

PATH_FOLDERS = ["", "sub/dir"]  # each artifacts_show opens the repository anew (~50 ms)
PATHS = [
    "models/rf.pkl",
    "./a/../b/./c.pkl",
    "models/",
    "",
    ".",
    "..",
    "../x.pkl",
    "../../outside.pkl",
    "/abs/rf.pkl",
    "/",
    "models\\rf.pkl",
    "s3://bucket/k",
    "a//b",
    "dir with space/f",
    "~/x",
    "C:/x",
    "a/../../b",
]


def path_case(folder: str) -> tuple[DvcCase, list[str]]:
    """A dvc.yaml in `folder` with one artifact per PATHS entry, and their full names."""
    import json

    text = "artifacts:\n" + "".join(f"  a{k}:\n    path: {json.dumps(p)}\n" for k, p in enumerate(PATHS))
    rel = f"{folder}/dvc.yaml" if folder else "dvc.yaml"
    names = [f"{folder}:a{k}" if folder else f"a{k}" for k in range(len(PATHS))]
    return DvcCase(f"paths-{folder or 'root'}", {rel: text}), names


# --- migrate ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrateCase:
    id: str
    gto: str  # artifacts.yaml
    dvc: Optional[str]  # dvc.yaml before (None: no file)
    expected: dict[str, dict[str, Any]]  # what DVC must read from dvc.yaml afterwards (empty values dropped)
    skipped: tuple[str, ...] = ()  # names reported as not migrated (no path)
    folder: str = ""  # the dvc.yaml's folder: paths are rebased there, and DVC's lookups must find GTO's paths


_FULL_GTO = (
    "rf:\n  type: model\n  path: models/rf.pkl\n  virtual: false\n  labels:\n  - aa\n  - bb\n"
    "  description: Random forest\n  custom:\n    owner: me\n    n: 2\n"
)
_RF = {
    "path": "models/rf.pkl",
    "type": "model",
    "labels": ["aa", "bb"],
    "desc": "Random forest",
    "meta": {"owner": "me", "n": 2},
}

MIGRATE_CASES = [
    MigrateCase("full-no-dvc", _FULL_GTO, None, {"rf": _RF}),
    MigrateCase("full-into-stages", _FULL_GTO, STAGES, {"rf": _RF}),
    MigrateCase(
        "full-into-section", _FULL_GTO, "artifacts:\n  nn:\n    path: nn.pkl\n", {"rf": _RF, "nn": {"path": "nn.pkl"}}
    ),
    MigrateCase(
        "without-path",
        "rf:\n  type: model\n  path: m.pkl\nvirt:\n  type: model\n  description: no path\nbare: {}\n",
        None,
        {"rf": {"path": "m.pkl", "type": "model"}},
        skipped=("bare", "virt"),
    ),
    MigrateCase("only-without-path", "virt:\n  type: model\n", STAGES, {}, skipped=("virt",)),
    MigrateCase(
        "custom-kinds",
        "a:\n  path: a\n  custom: text\nb:\n  path: b\n  custom: [1, 2]\nc:\n  path: c\n  custom: 5\n",
        None,
        {"a": {"path": "a", "meta": "text"}, "b": {"path": "b", "meta": [1, 2]}, "c": {"path": "c", "meta": 5}},
    ),
    MigrateCase(
        "yaml-traps",
        "rf:\n  path: '2024-01-01'\n  type: 'true'\n  description: '1.0'\n  labels: ['123', 'null']\n",
        None,
        {"rf": {"path": "2024-01-01", "type": "true", "desc": "1.0", "labels": ["123", "null"]}},
    ),
    MigrateCase(
        "defaults-dropped",
        "rf:\n  path: x\n  type: null\n  description: ''\n  labels: []\n  virtual: true\n  custom: null\n",
        None,
        {"rf": {"path": "x"}},
    ),
    MigrateCase(
        "flow-and-comments",
        "# registry\nrf: {path: x, labels: [b, a]}  # rf\nnn: {path: y, description: 'it''s'}\n",
        "# pipeline\n" + STAGES + "# end\n",
        {"rf": {"path": "x", "labels": ["b", "a"]}, "nn": {"path": "y", "desc": "it's"}},
    ),
    MigrateCase("crlf", _FULL_GTO.replace("\n", "\r\n"), STAGES.replace("\n", "\r\n"), {"rf": _RF}),
    MigrateCase(
        "name-already-in-dvc",
        "rf:\n  path: models/rf.pkl\n  description: from gto\nnn:\n  path: nn.pkl\n",
        "artifacts:\n  rf:\n    path: other.pkl\n    desc: from dvc\n",
        {"rf": {"path": "other.pkl", "desc": "from dvc"}, "nn": {"path": "nn.pkl"}},
        skipped=("rf",),
    ),
    MigrateCase("into-empty-section", _FULL_GTO, "artifacts: {}\n", {"rf": _RF}),
    MigrateCase(
        "into-flow-section",
        _FULL_GTO,
        STAGES + "artifacts: {nn: {path: nn.pkl}}\n",
        {"rf": _RF, "nn": {"path": "nn.pkl"}},
    ),
    MigrateCase("into-bom", _FULL_GTO, "\ufeff" + STAGES, {"rf": _RF}),
    MigrateCase("into-comments-only", _FULL_GTO, "# to come\n", {"rf": _RF}),
    MigrateCase("into-empty-file", _FULL_GTO, "", {"rf": _RF}),
    MigrateCase(
        "interp-looking-values",
        "rf:\n  path: models/${name}.pkl\n  description: costs ${n} dollars\n",
        None,
        {"rf": {"path": "models/${name}.pkl", "desc": "costs ${n} dollars"}},
    ),
    MigrateCase(
        "unknown-fields-dropped",
        "rf:\n  path: x\n  owner: me\n  virtual: false\n",
        None,
        {"rf": {"path": "x"}},
    ),
    MigrateCase(
        "into-sub-dir",
        "rf:\n  path: models/rf.pkl\nin:\n  path: sub/dir/m.pkl\nup:\n  path: sub/x.pkl\ndirx:\n  path: sub/dir/\n",
        STAGES,
        {
            "rf": {"path": "../../models/rf.pkl"},
            "in": {"path": "m.pkl"},
            "up": {"path": "../x.pkl"},
            "dirx": {"path": "."},
        },
        folder="sub/dir",
    ),
    MigrateCase("into-sub-new", _FULL_GTO, None, {"rf": {**_RF, "path": "../models/rf.pkl"}}, folder="sub"),
    MigrateCase(
        "names",
        "a/b:\n  path: ab.pkl\nModel_1:\n  path: m1.pkl\n",
        None,
        {"a/b": {"path": "ab.pkl"}, "Model_1": {"path": "m1.pkl"}},
    ),
]


def run_cases(cases: list[DvcCase]) -> dict[str, dict[str, Any]]:
    """DVC's reading of each case (dvc_runner.run_dvc, one subprocess), by case id."""
    from compat.dvc_runner import run_dvc

    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    return dict(zip(ids, run_dvc([{"files": c.files} for c in cases])))


@dataclass(frozen=True)
class AnnotateSequence:
    id: str
    file: AnnotateFile  # the start
    ops: tuple[C.Op, ...]  # each applied to the previous result (a refused call leaves the text as it was)


_BUILD = (
    C.add("rf", path="models/rf.pkl", type="model"),
    C.add("nn", path="nn.pkl", labels=["b", "a"], description="first"),
    C.add("rf", labels=["x"], custom={"k": 1}),
    C.add("nn", description="second", path="nn2.pkl"),
    C.rm("rf"),
    C.rm("nn"),
    C.add("again", path="again.pkl", description="${x}"),
)


def annotate_sequences(seed: int = 367, n: int = 30) -> list[AnnotateSequence]:
    files = {f.id: f for f in ANNOTATE_FILES}
    out = [
        AnnotateSequence(f"build-{fid}", files[fid], _BUILD)
        for fid in ("missing-file", "missing-file-sub", "empty", "comments-only", "only-stages", "crlf", "bom-crlf")
    ]
    out.append(AnnotateSequence("build-flow", files["flow-section"], _BUILD))
    out.append(AnnotateSequence("build-section-null", files["section-null"], _BUILD))
    # every tricky scalar as a new entry's path, type, desc and meta, and as the new desc of an existing entry
    scalars: list[C.Op] = []
    for k, value in enumerate(C.SCALARS):
        scalars.append(
            C.add(f"s{k}", path=value if value.strip() else "x", type=value, description=value, custom=value)
        )
        if k % 3 == 0:
            scalars.append(C.add("rf", description=value))
    for fid in ("plain", "flow-section"):
        out.append(AnnotateSequence(f"scalars-{fid}", files[fid], tuple(scalars)))
    rng = random.Random(seed)
    for k in range(n):
        ops = tuple(rng.choice(ANNOTATE_OPS) for _ in range(rng.randint(3, 7)))
        out.append(AnnotateSequence(f"rand-{k:02d}", rng.choice(ANNOTATE_FILES), ops))
    return out
