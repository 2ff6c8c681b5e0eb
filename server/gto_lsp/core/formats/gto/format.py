"""GTO's artifacts.yaml behind the one door (core.formats.Format): the whole file is the entries, `.gto`
applies, paths are from the repository root, and names are plain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Optional

from gto_lsp.core.codes import CheckSettings
from gto_lsp.core.completion import Layout
from gto_lsp.core.config import Config
from gto_lsp.core.edits import AnnotateRequest, EditResult
from gto_lsp.core.formats import Format, InHead
from gto_lsp.core.formats.gto import edit
from gto_lsp.core.formats.gto.check import check, values_of
from gto_lsp.core.formats.gto.document import Artifact, Document, parse
from gto_lsp.core.formats.gto.fields import FIELD_BY_NAME, FIELDS
from gto_lsp.core.formats.gto.fixes import fixes_for
from gto_lsp.core.formats.gto.foreign import has_gto_field
from gto_lsp.core.formats.gto.rules_entry import facts
from gto_lsp.core.names import is_valid_name
from gto_lsp.core.navigation import no_links, no_outline, no_suggestions, no_targets, no_text
from gto_lsp.core.paths import escapes, is_absolute, is_external, normalise
from gto_lsp.core.problems import Problem
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.cut import parse_head

# --- reading ---------------------------------------------------------------------------------------------------


def _parse(text: str, previous: Optional[Document]) -> Document:
    return parse(text, previous)


def _head(text: str, lines: int) -> Optional[Document]:
    blocks = parse_head(text, lines)
    # Without a GTO field the head may look foreign while the whole file is not (foreign_reason).
    return Document(blocks) if blocks is not None and has_gto_field(blocks) else None


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
    head=_head,
    check=_check,
    fixes=fixes_for,
    full_name=lambda folder, name: name,
    vocabulary=_vocabulary,
    stage_outputs=None,
    resolve_path=_resolve_path,
    tracked_by=(),
    annotate=_annotate,
    remove=_remove,
    request_values=_request_values,
    fields=FIELDS,
    field_doc=field_doc,
    layout=_layout,
    shape_layout=_layout,
    section_span=lambda document: None,
    new_entry=_new_entry,
    registered_here=_registered_here,
    outline=no_outline,
    explain_at=no_text,
    definitions_at=no_targets,
    references_at=no_targets,
    links=no_links,
    suggest_at=no_suggestions,
)
