"""The stages of a dvc.yaml as DVC loads them (stage/loader.py): each definition of `stages:` (foreach/matrix
expanded into `name@key`) with its command, wdir and the paths it reads and writes (`- path` or `- path: {flags}`;
params as `- key` of the wdir's params.yaml or `- file: [keys]`), placed in the document."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any, Optional

from gto_lsp.core.formats.dvc.pipeline.interpolate import Context, resolve_text
from gto_lsp.core.paths import PATH_MAX, escapes, is_absolute, is_external
from gto_lsp.core.problems import Span
from gto_lsp.core.yaml.blocks import Placed
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode, mapping_pairs

OUTPUT_KINDS = ("outs", "metrics", "plots")
PARAMS_FILE = "params.yaml"  # DVC's default params file, in the stage's wdir


@dataclass(frozen=True)
class PathUse:
    """A path a stage reads or writes, where the dvc.yaml writes it."""

    kind: str  # "deps", "params", "outs", "metrics" or "plots"
    text: str  # as DVC reads it (`${}` resolved), relative to the stage's wdir
    path: Optional[str]  # from the repository root, normalised; None for a URL, an absolute or unresolved path
    span: Span
    flags: tuple[tuple[str, Any], ...] = ()  # cache, persist, remote... as written (outputs)
    keys: tuple[str, ...] = ()  # the params read from a params file (empty: the whole file)
    implicit: bool = False  # the wdir's params.yaml read by `- key` items: `span` is the first key's


@dataclass(frozen=True)
class Stage:
    name: str  # DVC's name in this file: `train`, `train@0`, `train@lr-0.1`
    key: str  # the definition's key in `stages:`
    name_span: Span
    span: Span  # the whole definition
    cmd: Optional[str]
    wdir: str  # from the repository root ("" for the root)
    deps: tuple[PathUse, ...]
    outs: tuple[PathUse, ...]  # outs, metrics and plots: all are outputs
    params: tuple[PathUse, ...]  # params files

    @property
    def reads(self) -> tuple[PathUse, ...]:
        return self.deps + self.params


def read_stage(
    placed: Placed, name: str, template: Optional[Node], folder: str, context: Optional[Context] = None
) -> Optional[Stage]:
    """The stage `name` made from `template` (the definition, or its `do:`) of `placed`, its `${}` resolved in
    `context` (whose folder is the stage's wdir); without a context, `${}` stays unresolved and the wdir is read
    from the template. None when the template is not a mapping."""
    if not isinstance(template, MappingNode):
        return None
    fields = fields_of(template)
    if context is not None:
        wdir = "" if context.folder in ("", ".") else context.folder
    else:
        written = _text(fields.get("wdir"), None)
        wdir = (from_root(written, folder) if written else None) or folder
    outs: list[PathUse] = []
    for kind in OUTPUT_KINDS:
        outs.extend(_paths(placed, kind, fields.get(kind), wdir, context))
    return Stage(
        name=name,
        key=str(placed.key.value),
        name_span=placed.name_span,
        span=placed.entry_span,
        cmd=_command(fields.get("cmd"), context),
        wdir=wdir,
        deps=tuple(_paths(placed, "deps", fields.get("deps"), wdir, context)),
        outs=tuple(outs),
        params=tuple(_params(placed, fields.get("params"), wdir, context)),
    )


def plain_outputs(placed: Placed, folder: str) -> set[str]:
    """The outputs of a stage that needs no `${}` (none for foreach and matrix), from the repository root."""
    node = placed.block.value
    if placed.block.key is None or not isinstance(node, MappingNode) or {"foreach", "matrix"} & set(fields_of(node)):
        return set()
    stage = read_stage(placed, str(placed.name), node, folder)
    return {use.path for use in stage.outs if use.path is not None} if stage is not None else set()


def fields_of(node: MappingNode) -> dict[str, Node]:
    out: dict[str, Node] = {}
    for key, value in mapping_pairs(node):
        if isinstance(key, ScalarNode) and isinstance(key.value, str):
            out.setdefault(key.value, value)
    return out


def from_root(path: str, wdir: str) -> Optional[str]:
    """`path` of a stage whose wdir is `wdir` (from the root), normalised from the root ("" for the root itself);
    None for a URL, a path outside the repository or longer than any file system's (its folders are walked)."""
    if not path or len(path) > PATH_MAX or is_external(path) or is_absolute(path):
        return None
    resolved = posixpath.normpath(posixpath.join(wdir, path.replace("\\", "/")))
    if escapes(resolved):
        return None
    return "" if resolved == "." else resolved


def _text(node: Optional[Node], context: Optional[Context]) -> Optional[str]:
    """A scalar's text as DVC reads it; None where its `${}` cannot be resolved."""
    if not isinstance(node, ScalarNode):
        return None
    value = str(node.value)
    if "${" not in value:
        return value
    return resolve_text(value, context) if context is not None else None


def _command(node: Optional[Node], context: Optional[Context]) -> Optional[str]:
    if isinstance(node, SequenceNode):
        lines = (_text(item, context) or str(item.value) for item in node.value if isinstance(item, ScalarNode))
        return "\n".join(lines)
    return _text(node, context) or (str(node.value) if isinstance(node, ScalarNode) else None)


def _use(placed: Placed, kind: str, node: ScalarNode, wdir: str, context: Optional[Context], **extra: Any) -> PathUse:
    resolved = _text(node, context)
    path = from_root(resolved, wdir) if resolved is not None else None
    return PathUse(kind, resolved if resolved is not None else str(node.value), path, placed.span(node), **extra)


def _paths(placed: Placed, kind: str, node: Optional[Node], wdir: str, context: Optional[Context]) -> list[PathUse]:
    """`- path` and `- path: {flags}` items of deps, outs, metrics or plots."""
    out: list[PathUse] = []
    if not isinstance(node, SequenceNode):
        return out
    for item in node.value:
        if isinstance(item, ScalarNode):
            out.append(_use(placed, kind, item, wdir, context))
        elif isinstance(item, MappingNode):
            for key, value in item.value:
                if isinstance(key, ScalarNode):
                    out.append(_use(placed, kind, key, wdir, context, flags=_flags(value)))
    return out


def _flags(node: Node) -> tuple[tuple[str, Any], ...]:
    if not isinstance(node, MappingNode):
        return ()
    pairs = node.value
    return tuple((str(k.value), v.value) for k, v in pairs if isinstance(k, ScalarNode) and isinstance(v, ScalarNode))


def _params(placed: Placed, node: Optional[Node], wdir: str, context: Optional[Context]) -> list[PathUse]:
    """Params files: `- key` reads the wdir's params.yaml, `- file.yaml: [keys]` that file (`[]` or null: all of
    it)."""
    if not isinstance(node, SequenceNode):
        return []
    files: dict[str, tuple[ScalarNode, list[str]]] = {}
    for item in node.value:
        if isinstance(item, ScalarNode):
            files.setdefault(PARAMS_FILE, (item, []))[1].append(str(item.value))
        elif isinstance(item, MappingNode):
            for key, value in item.value:
                if isinstance(key, ScalarNode):
                    keys = files.setdefault(_text(key, context) or str(key.value), (key, []))[1]
                    if isinstance(value, SequenceNode):
                        keys.extend(str(v.value) for v in value.value if isinstance(v, ScalarNode))
    out = []
    for name, (first, keys) in files.items():
        use = _use(placed, "params", first, wdir, context, keys=tuple(keys))
        if name == PARAMS_FILE and use.text != PARAMS_FILE:  # `- key`: the node names a key, not the file
            use = PathUse(
                "params", PARAMS_FILE, from_root(PARAMS_FILE, wdir), use.span, keys=tuple(keys), implicit=True
            )
        out.append(use)
    return out
