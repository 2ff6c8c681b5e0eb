"""Case tables and seeded generators for the differential tests against real GTO (test_differential.py).

* read_cases(): texts of artifacts.yaml for the reader verdict (spec §1.9, §2 names as keys/labels/types, YAML
  oddities, field values, tags, directives) plus `random_read_cases()`, seeded entry-level mutations of a few bases.
* seq_cases(): sequences of annotate/remove calls, mostly from no file (so every input after the first successful
  call is a file GTO wrote): named ones from the spec plus seeded `random_sequences()`.
* HAND_FILES x HAND_OPS: hand-written files and single annotate/remove calls on them.
* GTO028_WRITES x GTO028_OPS: files written by gto 0.2.8's CLI, then one call.
* DESCRIBE_FILES: files for `gto describe` of gto 0.2.8 (names valid in 0.2.8, values both versions read alike).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Optional

# --- names (spec §2) ------------------------------------------------------------------------------------------

VALID_NAMES = ["a", "1", "ab", "A", "Ab_c", "1ab", "a/b", "a-b", "a//b", "model_A", "DVCLive/Model"]
INVALID_NAMES = ["a.b", "ab-", "_ab", "-ab", "a:b", "dir:name", "a b", "m/", "/m", "über"]
# Names valid for GTO that YAML reads as something other than a string when written plain.
YAML_LOOKING_NAMES = ["123", "0x1F", "0o17", "1e5", "1_000", "true", "null", "yes", "no", "on", "2024-01-01", "007"]
LONG_NAME_90 = "n" + "a" * 88 + "z"
LONG_NAME_140 = "m" + "b" * 138 + "z"

# --- scalars (spec §1.3 table and more) -------------------------------------------------------------------------

SCALARS = [
    "yes",
    "123",
    "1.0",
    "0x1F",
    "true",
    "null",
    "~",
    "2024-01-01",
    "#hash",
    "a: b",
    "- dash",
    "@at",
    '"double"',
    " leading space",
    "trailing space ",
    "line1\nline2",
    "it's",
    "dir with space/f.pkl",
    "Ünïcödé 🚀",
    "'single'",
    "% percent",
    "`backtick`",
    "{brace}",
    "[bracket]",
    "*star",
    "&amp",
    "!bang",
    "|pipe",
    ">gt",
    "a #b",
    "a:b",
    "key: value # c",
    "back\\slash",
    "tab\there",
    "  ",
    "ends with newline\n",
    "para one\n\npara two",
    "multi\nline\nwith  spaces  ",
    "\u2028line sep",
    "nel\x85char",
    "🚀" * 30,
    "é" * 90,
    "This description is long enough that it goes beyond the eighty character limit of the dumper",
    "A much longer description: " + " ".join(f"word{i}" for i in range(40)),
    "x" * 100,
    "models/" + "deep/" * 20 + "model.pkl",
    "ends with colon:",
    "? question",
    ", comma",
    "=",
    "<<",
    "1:20",
    ".inf",
    "0o17",
    "1_000",
    "+1",
]

LONG_TEXT = "This description is long enough that it goes beyond the eighty character limit of the dumper"

# --- reader cases ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadCase:
    id: str
    text: str


def _q(name: str) -> str:
    """`name` as a single-quoted YAML scalar."""
    return "'" + name.replace("'", "''") + "'"


def _dq(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x85\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


CASE10 = (
    "# top comment\n"
    "rf:   # inline comment\n"
    "  type: model   # the type\n"
    '  path: "models/rf.pkl"\n'
    "  labels: [zz, aa]\n"
    "  unknown_key: 42\n"
    "  description: >\n"
    "    folded text\n"
    "    here\n"
    "nn: {type: model, path: models/nn.pkl}\n"
)

_SPEC_19 = [
    ("spec19-list", "[]\n"),
    ("spec19-desc-5", "rf: {description: 5}\n"),
    ("spec19-path-5", "rf: {path: 5}\n"),
    ("spec19-type-5", "rf: {type: 5}\n"),
    ("spec19-labels-int", "rf: {labels: [5]}\n"),
    ("spec19-virtual-1", "rf: {virtual: 1}\n"),
    ("spec19-virtual-yes-quoted", 'rf: {virtual: "yes"}\n'),
    ("spec19-virtual-yes", "rf: {virtual: yes}\n"),
    ("spec19-labels-5", "rf: {labels: 5}\n"),
    ("spec19-labels-aa", "rf: {labels: aa}\n"),
    ("spec19-labels-null", "rf: {labels: null}\n"),
    ("spec19-desc-null", "rf: {description: null}\n"),
    ("spec19-virtual-null", "rf: {virtual: null}\n"),
    ("spec19-virtual-maybe", "rf: {virtual: maybe}\n"),
    ("spec19-null-entry", "rf:\n"),
    ("spec19-empty", ""),
    ("spec19-null", "null\n"),
    ("spec19-invalid-yaml", "rf: {type: [model\n"),
    ("spec19-dup-names", "rf: {}\nrf: {}\n"),
    ("spec19-type-null", "rf: {type: null}\n"),
    ("spec19-path-null", "rf: {path: null}\n"),
    ("spec19-block-desc-5", "rf:\n  description: 5\n"),
    ("spec19-block-labels-aa", "rf:\n  labels: aa\n"),
    ("spec19-block-labels-null", "rf:\n  labels:\n"),
    ("spec19-block-virtual-null", "rf:\n  virtual:\n"),
    ("spec19-block-type-null", "rf:\n  type:\n"),
    ("spec19-case10", CASE10),
    ("spec-case11", "rf: {custom: {a: [1, 2], b: {c: null}}, labels: [zz, aa, zz], virtual: false}\n"),
    ("spec-bad-label-and-type", "rf: {labels: [Bad.Label], type: Bad.Type}\n"),
]


def _name_cases() -> list[tuple[str, str]]:
    out = []
    for kind, names in (("valid", VALID_NAMES), ("invalid", INVALID_NAMES), ("yamlish", YAML_LOOKING_NAMES)):
        for i, name in enumerate([*names, LONG_NAME_90, LONG_NAME_140] if kind == "valid" else names):
            out.append((f"name-{kind}{i}-key-quoted", f"{_q(name)}: {{}}\n"))
            out.append((f"name-{kind}{i}-key-plain", f"{name}: {{}}\n"))
            out.append((f"name-{kind}{i}-label", f"rf:\n  labels:\n  - {_q(name)}\n"))
            out.append((f"name-{kind}{i}-label-plain", f"rf:\n  labels: [{name}]\n"))
            out.append((f"name-{kind}{i}-type", f"rf:\n  type: {_q(name)}\n"))
            out.append((f"name-{kind}{i}-type-plain", f"rf: {{type: {name}}}\n"))
    extra_keys = [
        ('"ab\\n"', "dq-trailing-newline"),
        ('"\\nab"', "dq-leading-newline"),
        ('"r\\u0066"', "dq-escape"),
        ("'r''f'", "sq-apostrophe"),
        ("''", "empty-string"),
        ('"a\\tb"', "dq-tab"),
        ("'ab '", "trailing-space"),
        ("!!str 123", "tagged-str-int"),
        ("!!int 5", "tagged-int"),
        ("!!str rf", "tagged-str"),
        ("1.5", "float"),
        ("~", "tilde"),
        ("0x1F", "hex"),
        (".inf", "inf"),
        ("NaN", "nan-word"),
        (".nan", "nan"),
        ("y", "y"),
        ("Yes", "Yes"),
        ("TRUE", "TRUE"),
        ("False", "False"),
        ("🚀", "emoji"),
        ("rf🚀", "emoji-suffix"),
        ("a" * 1100, "key-1100"),
        ("a" * 1023, "key-1023"),
        ("=", "equals"),
        ("<<", "merge-key-top"),
        ("1:20", "sexagesimal"),
        ("+1", "plus-one"),
        ("-1", "minus-one"),
        ("'-1'", "minus-one-quoted"),
        ("2024-01-01T10:00:00Z", "datetime"),
    ]
    for key, label in extra_keys:
        out.append((f"key-{label}", f"{key}: {{}}\n"))
    out.append(("key-seq", "? [a]\n: {}\n"))
    out.append(("key-map", "? {a: 1}\n: {}\n"))
    out.append(("key-explicit", "? rf\n: {}\n"))
    out.append(("key-explicit-null-value", "? rf\n"))
    out.append(("key-anchored", "&k rf: {}\n"))
    out.append(("key-block-scalar", "? |\n  rf\n: {}\n"))
    out.append(("key-dq-multiline", '"r\n  f": {}\n'))
    out.append(("key-space-before-colon", "rf :\n  type: model\n"))
    out.append(("key-same-str-quoted", "rf: {}\n'rf': {}\n"))
    out.append(("key-same-str-dq", 'rf: {}\n"rf": {}\n'))
    out.append(("key-int-and-str", "'123': {}\n123: {}\n"))
    out.append(("key-two-nulls", "null: {}\n~: {}\n"))
    out.append(("key-case-differs", "rf: {}\nRf: {}\nRF: {}\n"))
    return out


_FIELD_VALUES = {
    "virtual": [
        "yes",
        "1",
        "maybe",
        "null",
        '"true"',
        "0.0",
        "no",
        "on",
        "off",
        "y",
        "n",
        "t",
        "f",
        "True",
        "TRUE",
        "'yes'",
        "'no'",
        "0",
        "2",
        "-1",
        "1.0",
        "1.5",
        "0x1",
        "0x0",
        "0o1",
        "+1",
        "1e0",
        '"1"',
        '"0"',
        "''",
        "[]",
        "{}",
        "true",
        "false",
        "~",
        "!!bool true",
        "!!str true",
        '!!int "1"',
        "Y",
        "T",
        "YES",
        "On",
        "oFF",
        '"Y"',
        '"on"',
        "01",
        "-0",
        "0.5",
        ".inf",
        "2024-01-01",
        '" true"',
        "'true '",
        "[true]",
        "!!float 1",
        "!!bool yes",
        "!!bool 1",
    ],
    "labels": [
        "aa",
        "5",
        "null",
        "[5]",
        "[a, null]",
        "[]",
        "[a, a]",
        '["5"]',
        "[a.b]",
        "[[a]]",
        "[{a: 1}]",
        "[true]",
        "[yes]",
        "[1.5]",
        "{a: 1}",
        '""',
        '[""]',
        "!!set {a, b}",
        "!!seq [a]",
        "[a, 'b c']",
        "[~]",
        "[0x1]",
        "[2024-01-01]",
        "[!!str 5]",
        '[!!int "5"]',
        "!!omap [{a: 1}]",
        "!!pairs [{a: 1}]",
        "[a, b,]",
        "{}",
        "[über]",
        "[a/b, 'A', '1']",
        "!!set {5}",
        "!!set {a.b}",
        "!!str aa",
        "|\n    aa",
    ],
    "description": [
        "null",
        "5",
        "2024-01-01",
        "yes",
        '"5"',
        '""',
        "[a]",
        "{a: 1}",
        "true",
        "1.5",
        "~",
        '"null"',
        "|\n    line one\n    line two",
        ">\n    folded\n    text",
        "|-\n    kept",
        "|+\n    kept\n",
        "|\n",
        "|2\n     indented",
        "!!binary aGVsbG8=",
        '"multi\n    line"',
        "'single\n\n    para'",
        "!!str 5",
        '!!int "5"',
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "1:20",
        ".inf",
        ".NaN",
        "+.inf",
        "-1e3",
        "1e3",
        "1.",
        ".5",
        "+12",
        "-0",
        "=",
        "<<",
        "2024-01-01T10:00:00Z",
        "2001-12-14t21:59:43.10-05:00",
        "Ünïcödé 🚀",
        "a" * 5000,
        "!!timestamp 2024-01-01",
        "!!null ''",
        "!!float 1",
        "!!str",
        "- a",
        "plain # comment",
        "'it''s'",
        '"esc \\x41 \\u00e9 \\U0001F680"',
        '"bad \\q escape"',
        "!!binary not base64!",
    ],
    "type": [
        "5",
        "null",
        '"a.b"',
        '""',
        "[a]",
        "yes",
        "true",
        '"5"',
        "model",
        "!!str 5",
        "1.5",
        "2024-01-01",
        '"~"',
        "'null'",
        "~",
        "a.b",
        "'model'",
        "0x1F",
        "|\n    model",
        ">-\n    model",
        '"model\\n"',
        '"\\nmodel"',
        "Model",
        "model/sub",
        "über",
        "{a: 1}",
        "!foo model",
        "!!binary bW9kZWw=",
    ],
    "path": [
        "5",
        "null",
        "''",
        "yes",
        "1_000",
        '"x"',
        "[a]",
        "{a: 1}",
        "true",
        "2024-01-01",
        '"/abs"',
        "12:30",
        "models/rf.pkl",
        "'dir with space/f.pkl'",
        "données/x.pkl",
        "s3://bucket/key",
        "~",
        '"~"',
        "0o7",
        "'" + "p/" * 150 + "x'",
        "!!binary cGF0aA==",
        "a\\b",
        "-",
        ".",
        "..",
        "|\n    multi\n    line",
    ],
    "custom": [
        "!foo bar",
        "!!python/object:os.system x",
        "!!python/tuple [1]",
        "!!python/name:os.system ''",
        "!!str 5",
        '!!int "5"',
        '!!int "x"',
        '!!float "1.5"',
        '!!binary "aGVsbG8="',
        "!!binary '!!!'",
        "!!timestamp 2024-01-01",
        '!!timestamp "x"',
        '!!bool "yes"',
        '!!bool "maybe"',
        '!!null "x"',
        "!!set {a}",
        "!!omap [{a: 1}]",
        "!!pairs [{a: 1}]",
        "!!seq {a: 1}",
        "!!map [a]",
        "!<tag:yaml.org,2002:str> x",
        "!local x",
        "2024-01-01",
        "0o17",
        "0x1F",
        "{a: {b: [1, 2, {c: null}]}}",
        "{1: a, '1': b}",
        "{null: a, ~: b}",
        "{true: a, True: b}",
        "{1: a, 0x1: b}",
        "{1.0: a, 1: b}",
        "{a: 1, a: 2}",
        "[{a: 1, a: 2}]",
        "{1: a, b: c}",
        "{[a]: b}",
        "{? {a: 1} : b}",
        "0",
        "false",
        "''",
        "[]",
        "{}",
        "~",
        "{🚀: 1}",
        "{a: !foo x}",
        "[!!python/tuple [1]]",
        ".inf",
        ".nan",
        "<<",
        "{<<: {a: 1}, b: 2}",
        "{<<: 5}",
        "{<<: [5]}",
        "{<<: [{a: 1}, {b: 2}]}",
    ],
    "unknown": [],
}


def _field_cases() -> list[tuple[str, str]]:
    out = []
    for field_name, values in _FIELD_VALUES.items():
        for i, value in enumerate(values):
            if "\n" in value:
                out.append((f"field-{field_name}-{i}-block", f"rf:\n  {field_name}: {value}\n"))
                continue
            out.append((f"field-{field_name}-{i}", f"rf:\n  {field_name}: {value}\n"))
            if not value.startswith(("!", "|", ">", "&", "*")) and len(value) < 200:
                out.append((f"field-{field_name}-{i}-flow", f"rf: {{{field_name}: {value}}}\n"))
    return out


_YAML_ODDITIES = [
    # tabs
    ("tab-indent", "rf:\n\ttype: model\n"),
    ("tab-after-colon", "rf:\t{}\n"),
    ("tab-in-flow", "rf: {type:\tmodel}\n"),
    ("tab-before-value", "rf:\n  type:\tmodel\n"),
    ("tab-trailing", "rf:\n  type: model\t\n"),
    ("tab-blank-line-first", "\t\nrf: {}\n"),
    ("tab-blank-line-last", "rf: {}\n\t\n"),
    ("tab-blank-line-inside", "rf:\n  type: model\n\t\n  path: x\n"),
    ("tab-in-value", "rf:\n  description: a\tb\n"),
    ("tab-after-dash", "rf:\n  labels:\n  -\taa\n"),
    ("tab-before-dash", "rf:\n  labels:\n\t- aa\n"),
    ("tab-before-comment", "rf: {}\t# c\n"),
    ("tab-indented-comment", "rf:\n\t# c\n  type: model\n"),
    ("tab-in-block-scalar", "rf:\n  description: |\n    a\tb\n\t\n"),
    # BOM
    ("bom", "\ufeffrf: {}\n"),
    ("bom-only", "\ufeff"),
    ("bom-comment", "\ufeff# c\n"),
    ("bom-flow", "\ufeff{}\n"),
    ("bom-doc-start", "\ufeff---\nrf: {}\n"),
    ("bom-middle-line", "rf: {}\n\ufeffnn: {}\n"),
    ("bom-in-value", "rf:\n  description: \ufeffx\n"),
    ("bom-twice", "\ufeff\ufeffrf: {}\n"),
    ("bom-block", "\ufeffrf:\n  type: model\n  labels:\n  - aa\n"),
    # line endings
    ("crlf", "rf:\r\n  type: model\r\n"),
    ("crlf-null-entry", "rf: {}\r\nnn:\r\n"),
    ("cr-only", "rf:\r  type: model\r"),
    ("crlf-mixed", "rf:\r\n  type: model\nnn: {}\r\n"),
    ("crlf-block-scalar", "rf:\r\n  description: |\r\n    a\r\n    b\r\n"),
    ("crlf-no-final", "rf:\r\n  type: model"),
    ("nel-line-break", "rf: {}\x85nn: {}\n"),
    ("ls-line-break", "rf: {}\u2028nn: {}\n"),
    ("ps-line-break", "rf: {}\u2029nn: {}\n"),
    ("form-feed", "rf: {}\n\x0c\nnn: {}\n"),
    ("vertical-tab", "rf:\n  description: a\x0bb\n"),
    # control and odd characters
    ("nul-in-value", "rf:\n  description: a\x00b\n"),
    ("bell-in-value", "rf:\n  description: a\x07b\n"),
    ("del-in-value", "rf:\n  description: a\x7fb\n"),
    ("esc-in-value", "rf:\n  description: a\x1bb\n"),
    ("nel-in-value", "rf:\n  description: a\x85b\n"),
    ("ls-in-value", "rf:\n  description: a\u2028b\n"),
    ("fffe-in-value", "rf:\n  description: a\ufffeb\n"),
    ("c1-in-value", "rf:\n  description: a\x9bb\n"),
    ("nbsp-in-value", "rf:\n  description: a\xa0b\n"),
    ("emoji-value", "rf:\n  description: 🚀🚀\n"),
    ("astral-key", "\U0001f600: {}\n"),
    ("nul-in-comment", "# a\x00b\nrf: {}\n"),
    ("dq-escaped-nul", 'rf:\n  description: "a\\0b"\n'),
    ("dq-escaped-nel", 'rf:\n  description: "a\\Nb"\n'),
    ("sq-raw-nel", "rf:\n  description: 'nel\x85    char'\n"),
    ("sq-raw-ls", "rf:\n  description: '\u2028    line sep'\n"),
    ("dq-raw-nel", 'rf:\n  description: "nel\x85    char"\n'),
    ("plain-raw-nel-continued", "rf:\n  description: nel\x85    char\n"),
    # anchors, aliases, merge keys
    ("alias-entry", "base: &b {type: model}\nrf: *b\n"),
    ("merge-entry", "base: &b {type: model}\nrf:\n  <<: *b\n  path: x\n"),
    ("merge-inline", "rf:\n  <<: {type: model}\n"),
    ("merge-list", "rf:\n  <<: [{type: a}, {path: b}]\n"),
    ("merge-top", "<<: {rf: {}}\n"),
    ("merge-top-alias", "rf: &r {type: a}\n<<: {nn: *r}\n"),
    ("alias-undefined", "rf: *x\n"),
    ("merge-override", "base: &b\n  type: model\nrf:\n  <<: *b\n  type: other\n"),
    ("alias-labels", "rf:\n  labels: &l [a]\nnn:\n  labels: *l\n"),
    ("alias-whole-entry", "rf: &a {}\nnn: *a\n"),
    ("merge-undefined", "rf:\n  <<: *b\n"),
    ("merge-twice", "base: &b {type: model}\nrf:\n  <<: *b\n  <<: *b\n"),
    ("merge-flow-override", "rf: {<<: {type: a}, type: b}\n"),
    ("merge-scalar", "rf:\n  <<: 5\n"),
    ("merge-scalar-list", "rf:\n  <<: [5]\n"),
    ("merge-bad-field", "base: &b {type: 5}\nrf:\n  <<: *b\n"),
    ("merge-bad-field-overridden", "base: &b {type: 5}\nrf:\n  <<: *b\n  type: model\n"),
    ("merge-dup-inside", "rf:\n  <<: {type: a}\n  <<: {path: b}\n"),
    ("alias-to-key", "rf: &n {}\n*n : {}\n"),
    ("anchor-reused", "rf: &a {type: a}\nnn: &a {type: b}\nmm: *a\n"),
    ("alias-in-custom", "rf:\n  custom: &c {a: 1}\nnn:\n  custom: *c\n"),
    ("alias-recursive", "rf: &a\n  custom: *a\n"),
    ("merge-quoted-key", "rf:\n  '<<': {type: a}\n"),
    ("merge-tagged-key", "rf:\n  !!merge <<: {type: a}\n"),
    ("merge-into-entry-twice-same-key", "a1: &x {type: m}\na2: &y {type: n}\nrf:\n  <<: [*x, *y]\n"),
    # documents, directives
    ("two-docs", "rf: {}\n---\nnn: {}\n"),
    ("doc-start", "---\nrf: {}\n"),
    ("doc-end", "rf: {}\n...\n"),
    ("doc-start-end-start", "---\nrf: {}\n...\n---\n"),
    ("doc-start-inline", "--- {}\n"),
    ("doc-two-empty", "---\n---\n"),
    ("doc-start-only", "--- \n"),
    ("doc-end-only", "...\n"),
    ("doc-trailing-start", "rf: {}\n---\n"),
    ("doc-start-end", "---\n...\n"),
    ("doc-start-comment", "--- # c\nrf: {}\n"),
    ("doc-end-then-comment", "rf: {}\n...\n# c\n"),
    ("doc-end-then-content", "rf: {}\n...\nnn: {}\n"),
    ("yaml-11", "%YAML 1.1\n---\nrf: {description: yes}\n"),
    ("yaml-11-virtual", "%YAML 1.1\n---\nrf: {virtual: yes}\n"),
    ("yaml-11-path-int", "%YAML 1.1\n---\nrf: {path: 1_000}\n"),
    ("yaml-11-bool-key", "%YAML 1.1\n---\nyes: {}\n"),
    ("yaml-11-plain", "%YAML 1.1\n---\nrf: {type: model}\n"),
    ("yaml-12", "%YAML 1.2\n---\nrf: {}\n"),
    ("yaml-13", "%YAML 1.3\n---\nrf: {}\n"),
    ("yaml-2", "%YAML 2.0\n---\nrf: {}\n"),
    ("yaml-twice", "%YAML 1.2\n%YAML 1.2\n---\nrf: {}\n"),
    ("directive-unknown", "%FOO bar\n---\nrf: {}\n"),
    ("directive-no-doc-start", "%YAML 1.2\nrf: {}\n"),
    ("tag-directive", "%TAG !e! tag:example.com,2000:\n---\nrf: !e!foo {}\n"),
    ("tag-directive-std", "%TAG !e! tag:yaml.org,2002:\n---\nrf: {type: !e!str 5}\n"),
    ("tag-directive-unused", "%TAG !e! tag:example.com,2000:\n---\nrf: {}\n"),
    # empty, comments only, top level
    ("empty", ""),
    ("newline", "\n"),
    ("spaces", "   \n"),
    ("comment", "# c\n"),
    ("comment-no-newline", "# c"),
    ("comments-indented", "\n\n# a\n  # b\n"),
    ("flow-empty", "{}\n"),
    ("flow-empty-no-newline", "{}"),
    ("flow-empty-comment", "{} # nothing\n"),
    ("list-empty", "[]\n"),
    ("null-word", "null\n"),
    ("tilde", "~\n"),
    ("int", "5\n"),
    ("word", "foo\n"),
    ("quoted-word", "'rf'\n"),
    ("block-list", "- rf\n"),
    ("block-list-of-maps", "- rf: {}\n"),
    ("flow-top", "{rf: {}}\n"),
    ("flow-top-two", "{rf: {type: model}, nn: {}}\n"),
    ("flow-top-null-entry", "{rf: }\n"),
    ("flow-top-key-only", "{rf}\n"),
    ("flow-top-list", "[rf: {}]\n"),
    ("flow-top-tagged", "!!map {rf: {}}\n"),
    ("flow-top-multiline", "{\n  rf: {type: model},\n  nn: {}\n}\n"),
    ("flow-top-trailing-comma", "{rf: {}, }\n"),
    ("flow-top-dup", "{rf: {}, rf: {}}\n"),
    ("tagged-top-map", "!!map\nrf: {}\n"),
    ("tagged-top-foo", "!foo\nrf: {}\n"),
    ("anchored-top", "&top\nrf: {}\n"),
    ("indented-top", "  rf: {}\n"),
    ("indented-top-two", "  rf: {}\n  nn: {}\n"),
    ("indented-then-not", "  rf: {}\nnn: {}\n"),
    ("not-then-indented", "rf: {}\n  nn: {}\n"),
    ("top-block-scalar", "|\n  rf\n"),
    ("top-string-colon", "rf:x\n"),
    # duplicates
    ("dup-top", "rf: {}\nrf: {}\n"),
    ("dup-top-far", "rf: {}\nnn: {}\nrf: {type: a}\n"),
    ("dup-field", "rf:\n  type: a\n  type: b\n"),
    ("dup-field-same", "rf: {type: a, type: a}\n"),
    ("dup-field-quoted", "rf:\n  type: a\n  'type': b\n"),
    ("dup-custom", "rf:\n  custom:\n    a: 1\n    a: 2\n"),
    ("dup-custom-in-list", "rf:\n  custom: [{a: 1, a: 2}]\n"),
    ("dup-unknown", "rf:\n  foo: 1\n  foo: 2\n"),
    ("dup-labels-items", "rf:\n  labels: [a, a]\n"),
    ("dup-in-unknown-nested", "rf:\n  foo: {a: 1, a: 2}\n"),
    # syntax
    ("syntax-unclosed-flow", "rf: {type: model\n"),
    ("syntax-bad-bracket", "rf: [}\n"),
    ("syntax-unclosed-sq", "rf: 'abc\n"),
    ("syntax-unclosed-dq", 'rf:\n  description: "abc\n'),
    ("syntax-bad-dedent", "rf:\n  type: model\n type: x\n"),
    ("syntax-over-indent-first", "rf:\n    type: model\n  path: x\n"),
    ("syntax-comment-no-space", "rf: {}#c\n"),
    ("syntax-string-entry-comment", "rf: a #b\n"),
    ("syntax-hash-in-plain", "rf: {type: a#b}\n"),
    ("syntax-plain-after-map", "rf: {}\nfoo\n"),
    ("syntax-list-after-map", "rf: {}\n- a\n"),
    ("syntax-flow-leading-comma", "rf: {, }\n"),
    ("syntax-two-colons", "rf: {}: c\n"),
    ("syntax-at-start", "@rf: {}\n"),
    ("syntax-backtick-start", "`rf`: {}\n"),
    ("syntax-percent-start", "%rf: {}\n"),
    ("syntax-pipe-value-bad", "rf: |x\n  a\n"),
    ("syntax-alias-with-props", "rf: &a *b\n"),
    ("syntax-unicode-colon", "rf： {}\n"),
    ("syntax-question-in-flow", "rf: {? a}\n"),
    ("syntax-value-on-next-line-dedented", "rf:\ntype: model\n"),
    ("syntax-key-with-colon-space", "'a: b': {}\n"),
    ("syntax-sequence-in-entry-mixed", "rf:\n  type: model\n  - a\n"),
    # comments, blank lines, positions
    ("comment-first", "# c\nrf: {}\n"),
    ("comment-between-fields", "rf:\n# c\n  type: a\n"),
    ("comment-after-field", "rf:\n  type: a\n# c\n  path: b\n"),
    ("blank-lines-inside", "rf:\n  type: a\n\n\n  path: b\n"),
    ("inline-comments", "rf:   # c\n  type: model   # t\n  labels: [a]  # l\n"),
    ("trailing-spaces", "rf:   \n  type: model   \n"),
    ("no-final-newline", "rf:\n  type: model"),
    ("no-final-newline-flow", "rf: {type: model}"),
    ("four-space-indent", "rf:\n    type: model\n    labels:\n        - aa\n"),
    ("one-space-indent", "rf:\n type: model\n"),
    ("list-indented", "rf:\n  labels:\n    - aa\n    - bb\n"),
    ("explicit-field-key", "rf:\n  ? type\n  : model\n"),
    ("value-on-next-line", "rf:\n  type:\n    model\n"),
    ("plain-multiline", "rf:\n  description: a\n    b\n"),
    ("many-entries", "".join(f"m{i}: {{type: model}}\n" for i in range(60))),
    ("long-line", "rf:\n  description: " + "word " * 2000 + "\n"),
    ("long-flow-line", "rf: {description: " + "word " * 500 + "}\n"),
    ("deep-custom", "rf:\n  custom: " + "[" * 60 + "]" * 60 + "\n"),
    ("deep-custom-map", "rf:\n  custom: " + "{a: " * 40 + "1" + "}" * 40 + "\n"),
    # entry values
    ("entry-empty-list", "rf: []\n"),
    ("entry-int", "rf: 5\n"),
    ("entry-empty-string", 'rf: ""\n'),
    ("entry-tilde", "rf: ~\n"),
    ("entry-string-braces", 'rf: "{}"\n'),
    ("entry-tagged-map", "rf: !!map {}\n"),
    ("entry-tagged-null", "rf: !!null ''\n"),
    ("entry-foo-tag", "rf: !foo {}\n"),
    ("entry-omap", "rf: !!omap [{type: m}]\n"),
    ("entry-pairs", "rf: !!pairs [{type: m}]\n"),
    ("entry-set", "rf: !!set {type}\n"),
    ("entry-anchored", "rf: &x\n  type: model\n"),
    ("entry-tagged-block", "rf: !!map\n  type: model\n"),
    ("entry-list-of-maps", "rf:\n  - type: model\n"),
    ("entry-block-scalar", "rf: |\n  type: model\n"),
    # fields: unknown and odd keys
    ("unknown-field", "rf: {foo: 1}\n"),
    ("unknown-field-case", "rf: {Type: model}\n"),
    ("unknown-field-nested", "rf:\n  foo:\n    bar: [1, {a: b}]\n"),
    ("field-int-key", "rf: {1: a}\n"),
    ("field-null-key", "rf: {null: a}\n"),
    ("field-list-key", "rf: {[a]: b}\n"),
    ("field-map-key", "rf: {? {a: 1} : b}\n"),
    ("field-bool-key", "rf: {true: a}\n"),
    ("field-foo-tag-key", "rf: {!foo a: b}\n"),
    ("field-tagged-str-key", "rf: {!!str type: model}\n"),
    ("field-dq-key", 'rf: {"type": model}\n'),
    ("field-unknown-bad-value", "rf: {foo: !foo x}\n"),
    ("field-unknown-python-tag", "rf:\n  foo: !!python/tuple [1]\n"),
    ("nested-custom", "rf:\n  custom:\n    a:\n      b: [1, 2, {c: null}]\n"),
    ("non-ascii-everywhere", "rf:\n  description: Ünïcödé\n  path: données/x.pkl\n  custom: {🚀: ü}\n"),
    (
        "full-entry",
        (
            "rf:\n  custom: c1\n  description: Random forest\n  labels:\n  - aa\n  - bb\n  path: models/rf.pkl\n"
            "  type: model\n  virtual: false\n"
        ),
    ),
]


def read_cases() -> list[ReadCase]:
    out = [ReadCase(i, t) for i, t in (*_SPEC_19, *_name_cases(), *_field_cases(), *_YAML_ODDITIES)]
    out.extend(random_read_cases())
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    return out


# --- random entry-level mutations --------------------------------------------------------------------------

_BASES = [
    (
        "nn:\n  path: models/nn.pkl\n  type: model\n"
        "rf:\n  custom: c1\n  description: Random forest\n  labels:\n  - aa\n  - bb\n  path: models/rf.pkl\n"
        "  type: model\n  virtual: false\n"
    ),
    (
        '# artifacts\nrf:   # the forest\n  type: model\n  path: "models/rf.pkl"\n  labels: [zz, aa]\n'
        "  unknown_key: 42\n  description: >\n    folded text\n    here\nnn: {type: model, path: models/nn.pkl}\n"
    ),
    "rf: {}\nnn:\n  labels:\n  - aa\n  description: 'yes'\n",
]
_RANDOM_VALUES = [
    "model",
    "5",
    "1.5",
    "null",
    "~",
    "''",
    '""',
    "yes",
    "no",
    "true",
    "false",
    "on",
    "0x1F",
    "0o17",
    "1_000",
    "2024-01-01",
    "[a, b]",
    "[]",
    "{}",
    "{a: 1}",
    "[5]",
    "[null]",
    "'5'",
    '"x y"',
    "!!str 5",
    '!!int "5"',
    "!foo x",
    "&a x",
    "*a",
    "a.b",
    "über",
    '"a\\nb"',
    "-1",
    ".inf",
    "1e3",
    "+1",
    "0",
    "1",
    "0.0",
    "1.0",
    "maybe",
    "t",
    "f",
    "y",
    "n",
    "Y",
    "NULL",
    "True",
    '"true"',
    "'yes'",
    "[a, null]",
    "[[a]]",
    "!!set {a}",
    "[a.b]",
    "'a b'",
    "[A, 1, a/b]",
    "{type: model}",
    "|\n    text",
    ">-\n    text",
    "[a,",
    "{",
    "'open",
    "a: b",
    "- x",
]
_RANDOM_KEYS = [
    "type",
    "path",
    "virtual",
    "labels",
    "description",
    "custom",
    "foo",
    "Type",
    "1",
    "null",
    "'type'",
    "~",
    "<<",
    "[a]",
    "labels ",
    "desc",
]
_RANDOM_TOP_KEYS = [
    "rf",
    "nn",
    "'123'",
    "123",
    "true",
    "a.b",
    "A",
    "über",
    "'a b'",
    "~",
    "ab-",
    "1",
    "x" * 90,
    "<<",
    "rf",
    "'rf'",
    "!!str 5",
    "!foo rf",
    "&x rf",
    "? rf",
]
_RANDOM_CHARS = [
    ":",
    "-",
    "'",
    '"',
    "{",
    "}",
    "[",
    "]",
    "&a ",
    "*a",
    "!",
    "|",
    ">",
    "%",
    "@",
    "`",
    "\t",
    "#",
    "?",
    ",",
    " ",
    "\ufeff",
    "\r",
    "\x00",
    "🚀",
]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        lines = ["rf: {}"]
    i = rng.randrange(len(lines))
    kind = rng.randrange(11)
    if kind == 0:  # replace a field value
        field_lines = [j for j, line in enumerate(lines) if line.startswith("  ") and ":" in line]
        if field_lines:
            j = rng.choice(field_lines)
            key = lines[j].split(":", 1)[0]
            lines[j] = f"{key}: {rng.choice(_RANDOM_VALUES)}"
    elif kind == 1:  # insert a field
        lines.insert(i + 1, f"  {rng.choice(_RANDOM_KEYS)}: {rng.choice(_RANDOM_VALUES)}")
    elif kind == 2:
        lines.insert(i, lines[i])
    elif kind == 3 and len(lines) > 1:
        del lines[i]
    elif kind == 4:
        lines[i] = rng.choice([" ", "  ", "\t", ""]) + (lines[i][1:] if rng.random() < 0.3 else lines[i])
    elif kind == 5:  # rename a top-level key
        tops = [j for j, line in enumerate(lines) if line[:1] not in (" ", "#", "") and ":" in line]
        if tops:
            j = rng.choice(tops)
            lines[j] = rng.choice(_RANDOM_TOP_KEYS) + ":" + lines[j].split(":", 1)[1]
    elif kind == 6:
        lines[i] += rng.choice([" # c", "#c", "  #", " # ü"])
    elif kind == 7 and len(lines) > 1:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 8:  # a new entry
        lines.insert(rng.randrange(len(lines) + 1), f"{rng.choice(_RANDOM_TOP_KEYS)}: {rng.choice(_RANDOM_VALUES)}")
    elif kind == 9:  # insert a character
        line = lines[i]
        k = rng.randrange(len(line) + 1)
        lines[i] = line[:k] + rng.choice(_RANDOM_CHARS) + line[k:]
    else:  # a label item
        lines.insert(i + 1, f"  - {rng.choice(_RANDOM_VALUES)}")
    out = "\n".join(lines) + "\n"
    return out


def random_read_cases(seed: int = 20240601, n: int = 360) -> list[ReadCase]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        text = rng.choice(_BASES)
        for _ in range(rng.choice((1, 1, 2, 3))):
            text = _mutate(text, rng)
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        out.append(ReadCase(f"rand-{k:03d}", text))
    return out


# --- annotate / remove requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One `gto annotate` (kind "add") or `gto remove` call."""

    name: str
    kind: str = "add"
    type: Optional[str] = None
    path: Optional[str] = None
    must_exist: bool = False
    allow_same_path: bool = False
    labels: tuple[str, ...] = ()
    description: str = ""
    custom: Any = None

    def kw(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "path": self.path,
            "must_exist": self.must_exist,
            "allow_same_path": self.allow_same_path,
            "labels": list(self.labels),
            "description": self.description,
            "custom": self.custom,
        }

    def step(self) -> dict[str, Any]:
        if self.kind == "remove":
            return {"op": "remove", "name": self.name}
        return {"op": "add", "kw": self.kw()}

    def cli(self) -> str:
        """The call as a gto 0.2.8 command line (for repro messages)."""
        if self.kind == "remove":
            return f"gto remove {self.name!r}"
        parts = ["gto annotate", repr(self.name)]
        if self.type is not None:
            parts += ["--type", repr(self.type)]
        if self.path is not None:
            parts += ["--path", repr(self.path)]
        if self.must_exist:
            parts.append("-e")
        if self.allow_same_path:
            parts.append("--allow-same-path")
        for label in self.labels:
            parts += ["--label", repr(label)]
        if self.description:
            parts += ["-d", repr(self.description)]
        if self.custom is not None:
            parts += ["-c", repr(self.custom)]
        return " ".join(parts)


def add(name: str, **kw: Any) -> Op:
    if "labels" in kw:
        kw["labels"] = tuple(kw["labels"])
    return Op(name, "add", **kw)


def rm(name: str) -> Op:
    return Op(name, "remove")


# Files committed in the test repositories (see test_differential.py:repos).
COMMITTED = ["models/committed.pkl", "m.pkl", "data/a.csv", "gone.pkl"]  # gone.pkl is deleted after the commit
STAGED = ["staged.pkl"]
UNTRACKED = ["untracked.pkl"]
# Repositories: id -> .gto text (None: no .gto), env.
REPOS: dict[str, tuple[Optional[str], dict[str, str]]] = {
    "plain": (None, {}),
    "types": ("types: [model, dataset]\n", {}),
    "notypes": ("types: []\n", {}),
    "envtypes": ("types: [model, dataset]\n", {"GTO_TYPES": '["dataset"]'}),
    "nocommit": (None, {}),  # a repository without commits
}


@dataclass(frozen=True)
class SeqCase:
    id: str
    ops: tuple[Op, ...]
    repo: str = "plain"
    start: Optional[str] = None  # initial file; None: no file


def _seq(id: str, *ops: Op, repo: str = "plain", start: Optional[str] = None) -> SeqCase:
    return SeqCase(id, tuple(ops), repo, start)


_CASE2 = add(
    "rf", type="model", path="models/rf.pkl", labels=["bb", "aa", "bb"], description="Random forest", custom='{"a": 1}'
)

NAMED_SEQUENCES = [
    _seq("case1", add("rf")),
    _seq("case2", _CASE2),
    _seq(
        "case3",
        add(
            "rf",
            type="model",
            path="models/rf.pkl",
            labels=["bb", "aa", "bb"],
            description="Random forest",
            custom="c1",
        ),
        add("rf", labels=["cc"]),
    ),
    _seq("case4", add("zz"), add("aa-model", path="x/y"), add("m10"), add("m2"), add("mm/sub")),
    _seq(
        "case5",
        add("rf", path="m.pkl", must_exist=True),
        add("rf", labels=["l1"]),
        add("rf", path="m.pkl"),
        add("rf", path="m.pkl", must_exist=True),
    ),
    _seq("case8", add("aa", path="a"), add("bb", type="model"), rm("aa"), rm("nosuch"), rm("bb"), rm("bb")),
    _seq("case11", add("nn"), start="rf: {custom: {a: [1, 2], b: {c: null}}, labels: [zz, aa, zz], virtual: false}\n"),
    _seq("case33", *[add(n) for n in ["ab", "a", "A", "Ab_c", "1ab", "a/b", "a-b"]]),
    _seq("yaml-names", *[add(n) for n in YAML_LOOKING_NAMES]),
    _seq(
        "long-names",
        add(LONG_NAME_90, type="model"),
        add(LONG_NAME_140, labels=["aa"]),
        add("zz"),
        add(LONG_NAME_140, description=LONG_TEXT),
        add("a"),
        rm(LONG_NAME_90),
        add(LONG_NAME_140, path="p"),
    ),
    _seq(
        "labels-order",
        add("rf", labels=["bb", "aa", "bb"]),
        add("nn", labels=["zz", "aa", "zz"]),
        add("rf"),
        add("nn", labels=["aa"]),
        add("rf", labels=["A", "1", "a/b", "_x"]),
    ),
    _seq("labels-only-dupes", add("rf", labels=["aa", "aa"]), add("rf", labels=["aa"])),
    _seq(
        "merge-keeps",
        _CASE2,
        add("rf", description="", custom=""),
        add("rf", type=None, path=None),
        add("rf", custom=0),
        add("rf", custom=False),
        add("rf", custom="new"),
    ),
    _seq(
        "custom-json",
        add("rf", custom={"a": [1, 2], "b": {"c": None}}),
        add("nn", custom=[1, "x", None]),
        add("mm", custom=0),
        add("oo", custom=False),
        add("pp", custom=""),
        add("qq", custom=1.5),
        add("rr", custom={"z": 1, "a": {"y": 2, "b": 3}}),
    ),
    _seq(
        "virtual-flip",
        add("rf", path="models/committed.pkl", must_exist=True),
        add("rf", type="model"),
        add("rf", path="models/committed.pkl"),
        add("rf", path="m.pkl", must_exist=True),
    ),
    _seq(
        "must-exist-forms",
        add("a1", path="models/committed.pkl", must_exist=True),
        add("a2", path="./m.pkl", must_exist=True),
        add("a3", path="data/", must_exist=True),
        add("a4", path="data", must_exist=True, allow_same_path=True),
        add("a5", path="gone.pkl", must_exist=True),
        add("a6", path="staged.pkl", must_exist=True),
        add("a7", path="untracked.pkl", must_exist=True),
        add("a8", path="/etc/passwd", must_exist=True),
        add("a9", must_exist=True),
        add("b1", path="", must_exist=True),
        add("b2", path="nosuch.pkl", must_exist=True),
        add("b3", path="models//committed.pkl", must_exist=True, allow_same_path=True),
        add("b4", path="models/../m.pkl", must_exist=True, allow_same_path=True),
    ),
    _seq(
        "must-exist-no-commit",
        add("rf", path="m.pkl", must_exist=True),
        add("rf", must_exist=True),
        add("rf", path="m.pkl"),
        repo="nocommit",
    ),
    _seq(
        "path-conflicts",
        add("rf", path="models/rf.pkl"),
        add("a1", path="models"),
        add("a2", path="./models/rf.pkl"),
        add("a3", path="models/rf.pk"),
        add("a4", path="models/"),
        add("a5", path="models/rf.pkl/x"),
        add("a6", path="Models/rf.pkl"),
        add("a7", path="."),
        add("a8", path="models/./rf.pkl"),
        add("a9", path="models//rf.pkl"),
        add("b1", path="x/../models"),
        add("b2", path="models\\rf.pkl"),
        add("b3", path="models/rf.pkl", allow_same_path=True),
        add("rf", path="models/rf.pkl"),
        add("rf", path="models/rf.pkl/x"),
        add("b4", path="../models"),
        add("b5", path="", type="model"),
        add("b6", path="/"),
        add("b7", path="/tmp/x"),
        add("b8", path="/tmp"),
    ),
    _seq("path-conflict-dot", add("rf", path="."), add("nn", path="anything"), add("mm", path="")),
    _seq(
        "path-conflict-yaml-strings",
        add("x1", path="yes"),
        add("x2", path="1_000"),
        add("x3", path="1:20"),
        add("x4", path="on"),
        start="aa:\n  path: yes\nbb:\n  path: 1_000\ncc:\n  path: '1:20'\n",
    ),
    _seq(
        "errors",
        add("a.b"),
        add("rf", labels=["ok", "Bad.Label"]),
        add("rf", type="Bad.Type"),
        add("über"),
        add("rf", type=""),
        add("rf", labels=[""]),
        add("ab\n"),
        add("rf", labels=["x\n"]),
        add("rf", type="model\n"),
        add("rf"),
        add("a.b", labels=["bad label"]),
    ),
    _seq(
        "types-config",
        add("rf", type="model"),
        add("nn", type="other"),
        add("nn", type="Bad.Type"),
        add("nn"),
        add("nn", type="dataset"),
        repo="types",
    ),
    _seq("types-empty-config", add("rf", type="model"), add("rf"), add("rf", labels=["aa"]), repo="notypes"),
    _seq("types-env", add("rf", type="model"), add("rf", type="dataset"), repo="envtypes"),
    _seq("scalars-descriptions", *[add(f"d{i:02d}", description=s) for i, s in enumerate(SCALARS)]),
    _seq("scalars-customs", *[add(f"c{i:02d}", custom=s) for i, s in enumerate(SCALARS)]),
    _seq("scalars-paths", *[add(f"p{i:02d}", path=s, allow_same_path=True) for i, s in enumerate(SCALARS)]),
    _seq(
        "scalars-update",
        add("rf", description="old", custom="old"),
        *[add("rf", description=s, custom=s) for s in SCALARS[:30]],
    ),
    _seq(
        "long-values",
        add("rf", path="models/" + "very_long_directory_name/" * 4 + "model.pkl"),
        add("rf", description=LONG_TEXT),
        add("nn", description=LONG_TEXT, custom=LONG_TEXT),
        add("rf", labels=["l" * 85]),
        add("mm", type="t" * 85),
        add("rf", custom="c " * 60),
    ),
    _seq("remove-all", add("rf"), add("nn"), add("mm"), rm("nn"), rm("rf"), rm("mm"), rm("mm"), add("zz")),
    _seq("remove-missing-file", rm("rf")),
    _seq("invalid-start", add("nn"), start="rf:\n"),
    _seq(
        "bad-label-start",
        add("nn"),
        add("rf", labels=["ok"]),
        rm("rf"),
        start="rf: {labels: [Bad.Label], type: Bad.Type}\n",
    ),
    _seq("tilde-type-start", add("nn"), start="rf:\n  type: '~'\n"),
    _seq("null-string-type-start", add("nn"), start="rf:\n  type: 'null'\n"),
    _seq("empty-type-start", add("nn"), add("rf", labels=["x"]), start="rf:\n  type: ''\n"),
    _seq("tilde-label-start", add("nn"), start="rf:\n  labels: ['~']\n"),
    _seq("block-scalar-type-start", add("nn"), add("rf", labels=["x"]), start="rf:\n  type: |\n    model\n"),
]


def _pick(rng: random.Random, pool: list[Any], none_weight: int = 0) -> Any:
    choice = rng.randrange(len(pool) + none_weight)
    return None if choice >= len(pool) else pool[choice]


_SEQ_NAMES = [
    "rf",
    "nn",
    "aa-model",
    "m10",
    "m2",
    "mm/sub",
    "A",
    "Ab_c",
    "1ab",
    "a/b",
    "a",
    "1",
    "123",
    "true",
    "yes",
    "zz",
    "model_A",
    "DVCLive/Model",
    "2024-01-01",
    LONG_NAME_90,
]
_SEQ_BAD_NAMES = ["a.b", "über", "a b", "ab-", "-ab"]
_SEQ_TYPES = ["model", "dataset", "Bad.Type", "a b", "yes", "123", "null", "t" * 85, "", "Model"]
_SEQ_PATHS = [
    "models/rf.pkl",
    "models",
    "./models/rf.pkl",
    "models/rf.pk",
    "models/",
    "m.pkl",
    "data",
    "data/a.csv",
    "x/y",
    "dir with space/f.pkl",
    "",
    ".",
    "p/" * 60 + "x",
    "/abs/x",
    "../up",
    "yes",
    "123",
    "a\\b",
    "models//rf.pkl",
    "Models/rf.pkl",
    "données/x.pkl",
    "s3://bucket/x",
    "gone.pkl",
    "untracked.pkl",
    "models/committed.pkl",
    "staged.pkl",
]
_SEQ_LABELS = ["aa", "bb", "cc", "zz", "A", "1", "a/b", "l" * 85]
_SEQ_BAD_LABELS = ["Bad.Label", "b c", "x:y"]


def random_sequences(seed: int = 7, n: int = 220) -> list[SeqCase]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        ops: list[Op] = []
        names: list[str] = []
        for _ in range(rng.randint(2, 6)):
            if names and rng.random() < 0.12:
                ops.append(rm(rng.choice(names) if rng.random() < 0.85 else rng.choice(_SEQ_NAMES)))
                continue
            if names and rng.random() < 0.5:
                name = rng.choice(names)
            else:
                name = rng.choice(_SEQ_NAMES) if rng.random() < 0.97 else rng.choice(_SEQ_BAD_NAMES)
            labels = [rng.choice(_SEQ_LABELS) for _ in range(rng.choice((0, 0, 1, 2, 3)))]
            if rng.random() < 0.03:
                labels.append(rng.choice(_SEQ_BAD_LABELS))
            must_exist = rng.random() < 0.1
            custom: Any = _pick(rng, SCALARS, 3 * len(SCALARS))
            if rng.random() < 0.05:
                custom = rng.choice([0, False, 1.5, {"a": [1, 2]}, [1, "x"], ""])
            ops.append(
                add(
                    name,
                    type=_pick(rng, _SEQ_TYPES, 2 * len(_SEQ_TYPES)),
                    path=_pick(rng, _SEQ_PATHS, len(_SEQ_PATHS)),
                    must_exist=must_exist,
                    allow_same_path=rng.random() < 0.1,
                    labels=labels,
                    description=rng.choice(SCALARS) if rng.random() < 0.4 else "",
                    custom=custom,
                )
            )
            names.append(name)
        repo = rng.choice(["plain"] * 8 + ["types", "notypes"])
        out.append(SeqCase(f"rseq-{k:03d}", tuple(ops), repo))
    return out


def seq_cases() -> list[SeqCase]:
    out = [*NAMED_SEQUENCES, *random_sequences()]
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids))
    return out


# --- hand-written files ------------------------------------------------------------------------------------------

HAND_FILES: dict[str, str] = {
    "case10": CASE10,
    "comments": (
        "# Artifacts of this repo\n"
        "\n"
        "# the forest\n"
        "rf:  # inline\n"
        "  # a comment inside\n"
        "  type: model  # type comment\n"
        "  path: models/rf.pkl\n"
        "  # trailing comment inside\n"
        "\n"
        "# between entries\n"
        "nn:\n"
        "  type: model\n"
        "# the end\n"
    ),
    "flow-entries": "rf: {type: model, path: models/rf.pkl, labels: [bb, aa]}\nnn: {type: model}\n",
    "odd-order": "rf:\n  virtual: false\n  type: model\n  labels:\n  - zz\n  description: hi\n  path: models/rf.pkl\n"
    "nn:\n  path: nn.pkl\n",
    "quotes": "'rf':\n  type: \"model\"\n  path: 'models/rf.pkl'\n  description: \"it's\"\n  labels: ['aa', \"bb\"]\n"
    "\"nn\":\n  custom: 'c'\n",
    "crlf": "rf:\r\n  type: model\r\n  labels:\r\n  - aa\r\n# c\r\nnn:\r\n  path: nn.pkl\r\n",
    "bom": "\ufeffrf:\n  type: model\nnn:\n  path: nn.pkl\n",
    "bom-crlf": "\ufeff# top\r\nrf:\r\n  type: model\r\n",
    "unknown-keys": "rf:\n  type: model\n  owner: me\n  extra:\n    a: [1, 2]\n  path: models/rf.pkl\n"
    "nn:\n  foo: bar\n",
    "four-space": "rf:\n    type: model\n    labels:\n        - aa\n    path: models/rf.pkl\nnn:\n    type: model\n",
    "one-space": "rf:\n type: model\n labels:\n - aa\nnn:\n path: nn.pkl\n",
    "trailing-comments": "rf:\n  type: model   # t\n  labels: [aa]   # l\n  path: models/rf.pkl # p\nnn: {}  # n\n",
    "no-final-newline": "nn:\n  type: model\nrf:\n  type: model\n  path: models/rf.pkl",
    "no-final-newline-flow": "rf: {type: model}\nnn: {path: nn.pkl}",
    "unsorted-names": "zz:\n  type: model\nrf:\n  type: model\naa:\n  path: aa.pkl\n",
    "sorted-with-comments": "# a\naa:\n  type: model\n# r\nrf:\n  type: model\n# z\nzz:\n  type: model\n",
    "block-scalars": "rf:\n  description: |\n    line one\n    line two\n  type: model\nnn:\n  description: >-\n"
    "    folded\n    text\n",
    "labels-flow-and-block": "rf:\n  labels: [zz, aa, zz]\n  type: model\nnn:\n  labels:\n    - bb\n    - aa\n",
    "virtual-lax": "rf:\n  virtual: 'no'\n  path: m.pkl\nnn:\n  virtual: 1\n  path: nn.pkl\n",
    "anchors": "base: &b\n  type: model\nrf:\n  <<: *b\n  path: models/rf.pkl\nnn: *b\n",
    "flow-top": "{rf: {type: model, path: models/rf.pkl}, nn: {labels: [aa]}}\n",
    "doc-markers": "---\nrf:\n  type: model\nnn:\n  path: nn.pkl\n...\n",
    "comments-only": "# nothing here yet\n# really\n",
    "empty-mapping": "{}\n",
    "explicit-nulls": "rf:\n  type: null\n  path: ~\n  custom:\n  description: ''\nnn:\n  labels: []\n",
    "long-desc-028": "rf:\n  description: This description is long enough that it goes beyond the eighty\n"
    "    character limit of the dumper\n  type: model\nnn:\n  path: nn.pkl\n",
    "indented-comment-after": "rf:\n  type: model\n  # about path\nnn:\n  type: model\n",
    "blank-lines": "rf:\n\n  type: model\n\n\n  path: models/rf.pkl\n\n\nnn:\n  type: model\n\n",
    "tabs-in-comments": "rf:\n  type: model\t# t\n\t# whole-line tab comment\nnn:\n  type: model\n",
    "dq-escapes": 'rf:\n  description: "tab\\there \\u00e9"\n  path: "models/rf.pkl"\nnn:\n  type: model\n',
    "custom-nested": "rf:\n  custom:\n    z: 1\n    a:\n      - x\n      - {k: v}\n  type: model\n"
    "nn:\n  custom: {b: 1, a: 2}\n",
}

HAND_FILES.update(
    {
        "indented-top": "  rf:\n    type: model\n  nn:\n    path: nn.pkl\n",
        "yaml-directive": "%YAML 1.2\n---\nrf:\n  type: model\nnn:\n  path: nn.pkl\n",
        "flow-multiline-entry": "rf: {type: model,\n  path: models/rf.pkl}\nnn:\n  path: nn.pkl\n",
        "aliases-only": "rf: &e {type: model}\nnn: *e\n",
        "nel-value": "rf:\n  description: 'nel\x85    char'\n  type: model\nnn:\n  path: nn.pkl\n",
        "explicit-keys": "? rf\n: type: model\n? nn\n: path: nn.pkl\n",
    }
)

HAND_OPS: list[Op] = [
    add("rf", labels=["cc"]),
    add("rf", type="dataset"),
    add("rf", path="models/rf2.pkl"),
    add("rf", description="new text"),
    add("rf", description=LONG_TEXT),
    add("rf", custom="c9"),
    add("rf", path="m.pkl", must_exist=True),
    add("rf", type="model", path="models/rf.pkl", labels=["bb", "aa"], description="Random forest", custom="c1"),
    add("rf"),
    add("nn", labels=["aa", "zz"]),
    add("nn", description="a: b"),
    add("aa"),
    add("mm", type="model", description="'quoted'"),
    add("zzz", labels=["x"]),
    add("new", path="models/rf.pkl"),
    add("rf", path="nn.pkl"),
    add("a.b"),
    rm("rf"),
    rm("nn"),
    rm("nosuch"),
]

# --- files written by gto 0.2.8's CLI (ruamel.yaml 0.17), then annotated by 1.10.1 and by us ----------------

GTO028_WRITES: dict[str, list[list[str]]] = {
    "case2-and-more": [
        [
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
            "--label",
            "bb",
            "-d",
            "Random forest",
            "-c",
            '{"a": 1}',
        ],
        ["annotate", "nn", "--path", "nn.pkl", "-d", "yes"],
        ["annotate", "zz-top", "--label", "xx", "-c", "a: b"],
    ],
    "long-description": [
        ["annotate", "rf", "--type", "model", "-d", LONG_TEXT],
        ["annotate", "nn", "--path", "nn.pkl"],
    ],
    "long-path": [
        ["annotate", "rf", "--path", "models/" + "very_long_directory_name/" * 4 + "model.pkl"],
        ["annotate", "nn", "--label", "aa"],
    ],
}
GTO028_OPS: list[Op] = [
    add("rf", labels=["cc"]),
    add("nn", description="new text"),
    add("mm"),
    add("aa", type="model"),
    rm("nn"),
    rm("rf"),
]

# --- describe (gto 0.2.8 CLI) --------------------------------------------------------------------------------------

DESCRIBE_FILES: dict[str, str] = {
    "full": "rf:\n  custom: c1\n  description: Random forest\n  labels:\n  - aa\n  - bb\n  path: models/rf.pkl\n"
    "  type: model\n  virtual: false\nnn:\n  type: model\n",
    "empty-entry": "rf: {}\n",
    "case10": HAND_FILES["case10"],
    "case11": "rf: {custom: {a: [1, 2], b: {c: null}}, labels: [zz, aa, zz], virtual: false}\n",
    "unicode": "rf:\n  description: Ünïcödé 🚀\n  path: données/x.pkl\n  custom: {k: ü}\n",
    "custom-kinds": "rf:\n  custom: [1, 2.5, true, null, 'x']\nnn:\n  custom: 0\nmm:\n  custom: false\noo:\n"
    "  custom: ''\n",
    "explicit-defaults": "rf:\n  type: null\n  path: ~\n  virtual: true\n  labels: []\n  description: ''\n",
    "virtual-lax": "rf:\n  virtual: 'no'\nnn:\n  virtual: 0\n",
    "anchors": HAND_FILES["anchors"],
    "flow-top": HAND_FILES["flow-top"],
    "block-scalars": HAND_FILES["block-scalars"],
    "quotes": HAND_FILES["quotes"],
    "crlf": HAND_FILES["crlf"],
    "bom": HAND_FILES["bom"],
    "long-desc": "rf:\n  description: " + LONG_TEXT + "\n",
    "unknown-keys": HAND_FILES["unknown-keys"],
    "path-empty": "rf:\n  path: ''\n",
    "bad-null-entry": "rf:\n",
    "bad-dup": "rf: {}\nrf: {}\n",
    "bad-syntax": "rf: {type: [\n",
    "bad-labels": "rf: {labels: aa}\n",
    "bad-virtual": "rf: {virtual: maybe}\n",
    "bad-two-docs": "rf: {}\n---\nnn: {}\n",
}
DESCRIBE_NAMES = ["rf", "nn", "mm", "oo", "nosuch"]
