"""One git repository's caches: config, HEAD answers, file lists and GTO's registry state (git in threads)."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from gto_lsp.core.config import CONFIG_FILE, Config, parse_config
from gto_lsp.core.formats.gto.document import Document
from gto_lsp.core.formats.gto.rules_entry import facts
from gto_lsp.core.paths import inside
from gto_lsp.core.registry.cache import LazyRegistry, RegistryCache, SavedStates, refs_stamp
from gto_lsp.core.registry.overview import AnnotationReader
from gto_lsp.core.registry.read import tag_lines
from gto_lsp.core.registry.replay import registry_artifacts
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.yaml.blocks import BlockCache
from gto_lsp.lsp.session.background import Pauses
from gto_lsp.lsp.session.collector import freeze_if_large
from gto_lsp.lsp.session.paths import Tracked, norm, read_text

if TYPE_CHECKING:
    from gto_lsp.core.registry.state import ArtifactRegistry, HeadInfo
    from gto_lsp.core.repo.git_exe import Started
    from gto_lsp.core.repo.reader import RepoFacts

logger = logging.getLogger("gto_lsp")

STAMP_RECHECK = 0.25  # seconds a refs stamp read on the event loop is trusted (watcher events reset it at once)


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
        self._loading = threading.Lock()
        self._head_sha: Optional[str] = None
        self._head: Optional[HeadAnswers] = None
        # The HeadAnswers that answered each parsed block's path: kept here, not on the parse (a value that carries
        # no server state); it goes when the block does.
        self._asked: BlockCache[HeadAnswers] = BlockCache()
        self._tracked: Optional[Tracked] = None
        self._listing = threading.Lock()  # one listing at a time: a second caller waits for the first's
        # The Registry view's reads: each entry's values while its parsed block lives, and the dvc.yaml
        # candidates taken from one tracked-files listing (kept with that listing).
        self.annotations = AnnotationReader()
        self.view_candidates: Optional[tuple[Tracked, list[str]]] = None
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
            with self._loading:  # the open's check, its warm-up and others ask at once: one RepoFacts, not three
                if self._facts is None and not self._facts_failed:
                    self._load_and_list()
        return self._facts

    def _load_and_list(self) -> None:
        """RepoFacts, and the file listing started before it: git's untracked walk (~150 ms at 100,000 files)
        runs in its own process while GitPython is imported and the open's check runs, so it lands before the
        first path completion. Every caller of `tracked` joins it (`_listing` is held until it lands)."""
        assert self.root is not None
        from gto_lsp.core.repo.git_exe import Started

        since = self._index_mtime()  # before git reads the index: a change meanwhile makes the listing stale
        try:
            started = (
                Started(self.root, "ls-files", "-z", "--full-name"),
                Started(self.root, "ls-files", "-z", "--full-name", "--others", "--exclude-standard"),
            )
        except OSError as error:  # git cannot start: RepoFacts says why
            logger.info("git: %s", error)
            started = None
        facts_ = self._load_facts()
        if started is None:
            return
        if facts_ is None:
            for each in started:
                each.stop()
            return
        holding = threading.Event()
        threading.Thread(
            target=self._list_early, args=(started, since, holding), name="gto-lsp-listing", daemon=True
        ).start()
        holding.wait(30)  # the listing holds `_listing` before anyone can ask for it

    def _load_facts(self) -> Optional[RepoFacts]:
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

    def _list_early(self, started: tuple[Started, Started], since: Any, holding: threading.Event) -> None:
        from gto_lsp.core.repo.run import sorted_unique, z_list  # GitPython is imported by now

        with self._listing:
            holding.set()
            try:
                outputs = [each.output() for each in started]
                self.current_head()
                self._keep((self._head_sha, since), *(sorted_unique(z_list(out)) for out in outputs))
            except Exception as error:  # a worker thread's failure only logs: the next caller lists again
                logger.warning("listing the files of %s failed: %s", self.root, error)

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
        keep their parsed block, and its mark in `_asked`)."""
        head = self._head
        asked = self._asked
        out = []
        for artifact in document.artifacts:
            block = artifact.block
            if head is not None and asked.get(id(block)) is head:
                continue
            known = facts(artifact)
            if not known.virtual and known.path and (head is None or known.path not in head.answers):
                out.append(known.path)
            elif head is not None:
                asked.keep(block, head)
        return out

    def _index_stamp(self) -> Any:
        if self.root is None:
            return None
        return (self._head_sha, self._index_mtime())

    def _index_mtime(self) -> Any:
        assert self.root is not None
        git_dir = self.root / ".git"
        try:
            index = os.stat(git_dir / "index").st_mtime_ns if git_dir.is_dir() else int(time.monotonic() // 2)
        except OSError:
            index = None
        return index

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
        # The open and a first path completion both ask at once: the second waits for the first listing
        # (100,000 files: two git runs and the folders) instead of making its own beside it.
        with self._listing:
            cached = self._tracked
            if cached is not None and cached.stamp == stamp:
                return cached
            return self._list(facts_, stamp)

    def _list(self, facts_: RepoFacts, stamp: Any) -> Optional[Tracked]:
        untracked: list[str] = []
        failure: list[BaseException] = []

        def list_untracked() -> None:  # git walks the working tree meanwhile: the two runs overlap
            try:
                untracked.extend(facts_.untracked_files())
            except Exception as error:
                failure.append(error)

        others = threading.Thread(target=list_untracked, name="gto-lsp-untracked", daemon=True)
        others.start()
        try:
            files = facts_.tracked_files()
        except Exception as error:
            failure.append(error)
        others.join()
        if failure:
            logger.warning("git ls-files failed: %s", failure[0])
            return None
        return self._keep(stamp, files, untracked)

    def _keep(self, stamp: Any, files: list[str], untracked: list[str]) -> Tracked:
        tracked = Tracked(stamp, files, None, untracked, None)  # folders listed when first read
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
            registry.complete(Pauses())  # between artifacts, requests in flight go first
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
            head = None  # the server's registry leaves out GTO's HEAD commit events (TagReader.head_info counts them)
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
            registry = cache.update(tag_lines(facts_), head, stamp)
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
