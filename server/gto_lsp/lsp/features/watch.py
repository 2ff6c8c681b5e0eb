"""Keep diagnostics true to the disk and to git: file watchers, and a cheap poll of HEAD.

With dynamic registration the server asks the client to watch every file (`**/*`) plus `.git/HEAD`,
`.git/refs/**`, `.git/packed-refs` and `.git/index` (editors often exclude `.git` from `**/*`). A created or
deleted file clears the cache of path existence; `.gto` or the saved artifacts file re-checks; a moved HEAD
re-checks `virtual: false` paths; changed tags (`.git/refs/tags/**`, `packed-refs`) drop the cached registry,
ask the client to refresh code lenses (hovers read the registry anew) and send it the notification
`gto/registryChanged` {repository: root}, debounced (a burst of tag events is one notification), so a registry
view reloads. Every two seconds, while documents are live, HEAD's sha is read from the ref files (no git
process); a client without watchers also gets the existence cache, `.gto` and the tags' modification times
re-read then."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types

from gto_lsp.core.paths import inside
from gto_lsp.lsp.features import code_lens, diagnostics, workspace_files
from gto_lsp.lsp.session.paths import uri_to_path
from gto_lsp.lsp.session.server import GtoLanguageServer

REGISTRATION_ID = "gto-lsp-watch-files"
REGISTRY_CHANGED = "gto/registryChanged"  # server -> client: {repository}: the tags of that repository changed
REGISTRY_DEBOUNCE = 0.3  # seconds: `gto register` writes tags one by one; the view reloads once
POLL_SECONDS = 2.0
GLOBS = ("**/*", "**/.git/HEAD", "**/.git/refs/**", "**/.git/packed-refs", "**/.git/index")


async def register(ls: GtoLanguageServer) -> None:
    if not ls.can("workspace.did_change_watched_files.dynamic_registration"):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in GLOBS]
    )
    registration = types.Registration(
        id=REGISTRATION_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
    )
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(types.RegistrationParams(registrations=[registration])), 10
        )
        ls.state.watching = True
    except Exception as error:
        ls.log(f"the client did not accept file watchers ({error!r}); polling instead", types.MessageType.Info)


def _git_dir_of(path: Path) -> Optional[Path]:
    """The repository root when `path` is inside its `.git` folder."""
    for parent in path.parents:
        if parent.name == ".git":
            return parent.parent
    return None


def changed(ls: GtoLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    refresh: set[Optional[Path]] = set()
    force: set[Optional[Path]] = set()
    tags_moved = False
    moved_in: set[Path] = set()
    for change in params.changes:
        path = uri_to_path(change.uri)
        if path is None:
            continue
        git_root = _git_dir_of(path)
        if git_root is not None:
            repo = ls.state.repos.get(git_root)
            if repo is None:
                continue
            if "refs" in path.parts or path.name == "packed-refs":
                repo.refs_changed()
                if "tags" in path.parts or path.name == "packed-refs":
                    tags_moved = True
                    moved_in.add(git_root)
            repo.current_head()  # resets HEAD caches when it moved
            refresh.add(git_root)
            continue
        if path.name == ".git":  # a repository appeared or went away
            ls.state.roots.clear()
            ls.reclassify()
            diagnostics.refresh(ls, force=True)
            continue
        root = ls.repo_root(path.parent)
        repo = ls.state.repos.get(root)
        if repo is None:
            continue
        if root is not None and not inside(path.parent, root):
            continue
        if change.type in (types.FileChangeType.Created, types.FileChangeType.Deleted):
            repo.view.exists_cache.clear()
            refresh.add(root)
        uri = ls.uri_for(path)
        if path == repo.gto_path and not ls.is_open(uri):
            repo.drop_config()
            ls.reclassify()
            force.add(root)
        if path.name == "dvc.yaml" and not ls.is_open(uri):
            if change.type == types.FileChangeType.Deleted:
                ls.state.from_disk.discard(uri)
                diagnostics.clear(ls, uri)
            else:
                ls.state.from_disk.add(uri)
                diagnostics.schedule(ls, uri, 0)
        if path == repo.index_path and not ls.is_open(uri):
            if change.type == types.FileChangeType.Created and path in workspace_files.workspace_index_files(ls):
                ls.state.from_disk.add(uri)
            refresh.add(root)
    for root in force:
        diagnostics.refresh(ls, root, force=True)
    for root in refresh - force:
        diagnostics.refresh(ls, root)
    if tags_moved:
        code_lens.refresh(ls)  # the registry view (code lenses) follows the tags
    for root in moved_in:
        registry_changed(ls, root)


_PENDING: dict[tuple[int, Path], asyncio.Task[None]] = {}  # (server, root) -> its debounced notification


def registry_changed(ls: GtoLanguageServer, root: Path) -> None:
    """Tell the client, once the burst is over, that the tags of `root` changed (`gto/registryChanged`)."""
    key = (id(ls), root)
    pending = _PENDING.get(key)
    if pending is not None and not pending.done():
        pending.cancel()

    async def send() -> None:
        await asyncio.sleep(REGISTRY_DEBOUNCE)
        _PENDING.pop(key, None)
        ls.protocol.notify(REGISTRY_CHANGED, {"repository": str(root)})

    _PENDING[key] = ls.spawn(send())


def _tags_stamp(root: Optional[Path]) -> Optional[tuple[Optional[int], Optional[int]]]:
    """When the tags last changed on disk (the folder of loose tags, packed-refs): no git process."""
    if root is None:
        return None
    return (_mtime(root / ".git" / "refs" / "tags"), _mtime(root / ".git" / "packed-refs"))


def _mtime(path: Optional[Path]) -> Optional[int]:
    if path is None:
        return None
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


async def poll(ls: GtoLanguageServer) -> None:
    """Runs for the server's life: HEAD moves (and, without watchers, the disk) re-check live documents."""
    gto_stamps: dict[Optional[Path], Optional[int]] = {}
    tag_stamps: dict[Optional[Path], Any] = {}
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            live = diagnostics.tracked_uris(ls)
            roots = {ls.doc_state(uri).root for uri in live}
            for root in roots:
                repo = ls.repo(root)
                if repo.facts_ready() is not None:
                    old = repo.known_head()
                    if repo.current_head() != old:
                        diagnostics.refresh(ls, root)
                        continue
                if not ls.state.watching:
                    tags = _tags_stamp(root)
                    if root in tag_stamps and tag_stamps[root] != tags:
                        repo.refs_changed()
                        code_lens.refresh(ls)
                        if root is not None:
                            registry_changed(ls, root)
                    tag_stamps[root] = tags
                    repo.view.exists_cache.clear()
                    stamp = _mtime(repo.gto_path)
                    if root in gto_stamps and gto_stamps[root] != stamp and repo.config_text is None:
                        repo.drop_config()
                        ls.reclassify()
                    gto_stamps[root] = stamp
                    diagnostics.refresh(ls, root)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            ls.log(f"internal error while polling: {error!r}", types.MessageType.Error)
