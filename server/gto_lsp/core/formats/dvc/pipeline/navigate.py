"""Finding one's way in dvc.yaml's pipeline: the outline (stages with their paths, plots, metrics, params, vars,
artifacts), hover on a stage or a path, go to the stage that writes a dependency (in this file or another dvc.yaml
of the repository), the stages that read an output, document links for the paths that exist, and completion of
paths in deps and outs, relative to the stage's wdir. Core values of core/navigation.py; positions are the
document's."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator, Sequence
from typing import Optional

from gto_lsp.core.formats.dvc.pipeline.graph import Pipeline, build_pipeline
from gto_lsp.core.formats.dvc.pipeline.stages import OUTPUT_KINDS, PathUse, Stage, fields_of, read_stage
from gto_lsp.core.navigation import Link, Outline, Place, Suggestion, Target
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.yaml.blocks import Block, BlockMemo, Blocks, Placed, content_end, text_lines
from gto_lsp.core.yaml.cut import parse_whole
from gto_lsp.core.yaml.nodes import MappingNode, ScalarNode, SequenceNode, last_content_mark

MAX_LISTED = 20  # stages or paths one hover lists
MAX_SUGGESTIONS = 500  # entries of one folder offered
PATH_KEYS = ("deps", *OUTPUT_KINDS)
_MEMO = BlockMemo()
_FLOW_ITEM = re.compile(r"^\s*(deps|outs|metrics|plots)\s*:\s*\[(?:[^\]]*,)?\s*([^,\]]*)$")


def _contains(span: Span, pos: Pos) -> bool:
    return span.start <= pos <= span.end


# --- outline -----------------------------------------------------------------------------------------------------


def outline(top: Blocks, stages: Sequence[Placed]) -> list[Outline]:
    """The top-level sections but `artifacts` (its entries are the format's); `stages` holds each stage definition
    with its deps, outs and params."""
    out: list[Outline] = []
    for block in top.entries:
        if not isinstance(block.block.key, ScalarNode) or block.key.value not in _KIND_OF_SECTION:
            continue
        name = str(block.key.value)
        children = _stage_symbols(stages) if name == "stages" else _section_items(block, name)
        span = Span(
            block.name_span.start, max(content_end(block), *(c.span.end for c in children), block.name_span.end)
        )
        out.append(Outline(name, "section", span, block.name_span, None, tuple(children)))
    return out


def _stage_symbols(stages: Sequence[Placed]) -> list[Outline]:
    out: list[Outline] = []
    for placed in stages:
        memo = _MEMO.of(placed.block)  # per stage block: an edit re-reads the stage it touched
        key = (placed.line, placed.col_shift, getattr(placed, "indent", 0))
        found = memo.get("outline")
        if found is None or found[0] != key:
            found = memo["outline"] = (key, _stage_symbol(placed))
        if found[1] is not None:
            out.append(found[1])
    return out


def _stage_symbol(placed: Placed) -> Optional[Outline]:
    stage = _definition(placed)
    if stage is None:
        return None
    paths = [Outline(u.text, "path", u.span, u.span, u.kind) for u in stage.deps + stage.outs]
    paths.extend(Outline(u.text, "params", u.span, u.span, ", ".join(u.keys) or None) for u in stage.params)
    return Outline(stage.name, "stage", stage.span, stage.name_span, stage.cmd, tuple(paths))


_KIND = {"plots": "plot", "metrics": "metric", "params": "params", "vars": "variable", "datasets": "key"}
_KIND_OF_SECTION = ("stages", *_KIND)


def _section_items(block: Placed, name: str) -> list[Outline]:
    """The items of plots, metrics, params, vars and datasets: a path, or the key of a one-key mapping."""
    value = block.block.value
    out: list[Outline] = []
    items = value.value if isinstance(value, SequenceNode) else []
    for item in items[:MAX_SUGGESTIONS]:
        if isinstance(item, ScalarNode):
            out.append(Outline(str(item.value), _KIND[name], block.span(item), block.span(item), "file"))
        elif isinstance(item, MappingNode):
            for key, _ in item.value:
                if isinstance(key, ScalarNode):
                    span = Span(block.span(key).start, block.pos(last_content_mark(item)))
                    out.append(Outline(str(key.value), _KIND[name], span, block.span(key)))
    return out


def _definition(placed: Placed, folder: str = "") -> Optional[Stage]:
    """A stage definition as written (its `do:` for foreach), `${}` left unresolved."""
    node = placed.block.value
    if placed.block.key is None or not isinstance(node, MappingNode):
        return None
    template = fields_of(node).get("do") if "foreach" in fields_of(node) else node
    return read_stage(placed, str(placed.name), template, folder)


# --- what is at a position --------------------------------------------------------------------------------------


def _at(pipeline: Pipeline, pos: Pos) -> tuple[list[int], Optional[PathUse]]:
    """The stages whose name (then: whose path use) is at `pos`, and that use."""
    named = [i for i, s in enumerate(pipeline.stages) if _contains(s.name_span, pos)]
    if named:
        return named, None
    for stage in pipeline.stages:
        for use in stage.reads + stage.outs:
            if _contains(use.span, pos) and not use.implicit:  # a params key is the variables' (variable_help)
                return [i for i, s in enumerate(pipeline.stages) if _uses_at(s, use.span)], use
    return [], None


def _uses_at(stage: Stage, span: Span) -> bool:
    return any(u.span == span for u in stage.reads + stage.outs)


def _names(pipeline: Pipeline, indexes: Sequence[int]) -> str:
    names = [f"`{pipeline.stages[i].name}`" for i in sorted(set(indexes))]
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def stage_hover(top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place) -> Optional[str]:
    """Markdown for a stage name (its command, paths and neighbours) or a path (who writes it, who reads it)."""
    pipeline = build_pipeline(top, stages, place)
    found, use = _at(pipeline, pos)
    if not found:
        return None
    if use is None:
        return "\n\n---\n\n".join(_stage_text(pipeline, i) for i in found[:MAX_LISTED])
    lines = [f"`{use.path}` (from the repository root)" if use.path is not None else f"`{use.text}`"]
    if use.path is not None and use.kind in ("deps", "params"):
        writers = pipeline.producers(use.path)
        where = "" if writers else _other_file(place, use.path)
        lines.append(f"Written by stage {_names(pipeline, writers)}" if writers else where or "Written by no stage.")
    if use.path is not None and use.kind in OUTPUT_KINDS:
        readers = _readers(pipeline, use.path)
        lines.append(f"Read by stage {_names(pipeline, readers)}" if readers else "Read by no stage of this file.")
    return "\n\n".join(lines)


def _stage_text(pipeline: Pipeline, index: int) -> str:
    stage = pipeline.stages[index]
    parts = [f"**stage `{stage.name}`**" + (f" (wdir `{stage.wdir}`)" if stage.wdir != pipeline.folder else "")]
    if stage.cmd:
        parts.append(f"```sh\n{stage.cmd}\n```")
    for title, uses in (("deps", stage.deps), ("params", stage.params), ("outs", stage.outs)):
        if uses:
            shown = ", ".join(f"`{u.text}`" for u in uses[:MAX_LISTED])
            parts.append(f"{title}: {shown}" + (" ..." if len(uses) > MAX_LISTED else ""))
    if pipeline.upstream[index]:
        parts.append(f"after: {_names(pipeline, pipeline.upstream[index])}")
    if pipeline.downstream[index]:
        parts.append(f"feeds: {_names(pipeline, pipeline.downstream[index])}")
    return "\n\n".join(parts)


def _readers(pipeline: Pipeline, path: str) -> list[int]:
    """The stages with a dependency that is `path`, inside it or above it."""
    return [
        i
        for i, stage in enumerate(pipeline.stages)
        if any(u.path is not None and _overlap(u.path, path) for u in stage.reads)
    ]


def _overlap(a: str, b: str) -> bool:
    return a == b or not a or not b or a.startswith(b + "/") or b.startswith(a + "/")


# --- go to --------------------------------------------------------------------------------------------------------


def stage_definitions(top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place) -> list[Target]:
    """From a dependency: the stages that write it (this file, else the dvc.yaml above it that does), then the
    file itself when it exists; from another path: the file."""
    pipeline = build_pipeline(top, stages, place)
    _, use = _at(pipeline, pos)
    if use is None or use.path is None:
        return []
    out: list[Target] = []
    if use.kind in ("deps", "params"):
        out = [Target(place.file, pipeline.stages[i].name_span) for i in _unique(pipeline.producers(use.path))]
        if not out:
            out = _other_targets(place, use.path)
    if use.path and place.repo.exists(use.path):
        out.append(Target(use.path, Span.at(0, 0)))
    return out


def stage_references(top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place) -> list[Target]:
    """Of an output or a stage: where the stages of this file read it (their dependency's span)."""
    pipeline = build_pipeline(top, stages, place)
    found, use = _at(pipeline, pos)
    if use is not None:
        outputs = [use.path] if use.kind in OUTPUT_KINDS and use.path is not None else []
    else:
        outputs = [u.path for i in found for u in pipeline.stages[i].outs if u.path is not None]
    spans: dict[Span, None] = {}
    for stage in pipeline.stages:
        for dep in stage.reads:
            if dep.path is not None and any(_overlap(dep.path, path) for path in outputs):
                spans[dep.span] = None
    return [Target(place.file, span) for span in spans]


def _unique(indexes: Sequence[int]) -> list[int]:
    return sorted(set(indexes))


def _other_pipelines(place: Place, path: str) -> Iterator[tuple[str, Pipeline]]:
    """The pipelines of the dvc.yaml files in the folders above `path` (the nearest first), but this one: where
    the stage that writes it usually is. Read from disk; only when the repository says some stage writes it."""
    if path not in place.repo.outputs and not any(path.startswith(o + "/") for o in place.repo.outputs):
        return
    folder = posixpath.dirname(path)
    while True:
        rel = posixpath.join(folder, "dvc.yaml") if folder else "dvc.yaml"
        text = place.repo.read_text(rel) if rel != place.file else None
        if text is not None:
            yield rel, _read_pipeline(text, Place(place.repo, folder, rel))
        if not folder:
            return
        folder = posixpath.dirname(folder)


def _read_pipeline(text: str, place: Place) -> Pipeline:
    top = parse_whole(text)
    holder = next((b for b in top.entries if isinstance(b.block.key, ScalarNode) and b.key.value == "stages"), None)
    value = holder.block.value if holder is not None else None
    stages: list[Placed] = []
    if holder is not None and isinstance(value, MappingNode):
        stages = [
            Placed(Block("", key, item, None, last_content_mark(item).line), holder.line, holder.col_shift)
            for key, item in value.value
        ]
    return build_pipeline(top, stages, place)


def _other_targets(place: Place, path: str) -> list[Target]:
    for rel, pipeline in _other_pipelines(place, path):
        found = _unique(pipeline.producers(path))
        if found:
            return [Target(rel, pipeline.stages[i].name_span) for i in found]
    return []


def _other_file(place: Place, path: str) -> str:
    for rel, pipeline in _other_pipelines(place, path):
        found = pipeline.producers(path)
        if found:
            return f"Written by stage {_names(pipeline, found)} of `{rel}`"
    return ""


# --- links and completion -----------------------------------------------------------------------------------------


def path_links(top: Blocks, stages: Sequence[Placed], place: Place) -> list[Link]:
    """The paths of the stages (one target per span: a foreach's `${item}` path is linked only when it names one
    file) and of plots, metrics, params and vars files, where the file or folder exists."""
    by_span: dict[Span, set[Optional[str]]] = {}
    for stage in build_pipeline(top, stages, place).stages:
        for use in stage.reads + stage.outs:
            if not use.implicit:  # a `- key` of params.yaml names a key (its definition is go-to's)
                by_span.setdefault(use.span, set()).add(use.path)
    for block in top.entries:
        if isinstance(block.block.key, ScalarNode) and block.key.value in ("plots", "metrics", "params", "vars"):
            files = block.key.value == "vars"  # its scalars name files (`file.yaml:key`), its mappings variables
            for item in _section_items(block, str(block.key.value)):
                if files and item.detail != "file":
                    continue
                written = item.name.split(":")[0] if files else item.name
                if "${" not in written:
                    by_span.setdefault(item.selection, set()).add(_from_folder(written, place.folder))
    out = []
    for span, paths in by_span.items():
        (path,) = paths if len(paths) == 1 else (None,)
        if path and place.repo.exists(path):
            out.append(Link(span, path, f"`{path}`"))
    return out


def _from_folder(written: str, folder: str) -> Optional[str]:
    path = posixpath.normpath(posixpath.join(folder, written))
    return None if path.startswith("../") or path == ".." or written.startswith("/") else path


def path_suggestions(
    top: Blocks, stages: Sequence[Placed], text: str, pos: Pos, place: Place
) -> Optional[list[Suggestion]]:
    """Files and folders for an item of deps, outs, metrics or plots, relative to the stage's wdir; None
    elsewhere."""
    lines = text_lines(text)
    if pos.line >= len(lines) or place.repo.root is None:
        return None
    before = lines[pos.line][: pos.col]
    stripped = before.lstrip()
    flow = _FLOW_ITEM.match(before)
    if flow is not None:  # `deps: [a, b|`
        key, typed = flow.group(1), flow.group(2)
    elif stripped.startswith("- ") and ":" not in stripped:
        key, typed = _list_key(lines, pos.line, len(before) - len(stripped)), stripped[2:].lstrip()
    else:
        return None
    stage = next((s for s in stages if s.first_line < pos.line <= _last_line(s, pos.line)), None)
    if key not in PATH_KEYS or stage is None:
        return None
    defined = _definition(stage, place.folder)
    wdir = defined.wdir if defined is not None else place.folder
    typed = typed.strip("'\"")
    start = Pos(pos.line, pos.col - len(typed))
    folder_part = posixpath.dirname(typed)
    base = posixpath.normpath(posixpath.join(wdir, folder_part)) if wdir or folder_part else ""
    return _entries(place, "" if base == "." else base, folder_part, Span(start, pos))


def _last_line(stage: Placed, line: int) -> int:
    """The stage's last line (a new item being typed below it still belongs to it)."""
    return max(stage.last_line, line if line == stage.last_line + 1 else stage.last_line)


def _list_key(lines: list[str], line: int, indent: int) -> Optional[str]:
    """The key whose list holds the item at `line` (the nearest line above that is less indented, or a key at
    the same indentation: YAML lets a list start at its key's column)."""
    for index in range(line - 1, max(-1, line - 1000), -1):
        text = lines[index]
        content = text.lstrip()
        if not content or content.startswith("#"):
            continue
        column = len(text) - len(content)
        if column < indent or (column == indent and not content.startswith("-")):
            name = content.split(":", 1)[0].strip()
            return name if ":" in content else None
    return None


def _entries(place: Place, base: str, prefix: str, replace: Span) -> list[Suggestion]:
    root = place.repo.root
    assert root is not None
    if base.startswith("../") or base == "..":
        return []
    try:
        with os.scandir(os.path.join(root, base)) as found:
            entries = sorted((e.name, e.is_dir()) for e, _ in zip(found, range(MAX_SUGGESTIONS)))
    except OSError:
        return []
    out = []
    for name, is_dir in entries:
        if name in (".git", ".dvc") or name.startswith(".dvc"):
            continue
        insert = posixpath.join(prefix, name) if prefix else name
        kind = "folder" if is_dir else "path"
        out.append(Suggestion(name, kind, insert, detail=posixpath.join(base, name), replace=replace))
    return out
