"""Drive the real server over stdio with pytest-lsp, as VS Code would (its recorded capabilities).

`editor` starts a server for some workspace folders and returns an `Editor`: a small stand-in for an editor
that keeps the text and version of each open document, sends didOpen/didChange, answers workspace/applyEdit
by applying the edit to its copy (and refusing a stale version, as VS Code does) and records registrations.
Repositories are real git repositories in tmp_path (tests/helpers/git.py); git never reads the developer's config.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Optional, Union

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from helpers.git import T0, git, isolated_env

# The one place that says how the server starts. GTOLSP_TEST_SERVER_PYTHON runs the server on another Python
# than the tests (scripts/test.sh: the server on 3.9, where pytest-lsp does not install).
# Absolute: some tests start the server in another working folder.
SERVER_COMMAND = [os.path.abspath(os.environ.get("GTOLSP_TEST_SERVER_PYTHON") or sys.executable), "-m", "gto_lsp"]


def uri(path: Path) -> str:
    return str(from_fs_path(str(path)))


def git_env(home: Path) -> dict[str, str]:
    env = isolated_env(home)
    env.update(
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.com",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.com",
    )
    return env


class Repo:
    """A git repository in tmp_path, made with the git binary."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: Optional[int] = None) -> str:
        return git(self.root, *args, when=when, env=self.env)

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")

    def commit(self, files: Optional[dict[str, str]] = None, message: str = "c", *paths: str) -> None:
        if files:
            self.write(files)
        self.git("add", *(paths or ("-A",)))
        self.git("commit", "-q", "--allow-empty", "-m", message, when=T0)

    def tag(self, name: str, message: str, when: int = T0) -> None:
        self.git("tag", "-a", name, "-m", message, when=when)

    @property
    def index(self) -> Path:
        return self.root / "artifacts.yaml"


class Doc:
    def __init__(self, uri: str, text: str, version: int) -> None:
        self.uri = uri
        self.text = text
        self.version = version


def _offset(text: str, position: types.Position) -> int:
    """Offset of a UTF-16 position in `text` (lines split at \\r\\n, \\r, \\n)."""
    lines = text.splitlines(keepends=True) or [""]
    line = position.line
    if line >= len(lines):
        return len(text)
    start = sum(len(x) for x in lines[:line])
    units = 0
    for index, char in enumerate(lines[line].rstrip("\r\n")):
        if units >= position.character:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(lines[line].rstrip("\r\n"))


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    spans = sorted(
        ((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


class Editor:
    """What a test drives: the client, plus the editor's own copy of each open document."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.docs: dict[str, Doc] = {}
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []
        self.applied: list[types.ApplyWorkspaceEditParams] = []
        self.before_apply: Optional[Callable[[], None]] = None
        self.refuse_apply = False

    # --- documents -----------------------------------------------------------------------------------------

    def open(self, path: Path, text: Optional[str] = None) -> Doc:
        if text is None:
            text = path.read_text(encoding="utf-8")
        doc = Doc(uri(path), text, 1)
        self.docs[doc.uri] = doc
        language = "gto-config" if path.name == ".gto" else "yaml"
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=doc.uri, language_id=language, version=1, text=text)
            )
        )
        return doc

    def replace(self, doc: Doc, text: str) -> None:
        """Replace the whole text with one incremental change (range = the whole document)."""
        lines = doc.text.split("\n")
        end = types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=0), end=end), text=text
        )
        self._send(doc, [change], text)

    def type(self, doc: Doc, line: int, character: int, text: str) -> None:
        """Insert `text` at a position (UTF-16), incrementally."""
        position = types.Position(line=line, character=character)
        change = types.TextDocumentContentChangePartial(range=types.Range(start=position, end=position), text=text)
        new = apply_text_edits(doc.text, [types.TextEdit(range=change.range, new_text=text)])
        self._send(doc, [change], new)

    def _send(self, doc: Doc, changes: list[Any], new_text: str) -> None:
        doc.version += 1
        doc.text = new_text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
                content_changes=changes,
            )
        )

    def close(self, doc: Doc) -> None:
        del self.docs[doc.uri]
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=doc.uri))
        )

    # --- diagnostics ---------------------------------------------------------------------------------------

    async def diagnostics(
        self,
        target: str,
        until: Optional[Callable[[list[types.Diagnostic]], bool]] = None,
        version: Optional[int] = None,
        timeout: float = 30.0,
    ) -> list[types.Diagnostic]:
        """The newest diagnostics published for `target` that satisfy `until` (and `version`), within `timeout`
        seconds (a hang bound: a busy machine must not fail it). Not a large file's first entries' diagnostics,
        published while the whole file's check runs (`checking`): `self.published` holds those."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for params in reversed(self.published):
                if params.uri != target or self.checking():
                    continue
                diagnostics = list(params.diagnostics)
                if (version is None or params.version == version) and (until is None or until(diagnostics)):
                    return diagnostics
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                last = [p for p in self.published if p.uri == target]
                raise AssertionError(f"no matching diagnostics for {target}; last: {last[-1:] if last else None}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), remaining
                )

    def checking(self) -> bool:
        """A large file's check runs: its first entries' diagnostics are out, the whole file's to come (the
        server's "gto-check-" progress, begun before the first and ended before the second)."""
        return any(
            isinstance(token, str)
            and token.startswith("gto-check-")
            and not isinstance(reports[-1], types.WorkDoneProgressEnd)
            for token, reports in self.client.progress_reports.items()
            if reports
        )

    async def settle(self, seconds: float = 0.3) -> None:
        await asyncio.sleep(seconds)

    # --- requests ------------------------------------------------------------------------------------------

    async def command(self, name: str, argument: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[argument])
        )

    async def completion(
        self, doc: Doc, line: int, character: int, trigger: Optional[str] = None
    ) -> list[types.CompletionItem]:
        context = (
            types.CompletionContext(
                trigger_kind=types.CompletionTriggerKind.TriggerCharacter, trigger_character=trigger
            )
            if trigger
            else types.CompletionContext(trigger_kind=types.CompletionTriggerKind.Invoked)
        )
        result = await self.client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=doc.uri),
                position=types.Position(line=line, character=character),
                context=context,
            )
        )
        if result is None:
            return []
        return list(result.items if isinstance(result, types.CompletionList) else result)

    async def hover(self, doc: Doc, line: int, character: int) -> Optional[types.Hover]:
        return await self.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=doc.uri),
                position=types.Position(line=line, character=character),
            )
        )

    async def request_everywhere(self, doc: Doc, columns: tuple[int, ...]) -> None:
        """Every position request (completion, hover, code actions up to there, definition) at each line and
        column of `columns`, then the document-wide ones (symbols, folding, code lens): none may fail."""
        for line in range(max(len(doc.text.splitlines()), 1) + 1):
            for character in columns:
                position = types.Position(line=line, character=character)
                await self.completion(doc, line, character)
                await self.hover(doc, line, character)
                await self.code_actions(doc, types.Range(start=types.Position(line=0, character=0), end=position), [])
                await self.client.text_document_definition_async(
                    types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=doc.uri), position=position)
                )
        identifier = types.TextDocumentIdentifier(uri=doc.uri)
        await self.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=identifier))
        await self.client.text_document_folding_range_async(types.FoldingRangeParams(text_document=identifier))
        await self.client.text_document_code_lens_async(types.CodeLensParams(text_document=identifier))

    async def code_actions(
        self, doc: Doc, rng: types.Range, diagnostics: list[types.Diagnostic], only: Optional[list[str]] = None
    ) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=doc.uri),
                range=rng,
                context=types.CodeActionContext(diagnostics=diagnostics, only=only),
            )
        )
        return [a for a in (result or []) if isinstance(a, types.CodeAction)]

    def apply_workspace_edit(self, edit: types.WorkspaceEdit) -> Optional[str]:
        """Apply an edit to the open documents (and to disk for closed ones); a failure reason or None."""
        if edit.changes:
            for target, edits in edit.changes.items():
                self._apply_to(target, None, list(edits))
        for change in edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                path = Path(str(to_fs_path(change.uri)))
                if not path.exists():
                    path.write_text("")
                continue
            if not isinstance(change, types.TextDocumentEdit):
                return "unsupported change"
            version = change.text_document.version
            doc = self.docs.get(change.text_document.uri)
            if doc is not None and version is not None and version != doc.version:
                return f"stale version {version} (the document is at {doc.version})"
            edits = [e for e in change.edits if isinstance(e, types.TextEdit)]
            self._apply_to(change.text_document.uri, version, edits)
        return None

    def _apply_to(self, target: str, version: Optional[int], edits: list[types.TextEdit]) -> None:
        doc = self.docs.get(target)
        if doc is None:
            path = Path(str(to_fs_path(target)))
            text = path.read_text(encoding="utf-8") if path.exists() else ""
            path.write_text(apply_text_edits(text, edits), encoding="utf-8", newline="")
            return
        new = apply_text_edits(doc.text, edits)
        self._send(doc, [types.TextDocumentContentChangeWholeDocument(text=new)], new)


def _converter() -> Any:
    """pygls's converter, except that a CodeAction carrying a `command` object stays a CodeAction (lsprotocol
    2025.0.0 turns any result item with a `command` key into a Command; VS Code checks that it is a string)."""
    converter = default_converter()

    def code_action_or_command(item: Any, _: type) -> Any:
        if isinstance(item.get("command"), str):
            return converter.structure(item, types.Command)
        return converter.structure(item, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], code_action_or_command)
    return converter


def _make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        ls.diagnostics[params.uri] = params.diagnostics
        editor = getattr(ls, "editor", None)
        if editor is not None:
            editor.published.append(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    register_lsp_features(client, features)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls: LanguageClient, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        editor: Editor = ls.editor  # type: ignore[attr-defined]
        editor.applied.append(params)
        if editor.before_apply is not None:
            editor.before_apply()
        if editor.refuse_apply:
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="refused by the test")
        reason = editor.apply_workspace_edit(params.edit)
        return types.ApplyWorkspaceEditResult(applied=reason is None, failure_reason=reason)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(ls: LanguageClient, params: types.RegistrationParams) -> None:
        ls.editor.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


Start = Callable[..., Awaitable[Editor]]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return git_env(home)


@pytest.fixture
def make_repo(tmp_path: Path, env: dict[str, str]) -> Callable[..., Repo]:
    def make(name: str = "repo", files: Optional[dict[str, str]] = None, commit: bool = True) -> Repo:
        repo = Repo(tmp_path / name, env)
        if files:
            repo.write(files)
        if commit:
            repo.commit()
        return repo

    return make


@pytest_asyncio.fixture
async def start(env: dict[str, str]) -> AsyncIterator[Start]:
    """start(folders, init_options=None, capabilities=None, settings=None) -> Editor (initialized)."""
    editors: list[Editor] = []

    async def _start(
        folders: list[Path],
        init_options: Optional[dict[str, Any]] = None,
        capabilities: Optional[types.ClientCapabilities] = None,
        settings: Optional[dict[str, Any]] = None,
        server_env: Optional[dict[str, str]] = None,
    ) -> Editor:
        config = ClientServerConfig(
            server_command=SERVER_COMMAND, server_env=server_env or env, client_factory=_make_client
        )
        client = await config.start()
        assert isinstance(client, LanguageClient)
        editor = Editor(client)
        client.editor = editor  # type: ignore[attr-defined]
        if settings is not None:
            client.set_configuration(settings, section="gto")
        editors.append(editor)
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities or client_capabilities("visual-studio-code"),
                workspace_folders=[types.WorkspaceFolder(uri=uri(f), name=f.name) for f in folders],
                root_uri=uri(folders[0]) if folders else None,
                initialization_options=init_options,
            )
        )
        return editor

    yield _start
    for editor in editors:
        try:
            await asyncio.wait_for(editor.client.shutdown_session(), 30)  # a hang bound
        finally:
            await editor.client.stop()


def rng(l1: int, c1: int, l2: int, c2: int) -> types.Range:
    return types.Range(start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2))


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)
