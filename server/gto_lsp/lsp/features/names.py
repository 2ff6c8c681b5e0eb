"""An artifact's name as a symbol: find its references (its declarations in the annotations files, its uses in
Python, scripts, CI files and Markdown: core/usages.py) and rename it everywhere in one edit, from its declaration
or from any use.

Git tags are not locations: a tag has no file. A rename leaves them alone (a tag cannot be renamed without
rewriting the registry's history) and says so in a warning that names them and how to carry the versions over."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from gto_lsp.core.names import invalid_name_message, is_valid_name, suggest_name
from gto_lsp.core.problems import Span
from gto_lsp.core.registry.state import ArtifactRegistry
from gto_lsp.core.usages import kind_of, split_use, use_at
from gto_lsp.lsp.edits import documents_edit
from gto_lsp.lsp.features import navigation, symbols
from gto_lsp.lsp.features.name_index import Declared, declarations, key_name_span, name_index, repository_files
from gto_lsp.lsp.features.name_uses import Opened, Spot, scan
from gto_lsp.lsp.locate import entry_at
from gto_lsp.lsp.session.documents import View
from gto_lsp.lsp.session.paths import norm
from gto_lsp.lsp.session.server import GtoLanguageServer

REQUEST_FAILED = -32803  # LSP's RequestFailed: VS Code shows the message
TAGS_NAMED = 3  # tags the rename warning names before counting the rest


@dataclass(frozen=True)
class Refusal:
    """Why a rename cannot be done, for the user (sent as the request's error)."""

    message: str


@dataclass(frozen=True)
class NameAt:
    """The artifact whose name is under the cursor: its repository, full name and the name's span there."""

    root: Path
    folder: str
    name: str
    span: Span

    @property
    def full(self) -> str:
        return f"{self.folder}:{self.name}" if self.folder else self.name


@dataclass(frozen=True)
class Found:
    """Where a name is: its declarations and its uses ((uri, version or None, range) each)."""

    declared: list[Declared]
    used: list[Spot]


def name_at(view: View, pos: types.Position) -> Optional[NameAt]:
    """The artifact named at `pos`: an entry's key in an annotations file, or a use the finder recognises."""
    root = view.root
    if root is None or view.path is None:
        return None
    at = view.lines.pos(pos)
    fmt = view.format
    if fmt is not None:
        entry = entry_at(fmt.entries(view.parsed), at)
        if entry is None or not entry.name_span.start <= at <= entry.name_span.end:
            return None
        name = entry.name
        found = split_use(fmt.full_name(view.folder, name)) if isinstance(name, str) and is_valid_name(name) else None
        if found is None:
            return None
        return NameAt(root, found[0], found[1], key_name_span(view.lines, entry.name_span, found[1])[0])
    kind = kind_of(view.path.relative_to(root).as_posix()) if view.path.is_relative_to(root) else None
    use = use_at(view.text, kind, at) if kind is not None else None
    return NameAt(root, use.folder, use.name, use.span) if use is not None else None


async def find(ls: GtoLanguageServer, target: NameAt) -> Found:
    declared = await _declared(ls, target)
    files = await repository_files(ls, target.root)
    opened: Opened = {}
    for doc in list(ls.workspace.text_documents.values()):
        path = norm(doc.path) if doc.path else None
        if path is not None and path.is_relative_to(target.root):
            opened[path.relative_to(target.root).as_posix()] = (str(doc.uri), doc.version, doc.source)
    codec = ls.workspace.position_codec
    cache = name_index(ls).uses.setdefault(target.root, {})
    used = await asyncio.to_thread(scan, target.root, files, opened, target.folder, target.name, codec, cache)
    return Found(declared, used)


async def _declared(ls: GtoLanguageServer, target: NameAt) -> list[Declared]:
    return [d for d in await declarations(ls, target.root) if (d.folder, d.name) == (target.folder, target.name)]


async def references(ls: GtoLanguageServer, params: types.ReferenceParams) -> Optional[list[types.Location]]:
    """On an artifact's name (declaration or use): its declarations (when asked) and its uses; elsewhere in an
    annotations file, what the format offers (dvc.yaml's stages and outputs)."""
    view = ls.view(params.text_document.uri)
    target = name_at(view, params.position) if view is not None else None
    if target is None:
        return navigation.references(ls, params)
    found = await find(ls, target)
    out: list[types.Location] = []
    if params.context.include_declaration:
        out.extend(types.Location(uri=d.uri, range=d.name_range) for d in found.declared)
    out.extend(types.Location(uri=uri, range=rng) for uri, _, rng in found.used)
    return out or None


async def definition(ls: GtoLanguageServer, params: types.DefinitionParams) -> Optional[list[types.Location]]:
    """From a use of a name (a Python call, a `gto` command, a tag) to the entries that declare it; in an
    annotations file, what symbols.definition answers (a `path:`, dvc.yaml's pipeline)."""
    view = ls.view(params.text_document.uri)
    if view is None or view.format is not None:
        return symbols.definition(ls, params)
    target = name_at(view, params.position)
    if target is None:
        return None
    found = await _declared(ls, target)
    return [types.Location(uri=d.uri, range=d.name_range) for d in found] or None


def prepare_rename(
    ls: GtoLanguageServer, params: types.PrepareRenameParams
) -> Optional[types.PrepareRenamePlaceholder]:
    """The name under the cursor (without a `dir:` prefix or quotes), or None: nothing to rename here."""
    view = ls.view(params.text_document.uri)
    target = name_at(view, params.position) if view is not None else None
    if view is None or target is None:
        return None
    return types.PrepareRenamePlaceholder(range=view.lines.range(target.span), placeholder=target.name)


async def rename(ls: GtoLanguageServer, params: types.RenameParams) -> Union[types.WorkspaceEdit, Refusal, None]:
    """Every declaration and use of the name, in one edit; a Refusal for a bad or taken name."""
    view = ls.view(params.text_document.uri)
    target = name_at(view, params.position) if view is not None else None
    if target is None:
        return Refusal(
            "Put the cursor on an artifact's name (in artifacts.yaml, a dvc.yaml or a use of it) to rename it."
        )
    new = params.new_name.strip()
    if new == target.name:
        return None
    if not is_valid_name(new):
        fix = suggest_name(new.rsplit(":", 1)[-1])
        hint = f" Try '{fix}'." if fix else ""
        where = " A rename keeps the artifact's folder: give the name alone." if ":" in new else ""
        return Refusal(invalid_name_message(new, "artifact name") + where + hint)
    taken = await _taken(ls, target, new)
    if taken is not None:
        return Refusal(taken)
    found = await find(ls, target)
    stuck = [d for d in found.declared if not d.editable]
    if stuck:
        return Refusal(
            f"The key of '{target.full}' in {stuck[0].file} is not written as the plain name (an escape or a "
            "multi-line key): write it as `" + target.name + ":` and rename again."
        )
    changes: dict[str, tuple[Optional[int], list[types.TextEdit]]] = {}
    for declared in found.declared:
        version = _version(ls, declared.uri)
        changes.setdefault(declared.uri, (version, []))[1].append(
            types.TextEdit(range=declared.name_range, new_text=new)
        )
    for uri, version, rng in found.used:
        changes.setdefault(uri, (version, []))[1].append(types.TextEdit(range=rng, new_text=new))
    await _warn_tags(ls, target, new)
    return documents_edit(ls, [(uri, version, edits) for uri, (version, edits) in changes.items()])


def answer(result: Union[types.WorkspaceEdit, Refusal, None]) -> Optional[types.WorkspaceEdit]:
    """The rename's answer: a Refusal becomes the request's error, which the editor shows."""
    if isinstance(result, Refusal):
        raise JsonRpcException(result.message, code=REQUEST_FAILED)
    return result


def _version(ls: GtoLanguageServer, uri: str) -> Optional[int]:
    doc = ls.open_document(uri)
    return doc.version if doc is not None else None


async def _registered(ls: GtoLanguageServer, root: Path, full: str) -> Optional[ArtifactRegistry]:
    """The artifact's registry state from the tags; None without tags or when git may not be asked."""
    repo = ls.repo(ls.repo_root(root))
    if repo.root != root or await ls.facts(repo, await ls.settings_for(root)) is None:
        return None
    registry = repo.registry_ready() or await asyncio.to_thread(repo.registry)
    return registry[full] if registry is not None and full in registry else None


def _tags(state: Optional[ArtifactRegistry]) -> list[str]:
    return sorted({event.tag for event in state.events if event.tag}) if state is not None else []


async def _taken(ls: GtoLanguageServer, target: NameAt, new: str) -> Optional[str]:
    """Why `new` cannot be the artifact's name: another artifact is declared or registered under it."""
    full = f"{target.folder}:{new}" if target.folder else new
    for declared in await declarations(ls, target.root):
        if declared.full == full:
            return f"'{full}' is already an artifact ({declared.file}): choose another name, or remove that one first."
    tags = _tags(await _registered(ls, target.root, full))
    if tags:
        return (
            f"'{full}' already has {len(tags)} git tag(s) in the registry ({_named(tags)}): renaming to it would mix "
            "its versions with this artifact's. Choose another name."
        )
    return None


def _named(tags: list[str]) -> str:
    shown = ", ".join(tags[:TAGS_NAMED])
    return shown + (f" and {len(tags) - TAGS_NAMED} more" if len(tags) > TAGS_NAMED else "")


async def _warn_tags(ls: GtoLanguageServer, target: NameAt, new: str) -> None:
    """After a rename of a registered artifact: its tags keep the old name; say what that means and what to do."""
    state = await _registered(ls, target.root, target.full)
    tags = _tags(state)
    if state is None or not tags:
        return
    full = f"{target.folder}:{new}" if target.folder else new
    versions = [v for v in state.versions if v.registered and v.active]
    commands = "; ".join(f"`gto register {full} {v.commit[:7]} --version {v.version}`" for v in versions[:TAGS_NAMED])
    if len(versions) > TAGS_NAMED:
        commands += f"; and {len(versions) - TAGS_NAMED} more"
    carry = f" ({commands})" if commands else ""
    message = (
        f"'{target.full}' is registered: its {len(tags)} git tag(s) ({_named(tags)}) keep the old name. GTO will "
        f"show those versions under '{target.full}', and '{full}' starts unregistered. To carry the versions over, "
        f"register '{full}' at the same commits{carry}, and assign its stages again; then deprecate "
        f"'{target.full}' if you no longer want it listed."
    )
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
