"""Document symbols (each artifact, its fields as children; in dvc.yaml under the `artifacts` section), go to
definition of a `path:` value (in dvc.yaml from the file's folder), and folding ranges per entry."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from lsprotocol import types

from gto_lsp.core.formats import Format
from gto_lsp.core.paths import inside
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.yaml.nodes import STR as STR_TAG
from gto_lsp.core.yaml.nodes import MappingNode, ScalarNode, SequenceNode, tag_of
from gto_lsp.lsp.features import navigation
from gto_lsp.lsp.locate import display_name, entry_at, field_at, node_span
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.paths import path_to_uri
from gto_lsp.lsp.session.server import GtoLanguageServer


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
    found = navigation.view_and_format(ls, params.text_document.uri)
    if found is None:
        return []
    view, fmt = found
    lines = view.lines
    hierarchical = ls.can("text_document.document_symbol.hierarchical_document_symbol_support")
    out: list[types.DocumentSymbol] = []
    flat: list[types.SymbolInformation] = []
    section = fmt.section_span(view.parsed)
    container = fmt.section if section is not None else None
    for artifact in fmt.entries(view.parsed):
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
                    name=name,
                    kind=types.SymbolKind.Class,
                    location=types.Location(uri=view.uri, range=entry_range),
                    container_name=container,
                )
            )
    if section is not None and container is not None:
        section_key = Span(section.start, Pos(section.start.line, len(container)))
        whole = types.DocumentSymbol(
            name=container,
            kind=types.SymbolKind.Namespace,
            range=lines.range(section),
            selection_range=lines.range(section_key),
            detail=f"{len(out)} artifact" + ("" if len(out) == 1 else "s"),
            children=out,
        )
        out = [whole]
        flat.insert(
            0,
            types.SymbolInformation(
                name=container,
                kind=types.SymbolKind.Namespace,
                location=types.Location(uri=view.uri, range=lines.range(section)),
            ),
        )
    more = fmt.outline(view.parsed)
    if hierarchical:
        out = sorted(
            out + navigation.outline_symbols(view, more), key=lambda s: (s.range.start.line, s.range.start.character)
        )
        return out
    return flat + navigation.outline_information(view, more)


def resolve_path(view: View, fmt: Format, value: str) -> Optional[Path]:
    """The file or folder a `path:` value names (from the file's folder in dvc.yaml), or the file that tracks it
    in git's stead (`.dvc`), when it exists inside the repository (links out count as missing)."""
    resolved = fmt.resolve_path(value, view.folder)
    base = view.root if view.root is not None else (view.path.parent if view.path is not None else None)
    if base is None or resolved is None:
        return None
    target = base / resolved
    for candidate in (target, *(target.with_name(target.name + suffix) for suffix in fmt.tracked_by)):
        if os.path.lexists(candidate) and inside(candidate, base):
            return candidate
    return None


def definition(ls: GtoLanguageServer, params: types.DefinitionParams) -> Optional[list[types.Location]]:
    found = navigation.view_and_format(ls, params.text_document.uri)
    if found is None:
        return None
    view, fmt = found
    pos = view.lines.pos(params.position)
    artifact = entry_at(fmt.entries(view.parsed), pos)
    if artifact is None:
        return navigation.definitions(ls, params)
    hit = field_at(artifact, pos)
    if hit is None or hit.name != "path" or not isinstance(hit.value, ScalarNode) or tag_of(hit.value) != STR_TAG:
        return None
    value = str(hit.value.value)
    target = resolve_path(view, fmt, value)
    if target is None:
        return None
    start = types.Position(line=0, character=0)
    return [types.Location(uri=path_to_uri(target), range=types.Range(start=start, end=start))]


def folding_ranges(ls: GtoLanguageServer, params: types.FoldingRangeParams) -> list[types.FoldingRange]:
    found = navigation.view_and_format(ls, params.text_document.uri)
    if found is None:
        return []
    view, fmt = found
    out = []
    section = fmt.section_span(view.parsed)
    if section is not None and section.end.line > section.start.line:
        out.append(
            types.FoldingRange(
                start_line=section.start.line, end_line=section.end.line, kind=types.FoldingRangeKind.Region
            )
        )
    for artifact in fmt.entries(view.parsed):
        try:
            first, last = artifact.first_line, artifact.last_line
        except AssertionError:
            continue
        if last > first:
            out.append(types.FoldingRange(start_line=first, end_line=last, kind=types.FoldingRangeKind.Region))
    return out
