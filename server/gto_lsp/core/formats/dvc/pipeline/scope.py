"""The variables of a dvc.yaml as DVC 3.67's DataResolver builds them (dvc/parsing/__init__.py, context.py).

- `top_context(top, place) -> Context`: the dvc.yaml folder's params.yaml (when it exists), then each entry of
  the top-level `vars:` (a file `path`, a selection `path:key1,key2`, or an inline mapping), merged in order; a
  name defined twice is an error, except a mapping merged into a mapping. Its `problems` are what DVC refuses.
- `stage_contexts(stage, context, place) -> list[(name, Context)]`: the stages a stage definition makes, with
  the context each resolves in: a plain stage gives [(name, context + its vars)]; `foreach` gives `name@key` per
  item (`item`, and `key` for a dict); `matrix` gives `name@a-b` per combination (`item.<name>`, `key`). Each
  context's `folder` is the stage's wdir (relative to the repository root): its paths are relative to it.
- `stage_problems(stage, context, place) -> list[Problem]`: what DVC refuses making them (a foreach that is not a
  list or dict, a missing stage vars file...).

All are memoised per block (and the repository view's token), so a keystroke recomputes the edited stage only.
"""

from __future__ import annotations

import itertools
import posixpath
from dataclasses import dataclass, field
from typing import Any, Mapping, MutableMapping, Optional

from gto_lsp.core.codes import problem
from gto_lsp.core.formats.dvc.pipeline.interpolate import MAX_DEPTH, Context, Definition, references, to_str
from gto_lsp.core.formats.dvc.pipeline.nodes import Where, resolution_problem, resolve_node, string_scalars
from gto_lsp.core.formats.dvc.pipeline.params import read_params
from gto_lsp.core.navigation import Place
from gto_lsp.core.problems import Problem, Span
from gto_lsp.core.yaml.blocks import BlockMemo, Blocks, Placed
from gto_lsp.core.yaml.nodes import STR, MappingNode, Node, ScalarNode, SequenceNode, tag_of

VARS = "vars"
DEFAULT_PARAMS = "params.yaml"
MAX_GENERATED = 10_000  # stages one foreach or matrix makes, at the most (DVC has no bound)
MAX_VARS = 1_000  # entries of one `vars:` read


def top_context(top: Blocks, place: Place) -> Context:
    block = next((b for b in top.entries if isinstance(b.key, ScalarNode) and b.key.value == VARS), None)
    key: tuple[Any, ...] = (place.folder, place.file, place.repo.files_token)  # a context reads only files
    if block is None:
        found = _NO_VARS.get(key)
        if found is None:
            if len(_NO_VARS) > 16:
                _NO_VARS.clear()
            found = _NO_VARS[key] = _build_top(None, place)
        return found
    key += placing(block)  # its problems' spans are placed
    memo = _MEMO.of(block.block)
    cached = memo.get("top")
    if cached is None or cached[0] != key:
        cached = memo["top"] = (key, _build_top(block, place))
    context: Context = cached[1]
    return context


def placing(placed: Placed) -> tuple[int, int, int]:
    """Where a block is placed: what the spans computed from it depend on besides its text."""
    return placed.line, placed.col_shift, getattr(placed, "indent", 0)


_MEMO = BlockMemo()
_NO_VARS: dict[Any, Context] = {}


def _build_top(block: Optional[Placed], place: Place) -> Context:
    context = Context(folder=place.folder, file=place.file)
    loader = _Loader(context, place, "")
    default = posixpath.join(place.folder, DEFAULT_PARAMS)
    if place.repo.exists(default):
        loader.merge_file(DEFAULT_PARAMS, place.folder, Span.at(0, 0))
    if block is not None and isinstance(block.block.value, SequenceNode):
        loader.load(Where.of(block), block.block.value, place.folder)
    return context


@dataclass
class _Loader:
    """DVC's Context.load_from_vars / merge_from / merge_update, writing problems instead of raising."""

    context: Context
    place: Place
    stage: str  # "" for the top level; the stage's name for its vars
    stopped: bool = False  # DVC stops at the first error

    def fail(self, code: str, message: str, span: Span) -> None:
        self.context.problems.append(problem(code, message, span, fmt="dvc"))
        self.stopped = True

    def load(self, where: Where, node: SequenceNode, wdir: str) -> None:
        for scalar in string_scalars(node):
            if references(scalar.value):
                label = f"stages.{self.stage}.vars" if self.stage else "vars"
                self.fail(
                    "dvc-vars-interpolated",
                    f"`{label}` cannot use `${{}}`: DVC refuses interpolation inside `vars:` ('interpolating is not "
                    "allowed'). Write the value, or the file's path, as it is.",
                    where.span(scalar),
                )
                return
        for index, item in enumerate(node.value[:MAX_VARS]):
            if self.stopped:
                return
            span = where.span(item)
            if isinstance(item, ScalarNode) and tag_of(item) == STR:
                self.merge_file(item.value, wdir, span)
            elif isinstance(item, MappingNode):
                origin = f"{self.stage}.vars[{index}]" if self.stage else f"vars[{index}]"
                spans = _key_spans(where, item)
                value = resolve_node(where, item, Context(), None)
                definition = Definition(self.place.file, span, origin, _SpanTable(spans))
                self.merge(value if isinstance(value, dict) else {}, definition, span)

    def merge_file(self, item: str, wdir: str, span: Span) -> None:
        name, _, keys_text = item.partition(":")
        path = posixpath.normpath(posixpath.join(wdir, name))
        keys = [k for k in keys_text.split(",") if k] or None
        imports = self.context.imports
        if path in imports:
            if keys is None and imports[path] is None:
                return  # the same whole file twice is allowed
            loaded = imports[path]
            if keys is None or loaded is None or set(keys) & set(loaded):
                partly = "partially load" if keys and loaded is None else "load"
                how = "already loaded" if loaded is None else "partially loaded already"
                self.fail(
                    "dvc-vars-conflict",
                    f"DVC cannot {partly} '{item}' as it's {how}. Load the file once (whole, or each key once).",
                    span,
                )
                return
        params = read_params(self.place.repo, path)
        if params.data is None:
            self._file_problem(item, path, params.error or "", params.detail, span)
            return
        data: dict[str, Any] = params.data
        if keys is not None:
            missing = next((k for k in keys if k not in data), None)
            if missing is not None:
                self.fail(
                    "dvc-vars-key-missing",
                    f"`{item}`: DVC could not find '{missing}' in '{path}'. Add it to the file, or remove it "
                    "from the selection.",
                    span,
                )
                return
            data = {k: data[k] for k in keys}
        self.merge(string_keys(data), Definition(path, Span.at(0, 0), item, params.span_of), span)
        if path not in imports:
            imports[path] = list(keys) if keys else None
        elif keys:
            imports[path] = [*(imports[path] or []), *keys]

    def _file_problem(self, item: str, path: str, error: str, detail: str, span: Span) -> None:
        if error == "missing":
            self.fail(
                "dvc-vars-file-missing",
                f"`{item}`: '{path}' does not exist, and DVC cannot resolve this dvc.yaml without it. Create the "
                "file, or remove the entry.",
                span,
            )
            return
        if error == "unreadable":
            # A folder, not UTF-8 or larger than gto-lsp reads: its names are unknown, so none is called undefined.
            self.context.complete = False
            return
        why = {
            "syntax": f"cannot be parsed ({detail})",
            "not-mapping": f"holds a {detail}, not a mapping of names",
        }.get(error, "cannot be read")
        self.fail(
            "dvc-vars-file-invalid",
            f"'{path}' {why}: DVC cannot load its variables, and refuses this dvc.yaml. Fix the file.",
            span,
        )

    def merge(self, data: dict[str, Any], definition: Definition, span: Span) -> None:
        clash = sorted(k for k in data if k in self.context.reserved)
        if clash:
            names = " and ".join(f"'{k}'" for k in clash)
            self.fail(
                "dvc-vars-conflict",
                f"`vars:` cannot define {names}: foreach and matrix set them for each generated stage "
                f"(DVC: attempted to modify reserved key). Rename the variable.",
                span,
            )
            return
        conflict = _merge(self.context, self.context.values, data, (), definition)
        if conflict is not None:
            name, before = conflict
            self.fail(
                "dvc-vars-conflict",
                f"DVC cannot redefine '{name}' from '{definition.origin}' as it already exists in "
                f"'{before}'. Rename one of them, or remove it from one place.",
                span,
            )


def _merge(
    context: Context,
    into: MutableMapping[str, Any],
    update: Mapping[str, Any],
    prefix: tuple[str, ...],
    definition: Definition,
) -> Optional[tuple[str, str]]:
    """DVC's _merge: mappings merge key by key, anything else defined twice is a conflict (name, where it was).
    Dicts of the context are copied on the way down, never changed in place (contexts share them)."""
    for key, value in update.items():
        path = (*prefix, key)
        current = into.get(key)
        if isinstance(current, dict) and isinstance(value, dict) and len(path) < MAX_DEPTH:
            copy = dict(current)
            into[key] = copy
            found = _merge(context, copy, value, path, definition)
            if found is not None:
                return found
        elif key in into:
            before = context.definition_of(path)
            return ".".join(path), before[0].origin if before is not None else "<local>"
        else:
            into[key] = value
            context.definitions[".".join(path)] = definition
    return None


def string_keys(data: Any, depth: int = 0) -> Any:
    """DVC's context keeps string keys only (it cannot interpolate others)."""
    if isinstance(data, dict) and depth < MAX_DEPTH:
        return {k: string_keys(v, depth + 1) for k, v in data.items() if isinstance(k, str)}
    if isinstance(data, list) and depth < MAX_DEPTH:
        return [string_keys(v, depth + 1) for v in data]
    return data


@dataclass(frozen=True)
class _SpanTable:
    """Where each key of an inline `vars:` mapping is written (dotted path -> span)."""

    spans: dict[str, Span]

    def __call__(self, parts: tuple[str, ...]) -> Optional[Span]:
        return self.spans.get(".".join(parts))


def _key_spans(where: Where, node: MappingNode) -> dict[str, Span]:
    spans: dict[str, Span] = {}
    stack: list[tuple[Node, tuple[str, ...]]] = [(node, ())]
    while stack and len(spans) < 10_000:
        current, prefix = stack.pop()
        if isinstance(current, MappingNode):
            for key, value in current.value:
                if isinstance(key, ScalarNode):
                    path = (*prefix, str(key.value))
                    spans.setdefault(".".join(path), where.span(key))
                    stack.append((value, path))
    return spans


# --- stages ------------------------------------------------------------------------------------------------------


@dataclass
class Expansion:
    """What a stage definition makes: its generated stages with their contexts, and the problems DVC meets."""

    stages: list[tuple[str, Context]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    template: Optional[Node] = None  # the definition the stages are made from (`do:` for foreach)


def stage_contexts(stage: Placed, context: Context, place: Place, source: str = "") -> list[tuple[str, Context]]:
    return expand(stage, context, place, source).stages


def stage_problems(stage: Placed, context: Context, place: Place, source: str = "") -> list[Problem]:
    return expand(stage, context, place, source).problems


def expand(stage: Placed, context: Context, place: Place, source: str = "") -> Expansion:
    """`source`: the text the stage's marks index into when its block has none (DvcDocument.stages' blocks)."""
    memo = _MEMO.of(stage.block)
    cached = memo.get("expansion")
    key = (id(context), place.folder, place.repo.token, *placing(stage))
    if cached is not None and cached[0] == key and cached[1] is context:
        found: Expansion = cached[2]
        return found
    found = _expand(Where.of(stage, source), str(stage.name), context, place)
    memo["expansion"] = (key, context, found)
    return found


def _expand(where: Where, name: str, context: Context, place: Place) -> Expansion:
    value = where.placed.block.value
    fields = _fields(value)
    out = Expansion(template=value)
    if "matrix" in fields:
        groups = _matrix(where, name, fields["matrix"], context, out.problems)
    elif "foreach" in fields:
        out.template = fields.get("do")
        groups = _foreach(where, name, fields["foreach"], context, out.problems)
    else:
        groups = [(name, context)]
    template = _fields(out.template)
    for generated, group_context in groups:
        stage_context = _stage_context(where, generated, template, group_context, place, out.problems)
        out.stages.append((generated, stage_context))
    return out


def _fields(node: Optional[Node]) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, ScalarNode)}


def _stage_context(
    where: Where, name: str, fields: dict[str, Node], context: Context, place: Place, problems: list[Problem]
) -> Context:
    """The context with the stage's wdir and its `vars:` (files relative to the wdir)."""
    folder = context.folder
    wdir = fields.get("wdir")
    if isinstance(wdir, ScalarNode) and wdir.value:
        value, found = resolution_problem(where, wdir, str(wdir.value), context, None)
        if found is not None:
            _add(problems, found)
        elif value is not None:
            folder = posixpath.normpath(posixpath.join(context.folder, to_str(value)))
    stage_vars = fields.get(VARS)
    if folder == context.folder and not (isinstance(stage_vars, SequenceNode) and stage_vars.value):
        return context
    new = context.copy()
    new.folder = folder
    new.problems = []
    if isinstance(stage_vars, SequenceNode):
        _Loader(new, place, name).load(where, stage_vars, folder)
    for found in new.problems:
        _add(problems, found)
    return new


def _add(problems: list[Problem], found: Problem) -> None:
    if found not in problems:  # generated stages repeat their template's problems
        problems.append(found)


def _foreach(
    where: Where, name: str, node: Node, context: Context, problems: list[Problem]
) -> list[tuple[str, Context]]:
    before = len(problems)
    data = resolve_node(where, node, context, None, problems, data=True)
    if len(problems) > before or (data is None and not context.complete):
        return []
    if not isinstance(data, (list, dict)):
        problems.append(
            problem(
                "dvc-foreach-type",
                f"`foreach` of stage '{name}' resolves to a {type(data).__name__}: DVC expects a list or a dict "
                "(failed to resolve `foreach`). Give a list, a dict or `${name}` of one.",
                where.span(node),
                fmt="dvc",
            )
        )
        return []
    items: dict[str, Any]
    if isinstance(data, dict):
        items = {to_str(k): v for k, v in itertools.islice(data.items(), MAX_GENERATED)}
    elif any(isinstance(v, (list, dict)) for v in data[:MAX_GENERATED]):
        items = {str(i): v for i, v in enumerate(data[:MAX_GENERATED])}
    else:
        items = {to_str(v): v for v in data[:MAX_GENERATED]}
    definition = Definition(context.file, where.span(node), "foreach")
    out = []
    for key, item in items.items():
        values = {"item": item, "key": key} if isinstance(data, dict) else {"item": item}
        out.append((f"{name}@{key}", context.with_items(values, definition)))
    return out


def _matrix(
    where: Where, name: str, node: Node, context: Context, problems: list[Problem]
) -> list[tuple[str, Context]]:
    before = len(problems)
    data = resolve_node(where, node, context, None, problems, data=True)
    if len(problems) > before or not isinstance(data, dict):
        return []  # not a mapping: the schema says so
    axes: list[tuple[str, list[Any]]] = []
    # A string written as is iterates by character (`x: abc` makes s@a, s@b, s@c); one from `${}` is refused.
    written = {
        str(key.value)
        for key, value in (node.value if isinstance(node, MappingNode) else [])
        if isinstance(value, ScalarNode) and isinstance(key, ScalarNode) and "${" not in str(value.value)
    }
    for axis, values in data.items():
        if isinstance(values, (list, dict)) or (isinstance(values, str) and str(axis) in written):
            axes.append((str(axis), list(values)[:MAX_GENERATED]))
        elif values is None and not context.complete:
            return []
        else:
            problems.append(
                problem(
                    "dvc-foreach-type",
                    f"`matrix.{axis}` of stage '{name}' resolves to a {type(values).__name__}: DVC expects a list "
                    "('Value' object is not iterable). Give a list, or `${name}` of one.",
                    where.span(node),
                    fmt="dvc",
                )
            )
            return []
    definition = Definition(context.file, where.span(node), "matrix")
    out: dict[str, Context] = {}
    for combination in itertools.islice(itertools.product(*(enumerate(v) for _, v in axes)), MAX_GENERATED):
        item: dict[str, Any] = {}
        fragments = []
        for (axis, _), (index, value) in zip(axes, combination):
            item[axis] = value
            fragments.append(f"{axis}{index}" if isinstance(value, (list, dict)) else to_str(value))
        key = "-".join(fragments)
        out[f"{name}@{key}"] = context.with_items({"item": item, "key": key}, definition)
    return list(out.items())
