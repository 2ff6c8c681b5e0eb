"""dvc.yaml's pipeline as DVC builds it: every stage (foreach/matrix expanded into `name@key`), the paths it reads
and writes, and the DAG (a stage depends on the stages whose outputs its dependencies are, are inside, or
contain: DVC's rule in repo/graph.py). The problems across stages DVC refuses the project for (an output written
twice, outputs inside one another, a cycle) and a dependency nothing provides.

Paths are relative to the stage's `wdir`, itself relative to the dvc.yaml's folder; `path` below is always from
the repository root. Built once per `stages:` block (an edit elsewhere in the file reuses it).
"""

from __future__ import annotations

import bisect
import operator
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from gto_lsp.core.formats.dvc.pipeline.interpolate import Context
from gto_lsp.core.formats.dvc.pipeline.scope import expand, top_context
from gto_lsp.core.formats.dvc.pipeline.stages import PathUse, Stage, read_stage
from gto_lsp.core.navigation import Place
from gto_lsp.core.problems import Problem, Related, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import BlockMemo, Blocks, Placed
from gto_lsp.core.yaml.nodes import ScalarNode

MAX_RELATED = 20  # related locations one problem lists


@dataclass(frozen=True)
class Pipeline:
    folder: str
    stages: tuple[Stage, ...]
    upstream: tuple[tuple[int, ...], ...]  # per stage: the stages whose outputs it reads (DVC's graph edges)
    downstream: tuple[tuple[int, ...], ...]  # per stage: the stages that read its outputs
    writers: dict[str, tuple[int, ...]]  # output path -> the stages that write it
    ordered: list[str]  # the output paths, sorted (the outputs inside a folder are a run of it)

    def producers(self, path: str) -> list[int]:
        """The stages whose outputs `path` is, is inside, or contains (DVC's edge rule)."""
        return _overlapping(path, self.writers, self.ordered)

    def outputs(self) -> set[str]:
        return set(self.writers)


_MEMO = BlockMemo()
_NO_REPO = RepoView()  # one view, so the memos keyed by its token hold
_LAST: dict[tuple[str, str], tuple[Any, list[list[Stage]], Pipeline]] = {}  # per dvc.yaml: the last graph built
# Per dvc.yaml: its last pipeline, the repository's token, each stage's missing dependencies, all its problems.
_Checked = tuple[Pipeline, Any, list[list[Problem]], list[Problem]]
_PROBLEMS: dict[str, _Checked] = {}
MAX_FILES = 64


def build_pipeline(top: Blocks, stages: Sequence[Placed], place: Place) -> Pipeline:
    """The pipeline of this dvc.yaml. Each definition's stages are remembered per stage block (while its line, the
    variables and the repository's answers stay the same), so a keystroke re-reads the stage it touched; the
    graph over them is remembered while no stage changed."""
    holder = next((b for b in top.entries if isinstance(b.key, ScalarNode) and b.key.value == "stages"), None)
    source = holder.block.text if holder is not None else ""  # what the marks of unsplit stages index into
    context = top_context(top, place)
    # What the context is made of (scope.py's memo may rebuild an equal one): the `vars:` block and the files.
    variables = next(
        (b.block for b in top.entries if isinstance(b.block.key, ScalarNode) and b.key.value == "vars"), None
    )
    repo = place.repo  # the stages read files through it (vars, params); its `outputs` play no part
    token = (place.folder, place.file, *repo.files_token)
    slot = "stages" if place.repo is not _NO_REPO else "stages-alone"  # check and stage_outputs alternate
    made: list[list[Stage]] = []
    for placed in stages:
        if placed.block.key is None or not isinstance(placed.key, ScalarNode):
            continue
        memo = _MEMO.of(placed.block)
        key = (token, placed.line, placed.col_shift, getattr(placed, "indent", 0))
        found = memo.get(slot)
        if found is None or found[0] != key or found[1] is not variables:
            found = memo[slot] = (key, variables, _read(placed, context, place, source))
        made.append(found[2])
    last = _LAST.get((place.file, slot))
    if last is not None and last[0] == token and len(last[1]) == len(made) and all(map(operator.is_, last[1], made)):
        return last[2]
    previous = last[2] if last is not None and last[0] == token else None
    pipeline = _graph(place.folder, [stage for group in made for stage in group], previous)
    _LAST[(place.file, slot)] = (token, made, pipeline)  # holds the lists, so `is` compares live objects
    if len(_LAST) > MAX_FILES:
        _LAST.pop(next(iter(_LAST)))
    return pipeline


def stage_outputs(top: Blocks, stages: Sequence[Placed], folder: str) -> set[str]:
    """The outputs of this dvc.yaml's stages (outs, metrics, plots; foreach, matrix and `${}` resolved with the
    file's own variables), from the repository root."""
    return build_pipeline(top, stages, Place(_NO_REPO, folder, posixpath.join(folder, "dvc.yaml"))).outputs()


def _read(placed: Placed, context: Context, place: Place, source: str) -> list[Stage]:
    """The stages one definition makes (several for foreach and matrix)."""
    expansion = expand(placed, context, place, source)
    made = (read_stage(placed, name, expansion.template, place.folder, ctx) for name, ctx in expansion.stages)
    return [stage for stage in made if stage is not None]


def _graph(folder: str, built: list[Stage], previous: Optional[Pipeline]) -> Pipeline:
    """The DAG over `built`; a stage left as it was keeps its edges when every output is where it was (an edit
    of a command, a flag or an artifact re-reads only the stage it touched)."""
    writers: dict[str, list[int]] = {}
    for index, stage in enumerate(built):
        for path in {use.path for use in stage.outs if use.path is not None}:
            writers.setdefault(path, []).append(index)
    frozen = {path: tuple(found) for path, found in writers.items()}
    same = previous is not None and len(previous.stages) == len(built) and previous.writers == frozen
    ordered = previous.ordered if same and previous is not None else sorted(frozen)
    upstream: list[tuple[int, ...]] = []
    downstream: list[list[int]] = [[] for _ in built]
    for index, stage in enumerate(built):
        if same and previous is not None and previous.stages[index] is stage:
            edges = previous.upstream[index]
        else:
            found: set[int] = set()
            for use in stage.reads:
                if use.path is not None:
                    found.update(_overlapping(use.path, frozen, ordered))
            edges = tuple(sorted(found))
        upstream.append(edges)
        for other in edges:
            downstream[other].append(index)
    return Pipeline(folder, tuple(built), tuple(upstream), tuple(tuple(d) for d in downstream), frozen, ordered)


def _overlapping(path: str, writers: dict[str, tuple[int, ...]], ordered: list[str]) -> list[int]:
    """The stages writing `path`, a folder above it, or anything inside it (bounded by the path's depth and the
    outputs inside it)."""
    found: list[int] = []
    found.extend(writers.get(path, ()))
    cut = path.rfind("/")
    while cut > 0:
        found.extend(writers.get(path[:cut], ()))
        cut = path.rfind("/", 0, cut)
    prefix = path + "/" if path else ""
    start = bisect.bisect_left(ordered, prefix)
    for other in ordered[start:]:
        if not other.startswith(prefix):
            break
        if other != path:
            found.extend(writers[other])
    return found


# --- problems ----------------------------------------------------------------------------------------------------


def pipeline_problems(top: Blocks, stages: Sequence[Placed], place: Place) -> list[Problem]:
    """What DVC refuses across the stages (an output written twice, outputs inside one another, a cycle) and the
    dependencies that nothing provides."""
    pipeline = build_pipeline(top, stages, place)
    before = _PROBLEMS.get(place.file)
    if before is not None and before[0] is pipeline and before[1] == place.repo.token:
        return list(before[3])  # no stage changed (an edit of artifacts)
    missing = _missing(pipeline, place.repo, before)
    located = [(place.file, stage) for stage in pipeline.stages]
    found = _duplicates(located) + _overlaps(located) + _cycles(located, pipeline.upstream)
    out = [problem for _, problem in found]
    seen: set[Span] = set()  # a dependency of a foreach definition: once, not once per generated stage
    for problem in (problem for per_stage in missing for problem in per_stage):
        if problem.span not in seen:
            seen.add(problem.span)
            out.append(problem)
    _PROBLEMS[place.file] = (pipeline, place.repo.token, missing, out)
    if len(_PROBLEMS) > MAX_FILES:
        _PROBLEMS.pop(next(iter(_PROBLEMS)))
    return list(out)


# (dvc.yaml, stage): the stages of one file, or of every file of a repository.
Located = tuple[str, Stage]


def repository_problems(pipelines: Mapping[str, Pipeline]) -> list[tuple[str, Problem]]:
    """(dvc.yaml, problem) for what DVC refuses across the files of a repository (`pipelines` by file): an output
    written by stages of two files, one inside another file's output, a cycle through several files. What lies
    within one file is pipeline_problems'."""
    located = [(file, stage) for file, pipeline in pipelines.items() for stage in pipeline.stages]
    first: dict[str, int] = {}  # each file's first stage in `located`
    offset = 0
    for file, pipeline in pipelines.items():
        first[file] = offset
        offset += len(pipeline.stages)
    edges: list[tuple[int, ...]] = []
    for pipeline in pipelines.values():
        for stage in pipeline.stages:
            upstream = {
                first[other] + i
                for use in stage.reads
                if use.path is not None
                for other, made in pipelines.items()
                for i in made.producers(use.path)
            }
            edges.append(tuple(sorted(upstream)))
    problems = _duplicates(located) + _overlaps(located) + _cycles(located, edges)
    return [(file, p) for file, p in problems if any(r.file is not None for r in p.related)]


def _related(file: str, other: str, span: Span, message: str) -> Related:
    return Related(span, message, None if other == file else other)


def _duplicates(located: Sequence[Located]) -> list[tuple[str, Problem]]:
    out: list[tuple[str, Problem]] = []
    seen: dict[str, tuple[str, Stage, PathUse]] = {}
    for file, stage in located:
        merged: set[tuple[str, str]] = set()  # DVC merges a path listed twice under one key of a stage
        for use in stage.outs:
            if use.path is None or (use.kind, use.path) in merged:
                continue
            merged.add((use.kind, use.path))
            first = seen.setdefault(use.path, (file, stage, use))
            if first[2] is use:
                continue
            where, other, written = first
            by = (
                "this stage"
                if other is stage
                else f"stage `{other.name}`" + (f" of `{where}`" if where != file else "")
            )
            problem = Problem(
                "dvc-output-duplicated",
                "error",
                f"`{use.text}` is already an output of {by}: DVC refuses the whole project "
                "(OutputDuplicationError). Write it from one stage only.",
                use.span,
                data={"path": use.path},
                related=(_related(file, where, written.span, f"first written by `{other.name}`"),),
            )
            out.append((file, problem))
    return out


def _overlaps(located: Sequence[Located]) -> list[tuple[str, Problem]]:
    """An output inside another output's folder (DVC tracks the folder as a whole)."""
    out: list[tuple[str, Problem]] = []
    uses = {u.path: (file, stage, u) for file, stage in located for u in stage.outs if u.path is not None}
    for file, stage in located:
        for use in stage.outs:
            if use.path is None:
                continue
            cut = use.path.rfind("/")
            while cut > 0 and use.path[:cut] not in uses:
                cut = use.path.rfind("/", 0, cut)
            if cut <= 0:
                continue
            where, other, outer = uses[use.path[:cut]]
            of = f"stage `{other.name}`" + (f" of `{where}`" if where != file else "")
            problem = Problem(
                "dvc-output-overlap",
                "error",
                f"`{use.text}` is inside `{outer.text}`, an output of {of}: DVC refuses the whole project "
                "(OverlappingOutputPathsError). Track the folder or the files inside it, not both.",
                use.span,
                data={"path": use.path, "outer": outer.path},
                related=(_related(file, where, outer.span, f"`{outer.text}` is an output of `{other.name}`"),),
            )
            out.append((file, problem))
    return out


def cycles(pipeline: Pipeline) -> list[list[int]]:
    """The stages on cycles of the DAG (see _groups)."""
    return _groups(pipeline.upstream)


def _groups(edges: Sequence[tuple[int, ...]]) -> list[list[int]]:
    """The nodes on cycles, one group per strongly connected component (Tarjan's, iterative: linear in nodes
    and edges); a node with an edge to itself is a cycle of one."""
    count = len(edges)
    order = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    groups: list[list[int]] = []
    counter = 0
    for root in range(count):
        if order[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                order[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            if child < len(edges[node]):
                work.append((node, child + 1))
                nxt = edges[node][child]
                if order[nxt] < 0:
                    work.append((nxt, 0))
                elif on_stack[nxt]:
                    low[node] = min(low[node], order[nxt])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                group = []
                while True:
                    top = stack.pop()
                    on_stack[top] = False
                    group.append(top)
                    if top == node:
                        break
                if len(group) > 1 or node in edges[node]:
                    groups.append(sorted(group))
    return groups


def _cycles(located: Sequence[Located], edges: Sequence[tuple[int, ...]]) -> list[tuple[str, Problem]]:
    out: list[tuple[str, Problem]] = []
    reported: set[tuple[str, Span]] = set()
    for group in _groups(edges):
        stages = [located[i] for i in group]
        names = ", ".join(f"`{s.name}`" for _, s in stages[:MAX_RELATED])
        for file, stage in stages:
            if (file, stage.name_span) in reported:
                continue  # the stages of one foreach share their definition's name
            reported.add((file, stage.name_span))
            if len(stages) == 1:
                text = f"Stage `{stage.name}` reads its own output"
            else:
                text = f"Stages {names} depend on one another in a cycle"
            related = tuple(
                _related(file, where, s.name_span, f"`{s.name}` is on the cycle")
                for where, s in stages[:MAX_RELATED]
                if s is not stage
            )
            problem = Problem(
                "dvc-cycle",
                "error",
                f"{text}: DVC refuses the whole project (CyclicGraphError). Remove a dependency that is "
                "another stage's output to break it.",
                stage.name_span,
                data={"stages": [s.name for _, s in stages[:MAX_RELATED]]},
                related=related,
            )
            out.append((file, problem))
    return out


def _missing(pipeline: Pipeline, repo: RepoView, before: Optional[_Checked]) -> list[list[Problem]]:
    """Per stage, its dependencies that are not in the working tree, not tracked by DVC and no stage's output
    (a stage left as it was keeps its answer while the outputs and the repository's answers are the same)."""
    if repo.root is None:
        return [[] for _ in pipeline.stages]
    same = (
        before is not None
        and before[1] == repo.token
        and len(before[0].stages) == len(pipeline.stages)
        and before[0].writers == pipeline.writers
    )
    out: list[list[Problem]] = []
    for index, stage in enumerate(pipeline.stages):
        if same and before is not None and before[0].stages[index] is stage:
            out.append(before[2][index])
            continue
        found = []
        for use in stage.deps:
            if use.path is None or pipeline.producers(use.path) or repo.exists(use.path) or repo.managed(use.path):
                continue
            found.append(
                Problem(
                    "dvc-dependency-missing",
                    "warning",
                    f"`{use.text}` does not exist (`{use.path}` from the repository root), is not tracked by DVC and "
                    f"is no stage's output: `dvc repro` fails on stage `{stage.name}`. Paths are relative to the "
                    "stage's `wdir` (the dvc.yaml's folder by default); fix the path or add the stage that makes it.",
                    use.span,
                    data={"path": use.path},
                )
            )
        out.append(found)
    return out
