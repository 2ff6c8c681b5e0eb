"""The annotation files of the workspace's folders that are not open: published from disk at start and when
folders are added (one bad entry breaks `gto show` or `dvc status` whether the file is open or not)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gto_lsp.core.formats.dvc.files import dvc_files, walk_files
from gto_lsp.lsp.features.diagnostics import dvc_ignore, publish_config, schedule
from gto_lsp.lsp.session.paths import path_to_uri, uri_to_path
from gto_lsp.lsp.session.server import GtoLanguageServer


def workspace_index_files(ls: GtoLanguageServer) -> list[Path]:
    """The artifacts file of each workspace folder's repository (or of the folder, outside a repository)."""
    out: list[Path] = []
    for folder in ls.workspace.folders.values():
        folder_path = uri_to_path(folder.uri)
        if folder_path is None:
            continue
        root = ls.repo_root(folder_path)
        index = ls.repo(root).index_path if root is not None else folder_path / ls.repo(None).config.index
        if index is not None and index not in out:
            out.append(index)
    if not out and ls.workspace.root_path:
        root_path = uri_to_path(path_to_uri(Path(ls.workspace.root_path)))
        if root_path is not None:
            root = ls.repo_root(root_path)
            index = ls.repo(root).index_path if root is not None else root_path / ls.repo(None).config.index
            if index is not None:
                out.append(index)
    return out


async def _files_of(ls: GtoLanguageServer, folder: Path) -> list[str]:
    """The files of a workspace folder, relative to it: git's lists where git may run (after a large open's first
    check, as the warm-up reads them), else a walk (18,000 folders held the GIL for 2 s beside the open's check)."""
    root = ls.repo_root(folder)
    if root is not None and await ls.facts(ls.repo(root), await ls.settings_for(folder)) is not None:
        await ls.after_large_first_checks(root)
        tracked = await asyncio.to_thread(ls.repo(root).tracked)
        if tracked is not None:
            prefix = folder.relative_to(root).as_posix()
            names = tracked.files + tracked.untracked
            if prefix == ".":
                return names
            return [name[len(prefix) + 1 :] for name in names if name.startswith(prefix + "/")]
    return await asyncio.to_thread(walk_files, folder)


async def _publish_dvc_files(ls: GtoLanguageServer, folder: Path) -> None:
    """Every saved dvc.yaml of a workspace folder that DVC reads, even when not open: one bad entry breaks
    `dvc status`."""
    found = await asyncio.to_thread(dvc_files, await _files_of(ls, folder), dvc_ignore(folder))  # 0.1 s per 100,000
    for relpath in found:
        path = folder / relpath
        uri = ls.uri_for(path)
        fmt = ls.doc_state(uri).format
        if ls.is_open(uri) or fmt is None or fmt.one_per_repository:  # (an index named dvc.yaml is GTO's)
            continue
        ls.state.from_disk.add(uri)
        schedule(ls, uri, 0)


def publish_workspace(ls: GtoLanguageServer) -> None:
    """At start (and when folders are added): the saved annotation files, even when not open."""
    for folder in ls.workspace.folders.values():
        folder_path = uri_to_path(folder.uri)
        if folder_path is not None and folder_path.is_dir():
            ls.spawn(_publish_dvc_files(ls, folder_path))
    for folder in ls.workspace.folders.values():  # a `.gto` whose index is refused says so, even unopened
        folder_path = uri_to_path(folder.uri)
        root = ls.repo_root(folder_path) if folder_path is not None else None
        if root is not None and ls.repo(root).index_outside is not None:
            publish_config(ls, ls.repo(root), ls.settings_cached(root))
    for index in workspace_index_files(ls):
        if not index.is_file():
            continue
        uri = ls.uri_for(index)
        if ls.is_open(uri):
            continue
        ls.state.from_disk.add(uri)
        schedule(ls, uri, 0)
