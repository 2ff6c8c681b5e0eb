"""The shortcuts of a first read and check equal the slow paths they skip, on random and hostile entries: the
composer's loader (CParser's own __init__, tags by a dict) gives the nodes PyYAML's full loader gives;
duplicate_keys' test for plain fields reports what its walk reports; an entry's string fields without a rule are
accepted as _field_value accepts them."""

from __future__ import annotations

import dataclasses
import random
from typing import Any, Optional

import pytest
import yaml
import yaml.cyaml
from ruamel.yaml.nodes import ScalarNode as RuamelScalar

from gto_lsp.core.fields import ValueRule
from gto_lsp.core.formats.gto import fields as gto_fields
from gto_lsp.core.formats.gto import rules_entry
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.yaml import nodes, rules
from gto_lsp.core.yaml.nodes import PLAIN, MappingNode, Node, ScalarNode, SequenceNode, compose

CParser: Any = getattr(yaml.cyaml, "CParser", None) or type("NoLibyaml", (), {})

# Pieces of entries: repeated, quoted, tagged, merged and aliased keys, flow collections, tabs, odd breaks.
KEYS = [
    "type",
    "path",
    "labels",
    "virtual",
    "description",
    "custom",
    "'type'",
    '"path"',
    "!!str type",
    "1",
    "0x1",
    "null",
    "~",
    "''",
    "<<",
    "'<<'",
    "yes",
    "true",
    "=",
    "a b",
    "[k]",
    "{k: v}",
    "? x",
    "tru",
    "n",
    "-x",
]
VALUES = [
    "model",
    "'q'",
    '"d\\tq"',
    "12",
    "1.5",
    "null",
    "",
    "yes",
    "false",
    "[a, b, a]",
    "{x: 1}",
    "!!binary aGk=",
    "!!int x",
    "&anc {type: t}",
    "*anc",
    "!custom v",
    "[1, [2]]",
    "|\n    block\n",
    ">\n    folded\n",
    "\n  - a\n  - b\n  - a\n",
    "\n  - [x]\n  - {y: 1}\n",
    "x\ty",
    '"tab\there"',
    "a\u2028b",
    "v # c",
]


def _entry(rng: random.Random, name: str) -> str:
    lines = [f"{name}:"]
    for _ in range(rng.randrange(7)):
        key, value = rng.choice(KEYS), rng.choice(VALUES)
        if key.startswith("? "):
            lines.append(f"  {key}\n  : {value}")
        else:
            lines.append(f"  {key}: {value}")
    if rng.random() < 0.2:
        return f"{name}: {{type: {rng.choice(VALUES)}, {rng.choice(KEYS)}: {rng.choice(VALUES)}}}"
    return "\n".join(lines)


def _document(rng: random.Random) -> str:
    head = "%YAML 1.1\n---\n" if rng.random() < 0.05 else ""
    text = head + "\n".join(_entry(rng, rng.choice(["m", "m", "'q'", "1", "&a m", "n"]) + str(i)) for i in range(4))
    return text.replace("\n", "\r\n") if rng.random() < 0.2 else text + "\n"


def _shape(node: Optional[Node], seen: Optional[dict[int, int]] = None) -> Any:
    """Everything a consumer may read of a node tree: kinds, tags, values, styles and every mark."""
    seen = {} if seen is None else seen
    if node is None:
        return None
    if id(node) in seen:
        return ("shared", seen[id(node)])
    seen[id(node)] = len(seen)
    marks = tuple((m.line, m.column, m.index) for m in (node.start_mark, node.end_mark))
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    flow = getattr(node, "flow_style", None)
    if isinstance(node, SequenceNode):
        return ("seq", node.tag, flow, marks, [_shape(item, seen) for item in node.value])
    return ("map", node.tag, flow, marks, [(_shape(k, seen), _shape(v, seen)) for k, v in node.value])


class _FullLoader(CParser, yaml.constructor.BaseConstructor, yaml.resolver.BaseResolver):  # type: ignore[misc]
    """The loader as it was: every __init__ of its bases, BaseResolver's own resolve for what is not plain."""

    yaml_11 = False  # compose() sets it for a `%YAML 1.1` document

    def __init__(self, stream: Any) -> None:
        CParser.__init__(self, stream)
        yaml.constructor.BaseConstructor.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return nodes._resolver_11.resolve(RuamelScalar, value, (True, False)) if self.yaml_11 else PLAIN
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


def _composed(text: str) -> Any:
    try:
        return ("node", _shape(compose(text)))
    except yaml.YAMLError as error:
        return ("error", type(error).__name__, str(error))


@pytest.mark.skipif(not nodes.HAVE_LIBYAML, reason="PyYAML without libyaml: the pure composer is the only one")
def test_loader_gives_the_full_loaders_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(17)
    texts = [_document(rng) for _ in range(300)]
    texts += ["a: &x {b: 1}\nc: *x\n", "a: !!map {b: 1}\n", "a: !!seq [1]\n", "? [a]\n: b\n", "a: !t {b: [c]}\n"]
    texts += [
        "".join(rng.choice("ab: -\n\t#{}[]'\"&*!|>?,\r\ufeff\x85😀") for _ in range(rng.randrange(40)))
        for _ in range(300)
    ]
    fast = [_composed(text) for text in texts]
    monkeypatch.setattr(nodes, "_Loader", _FullLoader)
    assert [_composed(text) for text in texts] == fast


def _problems(found: list[Any]) -> list[Any]:
    return [(p.code, p.message, p.span, p.related, p.data) for p in found]


def test_plain_fields_shortcut_reports_what_the_walk_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    cases: list[Node] = []
    while len(cases) < 600:
        try:
            node = compose(_entry(rng, "m") + "\n")
        except yaml.YAMLError:
            continue
        if isinstance(node, MappingNode) and node.value and node.value[0][1] is not None:
            cases.append(node.value[0][1])
    taken = sum(isinstance(node, MappingNode) and rules._plain_fields(node) for node in cases)
    assert 50 < taken < len(cases)  # both paths are exercised

    def reported() -> list[Any]:
        found = []
        for node in cases:
            out: list[Any] = []
            rules.duplicate_keys(node, out)
            found.append(_problems(out))
        return found

    fast = reported()
    monkeypatch.setattr(rules, "_plain_fields", lambda node: False)
    assert reported() == fast
    assert any(fast)


def test_string_fields_without_a_rule_as_field_value_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """local_problems skips _field_value for a string field without a value rule whose value is a string; with
    an always-true rule on every field, nothing is skipped, and the problems are the same."""
    rng = random.Random(5)
    texts = [_document(rng) for _ in range(200)]
    fast = [[_problems(list(rules_entry.local_problems(a))) for a in parse(text).artifacts] for text in texts]
    accept_all = ValueRule("invalid-type", lambda value: True, lambda value: "", lambda value: None)
    every_rule = {
        name: spec if spec.value_rule is not None else dataclasses.replace(spec, value_rule=accept_all)
        for name, spec in gto_fields.FIELD_BY_NAME.items()
    }
    monkeypatch.setattr(rules_entry, "FIELD_BY_NAME", every_rule)
    slow = [[_problems(list(rules_entry.local_problems(a))) for a in parse(text).artifacts] for text in texts]
    assert slow == fast
    assert any(any(found) for found in fast)
