"""What a format offers beyond its entries (core/navigation.py), as LSP answers: outline symbols, hover text, go
to definition, find references, document links and completion items. dvc.yaml's pipeline is served this way."""

from __future__ import annotations

from typing import Optional

from lsprotocol import types

from gto_lsp.core.formats import Format
from gto_lsp.core.navigation import Link, Outline, Place, Suggestion, Target
from gto_lsp.core.paths import inside
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.paths import path_to_uri
from gto_lsp.lsp.session.server import GtoLanguageServer

_KIND = {
    "section": types.SymbolKind.Namespace,
    "stage": types.SymbolKind.Function,
    "key": types.SymbolKind.Property,
    "path": types.SymbolKind.File,
    "variable": types.SymbolKind.Variable,
    "plot": types.SymbolKind.Object,
    "metric": types.SymbolKind.Number,
    "params": types.SymbolKind.Module,
}
_ITEM_KIND = {
    "key": types.CompletionItemKind.Property,
    "path": types.CompletionItemKind.File,
    "folder": types.CompletionItemKind.Folder,
    "param": types.CompletionItemKind.Field,
    "variable": types.CompletionItemKind.Variable,
    "value": types.CompletionItemKind.Value,
    "stage": types.CompletionItemKind.Function,
}


def place_of(ls: GtoLanguageServer, view: View) -> Place:
    """The document's repository (the outputs of every dvc.yaml the server knows count as made), folder and path."""
    root = view.root
    if root is None or view.path is None:
        return Place(RepoView(), "", view.path.name if view.path is not None else "")
    made = frozenset().union(*ls.state.stage_outputs.values()) if ls.state.stage_outputs else frozenset()
    repo = RepoView(root, None, view.repo.view.exists_cache, made)
    try:
        file = view.path.relative_to(root).as_posix()
    except ValueError:
        file = view.path.name
    return Place(repo, view.folder, file)


def view_and_format(ls: GtoLanguageServer, uri: str) -> Optional[tuple[View, Format]]:
    """The document at `uri` and its format, when it holds annotations."""
    view = ls.view(uri)
    fmt = view.format if view is not None else None
    if view is None or fmt is None:
        return None
    return view, fmt


def _uri(view: View, path: str) -> Optional[str]:
    """The uri of a repository path: the document itself when it names it (its unsaved text is what was read)."""
    root = view.root
    if root is None:
        return None
    target = root / path
    if view.path is not None and target == view.path:
        return view.uri
    if not inside(target, root):
        return None
    return path_to_uri(target)


def _locations(view: View, targets: list[Target]) -> list[types.Location]:
    out = []
    for target in targets:
        uri = _uri(view, target.path)
        if uri is None:
            continue
        if uri == view.uri:
            found = view.lines.range(target.span)
        else:  # another file: its positions are plain UTF-16 columns of ASCII keys (lines of a params file)
            start = types.Position(line=target.span.start.line, character=target.span.start.col)
            end = types.Position(line=target.span.end.line, character=target.span.end.col)
            found = types.Range(start=start, end=end)
        out.append(types.Location(uri=uri, range=found))
    return out


def outline_symbols(view: View, outline: list[Outline]) -> list[types.DocumentSymbol]:
    def symbol(item: Outline) -> types.DocumentSymbol:
        return types.DocumentSymbol(
            name=item.name or "?",
            kind=_KIND.get(item.kind, types.SymbolKind.Key),
            range=view.lines.range(item.span),
            selection_range=view.lines.range(item.selection),
            detail=item.detail,
            children=[symbol(child) for child in item.children],
        )

    return [symbol(item) for item in outline]


def outline_information(
    view: View, outline: list[Outline], container: Optional[str] = None
) -> list[types.SymbolInformation]:
    out = []
    for item in outline:
        out.append(
            types.SymbolInformation(
                name=item.name or "?",
                kind=_KIND.get(item.kind, types.SymbolKind.Key),
                location=types.Location(uri=view.uri, range=view.lines.range(item.span)),
                container_name=container,
            )
        )
        out.extend(outline_information(view, list(item.children), item.name))
    return out


def explain(
    ls: GtoLanguageServer, view: View, fmt: Format, position: types.Position
) -> Optional[tuple[str, types.Range]]:
    """The format's hover text where no entry answers, with the word under the cursor as its range."""
    pos = view.lines.pos(position)
    text = fmt.explain_at(view.parsed, pos, place_of(ls, view))
    if text is None:
        return None
    return text, view.lines.range(_word(view, pos))


def _word(view: View, pos: Pos) -> Span:
    line = view.lines.line(pos.line)
    start = end = min(pos.col, len(line))
    while start > 0 and not line[start - 1].isspace() and line[start - 1] not in ":[{,'\"":
        start -= 1
    while end < len(line) and not line[end].isspace() and line[end] not in ":]},'\"":
        end += 1
    return Span(Pos(pos.line, start), Pos(pos.line, end))


def definitions(ls: GtoLanguageServer, params: types.DefinitionParams) -> Optional[list[types.Location]]:
    found = view_and_format(ls, params.text_document.uri)
    if found is None:
        return None
    view, fmt = found
    targets = fmt.definitions_at(view.parsed, view.lines.pos(params.position), place_of(ls, view))
    return _locations(view, targets) or None


def references(ls: GtoLanguageServer, params: types.ReferenceParams) -> Optional[list[types.Location]]:
    found = view_and_format(ls, params.text_document.uri)
    if found is None:
        return None
    view, fmt = found
    pos = view.lines.pos(params.position)
    place = place_of(ls, view)
    targets = fmt.references_at(view.parsed, pos, place)
    if params.context.include_declaration:
        targets = fmt.definitions_at(view.parsed, pos, place) + targets
    return _locations(view, list(dict.fromkeys(targets))) or None


def document_links(ls: GtoLanguageServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
    found = view_and_format(ls, params.text_document.uri)
    if found is None:
        return []
    view, fmt = found
    out = []
    for link in fmt.links(view.parsed, place_of(ls, view)):
        uri = _uri(view, link.path)
        if uri is not None:
            out.append(_document_link(view, link, uri))
    return out


def _document_link(view: View, link: Link, uri: str) -> types.DocumentLink:
    return types.DocumentLink(range=view.lines.range(link.span), target=uri, tooltip=link.tooltip or None)


def completion_items(view: View, suggestions: list[Suggestion], position: types.Position) -> list[types.CompletionItem]:
    """Items whose textEdit replaces the suggestion's span (the word before the cursor when it has none)."""
    pos = view.lines.pos(position)
    line = view.lines.line(pos.line)
    start = min(pos.col, len(line))
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_-.@/"):
        start -= 1
    here = Span(Pos(pos.line, start), pos)
    out = []
    for index, item in enumerate(suggestions):
        span = item.replace if item.replace is not None else here
        out.append(
            types.CompletionItem(
                label=item.label,
                kind=_ITEM_KIND.get(item.kind, types.CompletionItemKind.Text),
                detail=item.detail or None,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.doc) if item.doc else None,
                sort_text=item.sort or f"{index:05d}",
                filter_text=item.label,
                insert_text_format=types.InsertTextFormat.Snippet if item.snippet else types.InsertTextFormat.PlainText,
                text_edit=types.TextEdit(range=view.lines.range(span), new_text=item.insert),
                commit_characters=list(item.commit) or None,
            )
        )
    return out


def suggestions(
    ls: GtoLanguageServer, view: View, fmt: Format, position: types.Position
) -> Optional[list[types.CompletionItem]]:
    """The format's own completion at the cursor, None where the entries' completion answers."""
    found = fmt.suggest_at(view.parsed, view.lines.pos(position), place_of(ls, view))
    if found is None:
        return None
    return completion_items(view, found, position)
