"""DVC's dvc.yaml behind the one door (core.formats.Format): the entries live in its `artifacts:` section, `.gto`
never applies, paths are relative to the file's folder, and names carry that folder (`sub/dir:name`)."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Optional

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.completion import Layout, section_layout
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, EditResult
from gto_lsp.core.fixes import Fix
from gto_lsp.core.formats import Format, InHead
from gto_lsp.core.formats.dvc import edit
from gto_lsp.core.formats.dvc.complete import registered_here, vocabulary
from gto_lsp.core.formats.dvc.document import SECTION, DvcDocument, Entry, parse_dvc
from gto_lsp.core.formats.dvc.fields import FIELD_BY_NAME, FIELDS, REQUIRED
from gto_lsp.core.formats.dvc.files import DVC_FILE, full_name, relative_to_folder, resolve_path
from gto_lsp.core.formats.dvc.fixes import fixes_for
from gto_lsp.core.formats.dvc.pipeline.graph import build_pipeline, pipeline_problems
from gto_lsp.core.formats.dvc.pipeline.keys import explain_key, suggest_keys
from gto_lsp.core.formats.dvc.pipeline.navigate import (
    outline,
    path_links,
    path_suggestions,
    stage_definitions,
    stage_hover,
    stage_references,
)
from gto_lsp.core.formats.dvc.pipeline.validate import schema_problems
from gto_lsp.core.formats.dvc.pipeline.variable_help import variable_definitions, variable_hover, variable_suggestions
from gto_lsp.core.formats.dvc.pipeline.variables import variable_problems
from gto_lsp.core.formats.dvc.rules import check_dvc
from gto_lsp.core.formats.dvc.values import values_of
from gto_lsp.core.navigation import Link, Outline, Place, Suggestion, Target
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.repo.fs import RepoView


def _parse(text: str, previous: Optional[DvcDocument]) -> DvcDocument:
    return parse_dvc(text, previous)


def _entries(document: DvcDocument) -> Sequence[Entry]:
    return document.entries


def document_outputs(document: DvcDocument, repo: RepoView, folder: str) -> set[str]:
    """The outputs of the document's stages, from the repository root (`${}` resolved from the params files)."""
    return build_pipeline(
        document.top, document.stages, Place(repo, folder, posixpath.join(folder, DVC_FILE))
    ).outputs()


def _check(
    document: DvcDocument, repo: RepoView, config: Config, folder: str, settings: CheckSettings
) -> list[Problem]:
    """DVC's check (`.gto` is never read; the stages' outputs are read from this file): the artifacts, then every
    other section as DVC's schema reads it, `${}` and params, and the pipeline's graph."""
    place = Place(repo, folder, posixpath.join(folder, DVC_FILE))
    made = build_pipeline(document.top, document.stages, place).outputs()  # `${}` resolved from the params files
    problems = check_dvc(document, repo, folder, settings, frozenset(made) | repo.outputs)
    if not settings.enable:
        return problems
    schema = schema_problems(document.top, document.stages)
    problems.extend(schema)
    taken = {p.span for p in schema}  # a value the schema refuses is not also reported as what it fails to be
    problems.extend(
        p for p in variable_problems(document.top, document.stages, place, document.entries) if p.span not in taken
    )
    graph = pipeline_problems(document.top, document.stages, place)
    problems.extend(p for p in graph if p.span not in taken and (settings.paths or p.code != "dvc-dependency-missing"))
    return problems


def _outline(document: DvcDocument) -> list[Outline]:
    """The pipeline's sections (the artifacts' symbols are the entries')."""
    return outline(document.top, document.stages)


def _explain_at(document: DvcDocument, pos: Pos, place: Place) -> Optional[str]:
    """Hover outside the artifacts: a `${name}` or params key, a stage or a path of one, else a section's key."""
    top, stages, text = document.top, document.stages, document.text
    return (
        variable_hover(top, stages, text, pos, place, document.entries)
        or stage_hover(top, stages, text, pos, place)
        or explain_key(top, stages, pos)
    )


def _definitions_at(document: DvcDocument, pos: Pos, place: Place) -> list[Target]:
    """From a `${name}` or params key to where it is defined; from a dependency to the stage that writes it."""
    top, stages, text = document.top, document.stages, document.text
    found = variable_definitions(top, stages, text, pos, place, document.entries)
    return found or stage_definitions(top, stages, text, pos, place)


def _references_at(document: DvcDocument, pos: Pos, place: Place) -> list[Target]:
    return stage_references(document.top, document.stages, document.text, pos, place)


def _links(document: DvcDocument, place: Place) -> list[Link]:
    return path_links(document.top, document.stages, place)


def _suggest_at(document: DvcDocument, pos: Pos, place: Place) -> Optional[list[Suggestion]]:
    """After `${`: names; in a stage's params: keys of its file; in deps/outs: paths; else the keys a mapping lacks."""
    top, stages, text = document.top, document.stages, document.text
    for found in (
        variable_suggestions(top, stages, text, pos, place, document.entries),
        path_suggestions(top, stages, text, pos, place),
    ):
        if found is not None:
            return found
    return suggest_keys(top, stages, text, pos)


def _fixes(
    document: DvcDocument, entry: Optional[Entry], lines: Sequence[str], text: str, problem: Problem
) -> list[Fix]:
    return fixes_for(document, lines, entry, problem)


def _resolve_path(value: str, folder: str) -> Optional[str]:
    where = resolve_path(value, folder)
    return where.resolved if where.problem is None else None


def _annotate(
    text: Optional[str],
    request: AnnotateRequest,
    config: Config,
    in_head: Optional[InHead],
    previous: Optional[DvcDocument],
    folder: str,
    file: str,
) -> EditResult:
    """The request's path is relative to the repository root (as for artifacts.yaml); dvc.yaml stores it relative
    to its own folder."""
    path = request.path
    if path and folder and "://" not in path and not path.startswith("/"):
        path = relative_to_folder(posixpath.normpath(path), folder)
    return edit.annotate(text, replace(request, path=path), folder, in_head, previous, file)


def _remove(text: Optional[str], name: str, previous: Optional[DvcDocument], file: str) -> EditResult:
    return edit.remove(text, name, previous, file)


def _request_values(document: DvcDocument, entry: Entry, folder: str) -> dict[str, Any]:
    """The entry's values in annotate's names (`desc` -> `description`), its path from the repository root."""
    values = values_of(entry)
    out: dict[str, Any] = {}
    path = values.get("path")
    if isinstance(path, str):
        where = resolve_path(path, folder)
        out["path"] = where.resolved if where.problem is None else path
    for key, field in (("type", "type"), ("description", "desc")):
        if isinstance(values.get(field), str):
            out[key] = values[field]
    if isinstance(values.get("labels"), list):
        out["labels"] = [str(label) for label in values["labels"]]
    return out


def field_doc(name: str) -> Optional[str]:
    spec = FIELD_BY_NAME.get(name)
    if spec is None:
        return None
    need = "required" if name in REQUIRED else "optional"
    return f"**{spec.name}** ({spec.kind}, {need}; DVC)\n\n{spec.summary}\n\n{spec.doc}"


def _layout(document: DvcDocument, lines: Sequence[str]) -> Optional[Layout]:
    """The `artifacts:` section's lines: as the parser cut them out, else by their shape; None without one."""
    if document.section is not None and document.section_line is not None:
        return Layout(document.indent, document.section_line + 1, document.section_end)
    return _shape_layout(document, lines)


def _shape_layout(document: DvcDocument, lines: Sequence[str]) -> Optional[Layout]:
    return section_layout(lines, document.indent if document.entries else None)


def _section_span(document: DvcDocument) -> Optional[Span]:
    """The `artifacts:` section, from its key to its last entry's content."""
    if document.section_line is None:
        return None
    key = Span(Pos(document.section_line, 0), Pos(document.section_line, len(SECTION)))
    ends = [max(e.entry_span.end, e.name_span.end) for e in document.entries if e.block.key is not None]
    return Span(key.start, max([key.end, *ends]))


def _new_entry(name: Optional[str], column: int, document: DvcDocument) -> tuple[str, str]:
    """(snippet, plain text) of a new entry, its lines indented in full (DVC's field order: path first)."""
    pad = " " * (column + document.field_indent)
    if name is None:
        return f"${{1:name}}:\n{pad}path: ${{2:path}}\n{pad}type: ${{3:model}}$0", f":\n{pad}path: "
    return f"{name}:\n{pad}path: $1\n{pad}type: ${{2:model}}$0", f"{name}:\n{pad}path: "


DVC = Format(
    name="dvc",
    file_name=DVC_FILE,
    section=SECTION,
    one_per_repository=False,
    reads_gto_config=False,
    asks_git=False,
    names_qualified=True,
    counts_outputs=True,
    paths_from_folder=True,
    vocabulary_of_repository=True,
    parses_off_loop=False,
    new_entry_fields="path and type",
    new_entry_as_is=True,
    parse=_parse,
    entries=_entries,
    head=None,  # (a dvc.yaml's check reads its stages beside its artifacts)
    check=_check,
    fixes=_fixes,
    full_name=full_name,
    vocabulary=vocabulary,
    stage_outputs=document_outputs,
    resolve_path=_resolve_path,
    tracked_by=(".dvc",),
    annotate=_annotate,
    remove=_remove,
    request_values=_request_values,
    fields=FIELDS,
    field_doc=field_doc,
    layout=_layout,
    shape_layout=_shape_layout,
    section_span=_section_span,
    new_entry=_new_entry,
    registered_here=registered_here,
    outline=_outline,
    explain_at=_explain_at,
    definitions_at=_definitions_at,
    references_at=_references_at,
    links=_links,
    suggest_at=_suggest_at,
)
