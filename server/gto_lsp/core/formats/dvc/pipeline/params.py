"""Params files as DVC reads them (dvc/utils/serialize): YAML (any other suffix), JSON, TOML and Python, read
through the repository view only (inside it, bounded), parsed once per (path, text).

Where each key is written is known exactly for YAML; for JSON, TOML and Python it is found by searching the text
for the key (good enough to go to it).
"""

from __future__ import annotations

import ast
import json
import math
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import Lines
from gto_lsp.core.yaml.nodes import (
    ALIAS_BUDGET,
    FLOAT,
    INT,
    STR,
    AliasExpansionError,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    compose,
    mapping_pairs,
    tag_of,
)
from gto_lsp.core.yaml.render import scalar_value

MAX_KEYS = 10_000  # key positions recorded per file


@dataclass(frozen=True, eq=False)
class ParamsFile:
    """A params or vars file: `data` its mapping (None when it cannot be used: `error` says why: "missing",
    "unreadable" (a folder, not UTF-8, too large), "syntax" or "not-mapping")."""

    path: str  # relative to the repository root
    text: str
    data: Optional[dict[str, Any]]
    error: Optional[str] = None
    detail: str = ""  # the parser's message, for "syntax"
    _spans: dict[str, Span] = field(default_factory=dict, repr=False)

    def span_of(self, parts: tuple[str, ...]) -> Span:
        """Where the key `parts` (a dotted path) is written; the longest prefix found, else the file's start."""
        for end in range(len(parts), 0, -1):
            found = self._spans.get(".".join(parts[:end]))
            if found is not None:
                return found
        if not self.path.endswith((".yaml", ".yml")) and parts:
            return _searched(self.text, parts)
        return Span.at(0, 0)


def read_params(repo: RepoView, path: str) -> ParamsFile:
    """The params file at `path` (relative to the root, normalised here)."""
    path = posixpath.normpath(path) if path else path
    text = repo.read_text(path)
    if text is None:
        exists = repo.exists(path)
        return ParamsFile(path, "", None, "unreadable" if exists else "missing")
    key = (path, text)
    found = _PARSED.get(key)
    if found is None:
        found = _parse(path, text)
        if len(_PARSED) >= 64:
            _PARSED.clear()
        _PARSED[key] = found
    return found


_PARSED: dict[tuple[str, str], ParamsFile] = {}


def parse_params(path: str, text: str) -> ParamsFile:
    """A params file's text as DVC reads it (by `path`'s suffix), not from the disk: the file at a commit."""
    return _parse(path, text)


def _parse(path: str, text: str) -> ParamsFile:
    suffix = posixpath.splitext(path)[1].lower()
    spans: dict[str, Span] = {}
    try:
        if suffix == ".json":
            data = json.loads(text) or {}
        elif suffix == ".toml":
            data = _toml(text)
            if data is None:  # no TOML reader here: its names are unknown, not absent (nothing called undefined)
                return ParamsFile(path, text, None, "unreadable")
        elif suffix == ".py":
            data = _python_params(text)
        else:
            data = _yaml(text, spans)
    except AliasExpansionError:
        return ParamsFile(path, text, None, "unreadable")  # an alias bomb: gto-lsp does not expand it
    except Exception as error:  # every parser's own errors: DVC says the file is corrupted
        return ParamsFile(path, text, None, "syntax", str(error).split("\n")[0][:200])
    if not isinstance(data, dict):
        return ParamsFile(path, text, None, "not-mapping", type(data).__name__)
    return ParamsFile(path, text, data, _spans=spans)


def _yaml(text: str, spans: dict[str, Span]) -> Any:
    """DVC's YAML reading (ruamel, YAML 1.2, a repeated key refused), composed by libyaml: ruamel's pure Python
    loader took 3 s for a 3,000-line params.yaml. `spans` receives where each key is written."""
    node = compose(text)
    if node is None:
        return {}
    repeated = _yaml_spans(node, spans)
    if repeated is not None:
        raise ValueError(f"found duplicate key '{repeated}'")
    if isinstance(node, (MappingNode, SequenceNode)) and alias_excess(node) > ALIAS_BUDGET:
        raise AliasExpansionError()
    return _value(node, [MAX_VALUES]) or {}


MAX_VALUES = 1_000_000  # values one params file gives at the most


def _value(node: Node, budget: list[int]) -> Any:
    """The node's value as ruamel's safe loader (YAML 1.2) builds it; numbers converted here, without a loader."""
    budget[0] -= 1
    if budget[0] < 0:
        raise AliasExpansionError()
    if isinstance(node, ScalarNode):
        tag = tag_of(node)
        if tag == STR:
            return node.value
        number = _number(tag, node.value)
        return number if number is not None else scalar_value(node)
    if isinstance(node, SequenceNode):
        return [_value(item, budget) for item in node.value]
    if isinstance(node, MappingNode):
        return {_value(k, budget): _value(v, budget) for k, v in mapping_pairs(node)}
    return None


_BASES = {"0o": 8, "0x": 16, "0b": 2}
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}


def _number(tag: str, text: str) -> Optional[float]:
    try:
        if tag == INT:
            digits = text.replace("_", "")
            sign = -1 if digits.startswith("-") else 1
            digits = digits.lstrip("+-")
            base = _BASES.get(digits[:2].lower(), 10)
            return sign * int(digits[2:] if base != 10 else digits, base)
        if tag == FLOAT:
            special = _SPECIAL_FLOATS.get(text.lower())
            return special if special is not None else float(text.replace("_", ""))
    except ValueError:
        return None
    return None


def _yaml_spans(node: Node, spans: dict[str, Span]) -> Optional[str]:
    """Records where each key is written (dotted path -> span); returns a key repeated in one mapping, if any."""
    stack: list[tuple[Node, tuple[str, ...]]] = [(node, ())]
    seen_nodes: set[int] = set()
    while stack and len(seen_nodes) < MAX_KEYS:
        current, prefix = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, MappingNode):
            keys: set[Any] = set()
            for key, value in current.value:
                if isinstance(key, ScalarNode):
                    if (tag_of(key), key.value) in keys and key.value != "<<":
                        return str(key.value)
                    keys.add((tag_of(key), key.value))
                    path = (*prefix, str(key.value))
                    spans.setdefault(".".join(path), _span(key))
                    stack.append((value, path))
        elif isinstance(current, SequenceNode):
            for index, item in enumerate(current.value):
                path = (*prefix, str(index))
                spans.setdefault(".".join(path), _span(item))
                stack.append((item, path))
    return None


def _span(node: Node) -> Span:
    return Span(Pos(node.start_mark.line, node.start_mark.column), Pos(node.end_mark.line, node.end_mark.column))


def _searched(text: str, parts: tuple[str, ...]) -> Span:
    """The key's line in a JSON, TOML or Python file: each part searched after the previous one."""
    offset = 0
    where: Optional[re.Match[str]] = None
    for part in parts:
        if part.isdigit():
            continue
        name = re.escape(part)
        pattern = re.compile(rf"[\"']{name}[\"']\s*[:=]|^\s*{name}\s*[=:]|\[\s*(?:[\w.\"'-]+\.)?{name}\s*\]", re.M)
        match = pattern.search(text, offset)
        if match is None:
            break
        where, offset = match, match.end()
    if where is None:
        return Span.at(0, 0)
    lines = Lines(text, "\n")
    name_at = where.group(0).find(parts[-1]) if parts else 0
    start = lines.position(where.start() + max(name_at, 0))
    return Span(start, Pos(start.line, start.col + len(parts[-1])))


def _toml(text: str) -> Any:
    """Python 3.11's tomllib; None without it (3.9, 3.10)."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python < 3.11
        return None
    return tomllib.loads(text)


def _python_params(text: str) -> dict[str, Any]:
    """DVC's params of a .py file: `name = literal` at the top and in classes (a class is a dict of its own, its
    `__init__`'s `self.name = literal` included); assignments to several targets, or of anything but a literal,
    are skipped."""
    return _assignments(ast.parse(text).body)


def _assignments(body: list[ast.stmt], self_only: bool = False, depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for statement in body:
        if isinstance(statement, ast.ClassDef) and not self_only and depth < 16:
            out[statement.name] = _assignments(statement.body, False, depth + 1)
        elif isinstance(statement, ast.FunctionDef) and statement.name == "__init__" and depth < 16:
            out.update(_assignments(statement.body, True, depth + 1))
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets = [statement.target] if isinstance(statement, ast.AnnAssign) else statement.targets
            name = _target_name(targets[0], self_only) if len(targets) == 1 else None
            if name is None or statement.value is None:
                continue
            try:
                out[name] = ast.literal_eval(statement.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
    return out


def _target_name(target: ast.expr, self_only: bool) -> Optional[str]:
    if isinstance(target, ast.Name) and not self_only:
        return target.id
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
        return target.attr
    return None
