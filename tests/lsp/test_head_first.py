"""A large artifacts.yaml's first diagnostics: those of its first entries (Format.head), published while the whole
file's check runs, within a "gto-check-" progress that ends before the whole file's diagnostics replace them.
The first set is exactly the whole set's part in the head's lines, never a problem the whole check does not find.
A hang is no answer within HANG seconds (speed: bench/bench_lsp.py)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from lsprotocol import types

from gto_lsp.core.formats.gto.document import Document
from gto_lsp.core.formats.gto.format import GTO
from gto_lsp.core.problems import Pos, Problem, Span
from gto_lsp.lsp.features.diagnostics import HEAD_LINES, MAX_PROBLEMS, capped
from gto_lsp.lsp.session.documents import PARSE_OFF_LOOP
from lsp.conftest import Doc, Editor, Repo, Start, codes

HANG = 30.0
COUNT = 15_000  # large enough that the whole check ends well after the head, even on a busy machine


def entry(i: int) -> str:
    """Every 50th entry has an unknown field, every 25th a missing committed path; the last repeats entry 1's name."""
    name = "model-00001" if i == COUNT - 1 else f"model-{i:05d}"
    extra = "  colour: red\n" if i % 50 == 3 else ""
    virtual = "  virtual: false\n" if i % 25 == 2 else ""
    return f"{name}:\n  type: model\n  path: models/m{i}.pkl\n{extra}{virtual}"


TEXT = "".join(entry(i) for i in range(COUNT))


def shown(diagnostics: list[types.Diagnostic]) -> list[tuple[Any, ...]]:
    return sorted(
        (d.range.start.line, d.range.start.character, d.range.end.line, d.code, d.message, d.severity)
        for d in diagnostics
    )


def publishes(editor: Editor, uri: str, version: int) -> list[list[types.Diagnostic]]:
    return [list(p.diagnostics) for p in editor.published if p.uri == uri and p.version == version]


def check_progress(editor: Editor) -> list[list[Any]]:
    return [reports for token, reports in editor.client.progress_reports.items() if str(token).startswith("gto-check-")]


async def opened(start: Start, make_repo: Callable[..., Repo]) -> tuple[Editor, Doc]:
    """An editor on a fresh repository with TEXT open as its artifacts.yaml (missing virtual paths not reported)."""
    repo = make_repo()
    editor = await start([repo.root], settings={"checks": {"virtualMissing": "off"}})
    return editor, editor.open(repo.index, TEXT)


async def until(condition: Callable[[], bool]) -> None:
    """Poll `condition` (what the editor has received) until it holds; fail after HANG seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HANG
    while not condition():
        assert loop.time() < deadline, "not within the hang bound"
        await asyncio.sleep(0.01)


def head_lines(text: str) -> int:
    assert GTO.head is not None
    head = GTO.head(text, HEAD_LINES)
    assert isinstance(head, Document)
    return head.text.count("\n")


async def test_the_first_diagnostics_are_the_heads_then_the_whole_files(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    assert len(TEXT) >= PARSE_OFF_LOOP
    editor, doc = await opened(start, make_repo)
    whole = await editor.diagnostics(doc.uri, version=1, timeout=HANG)
    first, *rest = publishes(editor, doc.uri, 1)
    assert rest and rest[-1] == whole
    covered = head_lines(TEXT)
    assert shown(first) == shown([d for d in whole if d.range.start.line < covered])
    assert {"unknown-field", "path-missing"} <= set(codes(first)) and "duplicate-name" not in codes(first)
    assert "duplicate-name" in codes(whole) and len(whole) > 3 * len(first)
    [reports] = check_progress(editor)
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and "artifacts.yaml" in reports[0].title
    assert isinstance(reports[-1], types.WorkDoneProgressEnd)


async def test_no_head_when_it_cannot_speak_for_the_whole(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    text = "first: &shared\n  type: model\n" + TEXT + "last: *shared\n"  # an alias: composed whole
    doc = editor.open(repo.index, text)
    await editor.diagnostics(doc.uri, version=1, timeout=HANG)
    await editor.settle(0.5)
    assert len(publishes(editor, doc.uri, 1)) == 1
    assert check_progress(editor) == []


async def test_a_client_without_progress_gets_the_head_then_the_whole(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    repo = make_repo()
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True)
        ),
        workspace=types.WorkspaceClientCapabilities(configuration=True, workspace_folders=True),
    )
    editor = await start([repo.root], capabilities=capabilities, settings={"checks": {"virtualMissing": "off"}})
    doc = editor.open(repo.index, TEXT)
    await until(lambda: any("duplicate-name" in codes(found) for found in publishes(editor, doc.uri, 1)))
    first, *_, whole = publishes(editor, doc.uri, 1)
    assert shown(first) == shown([d for d in whole if d.range.start.line < head_lines(TEXT)])
    assert check_progress(editor) == []


async def test_an_edit_during_the_whole_check_leaves_its_own_whole_diagnostics(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    editor, doc = await opened(start, make_repo)
    editor.type(doc, 1, len("  type: model"), "\n  colour: blue")  # entry 0 gets an unknown field
    found = await editor.diagnostics(doc.uri, version=2, timeout=HANG)
    assert "duplicate-name" in codes(found) and any(d.range.start.line == 2 for d in found)
    await editor.settle(0.5)
    last = [p for p in editor.published if p.uri == doc.uri][-1]
    assert last.version == 2 and shown(list(last.diagnostics)) == shown(found)
    assert all(isinstance(reports[-1], types.WorkDoneProgressEnd) for reports in check_progress(editor))


async def test_an_edit_after_the_heads_diagnostics_leaves_no_progress_running(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    editor, doc = await opened(start, make_repo)
    await until(lambda: bool(publishes(editor, doc.uri, 1)))  # the head's, while the whole check runs
    editor.type(doc, 1, len("  type: model"), "x")  # a check of version 2, with a head of its own
    found = await editor.diagnostics(doc.uri, version=2, timeout=HANG)
    assert "duplicate-name" in codes(found)
    await editor.settle(1.0)
    reports = check_progress(editor)
    assert reports and all(isinstance(each[-1], types.WorkDoneProgressEnd) for each in reports), reports


def test_a_capped_publish_shows_the_first_problems_in_the_file() -> None:
    def at(line: int) -> Problem:
        return Problem("unknown-field", "warning", f"line {line}", Span(Pos(line, 0), Pos(line, 1)))

    problems = [at(line) for line in range(2 * MAX_PROBLEMS, 0, -1)]  # last line first, as a check may list them
    first, left_out = capped(problems)
    assert [p.span.start.line for p in first] == list(range(1, MAX_PROBLEMS + 1)) and left_out == MAX_PROBLEMS
