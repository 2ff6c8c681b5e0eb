"""Params files as DVC reads them (dvc/utils/serialize): YAML (any other suffix), JSON, TOML and Python, read
through the repository view only (inside it, bounded), parsed once per (path, text).

Where each key is written is known exactly for YAML; for JSON, TOML and Python it is found by searching the text
for the key (good enough to go to it).
"""

from __future__ import annotations

import ast
import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import Lines
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode, compose
from gto_lsp.core.yaml.render import load

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


def _parse(path: str, text: str) -> ParamsFile:
    suffix = posixpath.splitext(path)[1].lower()
    try:
        if suffix == ".json":
            data = json.loads(text) or {}
        elif suffix == ".toml":
            data = _toml(text)
        elif suffix == ".py":
            data = _python_params(text)
        else:
            data = load(text) or {}
    except Exception as error:  # every parser's own errors: DVC says the file is corrupted
        return ParamsFile(path, text, None, "syntax", str(error).split("\n")[0][:200])
    if not isinstance(data, dict):
        return ParamsFile(path, text, None, "not-mapping", type(data).__name__)
    spans: dict[str, Span] = {}
    if suffix not in (".json", ".toml", ".py"):
        try:
            _yaml_spans(compose(text), (), spans)
        except Exception:
            spans = {}
    return ParamsFile(path, text, data, _spans=spans)


def _yaml_spans(node: Optional[Node], prefix: tuple[str, ...], spans: dict[str, Span]) -> None:
    stack: list[tuple[Optional[Node], tuple[str, ...]]] = [(node, prefix)]
    while stack and len(spans) < MAX_KEYS:
        node, prefix = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    path = (*prefix, str(key.value))
                    spans.setdefault(".".join(path), _span(key))
                    stack.append((value, path))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                path = (*prefix, str(index))
                spans.setdefault(".".join(path), _span(item))
                stack.append((item, path))


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
    """Python 3.11's tomllib; without it (3.9, 3.10) a TOML file reads as having no keys we can check."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python < 3.11
        return {}
    return tomllib.loads(text)


def _python_params(text: str) -> dict[str, Any]:
    """DVC's params of a .py file: module-level `NAME = literal` assignments, and classes as dicts of theirs."""
    tree = ast.parse(text)
    return _assignments(tree.body)


def _assignments(body: list[ast.stmt], depth: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for statement in body:
        if isinstance(statement, ast.ClassDef) and depth < 8:
            out[statement.name] = _assignments(statement.body, depth + 1)
            continue
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        try:
            literal = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                out[target.id] = literal
    return out
