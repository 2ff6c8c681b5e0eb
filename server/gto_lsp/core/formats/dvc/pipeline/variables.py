"""The problems of `${}`, `vars:` and `params:` in a dvc.yaml, as DVC 3.67 meets them when it resolves the file.

`variable_problems(top, stages, place, artifacts)`: what DVC refuses (an undefined name, an expression it cannot
parse, a dict or list interpolated in a stage, a missing or broken vars file, a key a `file:key` selection does not
find, a variable defined twice, a foreach that is not a list or dict) and, as warnings, a stage's `params:` key its
params file lacks. DVC resolves the top-level sections (`artifacts`, `metrics`, `params`, `plots`, `datasets`) with
the file's variables, and each stage with its own (stage `vars:`, foreach's `item`/`key`, matrix's).

Memoised per block: an edit re-resolves the stage it touched (and everything when `vars:` or a file changes).
"""

from __future__ import annotations

import functools
import posixpath
from typing import Any, Optional, Sequence

from gto_lsp.core.codes import problem
from gto_lsp.core.formats.dvc.pipeline.interpolate import Context
from gto_lsp.core.formats.dvc.pipeline.nodes import Where, resolution_problem, resolve_node
from gto_lsp.core.formats.dvc.pipeline.params import ParamsFile, read_params
from gto_lsp.core.formats.dvc.pipeline.scope import DEFAULT_PARAMS, VARS, Expansion, expand, placing, top_context
from gto_lsp.core.navigation import Place
from gto_lsp.core.problems import Problem, Span
from gto_lsp.core.yaml.blocks import BlockMemo, Blocks, Placed
from gto_lsp.core.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

TOP_SECTIONS = ("metrics", "params", "plots", "datasets")  # resolved with the file's variables, as artifacts
NOT_RESOLVED = frozenset({VARS, "foreach", "do", "matrix"})  # a stage's keys DVC does not interpolate
MAX_CHECKED_STAGES = 1_000  # generated stages of one definition resolved for problems


def section_source(top: Blocks, name: str) -> str:
    """The text of the top-level block `name` (what the marks of its nodes index into), or ""."""
    block = next((b for b in top.entries if isinstance(b.key, ScalarNode) and b.key.value == name), None)
    return block.block.text if block is not None else ""


def variable_problems(
    top: Blocks, stages: Sequence[Placed], place: Place, artifacts: Sequence[Placed] = ()
) -> list[Problem]:
    context = top_context(top, place)
    out: list[Problem] = list(context.problems)
    source = section_source(top, "stages")
    for stage in stages:
        out.extend(stage_variable_problems(stage, context, place, source))
    artifacts_source = section_source(top, "artifacts")
    for entry in artifacts:
        compute = functools.partial(_artifact, entry, context, artifacts_source)
        out.extend(_memoised(entry, context, place, "artifact", compute))
    for block in top.entries:
        if isinstance(block.key, ScalarNode) and block.key.value in TOP_SECTIONS:
            out.extend(_memoised(block, context, place, "section", functools.partial(_section, block, context)))
    return _unique(out)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, Span, str]] = set()
    out = []
    for found in problems:
        key = (found.code, found.span, found.message)
        if key not in seen:
            seen.add(key)
            out.append(found)
    return out


_MEMO = BlockMemo()


def _memoised(placed: Placed, context: Context, place: Place, what: str, compute: Any) -> list[Problem]:
    memo = _MEMO.of(placed.block)
    key = (what, *placing(placed), place.repo.files_token)  # the variables' problems ask only files
    cached = memo.get(what)
    if cached is not None and cached[0] == key and cached[1] is context:
        found: list[Problem] = cached[2]
        return found
    found = compute()
    memo[what] = (key, context, found)
    return found


def stage_variable_problems(stage: Placed, context: Context, place: Place, source: str = "") -> list[Problem]:
    """A stage's problems: making its stages (scope.expand), then each generated stage's values resolved in its
    context, and its `params:` keys looked up in their files."""
    return _memoised(stage, context, place, "stage", functools.partial(_stage, stage, context, place, source))


def _stage(stage: Placed, context: Context, place: Place, source: str) -> list[Problem]:
    where = Where.of(stage, source)
    expansion: Expansion = expand(stage, context, place, source)
    out = list(expansion.problems)
    fields = _fields(expansion.template)
    for _, stage_context in expansion.stages[:MAX_CHECKED_STAGES]:
        for key, value in fields.items():
            if key not in NOT_RESOLVED:
                resolve_node(where, value, stage_context, key, out, values=False)
        params = fields.get("params")
        if isinstance(params, SequenceNode):
            out.extend(_params_problems(where, params, stage_context, place))
    return _unique(out)


def _fields(node: Optional[Node]) -> dict[str, Node]:
    if not isinstance(node, MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, ScalarNode)}


def _artifact(entry: Placed, context: Context, source: str) -> list[Problem]:
    where = Where.of(entry, source)
    out: list[Problem] = []
    if isinstance(entry.block.key, ScalarNode) and isinstance(entry.block.key.value, str):
        name, found = resolution_problem(where, entry.block.key, entry.block.key.value, context, None)
        if found is not None:
            out.append(found)
        elif not isinstance(name, str):
            out.append(
                problem(
                    "dvc-variable-type",
                    f"The artifact's name `{entry.block.key.value}` resolves to a {type(name).__name__}: DVC expects "
                    "a string ('expected str'). Name a string variable, or write the name.",
                    where.span(entry.block.key),
                    fmt="dvc",
                )
            )
    resolve_node(where, entry.block.value, context, None, out, values=False)
    return out


def _section(block: Placed, context: Context) -> list[Problem]:
    out: list[Problem] = []
    resolve_node(Where.of(block), block.block.value, context, None, out, values=False)
    return out


# --- a stage's `params:` -------------------------------------------------------------------------------------------


def stage_params(where: Where, params: SequenceNode, context: Context) -> list[tuple[str, ScalarNode, Node]]:
    """(params file relative to the root, the key's node, the item) for each key a stage's `params:` names: a
    plain `key` is in the stage folder's params.yaml, `file: [keys]` in `file`; `${}` resolved."""
    out: list[tuple[str, ScalarNode, Node]] = []
    default = _join(context.folder, DEFAULT_PARAMS)
    for item in params.value[:1_000]:
        if isinstance(item, ScalarNode) and isinstance(item.value, str):
            out.append((default, item, item))
        elif isinstance(item, MappingNode):
            for file_node, keys in item.value:
                if not isinstance(file_node, ScalarNode):
                    continue
                name, _ = resolution_problem(where, file_node, str(file_node.value), context, None)
                path = _join(context.folder, str(name if name is not None else file_node.value))
                if isinstance(keys, SequenceNode):
                    out.extend((path, key, item) for key in keys.value[:1_000] if isinstance(key, ScalarNode))
                else:
                    out.append((path, file_node, item))  # the whole file: every key is a parameter
    return out


def _params_problems(where: Where, params: SequenceNode, context: Context, place: Place) -> list[Problem]:
    out: list[Problem] = []
    for path, key, _ in stage_params(where, params, context):
        loaded = read_params(place.repo, path)
        if loaded.error is not None:
            if loaded.error == "missing":
                out.append(
                    problem(
                        "dvc-params-file-missing",
                        f"The params file '{path}' does not exist: `dvc repro` fails on this stage. Create it, or "
                        "name another file (`- other.yaml: [key]`).",
                        where.span(key),
                        fmt="dvc",
                    )
                )
            continue
        if key.value == path or _is_file_key(key, params):
            continue
        name, _ = resolution_problem(where, key, str(key.value), context, None)
        if name is None or _has_param(loaded, str(name)):
            continue
        out.append(
            problem(
                "dvc-param-missing",
                f"'{name}' is not in '{path}': `dvc repro` fails with \"Parameters '{name}' are missing\". Add it "
                "to the file, or fix the key.",
                where.span(key),
                data={"key": str(name), "file": path},
                fmt="dvc",
            )
        )
    return out


def _is_file_key(key: ScalarNode, params: SequenceNode) -> bool:
    """Whether `key` is the file name of a `file:` item (the whole file, no keys listed)."""
    return any(isinstance(item, MappingNode) and any(k is key for k, _ in item.value) for item in params.value)


def _has_param(loaded: ParamsFile, key: str) -> bool:
    """DVC looks a params key up by its dotted path through mappings (`train.lr`)."""
    current: Any = loaded.data
    for part in key.split(".")[:64]:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return key in (loaded.data or {})
    return True


def _join(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)
