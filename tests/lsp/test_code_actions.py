"""Quick fixes chosen by diagnostic code, fix-all, and the entry refactors (annotate command, remove edit)."""

from __future__ import annotations

from typing import Callable

from lsprotocol import types

from lsp.conftest import Editor, Repo, Start, apply_text_edits, rng

TEXT = (
    "rf:\n"  # 0
    "  type: dataset\n"  # 1  type-not-allowed
    "  descripton: x\n"  # 2  unknown-field
    "  labels: [aa, aa]\n"  # 3  duplicate-label (flow)
    "  virtual: yes\n"  # 4  lax-boolean
    "bad.name:\n"  # 5  invalid-name
    "  path: missing.pkl\n"  # 6  path-missing, virtual false
    "  virtual: false\n"  # 7
    "empty:\n"  # 8  entry-not-mapping
    "num:\n"  # 9
    "  description: 5\n"  # 10 wrong-type (quoted)
    "  labels:\n"  # 11
    "  - x\n"  # 12
    "  - x\n"  # 13 duplicate-label (block)
    "123: {}\n"  # 14 name-not-string
)


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes:
        out: list[types.TextEdit] = []
        for change in action.edit.document_changes:
            assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
            out.extend(e for e in change.edits if isinstance(e, types.TextEdit))
        return out
    assert action.edit.changes is not None
    return list(action.edit.changes[uri])


async def fixes(editor: Editor, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    doc = editor.docs[uri]
    actions = await editor.code_actions(doc, diagnostic.range, [diagnostic], only=[types.CodeActionKind.QuickFix])
    return [a for a in actions if a.kind == types.CodeActionKind.QuickFix]


async def test_quick_fix_for_every_code(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={".gto": "types: [model]\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, TEXT)
    diagnostics = await editor.diagnostics(doc.uri, version=1)
    lines = TEXT.split("\n")
    results: dict[str, list[tuple[str, list[str]]]] = {}
    for diagnostic in diagnostics:
        for action in await fixes(editor, doc.uri, diagnostic):
            assert list(action.diagnostics or []) == [diagnostic]
            after = apply_text_edits(TEXT, edits_of(action, doc.uri)).split("\n")
            changed = [line for line in after if line not in lines]
            results.setdefault(f"{diagnostic.code}@{diagnostic.range.start.line}", []).append((action.title, changed))
    assert results == {
        "type-not-allowed@1": [("Change the type to `model`", ["  type: model"])],
        "unknown-field@2": [("Rename to `description`", ["  description: x"]), ("Remove field `descripton`", [])],
        "duplicate-label@3": [("Remove the duplicate label `aa`", ["  labels: [aa]"])],
        "lax-boolean@4": [("Write `true`", ["  virtual: true"])],
        "invalid-name@5": [("Replace with `bad-name`", ["bad-name:"])],
        "path-missing@6": [("Set `virtual: true`", ["  virtual: true"])],
        "entry-not-mapping@8": [("Write `empty: {}`", ["empty: {}"])],
        "wrong-type@10": [("Quote it: '5'", ["  description: '5'"])],
        "duplicate-label@13": [("Remove the duplicate label `x`", [])],
        "name-not-string@14": [("Quote it: '123'", ["'123': {}"])],
    }
    # The field removal and the block-label removal delete exactly their lines.
    [_, remove_field] = await fixes(editor, doc.uri, next(d for d in diagnostics if d.code == "unknown-field"))
    assert "  descripton: x\n" not in apply_text_edits(TEXT, edits_of(remove_field, doc.uri))
    [remove_label] = await fixes(editor, doc.uri, next(d for d in diagnostics if d.range.start.line == 13))
    assert apply_text_edits(TEXT, edits_of(remove_label, doc.uri)).count("  - x\n") == 1
    # Edits are tied to the document version.
    assert remove_label.edit is not None and remove_label.edit.document_changes is not None
    change = remove_label.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1


async def test_fix_all_applies_one_safe_fix_per_problem(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(files={".gto": "types: [model]\n"})
    editor = await start([repo.root])
    doc = editor.open(repo.index, TEXT)
    await editor.diagnostics(doc.uri, version=1)
    actions = await editor.code_actions(doc, rng(0, 0, 0, 0), [], only=["source.fixAll.gto"])
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.gto"
    fixed = apply_text_edits(TEXT, edits_of(fix_all, doc.uri))
    assert fixed == (
        "rf:\n"
        "  type: model\n"
        "  description: x\n"
        "  labels: [aa]\n"
        "  virtual: true\n"
        "bad-name:\n"
        "  path: missing.pkl\n"
        "  virtual: false\n"  # not "safe": it would hide a missing file
        "empty: {}\n"
        "num:\n"
        "  description: '5'\n"
        "  labels:\n"
        "  - x\n"
        "'123': {}\n"
    )
    editor.replace(doc, fixed)
    remaining = await editor.diagnostics(doc.uri, version=doc.version)
    assert [d.code for d in remaining] == ["path-missing"]


async def test_empty_file_fix(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "# no artifacts yet")
    [diagnostic] = await editor.diagnostics(doc.uri, version=1)
    assert diagnostic.code == "empty-file"
    [action] = await fixes(editor, doc.uri, diagnostic)
    assert apply_text_edits(doc.text, edits_of(action, doc.uri)) == "# no artifacts yet\n{}\n"


async def test_entry_refactors_annotate_command_and_remove_edit(start: Start, make_repo: Callable[..., Repo]) -> None:
    repo = make_repo()
    editor = await start([repo.root], init_options={"clientCommands": ["gto.annotate"]})
    text = "# models\nrf:\n  type: model\n  path: m.pkl\n  labels: [a, b]\n  virtual: false\nnn: {}\n"
    doc = editor.open(repo.index, text)
    actions = await editor.code_actions(doc, rng(3, 4, 3, 4), [])
    refactors = [a for a in actions if a.kind == types.CodeActionKind.Refactor]
    assert [a.title for a in refactors] == ["Annotate artifact 'rf'...", "Remove annotation of 'rf'"]
    annotate = refactors[0]
    assert annotate.command is not None and annotate.command.command == "gto.annotate"
    assert list(annotate.command.arguments or []) == [
        {
            "name": "rf",
            "repository": str(repo.root),
            "file": "artifacts.yaml",
            "type": "model",
            "path": "m.pkl",
            "labels": ["a", "b"],
            "virtual": False,
        }
    ]
    removed = apply_text_edits(text, edits_of(refactors[1], doc.uri))
    assert removed == "# models\nnn: {}\n"
    # Outside any entry: no refactor.
    assert [a for a in await editor.code_actions(doc, rng(0, 0, 0, 0), []) if a.kind == "refactor"] == []


async def test_annotate_prompt_is_offered_only_to_clients_that_have_it(
    start: Start, make_repo: Callable[..., Repo]
) -> None:
    """Neovim or Emacs have no `gto.annotate` prompts: they get the remove edit, which works everywhere."""
    repo = make_repo()
    editor = await start([repo.root])
    doc = editor.open(repo.index, "rf:\n  type: model\n")
    actions = await editor.code_actions(doc, rng(1, 4, 1, 4), [])
    refactors = [a.title for a in actions if a.kind == types.CodeActionKind.Refactor]
    assert refactors == ["Remove annotation of 'rf'"]


async def test_removing_a_block_field_keeps_the_next_field(start: Start, make_repo: Callable[..., Repo]) -> None:
    """A block list's end mark runs on to the next key: the delete must stop at the list's last item."""
    repo = make_repo()
    editor = await start([repo.root])
    text = "rf:\n  labelz:\n  - a\n  - b\n  type: model\n"
    doc = editor.open(repo.index, text)
    [diagnostic] = await editor.diagnostics(doc.uri, version=1)
    [remove] = [a for a in await fixes(editor, doc.uri, diagnostic) if a.title == "Remove field `labelz`"]
    assert apply_text_edits(text, edits_of(remove, doc.uri)) == "rf:\n  type: model\n"
