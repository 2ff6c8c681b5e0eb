"""Server state: which files are ours, the per-document parse cache, the per-repository caches, settings.

Everything mutable lives on the one `GtoLanguageServer` instance (`ls.state`). Git is reached only through
`RepoState` methods, which return nothing when git is off (untrusted workspace, `gto.git.enabled: false`) and
run git in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, NamedTuple, Optional
from urllib.parse import unquote

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from gto_lsp.core.config import CONFIG_FILE, Config, parse_config
from gto_lsp.core.formats.dvc.document import DvcDocument, parse_dvc
from gto_lsp.core.formats.dvc.files import DVC_FILE
from gto_lsp.core.formats.gto.facts import facts
from gto_lsp.core.parse import Document, parse
from gto_lsp.core.paths import inside as inside  # watch and commands import it from here
from gto_lsp.core.registry.cache import LazyRegistry, RegistryCache, SavedStates, refs_stamp
from gto_lsp.core.registry.state import registry_artifacts
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.repo.safe_read import read_text as safe_read_text
from gto_lsp.core.repo.safe_read import too_big
from gto_lsp.lsp.positions import LineIndex, LspTextDocument
from gto_lsp.lsp.settings import SECTION, Settings

if TYPE_CHECKING:
    from gto_lsp.core.registry.state import ArtifactRegistry, HeadInfo
    from gto_lsp.core.repo.reader import RepoFacts

logger = logging.getLogger("gto_lsp")

ARTIFACTS, CONFIG, DVC, OTHER = "artifacts", "config", "dvc", "other"
ANNOTATIONS = (ARTIFACTS, DVC)  # the kinds of document that hold artifact annotations
_WARMED = "gto-lsp:in-head-asked"  # key in a parsed block's memo: the HeadAnswers that answered its path
STAMP_RECHECK = 0.25  # seconds a refs stamp read on the event loop is trusted (watcher events reset it at once)
# Characters from which a document's first parse runs in a worker thread: 18,000 entries (1.4 MB) took 1.5-7 s on
# the event loop, and every request waited for it. Meanwhile requests see an empty document (hover by line shape).
PARSE_OFF_LOOP = 200_000
_EMPTY = parse("")


def norm(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.normpath(os.path.abspath(path)))


def uri_to_path(uri: str) -> Optional[Path]:
    path = to_fs_path(uri)
    return norm(path) if path else None


def path_to_uri(path: Path) -> str:
    return str(from_fs_path(str(path)))


def read_text(path: Path) -> Optional[str]:
    """A regular file's text, never more than 16 MB, never blocking on a FIFO or a device (core.safe_read)."""
    return safe_read_text(path)


class Folder(NamedTuple):
    """One folder's entries, (path, is_folder, tracked), each once: tracked folders, tracked files, untracked
    folders, untracked files, each kind by name; `names` are their base names; `kinds` the (start, end) of each
    kind, where the names are sorted (so a typed prefix is a bisection, not a scan)."""

    entries: list[tuple[str, bool, bool]]
    names: list[str]
    kinds: tuple[tuple[int, int], ...]


@dataclass
class Tracked:
    """The repository's file lists for path completion, cached until HEAD or the index changes."""

    stamp: Any
    files: list[str]
    folders: list[str]
    untracked: list[str]
    untracked_folders: list[str]
    children: dict[str, Folder] = field(default_factory=dict)  # `index()`: every folder's entries

    def index(self) -> dict[str, Folder]:
        """Every folder's entries, built once per listing (blocking, ~0.1 s for 100,000 files: in a thread)."""
        index = self.children
        if index:
            return index
        lists: dict[str, list[list[tuple[str, bool, bool]]]] = {}
        kinds = (
            (self.folders, True, True),
            (self.files, False, True),
            (self.untracked_folders, True, False),
            (self.untracked, False, False),
        )
        for kind, (names, is_folder, is_tracked) in enumerate(kinds):
            for name in names:
                parent = name.rsplit("/", 1)[0] if "/" in name else ""
                lists.setdefault(parent, [[], [], [], []])[kind].append((name, is_folder, is_tracked))
        built: dict[str, Folder] = {}
        for parent, by_kind in lists.items():
            entries: list[tuple[str, bool, bool]] = []
            seen: set[str] = set()
            bounds = []
            for listed in by_kind:
                start = len(entries)
                for entry in listed:  # already sorted: the lists are, and these share their parent
                    if entry[0] not in seen:
                        seen.add(entry[0])
                        entries.append(entry)
                bounds.append((start, len(entries)))
            built[parent] = Folder(entries, [entry[0].rsplit("/", 1)[-1] for entry in entries], tuple(bounds))
        self.children = built
        return built

    def folder(self, parent: str) -> Optional[Folder]:
        return self.index().get(parent)


LARGE = 5_000  # files or tags: from there, what was built for them is moved out of the collector's way


def freeze_if_large(count: int) -> None:
    """After building structures for `count` files or tags that live until they change: a full collection walks
    every tracked object, ~1 s at 100,000 files on a loaded machine, and comes back during completions; objects
    frozen are never walked (they are still freed by reference counting when replaced)."""
    if count >= LARGE:
        gc.freeze()


def _freeze_first_parse(document: Document) -> None:
    """A large first parse leaves ~60 objects per entry that live as long as the document: move them out of the
    collector's way, or each full collection stalls an edit by 0.5 s."""
    if len(document.artifacts) > 1000:
        gc.freeze()


class _GcPause:
    """No cyclic collection while a large document is parsed or checked in a worker thread: the collector walked
    the growing parse again and again (1 s of the 1.5 s parse of 18,000 entries, 0.5 s of their 2.2 s check).
    Reference counting still frees everything else; the collector resumes when the last pause ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._resume = False

    def __enter__(self) -> None:
        with self._lock:
            if self._count == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._count += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._resume:
                gc.enable()


gc_paused = _GcPause()


def parse_paused(text: str) -> Document:
    """parse(), the collector paused (blocking: call in a worker thread)."""
    with gc_paused:
        return parse(text)


def folders_of(files: list[str]) -> list[str]:
    folders: set[str] = set()
    for name in files:
        parts = name.split("/")[:-1]
        for index in range(1, len(parts) + 1):
            folders.add("/".join(parts[:index]))
    return sorted(folders)


class HeadAnswers:
    """`in_head` for one HEAD commit, remembered per path (the core asks once per `virtual: false` path)."""

    def __init__(self, facts_: RepoFacts) -> None:
        self.facts = facts_
        self.answers: dict[str, bool] = {}
        self._at_head: Optional[Callable[[str], bool]] = None
        self._listing = threading.Lock()  # the checks at open ask at once: one tree listing, the others wait

    def __call__(self, path: str) -> bool:
        known = self.answers.get(path)
        if known is None:
            try:
                if self._at_head is None:
                    with self._listing:
                        if self._at_head is None:
                            # One HEAD look-up and one tree listing for all paths, not one per path.
                            self._at_head = self.facts.in_head_at(self.facts.head_sha())
                known = self._at_head(path)
            except Exception:
                known = False
            self.answers[path] = known
        return known


class RepoState:
    """One git repository (or None root: a file outside any repository)."""

    def __init__(self, root: Optional[Path]) -> None:
        self.root = root
        self._config: Optional[Config] = None
        self.config_text: Optional[str] = None  # the open `.gto`'s text, when open
        self.view = RepoView(root)
        self._facts: Optional[RepoFacts] = None
        self._facts_failed = False
        self._head_sha: Optional[str] = None
        self._head: Optional[HeadAnswers] = None
        self._tracked: Optional[Tracked] = None
        self._registry = RegistryCache(_parse_registry)
        self._reading = threading.Lock()
        self.registry_started = False  # the server started reading the registry in the background
        self._refs_dirty = True  # a watcher said the refs changed since the registry was read
        self._stamp_checked = 0.0  # when registry_ready() last found the refs stamp unchanged

    # --- config -----------------------------------------------------------------------------------------

    @property
    def config(self) -> Config:
        if self._config is None:
            text = self.config_text
            if text is None and self.root is not None:
                text = read_text(self.root / CONFIG_FILE)
            self._config = parse_config(text)
        return self._config

    def drop_config(self) -> None:
        self._config = None

    @property
    def gto_path(self) -> Optional[Path]:
        return self.root / CONFIG_FILE if self.root is not None else None

    @property
    def index_path(self) -> Optional[Path]:
        """The annotations file `.gto`'s `index` (or GTO_INDEX) names; None when it is outside the repository,
        also through a symlink: gto-lsp never reads or writes there, trusted or not (`index_outside` says why)."""
        if self.root is None:
            return None
        path = norm(self.root / self.config.index)
        return path if self.index_outside is None else None

    @property
    def index_outside(self) -> Optional[str]:
        """Why the configured index is refused (outside the repository), or None."""
        if self.root is None:
            return None
        index = self.config.index
        path = norm(self.root / index)
        if path == self.root or self.root not in path.parents or not inside(path, self.root):
            source = "GTO_INDEX" if os.environ.get("GTO_INDEX") == index else "`.gto`'s `index`"
            return (
                f"{source} names '{index}', which is outside the repository (or a link out of it): gto-lsp "
                "does not read or write it. Name a file inside the repository, such as artifacts.yaml."
            )
        return None

    # --- git --------------------------------------------------------------------------------------------

    def facts_ready(self) -> Optional[RepoFacts]:
        return self._facts

    def load_facts(self) -> Optional[RepoFacts]:
        """RepoFacts for this repository (blocking: call in a thread); None when git cannot read it."""
        if self._facts is None and not self._facts_failed and self.root is not None:
            try:
                from gto_lsp.core.repo.reader import RepoFacts
                from gto_lsp.core.repo.run import GitError

                try:
                    self._facts = RepoFacts(self.root)
                except GitError as error:
                    logger.info("git: %s", error.message)
                    self._facts_failed = True
            except Exception as error:  # git missing, GitPython cannot start it, ...
                logger.warning("git is not usable for %s: %s", self.root, error)
                self._facts_failed = True
        return self._facts

    def head_moved(self) -> None:
        self._head = None
        self._refs_dirty = True  # GTO's state reads HEAD's artifacts.yaml too
        self._tracked = None
        self.view.invalidate()

    def known_head(self) -> Optional[str]:
        return self._head_sha

    def current_head(self) -> Optional[str]:
        """HEAD's sha (cheap: reads ref files); resets the HEAD-dependent caches when it moved."""
        facts_ = self._facts
        if facts_ is None:
            return None
        try:
            sha = facts_.head_sha()
        except Exception:
            sha = None
        if sha != self._head_sha:
            self._head_sha = sha
            self.head_moved()
        return sha

    def warm_head(self, paths: list[str]) -> None:
        """Answer `in_head` for these paths now (blocking: call in a thread), so the check does not run git."""
        head = self.in_head_checker()
        if head is not None:
            for path in paths:
                head(path)

    def in_head_checker(self) -> Optional[HeadAnswers]:
        """One object per HEAD: the core reuses its results across entries while this object is the same."""
        facts_ = self._facts
        if facts_ is None:
            return None
        if self._head is None:
            self._head = HeadAnswers(facts_)
        return self._head

    def missing_head_paths(self, document: Document) -> list[str]:
        """`virtual: false` paths of entries not yet asked about at this HEAD (entries unchanged by an edit
        keep their parsed block, which remembers that it was asked)."""
        head = self._head
        out = []
        for artifact in document.artifacts:
            memo = artifact.block.memo
            if head is not None and memo.get(_WARMED) is head:
                continue
            known = facts(artifact)
            if not known.virtual and known.path and (head is None or known.path not in head.answers):
                out.append(known.path)
            elif head is not None:
                memo[_WARMED] = head
        return out

    def _index_stamp(self) -> Any:
        if self.root is None:
            return None
        git_dir = self.root / ".git"
        try:
            index = os.stat(git_dir / "index").st_mtime_ns if git_dir.is_dir() else int(time.monotonic() // 2)
        except OSError:
            index = None
        return (self._head_sha, index)

    def tracked(self) -> Optional[Tracked]:
        """Tracked and untracked files and folders (blocking: call in a thread)."""
        facts_ = self._facts
        if facts_ is None:
            return None
        self.current_head()
        stamp = self._index_stamp()
        cached = self._tracked
        if cached is not None and cached.stamp == stamp:
            return cached
        try:
            files = facts_.tracked_files()
            untracked = facts_.untracked_files()
        except Exception as error:
            logger.warning("git ls-files failed: %s", error)
            return None
        tracked = Tracked(stamp, files, folders_of(files), untracked, folders_of(untracked))
        tracked.index()  # here, in the worker thread: not on the event loop at the first path completion
        freeze_if_large(len(files) + len(untracked))
        self._tracked = tracked
        return tracked

    def tracked_ready(self) -> Optional[Tracked]:
        cached = self._tracked
        if cached is not None and cached.stamp == self._index_stamp():
            return cached
        return None

    def registry(self) -> Optional[Mapping[str, ArtifactRegistry]]:
        """GTO's registry state from the tags, every artifact computed (blocking: call in a thread)."""
        registry = self.registry_lazy()
        if registry is None:
            return None
        if not registry.completed:
            registry.complete()
            freeze_if_large(registry.tags)
        return registry

    def registry_lazy(self) -> Optional[LazyRegistry]:
        """The registry, each artifact's state computed when first asked for (blocking: call in a thread). One
        `git for-each-ref` pass when the tags or HEAD changed (refs stamp, watcher events), never otherwise; after
        a change only the artifacts whose tags changed are parsed again (core.registry_cache)."""
        facts_ = self._facts
        if facts_ is None:
            return None
        cache = self._registry
        with self._reading:  # the warm-up and a first hover ask at once: one read, the other waits for it
            return self._registry_read(facts_, cache)

    def _registry_read(self, facts_: RepoFacts, cache: RegistryCache) -> Optional[LazyRegistry]:
        try:
            if cache.saved is None:
                cache.saved = SavedStates.for_repository(facts_.common_dir)
            stamp = refs_stamp(facts_.common_dir)
            head = facts_.registry_head()
            current = cache.registry
            if (
                current is not None
                and not self._refs_dirty
                and stamp is not None
                and stamp == cache.stamp
                and cache.source is not None
                and cache.source[1] == head
            ):
                return current
            self._refs_dirty = False  # before reading: a change during the read marks it again
            registry = cache.update(facts_.registry_output(), head, stamp)
        except Exception as error:
            logger.warning("reading GTO tags failed: %s", error)
            return None
        self._stamp_checked = time.monotonic()
        return registry

    def registry_known(self) -> Optional[LazyRegistry]:
        """The registry when it is known to be current, without running git (cheap: for the event loop); its
        artifacts may not all be computed yet."""
        cache = self._registry
        registry = cache.registry
        if registry is None or self._refs_dirty:
            return None
        now = time.monotonic()
        if now - self._stamp_checked < STAMP_RECHECK:
            return registry
        facts_ = self._facts
        stamp = refs_stamp(facts_.common_dir) if facts_ is not None else None
        if stamp is None or stamp != cache.stamp:
            return None
        self._stamp_checked = now
        return registry

    def registry_ready(self) -> Optional[Mapping[str, ArtifactRegistry]]:
        """The registry when it is current and every artifact is computed (cheap: for the event loop)."""
        registry = self.registry_known()
        return registry if registry is not None and registry.completed else None

    def refs_changed(self) -> None:
        self._refs_dirty = True


def _parse_registry(refs: bytes, head: Optional[HeadInfo]) -> Mapping[str, ArtifactRegistry]:
    return registry_artifacts(refs, head)


@dataclass
class DocState:
    """What the server keeps per document uri (open or published from disk)."""

    uri: str
    path: Optional[Path]
    kind: str
    root: Optional[Path]
    document: Optional[Document] = None
    lines: Optional[LineIndex] = None
    task: Optional[asyncio.Task[None]] = None
    published: Optional[tuple[Any, ...]] = None  # fingerprint of the last published diagnostics
    vocabulary: Optional[tuple[Document, list[str], list[str]]] = None  # (parse, types used, labels used)
    dvc: Optional[DvcDocument] = None  # the last parse of a dvc.yaml
    parsing: Optional[tuple[str, asyncio.Task[Any]]] = None  # (text, task) of a first parse in a worker thread
    lensed: Optional[tuple[Any, Any]] = None  # (parse, the entries that get code lenses) for code_lens.py


@dataclass
class View:
    """A document as the editor holds it (or as saved, when not open), parsed."""

    uri: str
    kind: str
    path: Optional[Path]
    repo: RepoState
    text: str
    version: Optional[int]
    document: Document
    lines: LineIndex
    dvc: Optional[DvcDocument] = None  # a dvc.yaml's parse (kind DVC); `document` is then empty

    @property
    def root(self) -> Optional[Path]:
        return self.repo.root

    @property
    def folder(self) -> str:
        """The document's folder relative to the repository root (POSIX; "" at the root or outside one)."""
        root = self.repo.root
        if root is None or self.path is None:
            return ""
        try:
            relative = self.path.parent.relative_to(root).as_posix()
        except ValueError:
            return ""
        return "" if relative == "." else relative


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
        if open_doc is not None:
            text: Optional[str] = open_doc.source
            version = open_doc.version
        else:
            text = read_text(state.path) if state.path is not None else None
            version = None
        if text is None or too_big(text):
            return None  # larger than gto-lsp checks: diagnostics say so once, every feature answers nothing
        repo = self.repo(state.root)
        if state.kind == ARTIFACTS:
            previous = state.document
            if previous is None and len(text) >= PARSE_OFF_LOOP:
                self._parse_in_thread(state, text)
                previous = _EMPTY
            elif previous is None or (previous.text is not text and previous.text != text):
                first = previous is None
                previous = parse(text, previous)
                state.document = previous
                if first:
                    _freeze_first_parse(previous)
            document = previous
        else:
            document = parse("")
        dvc = None
        if state.kind == DVC:
            dvc = parse_dvc(text, state.dvc)
            state.dvc = dvc
        lines = state.lines
        if lines is None or (lines.text is not text and lines.text != text):
            lines = LineIndex(text, self.workspace.position_codec)
            state.lines = lines
        return View(uri, state.kind, state.path, repo, text, version, document, lines, dvc)

    def _parse_in_thread(self, state: DocState, text: str) -> None:
        """Start the first parse of a large text in a worker thread (once per text); `parsed` waits for it."""
        if state.parsing is not None and (state.parsing[0] is text or state.parsing[0] == text):
            return

        async def run() -> None:
            document = await asyncio.to_thread(parse_paused, text)
            if state.document is None:
                state.document = document
                _freeze_first_parse(document)

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
        # The tags first, every artifact computed (a hover needs one, code lenses all), then the file lists.
        await asyncio.to_thread(repo.registry)
        await asyncio.to_thread(repo.tracked)

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
