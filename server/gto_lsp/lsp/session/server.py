"""The server instance (`GtoLanguageServer`) and everything mutable it holds (`ServerState`).

Everything mutable lives on the one `GtoLanguageServer` instance (`ls.state`). Git is reached only through
`RepoState` methods, which return nothing when git is off (untrusted workspace, `gto.git.enabled: false`) and
run git in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import unquote

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from gto_lsp.core.config import CONFIG_FILE
from gto_lsp.core.formats import Format, Parsed
from gto_lsp.core.formats.dvc.files import DVC_FILE
from gto_lsp.core.repo.safe_read import too_big
from gto_lsp.lsp.positions import LineIndex, LspTextDocument
from gto_lsp.lsp.session.background import giving_way, serving
from gto_lsp.lsp.session.collector import freeze_first_parse, parse_paused
from gto_lsp.lsp.session.documents import ARTIFACTS, CONFIG, DVC, FORMATS, OTHER, PARSE_OFF_LOOP, DocState, View
from gto_lsp.lsp.session.paths import norm, path_to_uri, read_text, uri_to_path
from gto_lsp.lsp.session.repos import RepoState
from gto_lsp.lsp.settings import SECTION, Settings

if TYPE_CHECKING:
    from gto_lsp.core.repo.reader import RepoFacts

FIRST_CHECK_WAIT = 30.0  # seconds the warm-up waits for a large first check and a pause in the edits, at most
EDITS_PAUSE = 0.5  # seconds without an edit that make a pause
_EMPTY = {known.name: known.parse("", None) for known in FORMATS}  # what requests see during a first parse


@dataclass
class ServerState:
    trusted: bool = True
    # Commands the client itself provides (initializationOptions.clientCommands): the VS Code extension has
    # `gto.annotate`, whose prompts other editors lack, so its code action is offered only where declared.
    client_commands: frozenset[str] = frozenset()
    init_settings: Settings = field(default_factory=Settings)
    settings: dict[str, Settings] = field(default_factory=dict)
    docs: dict[str, DocState] = field(default_factory=dict)
    repos: dict[Optional[Path], RepoState] = field(default_factory=dict)
    roots: dict[Path, Optional[Path]] = field(default_factory=dict)  # folder -> repository root
    from_disk: set[str] = field(default_factory=set)  # uris published from disk (not open)
    watching: bool = False
    debounce: float = 0.008
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    # The stage outputs each dvc.yaml (uri) had when last checked: a change re-checks artifacts.yaml's paths.
    stage_outputs: dict[str, frozenset[str]] = field(default_factory=dict)
    # The last union of a repository's outputs, by what it was made of: the same object while nothing changed, so
    # the checks' memo keys that hold it compare by identity (1,000 look-ups of an equal 1,000-path set: 10 ms).
    outputs_union: dict[Optional[Path], tuple[tuple[Any, ...], frozenset[str]]] = field(default_factory=dict)
    # The artifacts each annotations file declares and each repository's file list, for workspace symbols,
    # references and rename (lsp/features/name_index.py's NameIndex, made at the first ask).
    name_index: Any = None


class GtoLanguageServer(LanguageServer):
    """The server instance: the only place mutable state lives."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = ServerState()
        # A check or parse in a worker thread holds the GIL for 5 ms at a time by default: the event loop and the
        # git readers waited up to 2 s behind the check of 18,000 entries. 1 ms turns cost it about 1%.
        sys.setswitchinterval(0.001)

    # --- logging ----------------------------------------------------------------------------------------

    def log(self, message: str, level: types.MessageType = types.MessageType.Log) -> None:
        print(f"gto-lsp: {message}", file=sys.stderr, flush=True)
        with contextlib.suppress(Exception):
            self.window_log_message(types.LogMessageParams(type=level, message=message))

    def spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        """Run a background task; its failure is logged, never raised."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
        self.state.background.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            self.state.background.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                error = finished.exception()
                self.log(f"internal error in a background task: {error!r}", types.MessageType.Error)

        task.add_done_callback(done)
        return task

    # --- capabilities -----------------------------------------------------------------------------------

    def can(self, capability: str) -> bool:
        try:
            return bool(get_capability(self.client_capabilities, capability, False))
        except Exception:
            return False

    # --- repositories and documents ---------------------------------------------------------------------

    def repo_root(self, folder: Path) -> Optional[Path]:
        """The work tree that holds `folder`: the nearest folder with a `.git` entry. No git is run."""
        cached = self.state.roots.get(folder, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        current = folder
        found: Optional[Path] = None
        while True:
            if os.path.lexists(current / ".git"):
                found = current
                break
            if current.parent == current:
                break
            current = current.parent
        self.state.roots[folder] = found
        return found

    def repo(self, root: Optional[Path]) -> RepoState:
        repo = self.state.repos.get(root)
        if repo is None:
            repo = RepoState(root)
            self.state.repos[root] = repo
        return repo

    def classify(self, uri: str) -> tuple[str, Optional[Path], Optional[Path]]:
        """(kind, path, repository root) of a document uri."""
        path = uri_to_path(uri)
        if path is None:
            return OTHER, None, None
        root = self.repo_root(path.parent)
        if root is not None:
            repo = self.repo(root)
            if path == repo.index_path:
                return ARTIFACTS, path, root
            if path == repo.gto_path:
                return CONFIG, path, root
            if path.name == DVC_FILE:
                return DVC, path, root
            return OTHER, path, root
        if path.name == self.repo(None).config.index.rsplit("/", 1)[-1]:
            return ARTIFACTS, path, None
        if path.name == CONFIG_FILE:
            return CONFIG, path, None
        if path.name == DVC_FILE:
            return DVC, path, None
        return OTHER, path, None

    def doc_state(self, uri: str) -> DocState:
        state = self.state.docs.get(uri)
        if state is None:
            kind, path, root = self.classify(uri)
            state = DocState(uri, path, kind, root)
            self.state.docs[uri] = state
        return state

    def reclassify(self) -> None:
        """After `.gto` changed `index:`: which document is the artifacts file may have changed."""
        for uri, state in list(self.state.docs.items()):
            kind, path, root = self.classify(uri)
            if (kind, root) != (state.kind, state.root):
                if state.task is not None:
                    state.task.cancel()
                self.state.docs[uri] = DocState(uri, path, kind, root)

    def open_document(self, uri: str) -> Optional[TextDocument]:
        found: Optional[TextDocument] = self.workspace.text_documents.get(unquote(uri))
        return found

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self.workspace.text_documents

    def uri_for(self, path: Path) -> str:
        """The uri the client uses for this path when the file is open, else a file uri."""
        for doc in self.workspace.text_documents.values():
            if doc.path and norm(doc.path) == path:
                return str(doc.uri)
        return path_to_uri(path)

    def view(self, uri: str) -> Optional[View]:
        """The document as the editor holds it (or from disk), parsed with the per-document cache."""
        state = self.doc_state(uri)
        open_doc = self.open_document(uri)
        text: Optional[str]
        if isinstance(open_doc, LspTextDocument):  # its counts and line index follow its edits
            if open_doc.too_big():
                return None
            text, version = open_doc.source, open_doc.version
        else:
            if open_doc is not None:
                text, version = open_doc.source, open_doc.version
            else:
                text = read_text(state.path) if state.path is not None else None
                version = None
            if text is None or too_big(text):
                return None  # larger than gto-lsp checks: diagnostics say so once, every feature answers nothing
        repo = self.repo(state.root)
        fmt = state.format
        # Parsed first: a large first parse starts in its worker thread before the text's lines are split.
        parsed = self._parse(state, fmt, text) if fmt is not None else None
        if isinstance(open_doc, LspTextDocument):
            open_doc.reuse(state.lines)
            lines = state.lines = open_doc.line_index
        else:
            lines = state.lines or LineIndex(text, self.workspace.position_codec)
            if lines.text is not text and lines.text != text:
                lines = LineIndex(text, self.workspace.position_codec)
            state.lines = lines
        return View(uri, state.kind, state.path, repo, text, version, parsed, lines)

    def _parse(self, state: DocState, fmt: Format, text: str) -> Parsed:
        """The format's parse of `text`, from the document's previous parse (only changed entries are re-read)."""
        previous = state.parsed
        if previous is None and fmt.parses_off_loop and len(text) >= PARSE_OFF_LOOP:
            self._parse_in_thread(state, fmt, text)
            return _EMPTY[fmt.name]
        if previous is None or (previous.text is not text and previous.text != text):
            first = previous is None
            previous = fmt.parse(text, previous)
            state.parsed = previous
            if first and fmt.parses_off_loop:
                freeze_first_parse(len(fmt.entries(previous)))
        return previous

    def _parse_in_thread(self, state: DocState, fmt: Format, text: str) -> None:
        """Start the first parse of a large text in a worker thread (once per text); `parsed` waits for it."""
        if state.parsing is not None and (state.parsing[0] is text or state.parsing[0] == text):
            return

        def first_parse() -> Parsed:
            with giving_way() as pauses:  # requests in flight go first, unless one waits for this parse
                state.parse_pauses = pauses
                return parse_paused(fmt.parse, text, lambda done: len(fmt.entries(done)))

        async def run() -> None:
            document = await asyncio.to_thread(first_parse)
            if state.parsed is None:
                state.parsed = document

        task = self.spawn(run())
        parsing = state.parsing = (text, task)

        def done(_: Any) -> None:
            if state.parsing is parsing:
                state.parsing = None

        task.add_done_callback(done)

    async def parsed(self, uri: str) -> bool:
        """Wait for the worker thread's first parse of this document; True when one ran."""
        state = self.state.docs.get(uri)
        parsing = state.parsing if state is not None else None
        if parsing is None:
            return False
        if serving.get() is not None and state is not None and state.parse_pauses is not None:
            state.parse_pauses.end()  # a request waits for the parse: it gives way no more
        with contextlib.suppress(Exception):
            await asyncio.shield(parsing[1])
        return True

    def lines_for_path(self, path: Path) -> Optional[LineIndex]:
        """Lines of another file (`.gto`), as open in the editor or from disk."""
        uri = self.uri_for(path)
        open_doc = self.open_document(uri)
        text = open_doc.source if open_doc is not None else read_text(path)
        if text is None:
            return None
        disk = LspTextDocument(uri, source=text, position_codec=self.workspace.position_codec)
        return LineIndex.of(disk)

    # --- settings and trust -----------------------------------------------------------------------------

    def folder_for(self, path: Optional[Path]) -> Optional[str]:
        """The uri of the workspace folder that holds `path` (the innermost one)."""
        if path is None:
            return None
        best: Optional[tuple[int, str]] = None
        for folder in self.workspace.folders.values():
            folder_path = uri_to_path(folder.uri)
            if folder_path is None:
                continue
            if path == folder_path or folder_path in path.parents:
                depth = len(folder_path.parts)
                if best is None or depth > best[0]:
                    best = (depth, folder.uri)
        return best[1] if best else None

    async def settings_for(self, path: Optional[Path]) -> Settings:
        scope = self.folder_for(path)
        key = scope or ""
        cached = self.state.settings.get(key)
        if cached is not None:
            return cached
        settings = self.state.init_settings
        if self.can("workspace.configuration"):
            try:
                params = types.ConfigurationParams(items=[types.ConfigurationItem(scope_uri=scope, section=SECTION)])
                answer = await asyncio.wait_for(self.workspace_configuration_async(params), 5)
                if answer:
                    settings = Settings.from_client(answer[0], self.state.init_settings)
            except Exception as error:
                self.log(f"could not read the `gto` settings: {error!r}", types.MessageType.Warning)
        self.state.settings[key] = settings
        return settings

    def settings_cached(self, path: Optional[Path]) -> Settings:
        """The settings already read for this document's folder (handlers that cannot wait use these)."""
        return self.state.settings.get(self.folder_for(path) or "", self.state.init_settings)

    def git_allowed(self, settings: Settings) -> bool:
        return self.state.trusted and settings.git_enabled

    async def warm(self, uri: str) -> None:
        """Read the file lists and the tags in the background, so the first completion or hover is fast."""
        state = self.doc_state(uri)
        repo = self.repo(state.root)
        settings = await self.settings_for(state.path)
        if await self.facts(repo, settings) is None:
            return
        # After the open's first diagnostics (computing 10,000 tags is ~0.85 s of CPU: it does not race their
        # check), the tags, every artifact computed (a hover needs one, code lenses all), then the file lists.
        loop = asyncio.get_running_loop()
        opened = [s for s in list(self.state.docs.values()) if s.root == state.root and self.is_open(s.uri)]
        await self._first_published(opened, loop.time() + FIRST_CHECK_WAIT)
        await asyncio.to_thread(repo.registry)
        await self.after_large_first_checks(state.root)
        await asyncio.to_thread(repo.tracked)

    async def after_large_first_checks(self, root: Optional[Path]) -> None:
        """Wait (at most FIRST_CHECK_WAIT s) until each large open document of `root` has published its first
        diagnostics, then for a pause in its edits (EDITS_PAUSE s). What they do not need waits: the file listing,
        read beside the 18,000-entry open's parse, held the GIL for 0.3 s of it, and beside the first edits after
        it (10,000 entries: edit p95 54 -> 96 ms)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FIRST_CHECK_WAIT

        def large() -> dict[str, tuple[DocState, Optional[int]]]:
            found = {}
            for state in list(self.state.docs.values()):
                open_doc = self.open_document(state.uri)
                if state.root == root and open_doc is not None and len(open_doc.source) >= PARSE_OFF_LOOP:
                    found[state.uri] = (state, open_doc.version)
            return found

        def edits() -> dict[str, Optional[int]]:
            return {uri: version for uri, (_, version) in large().items()}

        opened = large()
        if not await self._first_published([state for state, _ in opened.values()], deadline):
            return
        while opened and loop.time() < deadline:
            versions = edits()
            await asyncio.sleep(EDITS_PAUSE)
            if edits() == versions:
                return

    async def _first_published(self, states: list[DocState], deadline: float) -> bool:
        """Wait until each of `states` has published its first diagnostics, or `deadline` (False) passed."""
        loop = asyncio.get_running_loop()
        for state in states:
            while state.published is None and state.task is not None and not state.task.done():  # (an edit's task)
                left = deadline - loop.time()
                if left <= 0:
                    return False
                await asyncio.wait([state.task], timeout=left)
        return True

    async def facts(self, repo: RepoState, settings: Settings) -> Optional[RepoFacts]:
        if not self.git_allowed(settings) or repo.root is None:
            return None
        ready = repo.facts_ready()
        if ready is not None:
            return ready
        loaded = await asyncio.to_thread(repo.load_facts)
        if loaded is not None and not repo.registry_started:
            # The tags, read and computed as soon as git can be asked (a first hover or code lens comes right
            # after the open's diagnostics): later callers wait for this read instead of starting their own.
            repo.registry_started = True
            self.spawn(asyncio.to_thread(repo.registry))
        return loaded
