"""Diagnostics: every core rule, published per document with a small debounce.

An edit schedules a check after `debounce` seconds; a newer edit supersedes the pending one, so fast typing
costs one check. The check parses with the previous parse of the same document (only changed entries are
re-parsed) and runs on the event loop (a few ms); git answers (`in_head`) are fetched in a worker thread
first. `.gto` problems are published against the `.gto` uri.
"""

from __future__ import annotations

import asyncio
import operator
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types

from gto_lsp.core.codes import problem
from gto_lsp.core.config import CONFIG_FILE
from gto_lsp.core.formats import Format
from gto_lsp.core.formats.dvc.files import dvc_file_of, inside_outputs
from gto_lsp.core.formats.dvc.reads import DvcIgnore, not_read
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.core.repo.fs import RepoView
from gto_lsp.core.repo.safe_read import MAX_CHECKED, MAX_KEYS, MAX_LINES, read_text, too_big, too_large
from gto_lsp.lsp.features import code_lens
from gto_lsp.lsp.positions import LineIndex, LspTextDocument
from gto_lsp.lsp.session.background import FOREGROUND, giving_way
from gto_lsp.lsp.session.collector import freeze_first_check, gc_paused
from gto_lsp.lsp.session.documents import ARTIFACTS, CONFIG, DVC, DocState, View
from gto_lsp.lsp.session.repos import RepoState
from gto_lsp.lsp.session.server import GtoLanguageServer
from gto_lsp.lsp.settings import Settings

SOURCE = "gto"
MAX_PROBLEMS = 1000  # diagnostics one publish carries; past it, one more says how many were left out
OFF_LOOP = 200_000  # characters from which a document's check runs in a worker thread
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_diagnostic(
    problem: Problem, lines: LineIndex, uri: str, gto: Optional[tuple[str, LineIndex]] = None
) -> types.Diagnostic:
    related: list[types.DiagnosticRelatedInformation] = []
    for item in problem.related:
        if item.file is None:
            location = types.Location(uri=uri, range=lines.range(item.span))
        elif item.file == CONFIG_FILE and gto is not None:
            location = types.Location(uri=gto[0], range=gto[1].range(item.span))
        else:
            continue
        related.append(types.DiagnosticRelatedInformation(location=location, message=item.message))
    return types.Diagnostic(
        range=lines.range(problem.span),
        message=problem.message,
        severity=SEVERITY.get(problem.severity, types.DiagnosticSeverity.Error),
        code=problem.code,
        source=SOURCE,
        data=dict(problem.data) if problem.data is not None else None,
        related_information=related or None,
    )


def _fingerprint(diagnostics: list[types.Diagnostic]) -> tuple[Any, ...]:
    return tuple(
        (
            d.code,
            d.message,
            d.severity,
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
        )
        for d in diagnostics
    )


def publish(
    ls: GtoLanguageServer,
    uri: str,
    diagnostics: list[types.Diagnostic],
    version: Optional[int] = None,
    force: bool = True,
) -> None:
    state = ls.doc_state(uri)
    fingerprint = (version, _fingerprint(diagnostics))
    if not force and state.published == fingerprint and not state.partial:
        return
    state.published, state.partial = fingerprint, False
    _checked(ls, state)  # first: a client that sees these diagnostics knows they are whole
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
    )


def _checked(ls: GtoLanguageServer, state: DocState) -> None:
    """End the progress of a large file's check (begun with its head's diagnostics)."""
    if state.checking is not None:
        ls.work_done_progress.end(state.checking, types.WorkDoneProgressEnd())
        state.checking = None


def clear(ls: GtoLanguageServer, uri: str) -> None:
    publish(ls, uri, [], None, force=True)


async def _git_ready(ls: GtoLanguageServer, view: View, settings: Settings) -> None:
    """Fetch, in a worker thread, the git answers the check of this document will ask for."""
    repo = view.repo
    if repo.root is None or not ls.git_allowed(settings):
        return
    facts_ = await ls.facts(repo, settings)
    if facts_ is None:
        return
    repo.current_head()
    if len(view.text) >= OFF_LOOP:
        return  # computing each entry's facts to find them is half the check: the worker thread asks git itself
    missing = repo.missing_head_paths(view.parsed)
    if missing:
        await asyncio.to_thread(repo.warm_head, missing)


def repo_outputs(ls: GtoLanguageServer, root: Optional[Path]) -> frozenset[str]:
    """Outputs of the stages of every dvc.yaml of the repository the server knows (open, or found on disk at
    start), relative to the root: DVC makes them, so artifacts.yaml's paths to them count as present."""
    parts = []
    for uri, state in list(ls.state.docs.items()):
        fmt = state.format
        if fmt is not None and fmt.stage_outputs is not None and state.root == root and root is not None:
            parts.append(ls.state.stage_outputs.get(uri, frozenset()))
    made_of = tuple(parts)  # each file's set is replaced only when it changes (held here: no id is reused)
    last = ls.state.outputs_union.get(root)
    if last is not None and len(last[0]) == len(made_of) and all(map(operator.is_, last[0], made_of)):
        return last[1]
    union = frozenset().union(*parts)
    ls.state.outputs_union[root] = (made_of, union)
    return union


def _note_outputs(ls: GtoLanguageServer, view: View, fmt: Format) -> None:
    """After a check of a file whose stages make outputs: a change re-checks the files that count them."""
    if fmt.stage_outputs is None or view.root is None:
        return
    outputs = frozenset(
        fmt.stage_outputs(view.parsed, RepoView(view.root, None, view.repo.view.exists_cache), view.folder)
    )
    if ls.state.stage_outputs.get(view.uri) == outputs:
        return
    ls.state.stage_outputs[view.uri] = outputs
    for uri in tracked_uris(ls, view.root):
        other = ls.doc_state(uri).format
        if other is not None and other.counts_outputs and uri != view.uri:
            schedule(ls, uri, 0, force=False)


def problems_of(ls: GtoLanguageServer, view: View, fmt: Format, settings: Settings) -> list[Problem]:
    repo = view.repo
    in_head = repo.in_head_checker() if ls.git_allowed(settings) else None
    repo_view = RepoView(repo.root, in_head, repo.view.exists_cache) if repo.root is not None else RepoView()
    if fmt.counts_outputs:
        repo_view.outputs = repo_outputs(ls, repo.root)
    return fmt.check(view.parsed, repo_view, repo.config, view.folder, settings.checks)


def _gto_target(ls: GtoLanguageServer, repo: RepoState) -> Optional[tuple[str, LineIndex]]:
    path = repo.gto_path
    lines = ls.lines_for_path(path) if path is not None else None
    if path is None or lines is None:
        return None
    return ls.uri_for(path), lines


def _index_span(text: str) -> Span:
    """Where `.gto` sets `index` (its first line otherwise: GTO_INDEX set it)."""
    for number, line in enumerate(text.splitlines()):
        found = re.match(r"\s*(index)\s*:", line, re.IGNORECASE)
        if found:
            return Span(Pos(number, found.start(1)), Pos(number, len(line.rstrip())))
    return Span(Pos(0, 0), Pos(0, 0))


def publish_config(ls: GtoLanguageServer, repo: RepoState, settings: Settings, force: bool = False) -> None:
    """The `.gto` problems, against the `.gto` uri (open or on disk)."""
    target = _gto_target(ls, repo)
    if target is None:
        path = repo.gto_path
        if path is not None:
            uri = ls.uri_for(path)
            if uri in ls.state.docs and ls.state.docs[uri].published:
                clear(ls, uri)
        return
    uri, lines = target
    problems = list(repo.config.problems) if settings.checks.enable else []
    outside = repo.index_outside
    if outside is not None:
        problems.append(problem("config-index-outside", outside, _index_span(lines.text), file=CONFIG_FILE))
    diagnostics = [to_diagnostic(p, lines, uri, target) for p in problems]
    open_doc = ls.open_document(uri)
    publish(ls, uri, diagnostics, open_doc.version if open_doc is not None else None, force=force)


def capped(problems: list[Problem]) -> tuple[list[Problem], int]:
    """At most MAX_PROBLEMS problems, the first ones in the file, and how many were left out. (By position: so a
    large file's first diagnostics, from its head, are among the whole file's.)"""
    if len(problems) <= MAX_PROBLEMS:
        return problems, 0
    first = sorted(problems, key=lambda p: (p.span.start.line, p.span.start.col))
    return first[:MAX_PROBLEMS], len(problems) - MAX_PROBLEMS


def diagnostics_of(
    problems: list[Problem], lines: LineIndex, uri: str, gto: Optional[tuple[str, LineIndex]] = None
) -> list[types.Diagnostic]:
    """What one publish carries: the first MAX_PROBLEMS problems, then one diagnostic that counts the rest."""
    shown, left_out = capped([p for p in problems if p.file is None])
    diagnostics = [to_diagnostic(p, lines, uri, gto) for p in shown]
    if left_out:
        diagnostics.append(
            _note(
                "too-many-problems",
                f"{left_out:,} more problems are not listed: gto-lsp publishes the first {MAX_PROBLEMS:,} of a "
                "file. Fix these, or run `gto-lsp check` for the whole list.",
                types.DiagnosticSeverity.Information,
            )
        )
    return diagnostics


def _note(code: str, message: str, severity: types.DiagnosticSeverity) -> types.Diagnostic:
    zero = types.Position(line=0, character=0)
    return types.Diagnostic(
        range=types.Range(start=zero, end=zero), message=message, severity=severity, code=code, source=SOURCE
    )


def _too_large(ls: GtoLanguageServer, uri: str, path: Optional[Path]) -> bool:
    open_doc = ls.open_document(uri)
    if isinstance(open_doc, LspTextDocument):
        return open_doc.too_big()  # from counts carried across its edits
    return too_big(open_doc.source) if open_doc is not None else too_large(path)


LIMITS = f"{MAX_CHECKED:,} characters, {MAX_LINES:,} lines or {MAX_KEYS:,} top-level keys; about 20,000 entries"


def too_large_refusal(relpath: str, action: str) -> str:
    """Why an edit of a document larger than gto-lsp reads is refused (parsing it would take a minute)."""
    return (
        f"{relpath} is larger than gto-lsp reads ({LIMITS}), so it does not {action} it. "
        f"Run `gto-lsp {action}` in a terminal, or split the file."
    )


def _publish_too_large(ls: GtoLanguageServer, uri: str, force: bool) -> None:
    open_doc = ls.open_document(uri)
    message = (
        f"This file is larger than gto-lsp checks ({LIMITS}): it is not "
        "checked, and hover, completion and the outline are off here. `gto-lsp check` reads it."
    )
    diagnostic = _note("file-too-large", message, types.DiagnosticSeverity.Error)
    publish(ls, uri, [diagnostic], open_doc.version if open_doc is not None else None, force=force)


async def _problems_off_loop(ls: GtoLanguageServer, view: View, fmt: Format, settings: Settings) -> list[Problem]:
    """The check of a large document runs in a worker thread, pausing while a request is in flight (background)."""
    if len(view.text) < OFF_LOOP:
        return problems_of(ls, view, fmt, settings)
    state = ls.doc_state(view.uri)

    def paused() -> list[Problem]:
        with gc_paused, giving_way():  # frozen before the collector resumes; requests in flight go first
            problems = problems_of(ls, view, fmt, settings)
            state.checked_large = state.checked_large or freeze_first_check(len(fmt.entries(view.parsed)))
            return problems

    return await asyncio.to_thread(paused)


HEAD_LINES = 400  # a large file's first diagnostics cover its entries to about this line: what an editor shows


async def _publish_head(ls: GtoLanguageServer, view: View, task: Any) -> None:
    """While a large file's first parse runs: the problems of its first entries, exactly those the whole file's
    check finds there (Format.head), so the top of the file shows them in tens of milliseconds. The whole file's
    diagnostics replace them; until then `published` stays unset (what waits for them still waits)."""
    fmt = view.format
    head = fmt.head(view.text, HEAD_LINES) if fmt is not None and fmt.head is not None else None
    if fmt is None or head is None:
        return  # (a short file, or one the head cannot speak for: the whole check's diagnostics come alone)
    head_view = replace(view, text=head.text, parsed=head)
    settings = await ls.settings_for(view.path)
    if fmt.asks_git:
        repo = view.repo
        if repo.facts_ready() is None and repo.root is not None and ls.git_allowed(settings):
            # GitPython's first import (~0.1 s) and the whole file's parse share the GIL: the parse waits for it.
            head_first = object()
            FOREGROUND.begin(head_first)
            try:
                await ls.facts(repo, settings)
            finally:
                FOREGROUND.end(head_first)
        await _git_ready(ls, head_view, settings)  # the head's `virtual: false` paths, asked in a worker thread
    state = ls.doc_state(view.uri)
    if (task is not None and state.task is not task) or state.parsing is None:
        return  # superseded, or the whole check is done
    shown = [p for p in problems_of(ls, head_view, fmt, settings) if p.file is None]
    if len(shown) > MAX_PROBLEMS:
        return  # the whole publish's cap chooses which to show
    gto = _gto_target(ls, view.repo) if fmt.reads_gto_config else None
    diagnostics = [to_diagnostic(p, view.lines, view.uri, gto) for p in shown]
    token = await _checking_progress(ls, state, len(fmt.entries(head_view.parsed)))
    if (task is not None and state.task is not task) or state.parsing is None:
        if token is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd())
        return
    params = types.PublishDiagnosticsParams(uri=view.uri, diagnostics=diagnostics, version=view.version)
    _checked(ls, state)  # an earlier version's head: this check replaces it
    ls.text_document_publish_diagnostics(params)
    state.partial, state.checking = True, token


async def _checking_progress(ls: GtoLanguageServer, state: DocState, shown: int) -> Optional[str]:
    """A progress report, begun before the head's diagnostics and ended by the whole file's (`publish`): the
    editor says the rest of the file is being checked. None when the client shows no progress."""
    if not ls.can("window.work_done_progress"):
        return None
    token = f"gto-check-{uuid.uuid4()}"
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), 1)  # (a client answers in milliseconds)
    except Exception:
        return None
    name = state.path.name if state.path is not None else "the file"
    message = f"the problems of its first {shown:,} entries are shown"
    ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title=f"GTO: checking {name}", message=message))
    return token


async def publish_for(ls: GtoLanguageServer, uri: str, force: bool = True, task: Any = None) -> None:
    """Check and publish; `task` is the scheduled task doing it, which stops once a newer one replaced it."""
    state = ls.doc_state(uri)
    if state.kind not in (ARTIFACTS, CONFIG, DVC):
        return
    if state.kind != CONFIG and _too_large(ls, uri, state.path):
        _publish_too_large(ls, uri, force)
        return
    view = ls.view(uri)
    if state.parsing is not None and view is not None and ls.is_open(uri):
        await _publish_head(ls, view, task)
    if await ls.parsed(uri):  # a large first parse, in a worker thread
        view = ls.view(uri)
        code_lens.refresh(ls)  # the lenses asked meanwhile were answered for an empty document
    settings = await ls.settings_for(state.path)
    fmt = state.format
    if view is None:  # deleted and not open
        if state.published:
            clear(ls, uri)
        if fmt is not None and fmt.reads_gto_config:
            publish_config(ls, ls.repo(state.root), settings)
        return
    if fmt is None:  # `.gto`
        publish_config(ls, view.repo, settings, force=force)
        return
    if fmt.asks_git:  # (DVC reads paths from the work tree: no git answers)
        await _git_ready(ls, view, settings)
        if task is not None and ls.doc_state(uri).task is not task:
            return  # a newer edit or refresh was scheduled while this one waited for settings and git
        view = ls.view(uri)  # the newest text, after the awaits
        if view is None:
            return
    unread = _not_read_by_dvc(ls, view) if state.kind == DVC else None
    if unread is not None:  # DVC never reads it: its stages make no outputs; one note where it is open
        ls.state.stage_outputs.pop(uri, None)
        if ls.is_open(uri):
            publish(ls, uri, diagnostics_of([not_read(unread)], view.lines, uri, None), view.version, force=force)
        elif state.published:
            clear(ls, uri)
        return
    problems = await _problems_off_loop(ls, view, fmt, settings)
    if task is not None and ls.doc_state(uri).task is not task:
        return  # superseded while it ran
    gto = _gto_target(ls, view.repo) if fmt.reads_gto_config else None
    publish(ls, uri, diagnostics_of(problems, view.lines, uri, gto), view.version, force=force)
    if fmt.reads_gto_config:
        publish_config(ls, view.repo, settings)
    _note_outputs(ls, view, fmt)


async def _debounced(ls: GtoLanguageServer, uri: str, delay: float, force: bool) -> None:
    if delay > 0:
        await asyncio.sleep(delay)
    state = ls.state.docs.get(uri)
    if state is None or state.task is not asyncio.current_task():
        return  # superseded by a newer edit, or closed
    await publish_for(ls, uri, force, asyncio.current_task())


def schedule(ls: GtoLanguageServer, uri: str, delay: Optional[float] = None, force: bool = True) -> None:
    state = ls.doc_state(uri)
    state.task = ls.spawn(_debounced(ls, uri, ls.state.debounce if delay is None else delay, force))


def tracked_uris(ls: GtoLanguageServer, root: Any = ...) -> list[str]:
    """Documents whose diagnostics are live: open ones of ours, and artifacts files published from disk."""
    out = []
    for uri, state in ls.state.docs.items():
        if state.kind not in (ARTIFACTS, CONFIG, DVC):
            continue
        if root is not ... and state.root != root:
            continue
        if ls.is_open(uri) or uri in ls.state.from_disk:
            out.append(uri)
    return out


def refresh(ls: GtoLanguageServer, root: Any = ..., force: bool = False) -> None:
    """Re-check every live document (of one repository when `root` is given)."""
    for uri in tracked_uris(ls, root):
        schedule(ls, uri, 0, force=force)


def dvc_ignore(root: Path) -> DvcIgnore:
    """The `.dvcignore` rules of a repository (or workspace folder), read from disk as they are asked for."""
    return DvcIgnore(lambda rel: read_text(root / rel))


def _not_read_by_dvc(ls: GtoLanguageServer, view: View) -> Optional[str]:
    """Why DVC never reads this dvc.yaml (`.dvcignore`, `.dvc/`, inside an output folder of a stage of a dvc.yaml
    the server knows), or None."""
    root = view.root
    if root is None:
        return None
    rel = dvc_file_of(view.folder)
    reason = dvc_ignore(root).reason(rel)
    if reason is not None:
        return reason
    outputs = {rel: frozenset[str]()}
    for uri, made in list(ls.state.stage_outputs.items()):
        other = ls.doc_state(uri)
        if other.root == root and other.path is not None and uri != view.uri:
            outputs[other.path.relative_to(root).as_posix()] = made
    return inside_outputs(outputs, outputs).get(rel)
