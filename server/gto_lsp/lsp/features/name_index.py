"""The artifacts every annotations file of the workspace declares (artifacts.yaml, or the index `.gto` names, and
every dvc.yaml DVC reads), kept per file by its content stamp: an open document by its parse (its unsaved text
wins over the disk), a closed file by its modification time and size. A workspace-wide question (workspace
symbols, references, rename) reads only the files that changed since the last one. Also each repository's file
list (git's, or a walk where git may not run), which the usages scan reads."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types

from gto_lsp.core.formats import Format
from gto_lsp.core.formats.dvc.files import dvc_files, walk_files
from gto_lsp.core.formats.dvc.reads import IGNORE_FILE, DvcIgnore
from gto_lsp.core.names import is_valid_name
from gto_lsp.core.problems import Pos, Span
from gto_lsp.core.repo.safe_read import too_big
from gto_lsp.core.usages import split_use
from gto_lsp.core.yaml.blocks import BlockCache, Placed
from gto_lsp.lsp.positions import LineIndex
from gto_lsp.lsp.session.documents import FORMAT_OF_KIND
from gto_lsp.lsp.session.paths import norm, path_to_uri, read_text, uri_to_path
from gto_lsp.lsp.session.server import GtoLanguageServer

MAX_SYMBOLS = 1_000  # workspace symbols answered at the most (VS Code filters again)
WALK_FRESH = 5.0  # seconds a walk of a folder without git is reused


@dataclass(frozen=True)
class Declared:
    """One artifact an annotations file declares: `folder:name` is its full name (folder "" at the root)."""

    folder: str
    name: str
    uri: str
    file: str  # the annotations file, relative to the repository root
    name_range: types.Range  # the name alone (a quoted key's quotes left out)
    entry_range: types.Range
    editable: bool  # the key's text is the name, plainly or quoted: a rename can rewrite it

    @property
    def full(self) -> str:
        return f"{self.folder}:{self.name}" if self.folder else self.name


@dataclass
class _File:
    stamp: Any  # the open document's parse (compared by identity), or (mtime, size) of the saved file
    declared: tuple[Declared, ...]
    symbols: tuple[tuple[str, types.SymbolInformation], ...]  # (lower-case full name, symbol)


@dataclass
class _Listing:
    source: Any  # git's Tracked lists (by identity), or the time of a walk
    files: list[str]
    annotations: list[str] = field(default_factory=list)  # the dvc.yaml files DVC reads
    paths: Optional[list[Path]] = None

    def annotation_paths(self, root: Path) -> list[Path]:
        if self.paths is None:
            self.paths = [root / rel for rel in self.annotations]
        return self.paths


@dataclass
class NameIndex:
    files: dict[Path, _File] = field(default_factory=dict)
    listings: dict[Path, _Listing] = field(default_factory=dict)
    uses: dict[Path, dict[str, tuple[Any, Any]]] = field(default_factory=dict)  # per root: name_uses.Cache
    # Per parsed entry block: ((uri, line, column shift) it was placed at, its Declared, its symbol).
    blocks: BlockCache[tuple[tuple[str, int, int], Declared, tuple[str, types.SymbolInformation]]] = field(
        default_factory=BlockCache
    )


def name_index(ls: GtoLanguageServer) -> NameIndex:
    index = ls.state.name_index
    if not isinstance(index, NameIndex):
        index = ls.state.name_index = NameIndex()
    return index


def workspace_roots(ls: GtoLanguageServer) -> list[Path]:
    """The repository of each workspace folder (the folder itself outside a repository), each once."""
    roots: list[Path] = []
    for folder in list(ls.workspace.folders.values()):
        path = uri_to_path(folder.uri)
        if path is None or not path.is_dir():
            continue
        root = ls.repo_root(path) or path
        if root not in roots:
            roots.append(root)
    return roots


async def repository_files(ls: GtoLanguageServer, root: Path) -> list[str]:
    """Every file of the repository, relative to its root: git's tracked and untracked-not-ignored lists where git
    may run, else a walk (hidden folders and node_modules skipped), reused for WALK_FRESH seconds."""
    return (await _listing(ls, root)).files


async def _listing(ls: GtoLanguageServer, root: Path) -> _Listing:
    index = name_index(ls)
    cached = index.listings.get(root)
    repo = ls.repo(ls.repo_root(root))
    tracked = repo.tracked_ready() if repo.root == root else None
    if tracked is None and repo.root == root and await ls.facts(repo, await ls.settings_for(root)) is not None:
        tracked = await asyncio.to_thread(repo.tracked)
    if tracked is not None:
        if cached is not None and cached.source is tracked:
            return cached
        listing = _Listing(tracked, tracked.files + tracked.untracked)
    else:
        now = time.monotonic()
        if cached is not None and isinstance(cached.source, float) and now - cached.source < WALK_FRESH:
            return cached
        listing = _Listing(now, await asyncio.to_thread(_walk, root))
    listing.annotations = await asyncio.to_thread(
        dvc_files, listing.files, DvcIgnore(lambda rel: read_text(root / rel))
    )
    index.listings[root] = listing
    return listing


def _walk(root: Path) -> list[str]:
    """The folder's files without git (an untrusted workspace, git off): what its `.gitignore` files leave. They
    follow the rules of `.dvcignore` files (gitignore's, each below its folder), so DvcIgnore reads them."""
    ignore = DvcIgnore(lambda rel: read_text(root / (rel[: -len(IGNORE_FILE)] + ".gitignore")))
    return [rel for rel in walk_files(root) if ignore.reason(rel) is None]


async def annotation_files(ls: GtoLanguageServer, root: Path) -> list[Path]:
    """The repository's annotations files: its index, the dvc.yaml files DVC reads, and any other one the server
    holds (a new file not listed yet)."""
    listing = await _listing(ls, root)
    repo = ls.repo(ls.repo_root(root))
    found: dict[Path, None] = {}
    index_path = repo.index_path  # (resolves `.gto`'s index: once)
    if index_path is not None and index_path.is_file():
        found[index_path] = None
    for path in listing.annotation_paths(root):
        found[path] = None
    for state in list(ls.state.docs.values()):
        if state.format is not None and state.path is not None and state.root == repo.root:
            found.setdefault(state.path, None)
    return list(found)


def open_uris(ls: GtoLanguageServer) -> dict[Path, str]:
    """The open documents' uris by path (`ls.uri_for` walks them all: once per request, not per file)."""
    return {norm(doc.path): str(doc.uri) for doc in list(ls.workspace.text_documents.values()) if doc.path}


def _file(ls: GtoLanguageServer, root: Path, path: Path, opened: dict[Path, str]) -> Optional[_File]:
    """The artifacts one annotations file declares, from the cache while its stamp is the same."""
    index = name_index(ls)
    open_uri = opened.get(path)
    cached = index.files.get(path)
    view = ls.view(open_uri) if open_uri is not None else None
    if view is not None:
        if cached is not None and cached.stamp is view.parsed:
            return cached
        stamp: Any = view.parsed
    else:
        try:
            info = os.stat(path)
        except OSError:
            index.files.pop(path, None)
            return None
        stamp = (info.st_mtime_ns, info.st_size)
        if cached is not None and cached.stamp == stamp:
            return cached
    uri = open_uri or path_to_uri(path)
    # Changed (or never read): which format, then its entries. A closed file's kind is asked only here: it
    # resolves `.gto`'s index path, a millisecond per file and request.
    fmt = view.format if view is not None else FORMAT_OF_KIND.get(ls.classify(uri)[0])
    if fmt is None:
        return None
    if view is not None:
        parsed, lines = view.parsed, view.lines
    else:
        text = read_text(path)
        if text is None or too_big(text):
            return None
        parsed, lines = fmt.parse(text, None), LineIndex(text, ls.workspace.position_codec)
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.name
    folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
    declared = []
    symbols = []
    for entry in fmt.entries(parsed):
        # An edit re-parses only the entries it touched: the others keep their block, and their symbol here.
        known = index.blocks.get(id(entry.block))
        if known is not None and known[0] == (uri, entry.line, entry.col_shift):
            declared.append(known[1])
            symbols.append(known[2])
            continue
        made = _declared(entry, fmt, folder, uri, rel, lines)
        if made is not None:
            index.blocks.keep(entry.block, ((uri, entry.line, entry.col_shift), *made))
            declared.append(made[0])
            symbols.append(made[1])
    entry_file = _File(stamp, tuple(declared), tuple(symbols))
    index.files[path] = entry_file
    return entry_file


def _declared(
    entry: Placed, fmt: Format, folder: str, uri: str, rel: str, lines: LineIndex
) -> Optional[tuple[Declared, tuple[str, types.SymbolInformation]]]:
    """One entry's artifact and workspace symbol; None when its key is no valid name."""
    name = entry.name
    if not isinstance(name, str) or not is_valid_name(name):
        return None
    found = split_use(fmt.full_name(folder, name))
    if found is None:
        return None
    key = entry.name_span
    inner, editable = key_name_span(lines, key, name)
    whole = lines.range(Span(key.start, max(entry.entry_span.end, key.end)))
    item = Declared(found[0], found[1], uri, rel, lines.range(inner), whole, editable)
    location = types.Location(uri=uri, range=whole)
    symbol = types.SymbolInformation(name=item.full, kind=types.SymbolKind.Class, location=location, container_name=rel)
    return item, (item.full.lower(), symbol)


def key_name_span(lines: LineIndex, span: Span, name: str) -> tuple[Span, bool]:
    """The name's own span inside a key's span (quotes left out), and whether the key's text is the name."""
    if span.start.line != span.end.line:
        return span, False
    text = lines.line(span.start.line)[span.start.col : span.end.col]
    if text == name:
        return span, True
    if len(text) == len(name) + 2 and text[0] == text[-1] and text[0] in "'\"" and text[1:-1] == name:
        start = Pos(span.start.line, span.start.col + 1)
        return Span(start, Pos(start.line, start.col + len(name))), True
    return span, False


async def declarations(ls: GtoLanguageServer, root: Path) -> list[Declared]:
    """Every artifact the repository's annotations files declare."""
    out: list[Declared] = []
    opened = open_uris(ls)
    for path in await annotation_files(ls, root):
        found = _file(ls, root, path, opened)
        if found is not None:
            out.extend(found.declared)
    return out


def _matches(query: str, name: str) -> bool:
    """The query's characters in order in the name (VS Code's fuzzy filter, case-insensitive)."""
    at = 0
    for char in query:
        at = name.find(char, at) + 1
        if at == 0:
            return False
    return True


async def workspace_symbols(
    ls: GtoLanguageServer, params: types.WorkspaceSymbolParams
) -> list[types.SymbolInformation]:
    """Every artifact of the workspace whose full name holds the query's characters in order (at most
    MAX_SYMBOLS: VS Code filters and ranks them again)."""
    query = params.query.lower().replace(" ", "")
    out: list[types.SymbolInformation] = []
    opened = open_uris(ls)
    for root in workspace_roots(ls):
        for path in await annotation_files(ls, root):
            found = _file(ls, root, path, opened)
            if found is None:
                continue
            for lowered, symbol in found.symbols:
                if not query or _matches(query, lowered):
                    out.append(symbol)
                    if len(out) >= MAX_SYMBOLS:
                        return out
    return out
