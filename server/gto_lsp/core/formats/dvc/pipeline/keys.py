"""Keys of dvc.yaml's pipeline sections for the editor: the keys a mapping accepts and lacks (completion), and
what a key means (hover), both from the tables of schema.py.

Completion reads the text's lines and indentation, not the parse: the document being typed is often not valid
YAML. Hover reads the parsed nodes. Neither answers inside `artifacts:` (formats/dvc/complete.py does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Optional

from gto_lsp.core.formats.dvc.pipeline.schema import (
    BOOL,
    FOREACH,
    STAGE,
    STAGE_SHAPE,
    TOP,
    TOP_SHAPE,
    Key,
    Shape,
    Table,
    fits,
    key_doc,
    node_type,
    stage_table,
)
from gto_lsp.core.navigation import Suggestion
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.yaml.blocks import Blocks, Placed, node_end, text_lines
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

ARTIFACTS = "artifacts"
ITEM = "-"  # a step into a list's item in a path of keys
_LINE = re.compile(r"^( *)((?:- +)*)(.*)$")
_KEY = re.compile(r"""^(?:"([^"]*)"|'([^']*)'|([^\s#'"{\[][^#]*?))[ \t]*:(?:[ \t]|$)""")
_TYPED_KEY = re.compile(r"^( *)((?:- +)*)([A-Za-z_][\w-]*)?$")
_TYPED_VALUE = re.compile(r"^( *)((?:- +)*)([A-Za-z_][\w-]*)[ \t]*:[ \t]+(\w*)$")
MAX_LINES_UP = 5_000  # lines read upwards to find the mapping the cursor is in


def _parts(text: str) -> tuple[int, bool, int, Optional[str]]:
    """(indentation, starts with `- `, column of the content, the key written there or None)."""
    match = _LINE.match(text)
    assert match is not None
    indent, dashes, content = match.groups()
    key = _KEY.match(content)
    name = next((g for g in key.groups() if g is not None), None) if key else None
    return len(indent), bool(dashes), len(indent) + len(dashes), name.strip() if name is not None else None


def _meaningful(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def key_path(lines: Sequence[str], line: int, column: int, in_item: bool) -> Optional[list[str]]:
    """The keys (and ITEM steps) from the top level down to the mapping whose keys start at `column` on `line`
    (`in_item`: that line starts a list item); None when the lines say no mapping holds that column."""
    path: list[str] = [ITEM] if in_item else []
    target = column
    for number in range(line - 1, max(-1, line - 1 - MAX_LINES_UP), -1):
        if target == 0:
            return path
        text = lines[number] if number < len(lines) else ""
        if len(text) - len(text.lstrip(" ")) >= target or not _meaningful(text):
            continue  # inside a sibling's value (most lines above): no regular expression for them
        indent, dashed, content, key = _parts(text)
        if content < target:
            if key is None:
                return None
            path.insert(0, key)
            if dashed and indent < content:
                path.insert(0, ITEM)
                target = indent
            else:
                target = content
        elif dashed and indent < target <= content:
            path.insert(0, ITEM)  # a sibling key on the line that starts the item
            target = indent
    return path if target == 0 else None


def _unwrap(shape: Shape, want_list: bool) -> Optional[Shape]:
    if shape.kind != "one_of":
        return shape
    for option in shape.options:
        if (option.kind == "list") == want_list and option.kind not in ("str", "bool", "null"):
            return option
    return None


def shape_at(path: Sequence[str]) -> Optional[Shape]:
    """The shape of the value a path of keys leads to from the top level (None where the schema says nothing)."""
    shape: Optional[Shape] = TOP_SHAPE
    for step in path:
        shape = _unwrap(shape, step == ITEM) if shape is not None else None
        if shape is None:
            return None
        if step == ITEM:
            shape = shape.item if shape.kind == "list" else None
        elif shape.kind == "table" and shape.table is not None:
            found = shape.table.get(step)
            shape = found.shape if found is not None else None
        elif shape.kind == "stage":
            found = STAGE.get(step) or FOREACH.get(step)
            shape = found.shape if found is not None else None
        elif shape.kind == "dict":
            shape = shape.item
        else:
            return None
    return shape


def _siblings(lines: Sequence[str], line: int, column: int) -> set[str]:
    """Keys already written at `column` in the mapping around `line`."""
    found: set[str] = set()
    for step in (-1, 1):
        number = line + step
        while 0 <= number < len(lines) and abs(number - line) < MAX_LINES_UP:
            text = lines[number]
            number += step
            if not _meaningful(text):
                continue
            indent, dashed, content, key = _parts(text)
            if content < column or (step == 1 and dashed and indent < column):
                break
            if content == column and key is not None:
                found.add(key)
                if dashed and step == -1:
                    break  # the line that starts this list item
    return found


def _keys_for(shape: Shape, present: set[str]) -> list[tuple[Key, str]]:
    if shape.kind == "table" and shape.table is not None:
        return [(k, shape.table.name) for k in shape.table.keys]
    if shape.kind == "stage":
        if present & {"foreach", "do"}:
            return [(k, FOREACH.name) for k in FOREACH.keys]
        keys = [(k, STAGE.name) for k in STAGE.keys]
        return keys if present else keys + [(k, FOREACH.name) for k in FOREACH.keys]
    return []


def _insert(key: Key, column: int) -> tuple[str, bool]:
    shape = _unwrap(key.shape, False) or key.shape
    pad = " " * column
    if shape.kind == "list":
        return f"{key.name}:\n{pad}  - $0", True
    if shape.kind in ("table", "dict", "stage", "matrix", "map"):
        return f"{key.name}:\n{pad}  $0", True
    return f"{key.name}: ", False


def suggest_keys(top: Blocks, stages: Sequence[Placed], text: str, pos: Pos) -> Optional[list[Suggestion]]:
    """What completion offers at `pos` in a pipeline section: the keys the mapping there accepts and does not have
    yet (at the top level: the sections not present), or `true`/`false` after a boolean key. None outside the
    pipeline sections (in `artifacts:`, in a comment, past a value)."""
    try:
        return _suggest(top, text, pos)
    except Exception:  # completion never breaks the server
        return None


def _suggest(top: Blocks, text: str, pos: Pos) -> Optional[list[Suggestion]]:
    lines = text_lines(text)
    line = lines[pos.line] if pos.line < len(lines) else ""
    prefix = line[: pos.col]
    value = _TYPED_VALUE.match(prefix)
    if value is not None:
        return _values(lines, pos, value)
    typed = _TYPED_KEY.match(prefix)
    if typed is None:
        return None
    column = len(typed.group(1)) + len(typed.group(2))
    in_item = bool(typed.group(2))
    path = key_path(lines, pos.line, column, in_item)
    if path is None or (path and path[0] not in {k.name for k in TOP.keys if k.name != ARTIFACTS}):
        return None
    shape = shape_at(path)
    shape = _unwrap(shape, False) if shape is not None else None
    if shape is None:
        return []
    present = _siblings(lines, pos.line, column) if path else {str(p.name) for p in top.entries}
    if in_item:
        present = set()
    replace = Span(Pos(pos.line, column), pos)
    out = []
    for key, where in _keys_for(shape, present):
        if key.name in present:
            continue
        insert, snippet = _insert(key, column)
        sort = ("0" if key.required else "1") + key.name
        out.append(Suggestion(key.name, "key", insert, key.summary, key_doc(key, where), replace, snippet, sort))
    return out


def _values(lines: Sequence[str], pos: Pos, match: re.Match[str]) -> Optional[list[Suggestion]]:
    column = len(match.group(1)) + len(match.group(2))
    path = key_path(lines, pos.line, column, bool(match.group(2)))
    if path is None or (path and path[0] == ARTIFACTS):
        return None
    shape = shape_at([*path, match.group(3)])
    if shape is None:
        return None
    if shape is not BOOL:
        return []
    replace = Span(Pos(pos.line, pos.col - len(match.group(4))), pos)
    return [Suggestion(v, "value", v, "boolean", "", replace) for v in ("true", "false")]


# --- hover ----------------------------------------------------------------------------------------------------------


def _inside(at: Placed, node: Node, pos: Pos) -> bool:
    return at.pos(node.start_mark) <= pos <= max(node_end(at, node), at.pos(node.start_mark))


def explain_key(top: Blocks, stages: Sequence[Placed], pos: Pos) -> Optional[str]:
    """The Markdown of the pipeline key under `pos` (a section, a stage's key, an output's option...), or None."""
    try:
        for placed in top.entries:
            key = placed.block.key
            if key is None or not (placed.first_line <= pos.line <= max(placed.last_line, placed.first_line)):
                continue
            name = key.value if isinstance(key, ScalarNode) else None
            found = TOP.get(name)
            if found is None:
                continue
            if _inside(placed, key, pos):
                return key_doc(found, "dvc.yaml")
            value = placed.block.value
            if name != ARTIFACTS and value is not None and _inside(placed, value, pos):
                answer = _explain(placed, value, found.shape, pos, 0)
                if answer is not None:
                    return answer
        for stage in stages:
            value = stage.block.value
            if value is not None and stage.first_line <= pos.line <= stage.last_line and _inside(stage, value, pos):
                return _explain(stage, value, STAGE_SHAPE, pos, 0)
    except Exception:  # hover never breaks the server
        return None
    return None


def _explain(at: Placed, node: Node, shape: Shape, pos: Pos, depth: int) -> Optional[str]:
    if depth > 20:
        return None
    kind = node_type(node)
    if shape.kind == "one_of":
        fitting = [o for o in shape.options if fits(kind, o)]
        if not fitting:
            return None
        shape = fitting[0]
    if isinstance(node, SequenceNode) and shape.kind == "list" and shape.item is not None:
        item = next((i for i in node.value if _inside(at, i, pos)), None)
        return _explain(at, item, shape.item, pos, depth + 1) if item is not None else None
    if not isinstance(node, MappingNode):
        return None
    table: Optional[Table] = None
    if shape.kind == "table":
        table = shape.table
    elif shape.kind == "stage":
        table = stage_table({k.value for k, _ in node.value if isinstance(k, ScalarNode)})
    for key, value in node.value:
        if table is not None:
            found = table.get(key.value) if isinstance(key, ScalarNode) else None
            if found is not None and _inside(at, key, pos):
                return key_doc(found, table.name)
            if found is not None and _inside(at, value, pos):
                return _explain(at, value, found.shape, pos, depth + 1)
        elif shape.kind == "dict" and shape.item is not None and _inside(at, value, pos):
            return _explain(at, value, shape.item, pos, depth + 1)
    return None
