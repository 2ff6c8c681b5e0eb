"""Document symbols (each artifact, its fields as children), go to definition of a `path:` value, and folding
ranges per entry."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from lsprotocol import types

from ..core.parse import STR as STR_TAG
from ..core.parse import MappingNode, ScalarNode, SequenceNode, tag_of
from ..core.paths import escapes, inside, is_absolute, is_external, normalise
from ..core.problems import Span
from .locate import artifact_at, display_name, field_at, node_span
from .state import ARTIFACTS, GtoLanguageServer, View, path_to_uri


def _view(ls: GtoLanguageServer, uri: str) -> Optional[View]:
    view = ls.view(uri)
    return view if view is not None and view.kind == ARTIFACTS else None


def _detail(node: object) -> Optional[str]:
    if isinstance(node, ScalarNode):
        text = str(node.value)
        return text if len(text) <= 60 else text[:57] + "..."
    if isinstance(node, SequenceNode):
        return "[" + ", ".join(str(i.value) for i in node.value if isinstance(i, ScalarNode))[:60] + "]"
    if isinstance(node, MappingNode):
        return "{...}"
    return None


def document_symbols(
    ls: GtoLanguageServer, params: types.DocumentSymbolParams
) -> Union[list[types.DocumentSymbol], list[types.SymbolInformation]]:
    view = _view(ls, params.text_document.uri)
    if view is None:
        return []
    lines = view.lines
    hierarchical = ls.can("text_document.document_symbol.hierarchical_document_symbol_support")
    out: list[types.DocumentSymbol] = []
    flat: list[types.SymbolInformation] = []
    for artifact in view.document.artifacts:
        name = display_name(artifact)
        entry = Span(artifact.name_span.start, max(artifact.entry_span.end, artifact.name_span.end))
        entry_range = lines.range(entry)
        children: list[types.DocumentSymbol] = []
        kind_of = None
        for key, value in artifact.fields():
            if not isinstance(key, ScalarNode):
                continue
            key_span = artifact.span(key)
            value_span = node_span(artifact, value)
            if key_span.start < entry.start or key_span.end > entry.end:
                continue  # a key merged in from another entry (`<<: *anchor`)
            field_span = Span(key_span.start, min(max(value_span.end, key_span.end), entry.end))
            if key.value == "type" and isinstance(value, ScalarNode):
                kind_of = str(value.value)
            children.append(
                types.DocumentSymbol(
                    name=str(key.value) or "?",
                    kind=types.SymbolKind.Property,
                    range=lines.range(field_span),
                    selection_range=lines.range(key_span),
                    detail=_detail(value),
                )
            )
            if not hierarchical:
                flat.append(
                    types.SymbolInformation(
                        name=str(key.value) or "?",
                        kind=types.SymbolKind.Property,
                        location=types.Location(uri=view.uri, range=lines.range(field_span)),
                        container_name=name,
                    )
                )
        out.append(
            types.DocumentSymbol(
                name=name,
                kind=types.SymbolKind.Class,
                range=entry_range,
                selection_range=lines.range(artifact.name_span),
                detail=kind_of,
                children=children,
            )
        )
        if not hierarchical:
            flat.append(
                types.SymbolInformation(
                    name=name, kind=types.SymbolKind.Class, location=types.Location(uri=view.uri, range=entry_range)
                )
            )
    return out if hierarchical else flat


def resolve_path(view: View, value: str) -> Optional[Path]:
    """The file or folder a `path:` value names, when it exists inside the repository (links out count as
    missing)."""
    if not value or is_external(value):
        return None
    base = view.root if view.root is not None else (view.path.parent if view.path is not None else None)
    if base is None:
        return None
    relative = normalise(value)
    if is_absolute(value) or escapes(relative):
        return None
    target = base / relative
    if not os.path.lexists(target) or not inside(target, base):
        return None
    return target


def definition(ls: GtoLanguageServer, params: types.DefinitionParams) -> Optional[list[types.Location]]:
    view = _view(ls, params.text_document.uri)
    if view is None:
        return None
    pos = view.lines.pos(params.position)
    artifact = artifact_at(view.document, pos)
    if artifact is None:
        return None
    hit = field_at(artifact, pos)
    if hit is None or hit.name != "path" or not isinstance(hit.value, ScalarNode) or tag_of(hit.value) != STR_TAG:
        return None
    target = resolve_path(view, str(hit.value.value))
    if target is None:
        return None
    start = types.Position(line=0, character=0)
    return [types.Location(uri=path_to_uri(target), range=types.Range(start=start, end=start))]


def folding_ranges(ls: GtoLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    view = _view(ls, params.text_document.uri)
    if view is None:
        return []
    out = []
    for artifact in view.document.artifacts:
        first, last = artifact.first_line, artifact.last_line
        if last > first:
            out.append(types.FoldingRange(start_line=first, end_line=last, kind=types.FoldingRangeKind.Region))
    return out
