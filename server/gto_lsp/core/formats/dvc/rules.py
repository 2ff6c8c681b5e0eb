"""The rules of dvc.yaml's `artifacts:` section: DVC's schema, YAML 1.2 typing traps, GTO's name rule, and
paths resolved from the dvc.yaml's folder. Stages, plots, params, metrics and vars are not ours: only YAML
syntax is reported there.

Rules that read one entry are memoised per block (_MEMO), so an edit re-checks only the entry it touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable, Optional

from gto_lsp.core.codes import CheckSettings, refuses
from gto_lsp.core.formats.dvc.document import DvcDocument, Entry
from gto_lsp.core.formats.dvc.fields import FIELD_BY_NAME, REQUIRED, closest_field
from gto_lsp.core.formats.dvc.files import resolve_path
from gto_lsp.core.formats.dvc.pipeline.stages import plain_outputs
from gto_lsp.core.names import invalid_name_message, is_valid_name, suggest_name
from gto_lsp.core.problems import MAX_ITEM_PROBLEMS, Problem, Related, Span
from gto_lsp.core.repo.fs import RepoView, tracked_by_dvc
from gto_lsp.core.yaml.blocks import BlockMemo
from gto_lsp.core.yaml.nodes import (
    ALIAS_BUDGET,
    MERGE,
    NULL,
    STR,
    AliasExpansionError,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    alias_excess,
    tag_of,
)
from gto_lsp.core.yaml.rules import duplicate_keys, node_kind, quote_data, relative_span, tag_problems

BREAKS_PROJECT = (
    " DVC refuses this dvc.yaml, so `dvc status`, `dvc repro` and artifact lookups fail for the whole project."
)
_MEMO = BlockMemo()


def check_dvc(
    document: DvcDocument,
    repo: Optional[RepoView] = None,
    folder: str = "",
    settings: Optional[CheckSettings] = None,
    outputs: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Every problem of the document. `folder`: the dvc.yaml's folder relative to the repository root (POSIX,
    "" for the root). `outputs`: paths DVC tracks as outputs of stages in other dvc.yaml files."""
    settings = settings or CheckSettings()
    if not settings.enable:
        return []
    problems = [_with_note(p) for p in document.problems]
    problems.extend(_section_problems(document))
    names: dict[Any, Entry] = {}
    for entry in document.entries:
        memo = _MEMO.of(entry.block)  # once per entry: the rules below share it
        kind = _key_kind(entry, memo)
        if kind == "merge":
            problems.extend(_merged_entries(entry))  # `<<: *anchor` merges entries into the section
            continue
        problems.extend(_placed(entry, memo, "dvc-placed", _local))
        if kind == "name":
            first = names.get(entry.name)
            if first is None:
                names[entry.name] = entry
            else:
                problems.append(
                    Problem(
                        "duplicate-name",
                        "error",
                        f"Artifact `{entry.name}` is declared twice in this section (a repeated YAML key). "
                        "Merge the two entries or rename one." + BREAKS_PROJECT,
                        entry.name_span,
                        related=(Related(first.name_span, f"`{entry.name}` is first declared here"),),
                        data={"name": entry.name},
                        artifact=entry.name,
                    )
                )
    if settings.paths and repo is not None and repo.root is not None:
        problems.extend(_path_problems(document, repo, folder, settings, outputs))
    return problems


def _merged_entries(entry: Entry) -> Iterator[Problem]:
    """A `<<` merge in the section: the mappings it merges become entries, each of which must be a mapping."""
    value = entry.block.value
    sources = value.value if isinstance(value, SequenceNode) else [value]
    for source in sources:
        if not isinstance(source, MappingNode):
            yield Problem(
                "yaml-syntax",
                "error",
                "`<<` merges mappings (an anchored `&name` mapping or a list of them), and DVC's YAML reader refuses "
                "anything else here." + BREAKS_PROJECT,
                entry.name_span,
            )
            return
        for key, item in source.value:
            if not isinstance(item, MappingNode):
                yield Problem(
                    "entry-not-mapping",
                    "error",
                    f"`<<` merges `{getattr(key, 'value', key)}` into the section as an artifact, and it is not a "
                    "mapping of fields (DVC: expected a dictionary)." + BREAKS_PROJECT,
                    entry.name_span,
                    artifact=str(getattr(key, "value", "")),
                )


def _key_kind(entry: Entry, memo: dict[str, Any]) -> str:
    """ "name" (a string key), "merge" (`<<`) or "other", remembered with the block (resolving a plain scalar's
    tag costs more than the rest of an unchanged entry's check)."""
    kind: Optional[str] = memo.get("dvc-key")
    if kind is None:
        key = entry.key
        kind = "merge" if isinstance(key, ScalarNode) and tag_of(key) == MERGE else "other"
        if kind == "other" and entry.name_is_string:
            kind = "name"
        memo["dvc-key"] = kind
    return kind


def _placed(
    entry: Entry, memo: dict[str, Any], slot: str, relative: Callable[[Entry, dict[str, Any]], list[Problem]]
) -> list[Problem]:
    """Problems stored relative to the entry's block, placed in the document; the placed list is reused while
    the entry has not moved (placing thousands of problems on each edit would dominate the check)."""
    where = (entry.line, entry.indent, entry.col_shift)
    found = relative(entry, memo)
    cached = memo.get(slot)
    if cached is not None and cached[0] == where and cached[1] is found:
        placed: list[Problem] = cached[2]
        return placed
    placed = [entry.relative(p) for p in found]
    memo[slot] = (where, found, placed)
    return placed


def _with_note(problem: Problem) -> Problem:
    if refuses(problem.code, "dvc") and BREAKS_PROJECT not in problem.message:
        message = problem.message.replace("GTO cannot read", "DVC cannot read").replace("artifacts.yaml", "dvc.yaml")
        return Problem(problem.code, problem.severity, message + BREAKS_PROJECT, problem.span, problem.data)
    return problem


def _section_problems(document: DvcDocument) -> list[Problem]:
    if document.section_kind not in ("empty", "not-mapping") or document.section_line is None:
        return []
    line = document.section_line
    span = Span.at(line, 0)
    span = Span(span.start, span.start.__class__(line, len("artifacts")))
    what = "nothing" if document.section_kind == "empty" else _kind(document.section_value)
    return [
        Problem(
            "section-not-mapping",
            "error",
            f"`artifacts:` must be a mapping of artifact names to their fields, not {what} "
            "(DVC: expected a dictionary). Write `artifacts: {}` or add an artifact." + BREAKS_PROJECT,
            span,
            data={"fix": "{}"} if document.section_kind == "empty" else None,
        )
    ]


def _kind(node: Optional[Node]) -> str:
    return "nothing" if node is None else node_kind(node)


def _local(entry: Entry, memo: dict[str, Any]) -> list[Problem]:
    found: Optional[list[Problem]] = memo.get("dvc")
    if found is None:
        found = [_with_note(p) for p in _entry_problems(entry)]
        for index, problem in enumerate(found):
            if problem.artifact is None and entry.name_is_string:
                found[index] = Problem(
                    problem.code,
                    problem.severity,
                    problem.message,
                    problem.span,
                    problem.data,
                    problem.related,
                    artifact=str(entry.name),
                )
        memo["dvc"] = found
    return found


def _entry_problems(entry: Entry) -> Iterator[Problem]:
    key, value = entry.key, entry.block.value
    name_span = relative_span(key)
    if not entry.name_is_string:
        shown = key.value if isinstance(key, ScalarNode) else "a collection"
        yield Problem(
            "name-not-string",
            "error",
            f"Artifact name `{shown}` is read as {node_kind(key)}, not a string (DVC: expected str). "
            f"Quote it: '{shown}'.",
            name_span,
            data={"quoted": f"'{shown}'"} if isinstance(key, ScalarNode) else None,
        )
    elif "${" not in entry.name and not is_valid_name(entry.name):
        yield Problem(
            "invalid-name",
            "warning",
            invalid_name_message(entry.name, "artifact name")
            + " DVC loads the file, but it cannot look this artifact up "
            "(`dvc artifacts get`) and GTO cannot register it.",
            name_span,
            data={"value": entry.name, "suggestion": suggest_name(entry.name)},
        )
    if alias_excess(value) > ALIAS_BUDGET:
        yield Problem("alias-expansion", "error", f"Artifact `{entry.name}`: {AliasExpansionError()}", name_span)
        return  # no other rule expands it
    out: list[Problem] = []
    tag_problems(entry.block.text, key, out)
    if not isinstance(value, MappingNode) or str(value.tag).endswith(":set"):
        if value is None or (isinstance(value, ScalarNode) and tag_of(value) == NULL):
            yield Problem(
                "entry-not-mapping",
                "error",
                f"Artifact `{entry.name}` has no fields, and DVC requires `path` (DVC: expected a dictionary). "
                "Add `path:`.",
                name_span,
                data={"add": "path"},
            )
        else:
            yield Problem(
                "entry-not-mapping",
                "error",
                f"Artifact `{entry.name}` must be a mapping of fields (path, desc, type, labels, meta), not "
                f"{node_kind(value)} (DVC: expected a dictionary).",
                relative_span(value),
            )
            tag_problems(entry.block.text, value, out)
        yield from out
        return
    duplicate_keys(value, out)
    tag_problems(entry.block.text, value, out)
    yield from out
    present = set()
    for field_key, field_value in entry.fields():
        name = field_key.value if isinstance(field_key, ScalarNode) and tag_of(field_key) == STR else None
        if name in present:
            continue  # a `<<` merge brings it too; the entry's own key wins
        if name not in FIELD_BY_NAME:
            yield _extra_key(entry, field_key, name)
            continue
        present.add(name)
        yield from _value(entry, name, field_value)
    for required in REQUIRED:
        if required not in present:
            yield Problem(
                "missing-path",
                "error",
                f"Artifact `{entry.name}` has no `{required}` (DVC: required key not provided). Add `{required}:` "
                "with the artifact's file or folder, relative to this dvc.yaml.",
                name_span,
                data={"add": required},
            )


def _extra_key(entry: Entry, key: Node, name: Optional[str]) -> Problem:
    shown = name if name is not None else getattr(key, "value", "this key")
    suggestion = closest_field(name) if name is not None else None
    if suggestion is not None and entry.field(suggestion) is not None:
        hint = f" (`{suggestion}` is already set: remove this one.)"
        suggestion = None
    elif name in ("virtual",):
        hint = " DVC has no `virtual`: remove it (DVC never checks that a path exists)."
    elif suggestion is not None:
        hint = f" Did you mean `{suggestion}`?"
    else:
        hint = " Remove it, or move it under `meta:`."
    return Problem(
        "extra-key",
        "error",
        f"`{shown}` is not a field of a dvc.yaml artifact (DVC: extra keys not allowed; the fields are path, desc, "
        f"type, labels, meta).{hint}",
        relative_span(key),
        data={"field": name, "suggestion": suggestion},
    )


def _value(entry: Entry, name: str, node: Node) -> Iterator[Problem]:
    kind = FIELD_BY_NAME[name].kind
    if kind == "any":
        return
    if kind == "string":
        if not (isinstance(node, ScalarNode) and tag_of(node) == STR):
            yield _wrong(entry, node, f"`{name}` must be a string, not {_what(node)} (DVC: expected str).", name)
        return
    if not isinstance(node, SequenceNode):
        wrap = {"wrap": node.value} if isinstance(node, ScalarNode) and tag_of(node) == STR else {}
        yield Problem(
            "wrong-type",
            "error",
            f"`labels` must be a list of strings, such as `labels: [ml]`, not {_what(node)} (DVC: expected a list).",
            relative_span(node),
            data={"field": name, **wrap},
        )
        return
    reported = 0
    for item in node.value:
        if not (isinstance(item, ScalarNode) and tag_of(item) == STR):
            if reported >= MAX_ITEM_PROBLEMS:  # 349,524 of them took 3.7 GB and over a minute
                yield Problem(
                    "too-many-problems",
                    "information",
                    f"More than {MAX_ITEM_PROBLEMS:,} problems in `{name}`: the rest of it is not checked.",
                    relative_span(node),
                )
                return
            reported += 1
            yield _wrong(entry, item, f"Each label must be a string, not {_what(item)} (DVC: expected str).", name)


def _what(node: Node) -> str:
    if isinstance(node, ScalarNode) and tag_of(node) == NULL:
        return "null"
    return node_kind(node)


def _wrong(entry: Entry, node: Node, message: str, name: str) -> Problem:
    quote = quote_data(node)
    if quote:
        message += f" Quote it: {quote['quoted']}."
    return Problem("wrong-type", "error", message, relative_span(node), data={"field": name, **quote})


# --- paths ------------------------------------------------------------------------------------------------------


def _plain_outputs(document: DvcDocument, folder: str) -> set[str]:
    """This file's outputs that need no `${}`: what a check not given the pipeline's (`outputs`) still counts.
    Remembered per stage block: an edit elsewhere re-reads no stage."""
    out: set[str] = set()
    for stage in document.stages:
        memo = _MEMO.of(stage.block)
        found: Optional[frozenset[str]] = memo.get(f"dvc-outputs:{folder}")
        if found is None:
            found = memo[f"dvc-outputs:{folder}"] = frozenset(plain_outputs(stage, folder))
        out |= found
    return out


def _path_problems(
    document: DvcDocument, repo: RepoView, folder: str, settings: CheckSettings, outputs: frozenset[str]
) -> list[Problem]:
    """Each entry's path problem, remembered per block while the repository's answers, the folder, the
    setting and the stage outputs stay the same (typing in a description re-checks no path)."""
    known = frozenset(_plain_outputs(document, folder)) | outputs
    key = (repo.token, folder, settings.virtual_missing, hash(known))
    out: list[Problem] = []

    def relative(entry: Entry, memo: dict[str, Any]) -> list[Problem]:
        cached = memo.get("dvc-path")
        if cached is None or cached[0] != key:
            problem = _entry_path_problem(entry, repo, folder, settings, known)
            cached = (key, [problem] if problem is not None else [])
            memo["dvc-path"] = cached
        found: list[Problem] = cached[1]
        return found

    for entry in document.entries:
        out.extend(_placed(entry, _MEMO.of(entry.block), "dvc-path-placed", relative))
    return out


def _entry_path_problem(
    entry: Entry, repo: RepoView, folder: str, settings: CheckSettings, outputs: frozenset[str]
) -> Optional[Problem]:
    """The entry's path problem, placed relative to its block."""
    pair = entry.field("path")
    if pair is None or not isinstance(pair[1], ScalarNode) or tag_of(pair[1]) != STR:
        return None
    node = pair[1]
    where = resolve_path(node.value, folder)
    span = relative_span(node)
    name = str(entry.name)
    if where.problem == "absolute":
        base = f"`{folder}/`" if folder else "the repository root"
        return Problem(
            "path-absolute",
            "warning",
            f"`{node.value}` is absolute: DVC reads it as `{where.resolved}` from the repository root. "
            f"Write it relative to this dvc.yaml's folder ({base}).",
            span,
            data={"path": node.value},
            artifact=name,
        )
    if where.problem == "url":
        return Problem(
            "path-url",
            "warning",
            f"`{node.value}` is a URL: DVC's lookups (`dvc artifacts get`, `artifacts_show`) read it as a "
            "local path and fail. Track the data with DVC (`dvc import-url`) and point `path` at it.",
            span,
            artifact=name,
        )
    if where.problem == "escapes":
        return Problem(
            "path-escapes",
            "warning",
            f"`{node.value}` leaves the repository (DVC clamps it to the root). Point at a file inside it.",
            span,
            artifact=name,
        )
    if where.problem is not None or settings.virtual_missing == "off":
        return None
    if repo.exists(where.resolved) or tracked_by_dvc(where.resolved, repo, outputs):
        return None
    shown = f" (`{where.resolved}` from the repository root)" if folder else ""
    return Problem(
        "path-missing",
        settings.virtual_missing,
        f"`{node.value}` does not exist{shown}, is not tracked by a `.dvc` file and is no stage's "
        "output: `dvc artifacts get` will fail. Paths in dvc.yaml are relative to its folder.",
        span,
        data={"path": node.value, "resolved": where.resolved},
        artifact=name,
    )
