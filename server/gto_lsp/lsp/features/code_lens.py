"""Code lens above each artifact of artifacts.yaml and of a dvc.yaml's `artifacts:` section: its registry state
from GTO's git tags (`v1.3.0 · prod: v1.2.0 · staging: v1.3.0`, or "not registered") and, where the client
declares its prompts (initializationOptions.clientCommands), "Register version...", "Assign stage..." and
"Deprecate..." calling `gto.register` / `gto.assign` / `gto.deprecate` with `{repository, name}`.

A dvc.yaml entry is named by its full name (`sub/dir:name` in sub/dir/dvc.yaml), as GTO's tags name it. In an
untrusted workspace or with `gto.git.enabled: false` there are no lenses (no git is run). After a registry write
or a change of the tags on disk, `refresh` asks the client to ask again (workspace/codeLens/refresh).
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from lsprotocol import types

from gto_lsp.core.formats import Format
from gto_lsp.core.names import is_valid_name
from gto_lsp.core.problems import Span
from gto_lsp.core.yaml.blocks import BlockCache
from gto_lsp.core.yaml.nodes import MappingNode
from gto_lsp.lsp.session.documents import PARSE_OFF_LOOP, View
from gto_lsp.lsp.session.server import GtoLanguageServer

if TYPE_CHECKING:
    from gto_lsp.core.registry.state import ArtifactRegistry

REGISTER_COMMAND = "gto.register"
ASSIGN_COMMAND = "gto.assign"
DEPRECATE_COMMAND = "gto.deprecate"
STATE_COMMAND = "gto.server.registryState"  # the state lens's command: harmless, answers the state
ACTIONS = (
    ("Register version...", REGISTER_COMMAND),
    ("Assign stage...", ASSIGN_COMMAND),
    ("Deprecate...", DEPRECATE_COMMAND),
)
SEPARATOR = " · "
# Entries that get lenses in one file: 72,000 lenses (18,000 entries) took 2 s to encode and 12 MB to send, on
# the event loop, for every request; 500 entries' lenses take about 20 ms.
MAX_LENSED = 500


# Per parsed block (kept by an edit that leaves its entry alone): its name when a string, and whether GTO reads it
# as an artifact. The feature's cache, not the parse's.
_READ_AS: BlockCache[tuple[Optional[str], bool]] = BlockCache()


def state_text(name: str, entry: Optional[ArtifactRegistry], stage_order: Optional[tuple[str, ...]] = None) -> str:
    """One line: the latest version, then each stage with its version (`.gto`'s order when it lists them)."""
    if entry is None or not getattr(entry, "registered", True):  # annotated at HEAD only: no GTO tag
        return "not registered"
    parts = [entry.latest or "no active version"]
    stages = list(entry.stages)
    if stage_order:
        stages.sort(key=lambda s: (stage_order.index(s) if s in stage_order else len(stage_order), s))
    for stage in stages:
        version = entry.stages[stage]
        parts.append(f"{stage}: {version if version.startswith('v') else version[:7]}")
    if entry.deprecated:
        parts.append("deprecated")
    return SEPARATOR.join(parts)


def _lensed(view: View, fmt: Format) -> tuple[list[tuple[str, Span]], int, Optional[Span]]:
    """(registry name, name span) of the entries that get a lens, in document order, at most MAX_LENSED of them;
    how many entries deserve one; the name of the first one left without. An entry deserves a lens when GTO reads
    it as an artifact: a string name valid by GTO's rule, written once in the file, whose value is a mapping
    (`rf: {}` too); a bad name, a scalar or null entry, or a repeated name (GTO refuses the file) gets none."""
    entries = fmt.entries(view.parsed)
    count: dict[str, int] = {}
    named: list[tuple[str, bool, Any]] = []
    read_as = _READ_AS
    for entry in entries:
        found = read_as.get(id(entry.block))  # (a plain dict's look-up: this loop runs over every entry)
        name, readable = found if found is not None else _read_as(entry)
        if name is not None:
            count[name] = count.get(name, 0) + 1
            named.append((name, readable, entry))
    out: list[tuple[str, Span]] = []
    deserving = 0
    stop: Optional[Span] = None
    for name, readable, entry in named:
        if not readable or count[name] > 1:
            continue
        deserving += 1
        if len(out) < MAX_LENSED:
            out.append((fmt.full_name(view.folder, name), entry.name_span))
        elif stop is None:
            stop = entry.name_span
    return out, deserving, stop


def _read_as(entry: Any) -> tuple[Optional[str], bool]:
    """(its name when a string, whether GTO reads the entry as an artifact), remembered for its parsed block."""
    name = str(entry.name) if entry.block.key is not None and entry.name_is_string else None
    readable = name is not None and is_valid_name(name) and isinstance(entry.block.value, MappingNode)
    return _READ_AS.keep(entry.block, (name, readable))


async def _lensed_once(
    ls: GtoLanguageServer, view: View, fmt: Format
) -> tuple[list[tuple[str, Span]], int, Optional[Span]]:
    """`_lensed` once per parse (18,000 entries: 80 ms CPU), in a worker thread for a large document; the requests
    that come while it runs wait for the same run (each ran its own beside the first check: 0.3 s of the GIL)."""
    state = ls.doc_state(view.uri)
    source = view.parsed
    if state.lensed is None or state.lensed[0] is not source:
        found: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if len(view.text) < PARSE_OFF_LOOP:
            found.set_result(_lensed(view, fmt))
        else:
            found = asyncio.ensure_future(asyncio.to_thread(_lensed, view, fmt))
        state.lensed = (source, found)
    lensed = state.lensed
    try:
        return await asyncio.shield(lensed[1])  # (a request cancelled meanwhile leaves the run to the others)
    except Exception:
        if state.lensed is lensed:
            state.lensed = None  # a failed run is not kept: the next request tries again
        raise


async def code_lenses(ls: GtoLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    view = ls.view(params.text_document.uri)
    fmt = view.format if view is not None else None
    if view is None or fmt is None or view.root is None:
        return []
    lensed = await _lensed_once(ls, view, fmt)
    names, deserving, stop = lensed
    if not names:
        return []
    settings = await ls.settings_for(view.path)
    if not ls.git_allowed(settings):
        return []
    if await ls.facts(view.repo, settings) is None:
        return []
    # The lazy registry computes only the artifacts this document names (10,000 tags: not all of them).
    registry = view.repo.registry_known()
    if registry is None:
        registry = await asyncio.to_thread(view.repo.registry_lazy)
    if registry is None:
        return []
    known = registry
    stage_order = view.repo.config.stages
    repository = str(view.root)
    actions = [(title, command) for title, command in ACTIONS if command in ls.state.client_commands]
    # The same parse, registry (a new one when the tags change), lines and settings: the same lenses, made once
    # (500 entries' lenses: 15-60 ms of the event loop, each request, beside a large check).
    made_of = (lensed, known, view.lines, stage_order, repository, actions)
    state = ls.doc_state(view.uri)
    last = state.lens_answer
    if last is not None and all(a is b for a, b in zip(last[0][:3], made_of[:3])) and last[0][3:] == made_of[3:]:
        return list(last[1])

    def states() -> dict[str, Optional[ArtifactRegistry]]:
        return {name: known.get(name) for name, _ in names}

    found = states() if registry.completed else await asyncio.to_thread(states)
    lenses: list[types.CodeLens] = []
    for name, span in names:
        name_range = view.lines.range(span)
        arg = {"repository": repository, "name": name}
        entry = found[name]
        text = state_text(name, entry, stage_order)
        tagged = entry is not None and getattr(entry, "registered", True)
        lenses.append(
            types.CodeLens(range=name_range, command=types.Command(title=text, command=STATE_COMMAND, arguments=[arg]))
        )
        for title, command in actions:
            if command == DEPRECATE_COMMAND and not tagged:
                continue  # no tag of its own: nothing to deprecate (GTO: "Cannot find artifact")
            lenses.append(
                types.CodeLens(range=name_range, command=types.Command(title=title, command=command, arguments=[arg]))
            )
    if stop is not None:
        title = (
            f"No registry lenses from here: gto-lsp shows them on the first {MAX_LENSED:,} of the {deserving:,} "
            "artifacts of a file (`gto show` lists them all)"
        )
        lenses.append(types.CodeLens(range=view.lines.range(stop), command=types.Command(title=title, command="")))
    state.lens_answer = (made_of, lenses)
    return list(lenses)


def refresh(ls: GtoLanguageServer, root: Optional[Path] = None) -> None:
    """Ask the client to re-request code lenses (the registry changed), when it supports it."""
    del root  # the request is workspace-wide
    if not ls.can("workspace.code_lens.refresh_support"):
        return
    try:
        future = ls.workspace_code_lens_refresh(None)
    except Exception as error:
        ls.log(f"workspace/codeLens/refresh failed: {error!r}", types.MessageType.Log)
        return

    def done(finished: Any) -> None:  # a client that refuses the request only loses the refresh
        with contextlib.suppress(BaseException):
            finished.exception()

    future.add_done_callback(done)
