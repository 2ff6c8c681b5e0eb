"""The shortcuts of a first read and check equal the slow paths they skip, on random and hostile entries: the
composer's loader (CParser's own __init__, tags by a dict) gives the nodes PyYAML's full loader gives;
duplicate_keys' test for plain fields reports what its walk reports; an entry's string fields without a rule are
accepted as _field_value accepts them; RepoView's folder listings answer as one lstat per folder does."""

from __future__ import annotations

import dataclasses
import os
import random
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
import yaml.cyaml
from ruamel.yaml.nodes import ScalarNode as RuamelScalar

from gto_lsp.core.fields import ValueRule
from gto_lsp.core.formats.gto import fields as gto_fields
from gto_lsp.core.formats.gto import rules_entry
from gto_lsp.core.formats.gto.document import parse
from gto_lsp.core.paths import exists_inside
from gto_lsp.core.repo import fs
from gto_lsp.core.repo.fs import ExistsCache, RepoView
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


def _siblings(base: Path) -> tuple[Path, list[str]]:
    """A folder of many folders (some links in, out and dangling, some files): the listing's case."""
    root, outside = base / "repo", base / "outside"
    (outside / "o").mkdir(parents=True)
    (outside / "o" / "f.pkl").write_text("x")
    many = root / "many"
    many.mkdir(parents=True)
    paths = []
    for i in range(150):
        kind = i % 6
        name = f"d{i}"
        if kind in (0, 1, 2):
            (many / name).mkdir()
            (many / name / "f.pkl").write_text("x")
        elif kind == 3:
            os.symlink(outside / "o", many / name)  # out
        elif kind == 4:
            os.symlink(f"d{i - 4}", many / name)  # in
        else:
            (many / name).write_text("a file, not a folder")
        paths += [f"many/{name}/f.pkl", f"many/{name}", f"many/{name}/missing", f"many/{name}/f.pkl/x"]
    os.symlink("missing", many / "dangling")
    paths += ["many/dangling/f.pkl", "many/nothing/f.pkl"]
    for i in range(150):  # top-level folders too: the root is listed
        (root / f"t{i}").mkdir()
        (root / f"t{i}" / "f.pkl").write_text("x")
        paths.append(f"t{i}/f.pkl")
    return root, paths


@pytest.mark.parametrize("list_from, per_lookup", [(32, 16), (2, 1), (1, 1000)])
def test_folder_listings_answer_as_lstat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, list_from: int, per_lookup: int
) -> None:
    """Partial listings (1 entry per look-up), early ones and the real thresholds; before and after the links
    change (the cache cleared, as file events do)."""
    monkeypatch.setattr(fs, "_LIST_FROM", list_from)
    monkeypatch.setattr(fs, "_LIST_PER_LOOKUP", per_lookup)
    root, paths = _siblings(tmp_path)
    rng = random.Random(list_from)
    cache = ExistsCache()
    for changed in (False, True):
        for view in (RepoView(root=root, exists_cache=cache), RepoView(root=root)):
            order = paths[:]
            rng.shuffle(order)
            real_root = os.path.realpath(root)
            assert [view.exists(p) for p in order] == [exists_inside(root, p, real_root) for p in order]
        if changed:
            break
        for i in range(0, 150, 6):  # folders become links out, links become folders
            os.rename(root / "many" / f"d{i}", tmp_path / f"moved{i}")
            os.symlink(tmp_path / "outside" / "o", root / "many" / f"d{i}")
            os.unlink(root / "many" / f"d{i + 3}")
            (root / "many" / f"d{i + 3}").mkdir()
            (root / "many" / f"d{i + 3}" / "f.pkl").write_text("x")
        cache.clear()
