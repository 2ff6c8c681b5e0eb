"""GTO's registry state for a long-lived reader (the language server): read once, then kept up to date cheaply.

The state comes from one `git for-each-ref` pass over refs/tags (`read.tag_lines`); turning its lines
into states (`state.registry_artifacts`) is the expensive part with thousands of tags, so it is done per artifact and
only when asked:

- the lines are grouped by artifact (the name before the first `@` or `#` of the name stored in the tag object,
  else of the ref name) without parsing them;
- `LazyRegistry` maps an artifact name to its state, parsing that artifact's lines on first access (a hover asks
  for one artifact: one group parsed, not 10,000 tags);
- after the tags changed, `RegistryCache.update` re-groups the new output and keeps every state whose lines are
  byte for byte the same, so a new tag re-parses one artifact;
- `refs_stamp` tells, without starting git, whether the tags may have changed (packed-refs and the folders under
  refs/tags), so a reader re-runs for-each-ref only then;
- `SavedStates` keeps the computed states on disk between sessions (the user's cache folder), keyed by a digest of
  the code that computes them, the artifact's lines and HEAD's facts: a restarted server parses only what changed.

An artifact's state depends only on its own tags, so parsing its group alone gives what parsing all the tags
gives for it. Where that does not hold (a `NAME@created` tag makes GTO refuse the whole registry) every line is
one group, parsed whole.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Mapping, Optional

if TYPE_CHECKING:
    from gto_lsp.core.registry.state import ArtifactRegistry, HeadInfo

__all__ = ["LazyRegistry", "RegistryCache", "SavedStates", "refs_stamp"]

Parse = Callable[[bytes, Optional["HeadInfo"]], Mapping[str, "ArtifactRegistry"]]
Groups = dict[bytes, tuple[bytes, Optional["HeadInfo"]]]

_KEY = re.compile(rb"[^@#]*")
_WHOLE = b""  # the one group's key when the registry must be parsed whole


def _key(line: bytes) -> bytes:
    """The artifact part of a for-each-ref line's tag name, as written in tags (`dir=name`)."""
    fields = line.split(b"\0", 5)
    name = fields[4] if len(fields) > 4 and fields[4] else fields[0]
    match = _KEY.match(name)
    return match.group() if match else name


def tag_key(name: str) -> bytes:
    """The group of an artifact name (`dir:name` is written `dir=name` in tags)."""
    return name.replace(":", "=").encode("utf-8", "surrogateescape")


def group_lines(refs: bytes, head: Optional[HeadInfo]) -> Groups:
    """for-each-ref output -> {artifact as tags write it: (its lines in the output's order, HEAD's facts about
    that artifact alone)}; an artifact annotated at HEAD without any tag is a group with no lines."""
    if b"@created" in refs:
        return {_WHOLE: (refs, head)}
    lines_of: dict[bytes, list[bytes]] = {}
    for line in refs.split(b"\n"):
        if line:
            lines_of.setdefault(_key(line), []).append(line)
    annotated: dict[bytes, list[str]] = {}
    if head is not None:
        for name in head.annotated:
            annotated.setdefault(tag_key(name), []).append(name)
    groups: Groups = {}
    for key in (*lines_of, *(k for k in annotated if k not in lines_of)):
        names = annotated.get(key)
        own = None if head is None else replace(head, annotated=tuple(names or ()))
        lines = lines_of.get(key)
        groups[key] = (b"\n".join(lines) + b"\n" if lines else b"", own)
    return groups


class LazyRegistry(Mapping[str, "ArtifactRegistry"]):
    """Artifact name -> registry state, each artifact's tags parsed on first access. Listing the names (len,
    iteration) or `complete()` parses every artifact once. Safe to share between threads: a state may be computed
    twice at worst, and always the same."""

    def __init__(
        self,
        groups: Groups,
        parse: Parse,
        done: Optional[dict[bytes, dict[str, ArtifactRegistry]]] = None,
        saved: Optional[SavedStates] = None,
    ):
        self._groups = groups
        self._parse = parse
        self._done: dict[bytes, dict[str, ArtifactRegistry]] = done if done is not None else {}
        self._all: Optional[dict[str, ArtifactRegistry]] = None
        self._lock = threading.Lock()
        self._saved = saved
        self._waiting = 0  # callers of complete() waiting for a run in progress: it pauses no more
        self._counting = threading.Lock()

    def _group(self, key: bytes) -> dict[str, ArtifactRegistry]:
        found = self._done.get(key)
        if found is None:
            group = self._groups.get(key)
            found = {}
            if group is not None:
                saved = self._saved
                digest = saved.digest(key, group) if saved is not None else b""
                known = saved.get(digest) if saved is not None else None
                if known is not None:
                    found = known
                else:
                    state = self._parse(*group)
                    # only this artifact's states: a group never answers for another one
                    found = dict(state) if key == _WHOLE else {n: a for n, a in state.items() if tag_key(n) == key}
                    if saved is not None:
                        saved.put(digest, found)
            self._done[key] = found
        return found

    @property
    def tags(self) -> int:
        """How many for-each-ref lines this registry holds."""
        return sum(lines.count(b"\n") for lines, _ in self._groups.values())

    @property
    def completed(self) -> bool:
        return self._all is not None

    def complete(self, pause: Optional[Callable[[], None]] = None) -> LazyRegistry:
        """Parse every artifact now (blocking: call in a worker thread); a second caller waits for the first.
        `pause` is called between artifacts (background work giving way to requests) while no other caller
        waits for this run."""
        if self._all is None:
            with self._counting:
                self._waiting += 1
            with self._lock:
                with self._counting:
                    self._waiting -= 1
                if self._all is None:
                    self._complete(pause)
        return self

    def _complete(self, pause: Optional[Callable[[], None]]) -> None:
        merged: dict[str, ArtifactRegistry] = {}
        for key in list(self._groups):
            if pause is not None and not self._waiting:
                pause()
            merged.update(self._group(key))
        self._all = {name: merged[name] for name in sorted(merged)}
        if self._saved is not None:
            self._saved.save({self._saved.digest(key, group) for key, group in self._groups.items()})

    def __getitem__(self, name: str) -> ArtifactRegistry:
        everything = self._all
        if everything is not None:
            return everything[name]
        if _WHOLE in self._groups:
            return self.complete()[name]
        return self._group(tag_key(name))[name]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        try:
            self[name]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.complete()._all or {})

    def __len__(self) -> int:
        return len(self.complete()._all or {})

    def carried(self, groups: Groups) -> dict[bytes, dict[str, ArtifactRegistry]]:
        """The states already parsed whose artifact's lines and HEAD facts are the same in `groups`."""
        return {key: state for key, state in list(self._done.items()) if groups.get(key) == self._groups.get(key)}


class RegistryCache:
    """The newest `LazyRegistry` of one repository, the for-each-ref output and HEAD facts it came from, and the
    refs stamp taken before that read."""

    def __init__(self, parse: Parse, saved: Optional[SavedStates] = None) -> None:
        self._parse = parse
        self.saved = saved
        self._lock = threading.Lock()
        self.source: Optional[tuple[bytes, Optional[HeadInfo]]] = None
        self.stamp: object = None
        self.registry: Optional[LazyRegistry] = None

    def update(self, output: bytes, head: Optional[HeadInfo], stamp: object) -> LazyRegistry:
        """The registry of this for-each-ref output, re-using the states of artifacts whose tags are unchanged."""
        with self._lock:
            current = self.registry
            if current is not None and self.source == (output, head):
                self.stamp = stamp
                return current
            groups = group_lines(output, head)
            done = current.carried(groups) if current is not None else None
            registry = LazyRegistry(groups, self._parse, done, self.saved)
            self.source, self.stamp, self.registry = (output, head), stamp, registry
            return registry


def refs_stamp(common_dir: Path) -> Optional[tuple[object, ...]]:
    """What changes whenever a tag is created, moved or deleted, read without git: packed-refs' identity and the
    modification times of refs/tags and every folder below it (a new loose ref is a new entry in one of them).
    None where that cannot be told (a reftable repository): read the tags again each time."""
    if (common_dir / "reftable").exists():
        return None
    try:
        packed = os.stat(common_dir / "packed-refs")
        packed_id: object = (packed.st_mtime_ns, packed.st_size, packed.st_ino)
    except OSError:
        packed_id = None
    folders: list[tuple[str, int]] = []
    todo = [str(common_dir / "refs" / "tags")]
    while todo:
        folder = todo.pop()
        try:
            folders.append((folder, os.stat(folder).st_mtime_ns))
            with os.scandir(folder) as entries:
                todo.extend(entry.path for entry in entries if entry.is_dir(follow_symlinks=False))
        except OSError:
            continue
    return (packed_id, tuple(folders))


# --- states saved between sessions ----------------------------------------------------------------------


def cache_home() -> Optional[Path]:
    """The user's cache folder for gto-lsp (`GTO_LSP_CACHE_DIR`, else the platform's); None when turned off
    (`GTO_LSP_CACHE_DIR=""`)."""
    chosen = os.environ.get("GTO_LSP_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~/AppData/Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "gto-lsp"


def _code_version() -> bytes:
    """What the saved states depend on: the source of the code that computes them, and Python's version."""
    from gto_lsp.core.registry import replay, state, tags
    from gto_lsp.core.repo import reader, run

    digest = hashlib.sha256(sys.version.encode())
    for module in (state, replay, tags, reader, run):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.digest()


class _Unpickler(pickle.Unpickler):
    """Builds builtins and the classes of core.registry.state only: a planted file cannot run code."""

    def find_class(self, module: str, name: str) -> type:
        if module == "gto_lsp.core.registry.state":
            from gto_lsp.core.registry import state

            found = getattr(state, name, None)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not a registry class")


class SavedStates:
    """Computed states of one repository's artifacts, kept in a file between sessions: digest of (code, artifact,
    its lines, HEAD's facts about it) -> its states. Any problem reading or writing the file is a miss."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._code = b""
        self._states: Optional[dict[bytes, dict[str, ArtifactRegistry]]] = None
        self._added = False
        self._lock = threading.Lock()

    @classmethod
    def for_repository(cls, common_dir: Path) -> Optional[SavedStates]:
        home = cache_home()
        if home is None:
            return None
        name = hashlib.sha256(os.fsencode(os.path.abspath(common_dir))).hexdigest()[:24]
        return cls(home / "registry" / f"{name}.pickle")

    def _load(self) -> dict[bytes, dict[str, ArtifactRegistry]]:
        states = self._states
        if states is None:
            with self._lock:
                if self._states is None:
                    self._code = _code_version()
                    loaded: dict[bytes, dict[str, ArtifactRegistry]] = {}
                    try:
                        with open(self.path, "rb") as handle:
                            found = _Unpickler(handle).load()
                        if isinstance(found, dict):
                            loaded = found
                    except Exception:  # missing, partly written, from another version: start afresh
                        loaded = {}
                    self._states = loaded
                states = self._states
        return states

    def digest(self, key: bytes, group: tuple[bytes, Optional[HeadInfo]]) -> bytes:
        self._load()
        lines, head = group
        return hashlib.sha1(b"\0".join((self._code, key, lines, repr(head).encode()))).digest()

    def get(self, digest: bytes) -> Optional[dict[str, ArtifactRegistry]]:
        return self._load().get(digest)

    def put(self, digest: bytes, states: dict[str, ArtifactRegistry]) -> None:
        self._load()[digest] = states
        self._added = True

    def save(self, keep: set[bytes]) -> None:
        """Write the states of `keep` (the current registry's), when some were computed since the last write."""
        if not self._added:
            return
        self._added = False
        states = self._load()
        kept = {digest: found for digest, found in list(states.items()) if digest in keep}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            with open(partial, "wb") as handle:
                pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.path)
        except OSError:
            pass
        self._states = kept  # what changed since is not kept in memory either
