"""GTO's artifacts.yaml behind the one door (core.formats.Format): the whole file is the entries, `.gto`
applies, paths are from the repository root, and names are plain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Callable, Optional

from gto_lsp.core import fixes
from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.completion import Layout
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, EditResult
from gto_lsp.core.fixes import Fix, colon_after, field_value, flow_item_delete, line_span
from gto_lsp.core.formats import Format, InHead
from gto_lsp.core.formats.gto import edit
from gto_lsp.core.formats.gto.check import check, values_of
from gto_lsp.core.formats.gto.document import Artifact, Document, parse
from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME, FIELDS, closest_field, json_schema
from gto_lsp.core.formats.gto.rules_entry import facts
from gto_lsp.core.names import is_valid_name
from gto_lsp.core.paths import escapes, is_absolute, is_external, normalise
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.nodes import SequenceNode

# --- quick fixes, one function per code ------------------------------------------------------------------------


def _unknown_field(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.unknown_field(lines, artifact, problem)


def _type_not_allowed(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    allowed = (problem.data or {}).get("allowed") or []
    single = len(allowed) == 1
    return [Fix(f"Change the type to `{t}`", ((problem.span, str(t)),), single, single) for t in allowed]


def _suggestion(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.suggestion(problem)


def _set_virtual(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    if problem.code == "path-missing" and (problem.data or {}).get("virtual") is not False:
        return []
    node = field_value(artifact, "virtual")
    if node is None:
        return []
    return [Fix("Set `virtual: true`", ((artifact.span(node), "true"),), False)]


def _duplicate_label(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    labels = field_value(artifact, "labels")
    if not isinstance(labels, SequenceNode):
        return []
    label = (problem.data or {}).get("value", "")
    for item in labels.value:
        span = artifact.span(item)
        if span != problem.span:
            continue
        if labels.flow_style:
            target = flow_item_delete(lines, span.start, span.end)
        else:
            target = line_span(lines, span.start.line, span.end.line)
        return [Fix(f"Remove the duplicate label `{label}`", ((target, ""),), True, True)]
    return []


def _lax_boolean(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    value = (problem.data or {}).get("value")
    if not isinstance(value, bool):
        return []
    written = "true" if value else "false"
    return [Fix(f"Write `{written}`", ((problem.span, written),), True, True)]


def _entry_not_mapping(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    data = problem.data or {}
    if not data.get("fix"):
        return []
    colon = colon_after(lines, artifact.name_span.end)
    if colon is None:
        return []
    end = Pos(colon.line, colon.col + 1)
    value = artifact.block.value
    if value is not None:
        span = artifact.span(value)
        if span.start.line == colon.line and span.end.line == colon.line and span.end > end:
            end = span.end
    return [Fix(f"Write `{artifact.name}: {{}}`", ((Span(Pos(colon.line, colon.col + 1), end), " {}"),), True, True)]


def _empty_file(lines: Sequence[str], text: str, artifact: Optional[Artifact], problem: Problem) -> list[Fix]:
    end = Pos(len(lines) - 1, len(lines[-1]))
    prefix = "" if not text or text.endswith(("\n", "\r")) else "\n"
    return [Fix("Write `{}` (no artifacts)", ((Span(end, end), prefix + "{}\n"),), True, True)]


def _quote(lines: Sequence[str], text: str, artifact: Artifact, problem: Problem) -> list[Fix]:
    return fixes.quote(problem)


FIXERS: dict[str, Callable[[Sequence[str], str, Any, Problem], list[Fix]]] = {
    "unknown-field": _unknown_field,
    "type-not-allowed": _type_not_allowed,
    "invalid-name": _suggestion,
    "invalid-label": _suggestion,
    "invalid-type": _suggestion,
    "path-missing": _set_virtual,
    "path-not-committed": _set_virtual,
    "duplicate-label": _duplicate_label,
    "lax-boolean": _lax_boolean,
    "entry-not-mapping": _entry_not_mapping,
    "empty-file": _empty_file,
    "wrong-type": _quote,
    "name-not-string": _quote,
}


def _fixes(
    document: Document, artifact: Optional[Artifact], lines: Sequence[str], text: str, problem: Problem
) -> list[Fix]:
    fixer = FIXERS.get(problem.code)
    if fixer is None or (artifact is None and problem.code != "empty-file"):
        return []
    return fixer(lines, text, artifact, problem)


# --- reading ---------------------------------------------------------------------------------------------------


def _parse(text: str, previous: Optional[Document]) -> Document:
    return parse(text, previous)


def _entries(document: Document) -> Sequence[Artifact]:
    return document.artifacts


def _check(document: Document, repo: RepoView, config: Config, folder: str, settings: CheckSettings) -> list[Problem]:
    return check(document, config, repo, settings)


def _vocabulary(document: Document) -> tuple[list[str], list[str]]:
    """The valid types and labels the file uses, sorted."""
    types_used: set[str] = set()
    labels: set[str] = set()
    for artifact in document.artifacts:
        known = facts(artifact)
        if known.type:
            types_used.add(known.type)
        labels.update(label for label in known.labels if isinstance(label, str))
    return sorted(t for t in types_used if is_valid_name(t)), sorted(x for x in labels if is_valid_name(x))


def _resolve_path(value: str, folder: str) -> Optional[str]:
    """A `path:` value from the repository root; None for a URL, an absolute path or one leaving the root."""
    if not value or is_external(value):
        return None
    relative = normalise(value)
    if is_absolute(value) or escapes(relative):
        return None
    return relative


# --- editing ---------------------------------------------------------------------------------------------------


def _annotate(
    text: Optional[str],
    request: AnnotateRequest,
    config: Config,
    in_head: Optional[InHead],
    previous: Optional[Document],
    folder: str,
    file: str,
) -> EditResult:
    return edit.annotate(text, request, config, in_head, previous=previous)


def _remove(text: Optional[str], name: str, previous: Optional[Document], file: str) -> EditResult:
    return edit.remove(text, name, previous=previous)


def _request_values(document: Document, artifact: Artifact, folder: str) -> dict[str, Any]:
    """The entry's values that annotate takes (its prompts prefilled); {} when they cannot be read."""
    try:
        values = values_of(document, artifact)
    except Exception:
        return {}
    out: dict[str, Any] = {
        key: values[key] for key in ("type", "path", "description") if isinstance(values.get(key), str)
    }
    if isinstance(values.get("labels"), list):
        out["labels"] = [str(label) for label in values["labels"]]
    if isinstance(values.get("virtual"), bool):
        out["virtual"] = values["virtual"]
    return out


# --- fields and completion -------------------------------------------------------------------------------------


def field_doc(name: str) -> Optional[str]:
    spec = FIELD_BY_NAME.get(name)
    if spec is None:
        return None
    default = {True: "true", None: "null", "": '""', (): "[]"}.get(spec.default, str(spec.default))
    return f"**{spec.name}** ({spec.kind}, default `{default}`)\n\n{spec.summary}\n\n{spec.doc}"


def _layout(document: Document, lines: Sequence[str]) -> Layout:
    return Layout()


def _new_entry(name: Optional[str], column: int, document: Document) -> tuple[str, str]:
    """(snippet, plain text) of a new entry: without a name, what follows the name typed."""
    if name is None:
        return "${1:name}:\n  type: ${2:model}\n  path: ${3:path}\n$0", ":\n  type: model\n  path: "
    return f"{name}:\n  type: ${{1:model}}\n  path: $2\n$0", f"{name}: {{}}"


def _registered_here(names: Iterable[str], folder: str, present: Iterable[str]) -> list[tuple[str, str]]:
    have = set(present)
    return [(name, name) for name in names if name not in have and is_valid_name(name)]


GTO = Format(
    name="gto",
    file_name="artifacts.yaml",
    section=None,
    one_per_repository=True,
    reads_gto_config=True,
    asks_git=True,
    names_qualified=False,
    counts_outputs=True,
    paths_from_folder=False,
    vocabulary_of_repository=False,
    parses_off_loop=True,
    new_entry_fields="type and path",
    new_entry_as_is=False,
    parse=_parse,
    entries=_entries,
    check=_check,
    fixes=_fixes,
    full_name=lambda folder, name: name,
    vocabulary=_vocabulary,
    stage_outputs=None,
    resolve_path=_resolve_path,
    tracked_by=(),
    annotate=_annotate,
    remove=_remove,
    describe=edit.describe,
    values_of=values_of,
    request_values=_request_values,
    fields=FIELDS,
    field_doc=field_doc,
    closest_field=closest_field,
    json_schema=json_schema,
    layout=_layout,
    shape_layout=_layout,
    section_span=lambda document: None,
    new_entry=_new_entry,
    registered_here=_registered_here,
)
