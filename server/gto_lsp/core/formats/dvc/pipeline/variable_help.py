"""The editor's help with `${}`, `vars:` and `params:` in a dvc.yaml: hover, go to definition and completion.

- `variable_hover(top, stages, text, pos, place, artifacts)`: on `${name}`, its value (per generated stage of a
  foreach or matrix) and where it is defined; on a key of a stage's `params:`, its value in the params file.
- `variable_definitions(...)`: from `${name}`, a `params:` key or a `vars:` file entry to the line that defines it.
- `variable_suggestions(...)`: after `${` (or `${a.`), the names visible there; in a stage's `params:` list, the
  keys of its params file. None elsewhere (other completions apply).
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from gto_lsp.core.formats.dvc.pipeline.interpolate import Context, Definition, to_str
from gto_lsp.core.formats.dvc.pipeline.nodes import Where, reference_at
from gto_lsp.core.formats.dvc.pipeline.params import read_params
from gto_lsp.core.formats.dvc.pipeline.scope import VARS, expand, top_context
from gto_lsp.core.formats.dvc.pipeline.variables import section_source, stage_params
from gto_lsp.core.navigation import Place, Suggestion, Target
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.yaml.blocks import Blocks, Placed, text_lines
from gto_lsp.core.yaml.nodes import STR, MappingNode, Node, ScalarNode, SequenceNode, tag_of

MAX_SHOWN = 5  # generated stages a hover lists
MAX_SUGGESTED = 1_000
_PARAM_WORD = re.compile(r"[\w.\-\[\]]*$")


@dataclass(frozen=True)
class _Spot:
    """The block under the cursor: where its marks index, its value, and the contexts of the stages it makes."""

    where: Where
    value: Optional[Node]
    contexts: list[tuple[str, Context]]
    stage: bool


def _spot(top: Blocks, stages: Sequence[Placed], pos: Pos, place: Place, artifacts: Sequence[Placed]) -> Any:
    context = top_context(top, place)
    source = section_source(top, "stages")
    for stage in stages:
        if stage.first_line <= pos.line <= stage.last_line:
            made = expand(stage, context, place, source).stages
            return _Spot(Where.of(stage, source), stage.block.value, made or [(str(stage.name), context)], True)
    artifacts_source = section_source(top, "artifacts")
    for entry in artifacts:
        if entry.first_line <= pos.line <= entry.last_line:
            return _Spot(Where.of(entry, artifacts_source), entry.block.value, [("", context)], False)
    for block in top.entries:
        if block.first_line <= pos.line <= block.last_line:
            return _Spot(Where.of(block), block.block.value, [("", context)], False)
    return None


def _show(value: Any) -> str:
    try:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = to_str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _where(definition: Definition, span: Span) -> str:
    """`params.yaml, line 3`, or with how it came in: `vars[0] (dvc.yaml, line 2)`."""
    place = f"{definition.file}, line {span.start.line + 1}"
    return place if definition.origin == definition.file else f"{definition.origin} ({place})"


def variable_hover(
    top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place, artifacts: Sequence[Placed] = ()
) -> Optional[str]:
    spot = _spot(top, stages, pos, place, artifacts)
    if spot is None or spot.value is None:
        return None
    found = reference_at(spot.where, spot.value, pos)
    if found is not None:
        _, ref, _ = found
        written = "${" + ref.inner + "}"
        if ref.parts is None:
            return f"`{written}`: DVC cannot parse this expression."
        lines = []
        for name, context in spot.contexts[:MAX_SHOWN]:
            ok, value = context.select(ref.parts)
            shown = f"`{_show(value)}`" if ok else "not defined"
            lines.append(f"- {name}: {shown}" if len(spot.contexts) > 1 else f"`{written}` = {shown}")
        if len(spot.contexts) > MAX_SHOWN:
            lines.append(f"- ... and {len(spot.contexts) - MAX_SHOWN} more stages")
        defined = spot.contexts[0][1].definition_of(ref.parts)
        if defined is not None:
            lines.append(f"\nDefined in {_where(*defined)}.")
        return "\n".join(lines)
    param = _param_at(spot, pos)
    if param is not None:
        path, key = param
        loaded = read_params(place.repo, path)
        if loaded.data is None:
            return f"`{key}`: the params file '{path}' cannot be read."
        ok, value = Context(loaded.data).select(tuple(key.split(".")))
        if not ok:
            return f"`{key}` is not in '{path}'."
        line = loaded.span_of(tuple(key.split("."))).start.line + 1
        return f"`{key}` = `{_show(value)}`\n\nIn {path}, line {line}."
    vars_file = _vars_file_at(spot, pos, place)
    if vars_file is not None:
        loaded = read_params(place.repo, vars_file.path)
        if loaded.data is None:
            return f"'{vars_file.path}' cannot be used: {loaded.error} {loaded.detail}".rstrip()
        names = [k for k in loaded.data if isinstance(k, str)]
        shown = ", ".join(f"`{k}`" for k in names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        return f"{vars_file.path}: {len(names)} variable{'s' if len(names) != 1 else ''}: {shown}"
    return None


def variable_definitions(
    top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place, artifacts: Sequence[Placed] = ()
) -> list[Target]:
    spot = _spot(top, stages, pos, place, artifacts)
    if spot is None or spot.value is None:
        return []
    found = reference_at(spot.where, spot.value, pos)
    if found is not None:
        _, ref, _ = found
        defined = spot.contexts[0][1].definition_of(ref.parts) if ref.parts is not None else None
        return [Target(defined[0].file, defined[1])] if defined is not None else []
    param = _param_at(spot, pos)
    if param is not None:
        path, key = param
        loaded = read_params(place.repo, path)
        return [Target(path, loaded.span_of(tuple(key.split("."))))] if loaded.data is not None else []
    vars_file = _vars_file_at(spot, pos, place)
    return [vars_file] if vars_file is not None else []


def _param_at(spot: _Spot, pos: Pos) -> Optional[tuple[str, str]]:
    """(params file, key) of the stage's `params:` key under the cursor."""
    params = _stage_field(spot, "params")
    if not isinstance(params, SequenceNode):
        return None
    context = spot.contexts[0][1]
    for path, key, _ in stage_params(spot.where, params, context):
        span = spot.where.span(key)
        if span.start <= pos <= span.end and key.value != path:
            return path, str(key.value)
    return None


def _stage_field(spot: _Spot, name: str) -> Optional[Node]:
    if not spot.stage or not isinstance(spot.value, MappingNode):
        return None
    fields = {k.value: v for k, v in spot.value.value if isinstance(k, ScalarNode)}
    template = fields.get("do") if "foreach" in fields else spot.value
    if isinstance(template, MappingNode):
        fields = {k.value: v for k, v in template.value if isinstance(k, ScalarNode)}
    return fields.get(name)


def _vars_file_at(spot: _Spot, pos: Pos, place: Place) -> Optional[Target]:
    """A `vars:` entry naming a file (top level or a stage's): the file, at the selected key under the cursor."""
    node = _stage_field(spot, VARS) if spot.stage else None
    block = spot.where.placed
    if node is None and not spot.stage and block.name == VARS:
        node = spot.value
    if not isinstance(node, SequenceNode):
        return None
    folder = spot.contexts[0][1].folder
    for item in node.value:
        span = spot.where.span(item)
        if isinstance(item, ScalarNode) and tag_of(item) == STR and span.start <= pos <= span.end:
            name, _, keys = str(item.value).partition(":")
            path = posixpath.normpath(posixpath.join(folder, name))
            loaded = read_params(place.repo, path)
            if loaded.error == "missing":
                return None
            offset = pos.col - span.start.col - len(name) - 1 if span.start.line == pos.line else -1
            key = _word_at(keys, offset) if offset >= 0 else ""
            return Target(path, loaded.span_of((key,)) if key else Span.at(0, 0))
    return None


def _word_at(keys: str, offset: int) -> str:
    start = keys.rfind(",", 0, offset) + 1
    end = keys.find(",", offset)
    return keys[start : end if end >= 0 else len(keys)].strip()


def variable_suggestions(
    top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place, artifacts: Sequence[Placed] = ()
) -> Optional[list[Suggestion]]:
    lines = text_lines(text)
    line = lines[pos.line][: pos.col] if pos.line < len(lines) else ""
    opened = line.rfind("${")
    spot = _spot(top, stages, pos, place, artifacts)
    if opened >= 0 and "}" not in line[opened:]:
        context = spot.contexts[0][1] if spot is not None else top_context(top, place)
        return _names(context, line[opened + 2 :], pos)
    if spot is None:
        return None
    params = _stage_field(spot, "params")
    if isinstance(params, SequenceNode) and _inside(spot.where, params, pos, line):
        return _param_keys(spot, place, line, pos)
    return None


def _names(context: Context, typed: str, pos: Pos) -> list[Suggestion]:
    normal = typed.replace("[", ".").replace("]", "")
    *prefix, partial = normal.split(".") if normal else [""]
    parts = tuple(p.strip() for p in prefix)
    replace = Span(Pos(pos.line, pos.col - len(partial)), pos)
    out = []
    for name in context.names(parts)[:MAX_SUGGESTED]:
        ok, value = context.select((*parts, name))
        defined = context.definition_of((*parts, name))
        out.append(
            Suggestion(
                name,
                "variable",
                name,
                detail=_show(value) if ok else "",
                doc=f"Defined in {_where(*defined)}." if defined is not None else "",
                replace=replace,
            )
        )
    return out


def _inside(where: Where, params: SequenceNode, pos: Pos, line: str) -> bool:
    span = where.span(params)
    if not span.start.line <= pos.line <= span.end.line:
        return False
    if params.flow_style:
        return span.start <= pos <= span.end
    return line.lstrip().startswith("-")


def _param_keys(spot: _Spot, place: Place, line: str, pos: Pos) -> list[Suggestion]:
    context = spot.contexts[0][1]
    path = posixpath.normpath(posixpath.join(context.folder, "params.yaml"))
    loaded = read_params(place.repo, path)
    if loaded.data is None:
        return []
    word = _PARAM_WORD.search(line)
    typed = word.group(0) if word is not None else ""
    replace = Span(Pos(pos.line, pos.col - len(typed)), pos)
    out: list[Suggestion] = []
    stack: list[tuple[str, Any]] = [("", loaded.data)]
    while stack and len(out) < MAX_SUGGESTED:
        prefix, value = stack.pop()
        if not isinstance(value, dict):
            continue
        for key, item in value.items():
            if isinstance(key, str):
                name = f"{prefix}.{key}" if prefix else key
                out.append(Suggestion(name, "param", name, detail=_show(item), doc=f"In {path}.", replace=replace))
                stack.append((name, item))
    return out
